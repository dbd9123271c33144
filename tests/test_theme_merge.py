"""Merging one theme into another: codings move, double codings fold, sub-themes follow."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedTheme, Theme
from coding.services import excerpt_create, theme_merge
from tests.codebook_state import codebook_state, other_study_objects, themes_of
from tests.conftest import client_for


@pytest.fixture
def book(study, alice, bob, transcript, themes):
    """ "Young people" (top level, sub-theme "Rural") is to be merged into Youth.
    e1: Young people only; e2: Young people and Youth; e3: Young people and Gender (bob's);
    e4: Gender only."""
    source = Theme.objects.create(study=study, name="Young people", colour="#00aa00", order=1,
                                  description="Same as youth")
    rural = Theme.objects.create(study=study, name="Rural", parent=source)
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
    return reverse("coding:theme-merge", args=["pasto", theme.pk])


def test_it_shows_what_a_merge_will_do(alice, book):
    response = client_for(alice).get(url(book["source"]))
    assert response.status_code == 200
    assert response.context["counts"] == {"codings": 3, "only": 1}
    body = response.content.decode()
    assert "«<bdi>Rural</bdi>»" in body
    targets = [value for value, _ in response.context["form"].fields["target"].choices]
    assert book["source"].pk not in targets and book["rural"].pk not in targets
    assert book["youth"].pk in targets


def test_it_moves_every_coding_and_folds_double_codings(alice, book):
    youth = book["youth"]
    response = client_for(alice).post(url(book["source"]), {"target": youth.pk})
    deleted = DeletedTheme.objects.get()
    assert response.status_code == 302
    codebook = reverse("coding:codebook", args=["pasto"])
    assert response["Location"] == codebook + f"?undo={deleted.pk}#theme-{youth.pk}"
    assert not Theme.objects.filter(name="Young people").exists()
    assert themes_of(book["e1"]) == ["Youth"]
    assert themes_of(book["e2"]) == ["Youth"]  # two codings of one excerpt fold into one
    assert themes_of(book["e3"]) == ["Gender", "Youth"]
    assert themes_of(book["e4"]) == ["Gender"]
    assert CodedExcerpt.themes.through.objects.filter(theme=youth).count() == 3
    assert not CodedExcerpt.objects.filter(themes=None).exists()
    assert (deleted.action, deleted.name, deleted.original_id) == (
        "merged",
        "Young people",
        book["source"].pk,
    )


def test_it_keeps_coders_quotes_and_memos_and_bumps_versions(alice, book):
    before = {
        e.pk: (e.coder_id, e.quote, e.memo, e.start, e.end, e.version) for e in CodedExcerpt.objects.all()
    }
    client_for(alice).post(url(book["source"]), {"target": book["youth"].pk})
    for e in CodedExcerpt.objects.all():
        coder, quote, memo, start, end, version = before[e.pk]
        assert (e.coder_id, e.quote, e.memo, e.start, e.end) == (coder, quote, memo, start, end)
        assert e.version == version + (0 if e.pk == book["e4"].pk else 1)


def test_its_sub_themes_move_under_the_target(study, alice, book):
    Theme.objects.create(study=study, name="Urban", parent=book["youth"])
    client_for(alice).post(url(book["source"]), {"target": book["youth"].pk})
    under = list(Theme.objects.filter(parent=book["youth"]).order_by("order").values_list("name", "order"))
    assert under == [("Urban", 0), ("Rural", 1)]


def test_it_merges_into_its_own_parent(alice, book):
    client_for(alice).post(url(book["youth"]), {"target": book["parent"].pk})
    assert themes_of(book["e2"]) == ["Strategy themes", "Young people"]
    assert list(Theme.objects.filter(parent=book["parent"]).values_list("name", flat=True)) == ["Gender"]


def test_a_same_named_sub_theme_may_take_its_place(study, alice, book):
    """ "Young people" has a sub-theme "Young people"; merged into the top level's sibling it
    must not clash with itself on the way out."""
    parent = Theme.objects.create(study=study, name="Holder")
    book["source"].parent = parent
    book["source"].save()
    Theme.objects.filter(pk=book["rural"].pk).update(name="Young people")
    before = codebook_state()
    client_for(alice).post(url(book["source"]), {"target": parent.pk})
    assert list(Theme.objects.filter(parent=parent).values_list("name", flat=True)) == ["Young people"]
    client_for(alice).post(reverse("coding:theme-restore", args=["pasto", DeletedTheme.objects.get().pk]))
    assert codebook_state() == before


def test_undo_restores_everything_exactly(alice, book):
    before = codebook_state()
    client = client_for(alice)
    client.post(url(book["source"]), {"target": book["youth"].pk})
    response = client.post(reverse("coding:theme-restore", args=["pasto", DeletedTheme.objects.get().pk]))
    assert response.status_code == 302
    assert codebook_state() == before
    assert not DeletedTheme.objects.exists()


@pytest.mark.parametrize("target", ["source", "rural", "missing", ""])
def test_it_refuses_itself_its_sub_themes_and_nonsense(alice, book, target):
    before = codebook_state()
    value = book[target].pk if target in book else (999999 if target else "")
    response = client_for(alice).post(url(book["source"]), {"target": value})
    assert response.status_code == 400
    assert response.context["form"].errors["target"]
    assert codebook_state() == before


def test_the_service_refuses_a_sub_theme_as_target(alice, book):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="its own sub-themes"):
        theme_merge(source=book["source"], target=book["rural"], user=alice)


def test_it_refuses_when_a_sub_theme_name_is_taken_under_the_target(study, alice, book):
    Theme.objects.create(study=study, name="Rural", parent=book["youth"])
    before = codebook_state()
    response = client_for(alice).post(url(book["source"]), {"target": book["youth"].pk})
    assert response.status_code == 400
    assert "«<bdi>Rural</bdi>»" in response.content.decode()
    assert codebook_state() == before
    assert not DeletedTheme.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_manage_themes(who, status, request, book):
    before = codebook_state()
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(book["source"])).status_code == status
    assert client.post(url(book["source"]), {"target": book["youth"].pk}).status_code == status
    assert codebook_state() == before


def test_it_sends_anonymous_users_to_login(client, book):
    assert client.post(url(book["source"]), {"target": book["youth"].pk}).status_code == 302
    assert Theme.objects.filter(pk=book["source"].pk).exists()


def test_it_answers_404_for_a_theme_of_another_study(alice, book, other_study, otto):
    theirs = other_study_objects(other_study, otto)
    client = client_for(alice)
    assert client.get(url(theirs["spare"])).status_code == 404
    assert client.post(url(theirs["spare"]), {"target": theirs["theme"].pk}).status_code == 404
    assert Theme.objects.filter(pk=theirs["spare"].pk).exists()


def test_it_refuses_a_target_of_another_study(alice, book, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    before = codebook_state()
    response = client_for(alice).post(url(book["source"]), {"target": theirs.pk})
    assert response.status_code == 400
    assert theirs.pk not in [v for v, _label in response.context["form"].fields["target"].choices]
    assert codebook_state() == before


def test_the_service_refuses_a_target_of_another_study(alice, book, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    before = codebook_state()
    with pytest.raises(ValidationError) as refused:
        theme_merge(source=book["source"], target=theirs, user=alice)
    assert refused.value.error_dict["target"][0].code == "theme_other_study"
    assert codebook_state() == before
