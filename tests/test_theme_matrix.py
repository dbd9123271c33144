"""Theme × participant matrix: counts with heat shading; each cell opens its quotes."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.reports_study import code, interview, person, theme

URL = reverse("reports:theme-matrix")


@pytest.fixture
def study(alice):
    parent = theme("Results")
    a = theme("Alliances", parent=parent)
    b = theme("Planning", parent=parent)
    people = {
        "D": person("D"), "J": person("J"), "I": person("I", scope="interview_only"),
        "W": person("W", withdrawn=datetime.date(2010, 1, 1)), "Z": person("Z"),
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


def test_it_counts_each_participants_excerpts_per_theme(rita, study):
    response = client_for(rita).get(URL)
    assert [p.code for p in response.context["matrix"].participants] == ["D", "I", "J", "Z"]  # W withdrew
    assert cells(response) == {
        ("Results", "D"): 2, ("Results", "I"): 1, ("Results", "J"): 1, ("Results", "Z"): 0,
        ("Alliances", "D"): 2, ("Alliances", "I"): 1, ("Alliances", "J"): 0, ("Alliances", "Z"): 0,
        ("Planning", "D"): 1, ("Planning", "I"): 0, ("Planning", "J"): 1, ("Planning", "Z"): 0,
    }


def test_it_shades_cells_by_count_and_links_them_to_their_quotes(rita, study):
    body = client_for(rita).get(URL).content.decode()
    results = reverse("reports:theme-report", args=[study["parent"].pk]) + f"?participant={study['D'].pk}"
    report = reverse("reports:theme-report", args=[study["b"].pk]) + f"?participant={study['J'].pk}"
    # Results × D holds the largest count (2): full colour; Planning × J holds half of it.
    link = '<a class="d-block text-reset" href="{}">{}</a></td>'
    assert '<td style="background:rgba(13,110,253,1.00);color:#fff">' + link.format(results, 2) in body
    assert '<td style="background:rgba(13,110,253,0.50)">' + link.format(report, 1) in body
    opened = client_for(rita).get(report)
    assert [e.quote for e in opened.context["page"]] == ["delta"]


def test_it_lets_a_researcher_read(alice, study):
    assert client_for(alice).get(URL).status_code == 200


def test_it_forbids_a_stranger(steve, study):
    assert client_for(steve).get(URL).status_code == 403


def test_it_sends_anonymous_users_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("size", [1, 8])
def test_it_runs_a_fixed_number_of_queries(rita, alice, size, django_assert_num_queries):
    """Guards against an N+1 over cells, themes or participants."""
    parent = theme("Results")
    children = [theme(f"Child {i}", parent=parent) for i in range(size)]
    for i in range(size):
        code(interview(person(f"P{i}"), "words here"), "words", [children[i]], alice)
    client = client_for(rita)
    # session, user, user permissions, group permissions, every theme, participants who count,
    # their transcripts, direct counts per theme and transcript, distinct counts over each
    # parent's subtree, participants left out
    with django_assert_num_queries(10):
        response = client.get(URL)
    assert len(response.context["matrix"].participants) == size


def test_it_adds_up_a_participants_transcripts(rita, alice, study):
    second = interview(study["J"], "delta again", title="Second interview J")
    code(second, "delta", [study["b"]], alice)
    assert cells(client_for(rita).get(URL))[("Planning", "J")] == 2
