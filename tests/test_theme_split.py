"""Splitting a theme: chosen excerpts move to a new theme, the others stay."""

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedTheme, Theme, theme_tree
from coding.services import excerpt_create
from interviews.models import Transcript
from tests.codebook_state import codebook_state, other_study_objects, themes_of
from tests.conftest import client_for


@pytest.fixture
def book(alice, bob, transcript, themes):
    text = transcript.text
    youth = themes["youth"]
    e = {
        "a": excerpt_create(transcript=transcript, start=0, end=11, themes=[youth], coder=alice),
        "b": excerpt_create(
            transcript=transcript,
            start=text.index("youth"),
            end=text.index("youth") + 5,
            themes=[youth, themes["gender"]],
            coder=bob,
        ),
        "c": excerpt_create(transcript=transcript, start=12, end=15, themes=[youth], coder=alice),
    }
    return {**themes, **e}


def url(theme):
    return reverse("coding:theme-split", args=["pasto", theme.pk])


def test_it_lists_the_excerpts_to_choose_from(alice, book):
    response = client_for(alice).get(url(book["youth"]))
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.context["excerpts"]}
    assert set(rows) == {book["a"].pk, book["b"].pk, book["c"].pk}
    assert rows[book["b"].pk]["other_themes"] == ["Gender"]
    assert rows[book["b"].pk]["coder__username"] == "bob"
    body = response.content.decode()
    assert "«Interviewer»" in body and "also: Gender" in body
    assert "Secret Realname" not in body


def test_it_moves_the_chosen_excerpts_to_a_new_theme_beside_it(alice, book):
    youth = book["youth"]
    response = client_for(alice).post(
        url(youth),
        {
            "name": " Youth offices ",
            "colour": "#112233",
            "excerpts": [book["b"].pk, book["c"].pk],
        },
    )
    new = Theme.objects.get(name="Youth offices")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("coding:codebook", args=["pasto"]) + f"?split={new.pk}&from={youth.pk}#theme-{new.pk}"
    )
    assert themes_of(book["a"]) == ["Youth"]
    assert themes_of(book["b"]) == ["Gender", "Youth offices"]
    assert themes_of(book["c"]) == ["Youth offices"]
    assert (new.parent, new.kind, new.colour) == (youth.parent, youth.kind, "#112233")
    order = list(Theme.objects.filter(parent=youth.parent).order_by("order").values_list("name", flat=True))
    assert order == ["Gender", "Youth", "Youth offices"]


def test_it_can_make_the_new_theme_a_sub_theme(alice, book):
    client_for(alice).post(
        url(book["youth"]),
        {
            "name": "Rural",
            "colour": "#112233",
            "as_child": "on",
            "excerpts": [book["a"].pk],
        },
    )
    assert Theme.objects.get(name="Rural").parent == book["youth"]
    assert themes_of(book["a"]) == ["Rural"]


def test_the_codebook_offers_to_merge_it_back(alice, book):
    client = client_for(alice)
    before = codebook_state()
    tree_before = [(t.pk, depth) for t, depth in theme_tree(Theme.objects.all())]
    response = client.post(
        url(book["youth"]), {"name": "New", "colour": "#112233", "excerpts": [book["a"].pk]}, follow=True
    )
    new = Theme.objects.get(name="New")
    body = response.content.decode()
    assert 'id="split-banner"' in body
    assert reverse("coding:theme-merge", args=["pasto", new.pk]) in body
    client.post(reverse("coding:theme-merge", args=["pasto", new.pk]), {"target": book["youth"].pk})
    assert not Theme.objects.filter(name="New").exists()
    after = codebook_state()
    # Same themes in the same places; order numbers may be renumbered 0, 1, 2… by the split.
    assert [t[:-1] for t in after["themes"]] == [t[:-1] for t in before["themes"]]
    assert [(t.pk, depth) for t, depth in theme_tree(Theme.objects.all())] == tree_before
    assert [(e[0], e[-1]) for e in after["excerpts"]] == [(e[0], e[-1]) for e in before["excerpts"]]
    assert DeletedTheme.objects.get().action == "merged"


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "New", "colour": "#112233"},  # no excerpts
        {"name": "", "colour": "#112233", "excerpts": ["A"]},
        {"name": "New", "colour": "blue", "excerpts": ["A"]},
        {"name": "New", "colour": "#112233", "excerpts": [999999]},
        {"name": "Gender", "colour": "#112233", "excerpts": ["A"]},  # taken beside it
    ],
)
def test_it_rejects_bad_input_and_changes_nothing(alice, book, bad):
    bad = {**bad, "excerpts": [book["a"].pk if v == "A" else v for v in bad.get("excerpts", [])]}
    before = codebook_state()
    response = client_for(alice).post(url(book["youth"]), bad)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert codebook_state() == before


def test_it_refuses_an_excerpt_of_another_theme(alice, book, transcript):
    other = excerpt_create(transcript=transcript, start=20, end=25, themes=[book["gender"]], coder=alice)
    before = codebook_state()
    response = client_for(alice).post(
        url(book["youth"]), {"name": "New", "colour": "#112233", "excerpts": [other.pk]}
    )
    assert response.status_code == 400
    assert codebook_state() == before


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_manage_themes(who, status, request, book):
    before = codebook_state()
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(book["youth"])).status_code == status
    response = client.post(
        url(book["youth"]), {"name": "New", "colour": "#112233", "excerpts": [book["a"].pk]}
    )
    assert response.status_code == status
    assert codebook_state() == before


def test_it_sends_anonymous_users_to_login(client, book):
    assert client.get(url(book["youth"])).status_code == 302


@pytest.mark.parametrize("count", [1, 8])
def test_it_runs_a_fixed_number_of_queries(alice, participant, themes, count, django_assert_num_queries):
    """Guards against an N+1 over the listed excerpts (transcript, participant, coder or their
    other themes per excerpt)."""
    for i in range(count):
        t = Transcript.objects.create(study=participant.study, participant=participant, title=f"T{i}",
                                      text="Some words here")
        excerpt_create(transcript=t, start=0, end=4, themes=[themes["youth"], themes["gender"]], coder=alice)
    client = client_for(alice)
    # user, the theme with the user's membership and study (one query), the palette
    # colour (the study's theme count), excerpts with transcript, participant and coder, their
    # other themes
    with django_assert_num_queries(5):
        response = client.get(url(themes["youth"]))
    assert len(response.context["excerpts"]) == count
    assert CodedExcerpt.objects.count() == count


def test_it_answers_404_for_a_theme_of_another_study(alice, book, other_study, otto):
    theirs = other_study_objects(other_study, otto)
    client = client_for(alice)
    assert client.get(url(theirs["theme"])).status_code == 404
    data = {"name": "Piece", "colour": "#123456", "excerpts": [theirs["excerpt"].pk]}
    assert client.post(url(theirs["theme"]), data).status_code == 404
    assert not Theme.objects.filter(name="Piece").exists()


def test_it_refuses_an_excerpt_of_another_study(alice, book, other_study, otto):
    theirs = other_study_objects(other_study, otto)["excerpt"]
    data = {"name": "Piece", "colour": "#123456", "excerpts": [theirs.pk]}
    assert client_for(alice).post(url(book["youth"]), data).status_code == 400
    assert not Theme.objects.filter(name="Piece").exists()
    assert [t.name for t in CodedExcerpt.objects.get(pk=theirs.pk).themes.all()] == ["Harbour"]
