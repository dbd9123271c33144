"""The codebook report: every theme with its definition, criteria, counts and quotes, on
screen and as DOCX, with the report header."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from docx import Document

from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, theme

SLUG = "pasto"
URL = reverse("reports:codebook-report", args=[SLUG])


@pytest.fixture
def data(alice, study):
    parent = theme(study, "Results", description="Views of the strategy.")
    plan = theme(study, "Planning", parent=parent, inclusion_criteria="Plans questioned.")
    empty = theme(study, "Unused", exclusion_criteria="Never.")
    d = person(study, "D", scope="quote_named")
    w = person(study, "W", withdrawn=datetime.date(2010, 1, 1))
    td = interview(d, "D: one two three four five.")
    for word in ("one", "two", "three", "four"):
        code(td, word, [plan], alice)
    code(interview(w, "W: secret words."), "secret", [plan], alice)
    return {"parent": parent, "plan": plan, "empty": empty}


def text_of(response):
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_it_contains_every_theme_with_its_definition_criteria_and_counts(rita, data):
    response = client_for(rita).get(URL)
    assert response.status_code == 200
    sections = response.context["sections"]
    assert [s["theme"].name for s in sections] == ["Results", "Planning", "Unused"]
    text = text_of(response)
    assert "Views of the strategy." in text and "Plans questioned." in text and "Never." in text
    assert [(s["counts"].excerpts, s["counts"].participants) for s in sections] == [(4, 1), (4, 1), (0, 0)]
    assert "1 participant is left out of the quotations (1 withdrew consent)." in text
    assert "secret" not in text


def test_it_quotes_a_few_per_theme_or_every_quote_or_none(rita, data):
    client = client_for(rita)
    some = {s["theme"].name: [q.quote for q in s["quotes"]] for s in client.get(URL).context["sections"]}
    assert some == {"Results": [], "Planning": ["one", "two", "three"], "Unused": []}  # by position
    every = client.get(URL, {"quotes": "all"}).context["sections"][1]["quotes"]
    assert sorted(q.quote for q in every) == ["four", "one", "three", "two"]
    assert all(q.reference.startswith("T1:") for q in every)
    assert client.get(URL, {"quotes": "none"}).context["sections"][1]["quotes"] == []
    assert client.get(URL, {"quotes": "lots"}).status_code == 400


def test_the_docx_holds_every_theme_the_header_and_the_metadata(rita, study, data):
    response = client_for(rita).get(reverse("reports:codebook-report-docx", args=[SLUG]), {"quotes": "all"})
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    for name in ("Results", "Planning", "Unused"):
        assert name in paragraphs
    assert any(p.startswith("«two» (Participant «D».") for p in paragraphs)
    header = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert header["Made by"] == "rita" and header["Study"] == study.name
    assert (document.core_properties.author, document.core_properties.title) == ("rita", study.name)


def test_it_hides_the_study_from_members_of_other_studies(otto, data):
    assert client_for(otto).get(URL).status_code == 404


@pytest.mark.parametrize("people", [1, 6])
def test_it_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, people,
                                           django_assert_num_queries):
    """Guards against a query per theme or per quote, and against other studies' rows."""
    noise(other_study, otto, people)
    leaf = theme(study, "Planning", parent=theme(study, "Results"))
    for i in range(people):
        code(interview(person(study, f"P{i}"), "Plans."), "Plans", [leaf], alice)
    client = client_for(rita)
    # user, membership with its study;
    # the overview's counts (themes, transcripts, direct and per-parent counts); the themes
    # again (tree); the quotes, their themes, the study's transcripts (their numbers) with the
    # quoted ones' texts, the participants' attributes and values (the quotes' headings); who is
    # left out
    with django_assert_num_queries(12):
        client.get(URL)


@pytest.mark.parametrize("people", [1, 6])
def test_the_docx_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, people,
                                                 django_assert_num_queries):
    noise(other_study, otto, people)
    leaf = theme(study, "Planning", parent=theme(study, "Results"))
    for i in range(people):
        code(interview(person(study, f"P{i}"), "Plans."), "Plans", [leaf], alice)
    client = client_for(rita)
    # as the page (12): the menu's permission check was free already
    with django_assert_num_queries(12):
        client.get(reverse("reports:codebook-report-docx", args=[SLUG]), {"quotes": "all"})
