"""Merging one theme into another: codings move, double codings fold, sub-themes follow."""

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedTheme, Theme
from coding.services import excerpt_create, theme_merge
from tests.codebook_state import codebook_state, themes_of
from tests.conftest import client_for


@pytest.fixture
def study(alice, bob, transcript, themes):
    """ "Young people" (top level, sub-theme "Rural") is to be merged into Youth.
    e1: Young people only; e2: Young people and Youth; e3: Young people and Gender (bob's);
    e4: Gender only."""
    source = Theme.objects.create(name="Young people", colour="#00aa00", order=1, description="Same as youth")
    rural = Theme.objects.create(name="Rural", parent=source)
    text = transcript.text
    e = {
        "e1": excerpt_create(transcript=transcript, start=0, end=11, themes=[source], coder=alice),
        "e2": excerpt_create(
            transcript=transcript,
            start=text.index("youth"),
            end=text.index("youth") + 5,
            themes=[source, themes["youth"]],
            coder=alice,
        ),
        "e3": excerpt_create(
            transcript=transcript,
            start=text.index("gender"),
            end=len(text) - 1,
            themes=[source, themes["gender"]],
            coder=bob,
            memo="bob's memo",
        ),
        "e4": excerpt_create(transcript=transcript, start=12, end=15, themes=[themes["gender"]], coder=bob),
    }
    return {**themes, **e, "source": source, "rural": rural}


def url(theme):
    return reverse("coding:theme-merge", args=[theme.pk])


def test_it_shows_what_a_merge_will_do(alice, study):
    response = client_for(alice).get(url(study["source"]))
    assert response.status_code == 200
    assert response.context["counts"] == {"codings": 3, "only": 1}
    body = response.content.decode()
    assert "«Rural»" in body
    targets = [value for value, _ in response.context["form"].fields["target"].choices]
    assert study["source"].pk not in targets and study["rural"].pk not in targets
    assert study["youth"].pk in targets


def test_it_moves_every_coding_and_folds_double_codings(alice, study):
    youth = study["youth"]
    response = client_for(alice).post(url(study["source"]), {"target": youth.pk})
    deleted = DeletedTheme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coding:codebook") + f"?undo={deleted.pk}#theme-{youth.pk}"
    assert not Theme.objects.filter(name="Young people").exists()
    assert themes_of(study["e1"]) == ["Youth"]
    assert themes_of(study["e2"]) == ["Youth"]  # two codings of one excerpt fold into one
    assert themes_of(study["e3"]) == ["Gender", "Youth"]
    assert themes_of(study["e4"]) == ["Gender"]
    assert CodedExcerpt.themes.through.objects.filter(theme=youth).count() == 3
    assert not CodedExcerpt.objects.filter(themes=None).exists()
    assert (deleted.action, deleted.name, deleted.original_id) == (
        "merged",
        "Young people",
        study["source"].pk,
    )


def test_it_keeps_coders_quotes_and_memos_and_bumps_versions(alice, study):
    before = {
        e.pk: (e.coder_id, e.quote, e.memo, e.start, e.end, e.version) for e in CodedExcerpt.objects.all()
    }
    client_for(alice).post(url(study["source"]), {"target": study["youth"].pk})
    for e in CodedExcerpt.objects.all():
        coder, quote, memo, start, end, version = before[e.pk]
        assert (e.coder_id, e.quote, e.memo, e.start, e.end) == (coder, quote, memo, start, end)
        assert e.version == version + (0 if e.pk == study["e4"].pk else 1)


def test_its_sub_themes_move_under_the_target(alice, study):
    Theme.objects.create(name="Urban", parent=study["youth"])
    client_for(alice).post(url(study["source"]), {"target": study["youth"].pk})
    under = list(Theme.objects.filter(parent=study["youth"]).order_by("order").values_list("name", "order"))
    assert under == [("Urban", 0), ("Rural", 1)]


def test_it_merges_into_its_own_parent(alice, study):
    client_for(alice).post(url(study["youth"]), {"target": study["parent"].pk})
    assert themes_of(study["e2"]) == ["Strategy themes", "Young people"]
    assert list(Theme.objects.filter(parent=study["parent"]).values_list("name", flat=True)) == ["Gender"]


def test_a_same_named_sub_theme_may_take_its_place(alice, study):
    """ "Young people" has a sub-theme "Young people"; merged into the top level's sibling it
    must not clash with itself on the way out."""
    parent = Theme.objects.create(name="Holder")
    study["source"].parent = parent
    study["source"].save()
    Theme.objects.filter(pk=study["rural"].pk).update(name="Young people")
    before = codebook_state()
    client_for(alice).post(url(study["source"]), {"target": parent.pk})
    assert list(Theme.objects.filter(parent=parent).values_list("name", flat=True)) == ["Young people"]
    client_for(alice).post(reverse("coding:theme-restore", args=[DeletedTheme.objects.get().pk]))
    assert codebook_state() == before


def test_undo_restores_everything_exactly(alice, study):
    before = codebook_state()
    client = client_for(alice)
    client.post(url(study["source"]), {"target": study["youth"].pk})
    response = client.post(reverse("coding:theme-restore", args=[DeletedTheme.objects.get().pk]))
    assert response.status_code == 302
    assert codebook_state() == before
    assert not DeletedTheme.objects.exists()


@pytest.mark.parametrize("target", ["source", "rural", "missing", ""])
def test_it_refuses_itself_its_sub_themes_and_nonsense(alice, study, target):
    before = codebook_state()
    value = study[target].pk if target in study else (999999 if target else "")
    response = client_for(alice).post(url(study["source"]), {"target": value})
    assert response.status_code == 400
    assert response.context["form"].errors["target"]
    assert codebook_state() == before


def test_the_service_refuses_a_sub_theme_as_target(alice, study):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="its own sub-themes"):
        theme_merge(source=study["source"], target=study["rural"], user=alice)


def test_it_refuses_when_a_sub_theme_name_is_taken_under_the_target(alice, study):
    Theme.objects.create(name="Rural", parent=study["youth"])
    before = codebook_state()
    response = client_for(alice).post(url(study["source"]), {"target": study["youth"].pk})
    assert response.status_code == 400
    assert "«Rural»" in response.content.decode()
    assert codebook_state() == before
    assert not DeletedTheme.objects.exists()


@pytest.mark.parametrize("who", ["rita", "steve"])
def test_it_forbids_users_who_cannot_manage_themes(who, request, study):
    before = codebook_state()
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(study["source"])).status_code == 403
    assert client.post(url(study["source"]), {"target": study["youth"].pk}).status_code == 403
    assert codebook_state() == before


def test_it_sends_anonymous_users_to_login(client, study):
    assert client.post(url(study["source"]), {"target": study["youth"].pk}).status_code == 302
    assert Theme.objects.filter(pk=study["source"].pk).exists()
