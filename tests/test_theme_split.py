"""Splitting a theme: chosen excerpts move to a new theme, the others stay."""

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedTheme, Theme, theme_tree
from coding.services import excerpt_create
from interviews.models import Transcript
from tests.codebook_state import codebook_state, themes_of
from tests.conftest import client_for


@pytest.fixture
def study(alice, bob, transcript, themes):
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
    return reverse("coding:theme-split", args=[theme.pk])


def test_it_lists_the_excerpts_to_choose_from(alice, study):
    response = client_for(alice).get(url(study["youth"]))
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.context["excerpts"]}
    assert set(rows) == {study["a"].pk, study["b"].pk, study["c"].pk}
    assert rows[study["b"].pk]["other_themes"] == ["Gender"]
    assert rows[study["b"].pk]["coder__username"] == "bob"
    body = response.content.decode()
    assert "«Interviewer»" in body and "also: Gender" in body
    assert "Secret Realname" not in body


def test_it_moves_the_chosen_excerpts_to_a_new_theme_beside_it(alice, study):
    youth = study["youth"]
    response = client_for(alice).post(
        url(youth),
        {
            "name": " Youth offices ",
            "colour": "#112233",
            "excerpts": [study["b"].pk, study["c"].pk],
        },
    )
    new = Theme.objects.get(name="Youth offices")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("coding:codebook") + f"?split={new.pk}&from={youth.pk}#theme-{new.pk}"
    )
    assert themes_of(study["a"]) == ["Youth"]
    assert themes_of(study["b"]) == ["Gender", "Youth offices"]
    assert themes_of(study["c"]) == ["Youth offices"]
    assert (new.parent, new.kind, new.colour) == (youth.parent, youth.kind, "#112233")
    order = list(Theme.objects.filter(parent=youth.parent).order_by("order").values_list("name", flat=True))
    assert order == ["Gender", "Youth", "Youth offices"]


def test_it_can_make_the_new_theme_a_sub_theme(alice, study):
    client_for(alice).post(
        url(study["youth"]),
        {
            "name": "Rural",
            "colour": "#112233",
            "as_child": "on",
            "excerpts": [study["a"].pk],
        },
    )
    assert Theme.objects.get(name="Rural").parent == study["youth"]
    assert themes_of(study["a"]) == ["Rural"]


def test_the_codebook_offers_to_merge_it_back(alice, study):
    client = client_for(alice)
    before = codebook_state()
    tree_before = [(t.pk, depth) for t, depth in theme_tree(Theme.objects.all())]
    response = client.post(
        url(study["youth"]), {"name": "New", "colour": "#112233", "excerpts": [study["a"].pk]}, follow=True
    )
    new = Theme.objects.get(name="New")
    body = response.content.decode()
    assert 'id="split-banner"' in body
    assert reverse("coding:theme-merge", args=[new.pk]) in body
    client.post(reverse("coding:theme-merge", args=[new.pk]), {"target": study["youth"].pk})
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
def test_it_rejects_bad_input_and_changes_nothing(alice, study, bad):
    bad = {**bad, "excerpts": [study["a"].pk if v == "A" else v for v in bad.get("excerpts", [])]}
    before = codebook_state()
    response = client_for(alice).post(url(study["youth"]), bad)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert codebook_state() == before


def test_it_refuses_an_excerpt_of_another_theme(alice, study, transcript):
    other = excerpt_create(transcript=transcript, start=20, end=25, themes=[study["gender"]], coder=alice)
    before = codebook_state()
    response = client_for(alice).post(
        url(study["youth"]), {"name": "New", "colour": "#112233", "excerpts": [other.pk]}
    )
    assert response.status_code == 400
    assert codebook_state() == before


@pytest.mark.parametrize("who", ["rita", "steve"])
def test_it_forbids_users_who_cannot_manage_themes(who, request, study):
    before = codebook_state()
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(study["youth"])).status_code == 403
    response = client.post(
        url(study["youth"]), {"name": "New", "colour": "#112233", "excerpts": [study["a"].pk]}
    )
    assert response.status_code == 403
    assert codebook_state() == before


def test_it_sends_anonymous_users_to_login(client, study):
    assert client.get(url(study["youth"])).status_code == 302


@pytest.mark.parametrize("count", [1, 8])
def test_it_runs_a_fixed_number_of_queries(alice, participant, themes, count, django_assert_num_queries):
    """Guards against an N+1 over the listed excerpts (transcript, participant, coder or their
    other themes per excerpt)."""
    for i in range(count):
        t = Transcript.objects.create(participant=participant, title=f"T{i}", text="Some words here")
        excerpt_create(transcript=t, start=0, end=4, themes=[themes["youth"], themes["gender"]], coder=alice)
    client = client_for(alice)
    # session, user, user permissions, group permissions (cached for the request), the theme,
    # the palette colour (theme count), excerpts with transcript, participant and coder,
    # their other themes
    with django_assert_num_queries(8):
        response = client.get(url(themes["youth"]))
    assert len(response.context["excerpts"]) == count
    assert CodedExcerpt.objects.count() == count
