"""Theme × participant matrix: counts with heat shading; each cell opens its quotes."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, theme, twin_study

SLUG = "pasto"  # the conftest study

URL = reverse("reports:theme-matrix", args=[SLUG])


@pytest.fixture
def data(alice, study):
    parent = theme(study, "Results")
    a = theme(study, "Alliances", parent=parent)
    b = theme(study, "Planning", parent=parent)
    people = {
        "D": person(study, "D"), "J": person(study, "J"), "I": person(study, "I", scope="interview_only"),
        "W": person(study, "W", withdrawn=datetime.date(2010, 1, 1)), "Z": person(study, "Z"),
    }
    d = interview(people["D"], "alpha beta gamma")
    code(d, "alpha beta", [a], alice)
    code(d, "beta gamma", [a, b], alice)
    code(interview(people["J"], "delta"), "delta", [b], alice)
    code(interview(people["I"], "zeta"), "zeta", [a], alice)
    code(interview(people["W"], "omega"), "omega", [a], alice)
    return {"parent": parent, "a": a, "b": b, **people}


def cells(response):
    matrix = response.context["matrix"]
    return {(theme.name, p.code): matrix.counts.get((theme.pk, p.pk), 0)
            for theme, _depth in matrix.tree.rows for p in matrix.participants}


def test_it_counts_each_participants_excerpts_per_theme(rita, data):
    response = client_for(rita).get(URL)
    assert [p.code for p in response.context["matrix"].participants] == ["D", "I", "J", "Z"]  # W withdrew
    assert cells(response) == {
        ("Results", "D"): 2, ("Results", "I"): 1, ("Results", "J"): 1, ("Results", "Z"): 0,
        ("Alliances", "D"): 2, ("Alliances", "I"): 1, ("Alliances", "J"): 0, ("Alliances", "Z"): 0,
        ("Planning", "D"): 1, ("Planning", "I"): 0, ("Planning", "J"): 1, ("Planning", "Z"): 0,
    }


def test_a_theme_counts_each_excerpt_of_its_subtree_once_at_every_depth(rita, alice, study):
    """Three levels, and excerpts coded with a theme and with themes above and beside it: each
    ancestor counts the excerpt once (reports.queries.theme_transcript_counts)."""
    top = theme(study, "Top")
    middle, side = theme(study, "Middle", parent=top), theme(study, "Side", parent=top)
    leaf = theme(study, "Leaf", parent=middle)
    d = interview(person(study, "D"), "one two three four")
    code(d, "one", [leaf, top], alice)
    code(d, "two", [leaf, side], alice)
    code(d, "three", [middle], alice)
    code(interview(person(study, "J"), "five"), "five", [leaf, middle, side, top], alice)
    assert cells(client_for(rita).get(URL)) == {
        ("Top", "D"): 3, ("Middle", "D"): 3, ("Leaf", "D"): 2, ("Side", "D"): 1,
        ("Top", "J"): 1, ("Middle", "J"): 1, ("Leaf", "J"): 1, ("Side", "J"): 1,
    }


def test_it_shades_cells_by_count_and_links_them_to_their_quotes(rita, data):
    body = client_for(rita).get(URL).content.decode()
    results = reverse("reports:theme-report", args=[SLUG, data["parent"].pk]) + f"?participant={data['D'].pk}"
    report = reverse("reports:theme-report", args=[SLUG, data["b"].pk]) + f"?participant={data['J'].pk}"
    # Results × D holds the largest count (2): full colour, white text; Planning × J holds half of
    # it: half the colour mixed with white, black text (tests/test_contrast.py checks every shade).
    link = '<a class="d-block text-reset matrix-link" href="{}">{}</a></td>'
    assert '<td style="background:#0a58ca;color:#ffffff">' + link.format(results, 2) in body
    assert '<td style="background:#84ace4;color:#000000">' + link.format(report, 1) in body
    opened = client_for(rita).get(report)
    assert [e.quote for e in opened.context["page"]] == ["delta"]


def test_it_lets_a_researcher_read(alice, data):
    assert client_for(alice).get(URL).status_code == 200


def test_it_hides_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, data):
    assert client_for(steve).get(URL).status_code == 404
    assert client_for(otto).get(URL).status_code == 404


def test_it_counts_the_studys_themes_and_participants_only(rita, otto, other_study, data):
    """The other study has participants and themes with the same codes and names."""
    twin_study(other_study, otto)
    response = client_for(rita).get(URL)
    assert [p.code for p in response.context["matrix"].participants] == ["D", "I", "J", "Z"]
    names = [t.name for t, _depth in response.context["matrix"].tree.rows]
    assert names == ["Results", "Alliances", "Planning"]
    assert cells(response)[("Results", "D")] == 2
    assert "/studies/other/" not in response.content.decode()
    theirs = client_for(otto).get(reverse("reports:theme-matrix", args=["other"]))
    assert [p.code for p in theirs.context["matrix"].participants] == ["D", "I"]
    assert cells(theirs) == {
        ("Alliances", "D"): 1, ("Alliances", "I"): 0, ("Results", "D"): 2, ("Results", "I"): 1,
        ("Planning", "D"): 2, ("Planning", "I"): 0,
    }


def test_it_sends_anonymous_users_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("size", [1, 8])
def test_it_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, size,
                                           django_assert_num_queries):
    """Guards against an N+1 over cells, themes or participants, and against a cost that grows
    with the other studies on the server."""
    noise(other_study, otto, size)
    parent = theme(study, "Results")
    children = [theme(study, f"Child {i}", parent=parent) for i in range(size)]
    for i in range(size):
        code(interview(person(study, f"P{i}"), "words here"), "words", [children[i]], alice)
    client = client_for(rita)
    # user, membership with its study, the study's themes, its participants who count,
    # their transcripts, direct counts per theme and transcript with distinct counts over each
    # parent's subtree (one query), participants left out, the coders of the layer select; the
    # attributes to filter by
    with django_assert_num_queries(9):
        response = client.get(URL)
    assert len(response.context["matrix"].participants) == size


def test_it_adds_up_a_participants_transcripts(rita, alice, data):
    second = interview(data["J"], "delta again", title="Second interview J")
    code(second, "delta", [data["b"]], alice)
    assert cells(client_for(rita).get(URL))[("Planning", "J")] == 2
