"""Study overview: theme frequencies (with an SVG chart) and the theme × sector and theme ×
gender crosstabs. A parent theme counts its sub-themes' excerpts, each once."""

import datetime

import pytest
from django.urls import reverse

from interviews.models import Participant
from interviews.services import attribute_create, attribute_value_set
from reports.queries import Counts
from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, theme, twin_study

SLUG = "pasto"  # the conftest study

URL = reverse("reports:study-overview", args=[SLUG])


@pytest.fixture
def data(alice, study):
    parent = theme(study, "Results", colour="#1c7ed6")
    a = theme(study, "Alliances", parent=parent, colour="#be4bdb")
    b = theme(study, "Planning & <execution>", parent=parent)
    d = interview(person(study, "D", sector="ngo", gender="male"), "alpha beta gamma")
    j = interview(person(study, "J", sector="public", gender="female"), "delta epsilon")
    i = interview(person(study, "I", sector="civil_society", gender="male", scope="interview_only"), "zeta")
    w = interview(person(study, "W", withdrawn=datetime.date(2010, 1, 1)), "omega")
    code(d, "alpha beta", [a], alice)
    code(d, "beta gamma", [a, b], alice)
    code(j, "delta", [b], alice)
    code(i, "zeta", [a], alice)
    code(w, "omega", [a, b], alice)
    return {"parent": parent, "a": a, "b": b}


def row_for(response, theme_obj):
    return [r for r in response.context["rows"] if r.theme == theme_obj][0]


def pairs(counts):
    return [[c.excerpts, c.participants] for c in counts]


def test_it_counts_each_theme_with_its_sub_themes_once(rita, data):
    response = client_for(rita).get(URL)
    assert row_for(response, data["a"]).total == Counts(3, 2)  # D twice, I once; W withdrew
    assert row_for(response, data["b"]).total == Counts(2, 2)
    assert row_for(response, data["parent"]).total == Counts(4, 3)  # not 3 + 2: one excerpt has both


def test_it_crosses_themes_with_each_choice_attribute(rita, data):
    """Sector and Gender are the study's choice attributes of participants: one group of
    columns each, every choice in its list's order."""
    response = client_for(rita).get(URL)
    parent = row_for(response, data["parent"])
    assert [(a.name, labels) for a, labels in response.context["columns"]] == [
        ("Sector", ["Private", "Public", "NGO", "Civil society", "International organisation"]),
        ("Gender", ["Female", "Male", "Non-binary", "Not disclosed"]),
    ]
    sectors, genders = parent.groups
    assert pairs(sectors) == [[0, 0], [1, 1], [2, 1], [1, 1], [0, 0]]
    assert pairs(genders) == [[1, 1], [3, 2], [0, 0], [0, 0]]
    body = response.content.decode()
    assert "2 <span class=\"text-body-secondary\">(1)</span>" in body
    assert "By Sector" in body and "By Gender" in body


def test_it_leaves_identifying_attributes_out_of_the_crosstab(rita, adam, study, data):
    """Not even for owners: a report's columns are the same for every member."""
    birthplace = attribute_create(study=study, applies_to="participant", name="Birthplace", type="choice",
                                  choices=["Tumaco"], identifying=True)
    attribute_value_set(attribute=birthplace, obj=Participant.objects.get(code="D"), raw="Tumaco")
    for user in (rita, adam):
        body = client_for(user).get(URL).content.decode()
        assert "Birthplace" not in body and "Tumaco" not in body


def test_it_draws_the_frequencies_as_an_svg_with_a_text_alternative(rita, data):
    body = client_for(rita).get(URL).content.decode()
    assert '<title id="frequency-chart-title">Excerpts per theme</title>' in body
    assert ('<desc id="frequency-chart-desc">Results: 4 excerpts; Alliances: 3 excerpts; '
            "Planning &amp; &lt;execution&gt;: 2 excerpts</desc>") in body
    assert 'fill="#be4bdb"' in body
    assert reverse("reports:theme-report", args=[SLUG, data["a"].pk]) in body
    assert "<execution>" not in body


def test_it_counts_a_participant_with_two_transcripts_once(rita, alice, data):
    second = interview(Participant.objects.get(code="D"), "eta theta", title="Second interview D")
    code(second, "eta", [data["a"]], alice)
    row = row_for(client_for(rita).get(URL), data["a"])
    assert row.total == Counts(4, 2)  # D's three excerpts and I's one; D once among participants
    assert pairs(row.groups[0])[2] == [3, 1]  # NGO


def test_it_says_who_is_left_out(rita, data):
    body = client_for(rita).get(URL).content.decode()
    assert ("2 participants are left out of the quotations (1 withdrew consent; 1 consented to the "
            "interview only). 1 of them is left out of the numbers too.") in body


def test_it_loads_no_chart_library(rita, data):
    body = client_for(rita).get(URL).content.decode()
    assert "<script" not in body.split("</main>")[0]
    assert "cdn" not in body.lower() and "https://" not in body


def test_it_lets_a_researcher_read(alice, data):
    assert client_for(alice).get(URL).status_code == 200


def test_it_hides_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, data):
    assert client_for(steve).get(URL).status_code == 404
    assert client_for(otto).get(URL).status_code == 404


def test_it_counts_the_studys_excerpts_only(rita, otto, other_study, data):
    """The other study has themes of the same names and participants of the same codes."""
    twin_study(other_study, otto)
    response = client_for(rita).get(URL)
    names = [r.theme.name for r in response.context["rows"]]
    assert names == ["Results", "Alliances", "Planning & <execution>"]
    assert row_for(response, data["parent"]).total == Counts(4, 3)
    assert response.context["left_out"].total == 2
    theirs = client_for(otto).get(reverse("reports:study-overview", args=["other"]))
    assert [(r.theme.name, r.total) for r in theirs.context["rows"]] == [
        ("Alliances", Counts(1, 1)), ("Results", Counts(3, 2)), ("Planning", Counts(2, 1))]


def test_it_sends_anonymous_users_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("size", [1, 6])
def test_it_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, size,
                                           django_assert_num_queries):
    """Guards against an N+1 over themes (a count query per theme or per parent theme), and
    against a cost that grows with the other studies on the server."""
    noise(other_study, otto, size)
    parents = [theme(study, f"Parent {i}") for i in range(size)]
    for i, parent in enumerate(parents):
        child = theme(study, f"Child {i}", parent=parent)
        t = interview(person(study, f"P{i}", sector="ngo" if i % 2 else "public"), "words here")
        code(t, "words", [child], alice)
    client = client_for(rita)
    # user, membership with its study, the study's choice attributes, their choices and the
    # participants' values of them, the study's themes, transcripts with their participants,
    # direct counts per theme and transcript, distinct counts over each parent's subtree,
    # participants left out, the coders of the layer select
    with django_assert_num_queries(10):
        response = client.get(URL)
    assert row_for(response, parents[-1]).total == Counts(1, 1)
