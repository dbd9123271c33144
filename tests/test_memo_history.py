"""A memo's edits are in the study's history, with a readable word diff; another member's
private memo never shows in the history log."""

from django.urls import reverse

from audit.context import acting_as
from audit.models import Change
from memos.services import memo_create, memo_update
from tests.conftest import client_for


def test_a_memo_edit_shows_as_a_word_diff(alice, study):
    with acting_as(alice):
        memo = memo_create(study=study, author=alice, title="Plan", body="We ask about youth. " * 40)
        memo_update(memo=memo, title="Plan", body="We ask about youth. " * 39 + "We ask about gender. ",
                    type="method", private=False)
    response = client_for(alice).get(reverse("audit:memo-history", args=["pasto", memo.pk]))
    assert response.status_code == 200
    change, diffs, others = response.context["rows"][0]
    assert change.action == "update" and change.user == alice
    field, old, new = diffs[0]
    assert field == "body"
    assert [text for text, changed in old if changed] == ["youth"]
    assert [text for text, changed in new if changed] == ["gender"]
    assert others == {"type": ["free", "method"]}
    assert "<ins" in response.content.decode() and "<del" in response.content.decode()


def test_another_members_private_memo_is_not_in_the_history_log(alice, adam, study):
    memo_create(study=study, author=alice, title="Private doubts", private=True)
    memo_create(study=study, author=alice, title="Shared idea")
    assert Change.objects.filter(model="memos.memo").count() == 2
    log = client_for(adam).get(reverse("audit:history-log", args=["pasto"]))
    reprs = [c.object_repr for c in log.context["page"]]
    assert "Shared idea" in reprs and "Private doubts" not in reprs
    memo_create(study=study, author=adam, title="Adam's own", private=True)
    log = client_for(adam).get(reverse("audit:history-log", args=["pasto"]))
    assert "Adam's own" in [c.object_repr for c in log.context["page"]]
