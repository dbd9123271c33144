"""Theme co-occurrence: themes on the same excerpt, and on overlapping excerpts."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.reports_study import code, interview, person, theme

URL = reverse("reports:theme-cooccurrence")


@pytest.fixture
def study(alice):
    a, b, c = theme("Alliances"), theme("Planning"), theme("Youth")
    d = interview(person("D"), "alpha beta gamma delta")
    code(d, "alpha beta", [a], alice)
    code(d, "beta gamma", [a, b], alice)  # same excerpt: a+b; overlaps the first: a (there) + b
    code(d, "delta", [c], alice)  # touches nothing
    j = interview(person("J"), "one two three")
    code(j, "one two", [b], alice)
    code(j, "two three", [c], alice)  # overlap: b + c
    w = interview(person("W", withdrawn=datetime.date(2010, 1, 1)), "omega psi")
    code(w, "omega psi", [a, c], alice)
    code(w, "psi", [b], alice)
    return {"a": a, "b": b, "c": c}


def pairs(response):
    return {(r["a"].name, r["b"].name): (r["same"], r["overlap"]) for r in response.context["rows"]}


def test_it_counts_themes_on_the_same_excerpt_and_on_overlapping_excerpts(rita, study):
    response = client_for(rita).get(URL)
    assert pairs(response) == {("Alliances", "Planning"): (1, 1), ("Planning", "Youth"): (0, 1)}


def test_it_counts_a_pair_of_overlapping_excerpts_once(rita, alice, study):
    t = interview(person("K"), "shared words here")
    code(t, "shared words", [study["a"], study["b"]], alice)
    code(t, "words here", [study["a"], study["b"]], alice)
    response = client_for(rita).get(URL)
    assert pairs(response)[("Alliances", "Planning")] == (3, 2)


def test_it_shows_a_grid_of_themes_coded_together(rita, study):
    response = client_for(rita).get(URL)
    grid = {(row.name, col.name): n for row, cells in response.context["grid"] for col, n, _s in cells}
    assert grid == {("Alliances", "Alliances"): None, ("Alliances", "Planning"): 1,
                    ("Planning", "Alliances"): 1, ("Planning", "Planning"): None}


def test_it_lets_a_researcher_read(alice, study):
    assert client_for(alice).get(URL).status_code == 200


def test_it_forbids_a_stranger(steve, study):
    assert client_for(steve).get(URL).status_code == 403


def test_it_sends_anonymous_users_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("size", [1, 6])
def test_it_runs_a_fixed_number_of_queries(rita, alice, size, django_assert_num_queries):
    """Guards against an N+1 over theme pairs or excerpts."""
    themes = [theme(f"T{i}") for i in range(size + 1)]
    for i in range(size):
        t = interview(person(f"P{i}"), "one two three")
        code(t, "one two", [themes[i], themes[i + 1]], alice)
        code(t, "two three", [themes[i]], alice)
    client = client_for(rita)
    # session, user, user permissions, group permissions, every theme, same-excerpt pairs,
    # overlapping pairs, participants left out
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert len(response.context["rows"]) == size
