"""The excerpt browser's CSV export: every excerpt the filters keep, streamed."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from interviews.models import Attribute, Participant
from interviews.services import attribute_create, attribute_value_set
from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, twin_study

SLUG = "pasto"  # the conftest study

URL = reverse("reports:excerpt-export-csv", args=[SLUG])


def rows(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


@pytest.fixture
def data(alice, bob, study, themes):
    named = person(study, "A", sector="private", organisation="Chamber of Commerce",
                   scope="quote_named")
    quoted = person(study, "B", sector="ngo", gender="male", organisation="RET", scope="quote")
    only = person(study, "C", organisation="Arca", scope="interview_only")
    gone = person(study, "W", withdrawn=datetime.date(2010, 1, 1))
    ta = interview(named, "Youth and gender together.", date=datetime.date(2009, 4, 7))
    return {
        "a": code(ta, "Youth and gender", [themes["youth"], themes["gender"]], alice),
        "b": code(interview(quoted, "Women lead."), "Women lead", [themes["gender"]], bob),
        "c": code(interview(only, "Not to be quoted."), "Not to be quoted", [themes["youth"]], alice),
        "w": code(interview(gone, "Withdrawn words."), "Withdrawn words", [themes["youth"]], alice),
    }


def test_it_exports_every_counted_excerpt(rita, data):
    exported = rows(client_for(rita).get(URL))
    assert [r["Excerpt"] for r in exported] == [str(data[k].pk) for k in ("a", "b", "c")]
    first = exported[0]
    assert first == {
        "Excerpt": str(data["a"].pk), "Participant": "A", "Sector": "Private", "Gender": "Female",
        "Organisation": "Chamber of Commerce", "Transcript": "Interview A", "Interview date": "2009-04-07",
        "Start": "0", "End": "16", "Themes": "Gender; Youth", "Coder": "alice", "Needs review": "no",
        "Quotable": "yes", "Quote": "Youth and gender", "Reference": "T1:1 \u00b61",
    }


def test_it_withholds_quotes_and_organisations_consent_does_not_allow(rita, data):
    exported = {r["Participant"]: r for r in rows(client_for(rita).get(URL))}
    assert (exported["B"]["Organisation"], exported["B"]["Quote"]) == ("", "Women lead")
    c = exported["C"]
    assert (c["Quotable"], c["Quote"], c["Organisation"]) == ("no", "", "")
    assert "W" not in exported


def test_it_applies_the_browser_filters(rita, data, themes):
    sector = Attribute.objects.get(study=data["a"].study, name="Sector")
    exported = rows(client_for(rita).get(URL, {"theme": themes["gender"].pk, "attribute": f"a{sector.pk}",
                                                "group": "NGO"}))
    assert [r["Participant"] for r in exported] == ["B"]


def test_it_never_exports_identifying_attributes(adam, study, data):
    """Not even to an owner: the export is a report, and reports hold no identifying data."""
    birthplace = attribute_create(study=study, applies_to="participant", name="Birthplace", type="text",
                                  identifying=True)
    attribute_value_set(attribute=birthplace, obj=Participant.objects.get(study=study, code="A"),
                        raw="Tumaco")
    response = client_for(adam).get(URL)
    exported = rows(response)
    assert "Birthplace" not in exported[0] and "Tumaco" not in str(exported)


def test_it_refuses_bad_filters(rita, data):
    assert client_for(rita).get(URL, {"date_from": "yesterday"}).status_code == 400


def test_it_lets_a_researcher_export(alice, data):
    assert len(rows(client_for(alice).get(URL))) == 3


def test_it_refuses_a_filter_naming_another_studys_theme(rita, otto, other_study, data):
    twin = twin_study(other_study, otto)
    assert client_for(rita).get(URL, {"theme": twin["child"].pk}).status_code == 400


def test_it_exports_only_the_studys_excerpts(rita, otto, other_study, data):
    twin = twin_study(other_study, otto)
    exported = rows(client_for(rita).get(URL))
    assert {r["Participant"] for r in exported} == {"A", "B", "C"}
    other_ids = {str(twin[k].pk) for k in ("x1", "x2", "x3", "x4")}
    assert not other_ids & {r["Excerpt"] for r in exported}
    # and the other study's export holds its own rows only
    theirs = rows(client_for(otto).get(reverse("reports:excerpt-export-csv", args=["other"])))
    assert sorted(r["Excerpt"] for r in theirs) == sorted(str(twin[k].pk) for k in ("x1", "x2", "x3"))
    assert {r["Themes"] for r in theirs} == {"Planning", "Alliances; Planning", "Results"}


def test_it_hides_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, data):
    assert client_for(steve).get(URL).status_code == 404
    assert client_for(otto).get(URL).status_code == 404


def test_it_sends_anonymous_users_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("count", [1, 12])
def test_it_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, themes, count,
                                           django_assert_num_queries):
    """Guards against an N+1 over excerpts (theme names, transcript or participant per row), and
    against a cost that grows with the other studies on the server."""
    for i in range(count):
        code(interview(person(study, f"P{i:02}"), "Some words."), "Some", [themes["youth"], themes["gender"]],
             alice)
    noise(other_study, otto, count)
    client = client_for(rita)
    # user, membership with its study; the theme filter's themes, the attribute filter's
    # attributes (issue 12); the participants' attributes and their values (the columns); the
    # transcripts' paragraph breaks (texts streamed) and numbers; the excerpts (streamed in
    # chunks of 5,000), each chunk's theme names
    with django_assert_num_queries(10):
        exported = rows(client.get(URL))
    assert len(exported) == count


def test_it_writes_formula_like_cells_as_text(rita, alice, study, themes):
    transcript = interview(person(study, "=F", scope="quote_named", organisation="+Org"),
                           "=SUM(A1) said F")
    code(transcript, "=SUM(A1) said F", [themes["youth"]], alice)
    row = rows(client_for(rita).get(URL))[0]
    assert (row["Participant"], row["Organisation"], row["Quote"]) == ("'=F", "'+Org", "'=SUM(A1) said F")


def test_the_reference_matches_the_browsers_with_the_cue_time(rita, alice, study, themes):
    transcript = interview(person(study, "S", scope="quote"), "S: first line.\nS: second line here.")
    transcript.cues = [{"offset": 0, "time": 3.5}, {"offset": 15, "time": 754.2}]
    transcript.save()
    code(transcript, "second line", [themes["youth"]], alice)
    client = client_for(rita)
    shown = client.get(reverse("reports:excerpt-browser", args=["pasto"])).context["excerpts"][0].reference
    assert rows(client.get(URL))[0]["Reference"] == shown == "T1:1 \u00b62 00:12:34"
