"""Theme co-occurrence: themes on the same excerpt, and on overlapping excerpts."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, theme, twin_study

SLUG = "pasto"  # the conftest study

URL = reverse("reports:theme-cooccurrence", args=[SLUG])


@pytest.fixture
def data(alice, study):
    a, b, c = theme(study, "Alliances"), theme(study, "Planning"), theme(study, "Youth")
    d = interview(person(study, "D"), "alpha beta gamma delta")
    code(d, "alpha beta", [a], alice)
    code(d, "beta gamma", [a, b], alice)  # same excerpt: a+b; overlaps the first: a (there) + b
    code(d, "delta", [c], alice)  # touches nothing
    j = interview(person(study, "J"), "one two three")
    code(j, "one two", [b], alice)
    code(j, "two three", [c], alice)  # overlap: b + c
    w = interview(person(study, "W", withdrawn=datetime.date(2010, 1, 1)), "omega psi")
    code(w, "omega psi", [a, c], alice)
    code(w, "psi", [b], alice)
    return {"a": a, "b": b, "c": c}


def pairs(response):
    return {(r["a"].name, r["b"].name): (r["same"], r["overlap"]) for r in response.context["rows"]}


def test_it_counts_themes_on_the_same_excerpt_and_on_overlapping_excerpts(rita, data):
    response = client_for(rita).get(URL)
    assert pairs(response) == {("Alliances", "Planning"): (1, 1), ("Planning", "Youth"): (0, 1)}


def test_it_counts_a_pair_of_overlapping_excerpts_once(rita, alice, study, data):
    t = interview(person(study, "K"), "shared words here")
    code(t, "shared words", [data["a"], data["b"]], alice)
    code(t, "words here", [data["a"], data["b"]], alice)
    response = client_for(rita).get(URL)
    assert pairs(response)[("Alliances", "Planning")] == (3, 2)


def test_it_shows_a_grid_of_themes_coded_together(rita, data):
    response = client_for(rita).get(URL)
    grid = {(row.name, col.name): n for row, cells in response.context["grid"] for col, n, _s in cells}
    assert grid == {("Alliances", "Alliances"): None, ("Alliances", "Planning"): 1,
                    ("Planning", "Alliances"): 1, ("Planning", "Planning"): None}


def test_it_lets_a_researcher_read(alice, data):
    assert client_for(alice).get(URL).status_code == 200


def test_it_hides_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, data):
    assert client_for(steve).get(URL).status_code == 404
    assert client_for(otto).get(URL).status_code == 404


def test_it_counts_pairs_of_the_studys_excerpts_only(rita, otto, other_study, data):
    """The other study codes the same kind of pairs, on the same and on overlapping excerpts."""
    twin_study(other_study, otto)
    ours = pairs(client_for(rita).get(URL))
    assert ours == {("Alliances", "Planning"): (1, 1), ("Planning", "Youth"): (0, 1)}
    theirs = client_for(otto).get(reverse("reports:theme-cooccurrence", args=["other"]))
    # x2 has Planning and Alliances; x1 (Planning) overlaps x2 (Alliances)
    assert pairs(theirs) == {("Planning", "Alliances"): (1, 1)}  # by theme id: Planning came first


def test_it_sends_anonymous_users_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("size", [1, 6])
def test_it_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, size,
                                           django_assert_num_queries):
    """Guards against an N+1 over theme pairs or excerpts, and against a cost that grows with
    the other studies on the server."""
    noise(other_study, otto, size)
    themes = [theme(study, f"T{i}") for i in range(size + 1)]
    for i in range(size):
        t = interview(person(study, f"P{i}"), "one two three")
        code(t, "one two", [themes[i], themes[i + 1]], alice)
        code(t, "two three", [themes[i]], alice)
    client = client_for(rita)
    # user, membership with its study, the study's themes, same-excerpt pairs,
    # overlapping pairs, participants left out, the coders of the layer select
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert len(response.context["rows"]) == size
