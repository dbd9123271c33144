"""The excerpt browser's CSV export: every excerpt the filters keep, streamed."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.reports_study import code, interview, person

URL = reverse("reports:excerpt-export-csv")


def rows(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


@pytest.fixture
def study(alice, bob, themes):
    named = person("A", sector="private", organisation="Chamber of Commerce", scope="quote_named")
    quoted = person("B", sector="ngo", gender="male", organisation="RET", scope="quote")
    only = person("C", organisation="Arca", scope="interview_only")
    gone = person("W", withdrawn=datetime.date(2010, 1, 1))
    ta = interview(named, "Youth and gender together.", date=datetime.date(2009, 4, 7))
    return {
        "a": code(ta, "Youth and gender", [themes["youth"], themes["gender"]], alice),
        "b": code(interview(quoted, "Women lead."), "Women lead", [themes["gender"]], bob),
        "c": code(interview(only, "Not to be quoted."), "Not to be quoted", [themes["youth"]], alice),
        "w": code(interview(gone, "Withdrawn words."), "Withdrawn words", [themes["youth"]], alice),
    }


def test_it_exports_every_counted_excerpt(rita, study):
    exported = rows(client_for(rita).get(URL))
    assert [r["Excerpt"] for r in exported] == [str(study[k].pk) for k in ("a", "b", "c")]
    first = exported[0]
    assert first == {
        "Excerpt": str(study["a"].pk), "Participant": "A", "Sector": "Private", "Gender": "Female",
        "Organisation": "Chamber of Commerce", "Transcript": "Interview A", "Interview date": "2009-04-07",
        "Start": "0", "End": "16", "Themes": "Gender; Youth", "Coder": "alice", "Needs review": "no",
        "Quotable": "yes", "Quote": "Youth and gender",
    }


def test_it_withholds_quotes_and_organisations_consent_does_not_allow(rita, study):
    exported = {r["Participant"]: r for r in rows(client_for(rita).get(URL))}
    assert (exported["B"]["Organisation"], exported["B"]["Quote"]) == ("", "Women lead")
    c = exported["C"]
    assert (c["Quotable"], c["Quote"], c["Organisation"]) == ("no", "", "")
    assert "W" not in exported


def test_it_applies_the_browser_filters(rita, study, themes):
    exported = rows(client_for(rita).get(URL, {"theme": themes["gender"].pk, "sector": "ngo"}))
    assert [r["Participant"] for r in exported] == ["B"]


def test_it_refuses_bad_filters(rita, study):
    assert client_for(rita).get(URL, {"date_from": "yesterday"}).status_code == 400


def test_it_lets_a_researcher_export(alice, study):
    assert len(rows(client_for(alice).get(URL))) == 3


def test_it_forbids_a_stranger(steve, study):
    assert client_for(steve).get(URL).status_code == 403


def test_it_sends_anonymous_users_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("count", [1, 12])
def test_it_runs_a_fixed_number_of_queries(rita, alice, themes, count, django_assert_num_queries):
    """Guards against an N+1 over excerpts (theme names, transcript or participant per row)."""
    for i in range(count):
        code(interview(person(f"P{i:02}"), "Some words."), "Some", [themes["youth"], themes["gender"]], alice)
    client = client_for(rita)
    # session, user, user permissions, group permissions; filter choices: themes, participants,
    # coders, transcripts; theme names of every excerpt; the excerpts (streamed in chunks)
    with django_assert_num_queries(10):
        exported = rows(client.get(URL))
    assert len(exported) == count


def test_it_writes_formula_like_cells_as_text(rita, alice, themes):
    transcript = interview(person("=F", scope="quote_named", organisation="+Org"), "=SUM(A1) said F")
    code(transcript, "=SUM(A1) said F", [themes["youth"]], alice)
    row = rows(client_for(rita).get(URL))[0]
    assert (row["Participant"], row["Organisation"], row["Quote"]) == ("'=F", "'+Org", "'=SUM(A1) said F")
