"""Quantitative exports: the matrix, the crosstabs and the case × theme table as CSV and XLSX,
with the same numbers as the pages."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, theme

SLUG = "pasto"


@pytest.fixture
def data(alice, study):
    parent = theme(study, "Results")
    plan = theme(study, "Planning", parent=parent)
    impact = theme(study, "Impact", parent=parent)
    d = person(study, "D", sector="ngo", gender="male", organisation="RET", scope="quote_named")
    j = person(study, "J", sector="public", gender="female", scope="interview_only")
    w = person(study, "W", withdrawn=datetime.date(2010, 1, 1))
    td = interview(d, "D: Plans are not enough. The impact is great.")
    tj = interview(j, "J: Planning documents everywhere.")
    code(td, "Plans are not enough", [plan, impact], alice)  # 20 characters, two sub-themes
    code(td, "The impact is great", [impact], alice)  # 19
    code(tj, "Planning documents", [plan], alice)  # 18
    code(interview(w, "W: withdrawn planning."), "withdrawn planning", [plan], alice)
    return {"parent": parent, "plan": plan, "impact": impact}


def csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def get(client, name, fmt, **params):
    response = client.get(reverse(f"reports:{name}", args=[SLUG, fmt]), params)
    assert response.status_code == 200, response
    return response


def test_the_matrix_exports_as_the_page_counts(rita, data):
    client = client_for(rita)
    rows = csv_rows(get(client, "theme-matrix-export", "csv"))
    assert rows[0] == ["Theme", "D", "J"]  # W withdrew: counted nowhere
    table = {row[0]: row[1:] for row in rows[1:]}
    assert table["Results"] == ["2", "1"]  # D's excerpt with two sub-themes counts once
    assert table["Results › Impact"] == ["2", "0"]
    assert table["Results › Planning"] == ["1", "1"]
    book = load_workbook(io.BytesIO(get(client, "theme-matrix-export", "xlsx").content))
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    assert sheet[1] == ["Results", 2, 1]
    assert book.properties.creator == "rita"


def test_the_crosstabs_export_the_overview(rita, data):
    rows = csv_rows(get(client_for(rita), "crosstabs-export", "csv"))
    assert rows[0][:3] == ["Theme", "All: excerpts", "All: participants"]
    results = [row for row in rows if row[0] == "Results"][0]
    assert results[1:3] == ["3", "2"]
    ngo = rows[0].index("Sector: NGO: excerpts")
    assert results[ngo : ngo + 2] == ["2", "1"]
    male = rows[0].index("Gender: Male: participants")
    assert results[male] == "1"


@pytest.mark.parametrize("measure, d, j", [  # columns: Results, Impact, Planning (codebook order)
    ("presence", ["1", "1", "1"], ["1", "0", "1"]),
    ("count", ["2", "2", "1"], ["1", "0", "1"]),
    ("characters", ["39", "39", "20"], ["18", "0", "18"]),
])
def test_the_case_by_theme_table_holds_each_participant_with_their_attributes(rita, data, measure, d, j):
    rows = csv_rows(get(client_for(rita), "case-theme-export", "csv", measure=measure))
    # the study's attributes of participants in their order (Organisation, Sector, Gender here)
    assert rows[0] == ["Participant", "Organisation", "Sector", "Gender", "Consent scope", "Results",
                       "Impact", "Planning"]
    assert rows[1] == ["D", "RET", "NGO", "Male", "May be quoted with organisation named"] + d
    assert rows[2][:4] == ["J", "", "Public", "Female"] and rows[2][5:] == j
    assert len(rows) == 3


def test_the_case_by_theme_table_on_the_demo(rita):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    from django.contrib.auth import get_user_model

    from coding.models import CodedExcerpt
    from reports.queries import counted_excerpts

    rosa = get_user_model().objects.get(username="rosa")
    client = client_for(rosa)
    response = client.get(reverse("reports:case-theme-export", args=["pasto", "csv"]), {"measure": "count"})
    rows = csv_rows(response)
    header = rows[0]
    column = header.index("Planning versus execution")
    counted = {row[0]: int(row[column]) for row in rows[1:]}
    from studies.models import Study

    study = Study.objects.get(slug="pasto")
    expected = {}
    for participant in counted_excerpts(study).filter(themes__name="Planning versus execution").values_list(
            "transcript__participant__code", flat=True):
        expected[participant] = expected.get(participant, 0) + 1
    assert {k: v for k, v in counted.items() if v} == expected
    assert CodedExcerpt.objects.filter(study=study).exists()


def test_an_unknown_format_or_measure_is_refused(rita, data):
    client = client_for(rita)
    assert client.get(reverse("reports:theme-matrix-export", args=[SLUG, "pdf"])).status_code == 404
    cases = reverse("reports:case-theme-export", args=[SLUG, "csv"])
    assert client.get(cases, {"measure": "x"}).status_code == 400


def test_exports_hide_the_study_from_members_of_other_studies(otto, data):
    for name in ("theme-matrix-export", "crosstabs-export", "case-theme-export"):
        assert client_for(otto).get(reverse(f"reports:{name}", args=[SLUG, "csv"])).status_code == 404


@pytest.mark.parametrize("people", [1, 6])
def test_the_case_table_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, people,
                                                        django_assert_num_queries):
    """Guards against a query per participant or theme, and against other studies' rows."""
    noise(other_study, otto, people)
    leaf = theme(study, "Planning", parent=theme(study, "Results"))
    for i in range(people):
        code(interview(person(study, f"P{i}"), "Plans."), "Plans", [leaf], alice)
    client = client_for(rita)
    url = reverse("reports:case-theme-export", args=[SLUG, "csv"])
    # user, membership with its study; the themes, the participants, the transcripts'
    # owners, the excerpt-theme links (streamed); the participants' attributes and their values
    with django_assert_num_queries(8):
        assert len(csv_rows(client.get(url, {"measure": "characters"}))) == people + 1
    # counts: the themes, participants, owners, then direct and per-parent counts in one query; the attributes
    with django_assert_num_queries(8):
        assert len(csv_rows(client.get(url, {"measure": "count"}))) == people + 1


@pytest.mark.parametrize("people", [1, 6])
def test_the_matrix_and_crosstabs_exports_run_a_fixed_number_of_queries(rita, alice, otto, study, other_study,
                                                                         people, django_assert_num_queries):
    """Guards against a query per participant or theme."""
    noise(other_study, otto, people)
    leaf = theme(study, "Planning", parent=theme(study, "Results"))
    for i in range(people):
        code(interview(person(study, f"P{i}"), "Plans."), "Plans", [leaf], alice)
    client = client_for(rita)
    # user, membership with its study; the themes, the participants, the transcripts'
    # owners, direct and per-parent counts in one query (the matrix page's four); the attributes
    # the matrix page's filter offers (issue 12), which the export takes too
    with django_assert_num_queries(7):
        csv_rows(get(client, "theme-matrix-export", "csv"))
    # the overview's four, and its choice attributes, their choices and values
    with django_assert_num_queries(8):
        csv_rows(get(client, "crosstabs-export", "csv"))


def test_the_table_exports_read_the_layer_the_page_shows(rita, bob, data, study):
    """?layer= as on the overview and matrix pages (issue 13): one coder's excerpts only."""
    td = data["impact"].excerpts.first().transcript
    code(td, "great", [data["impact"]], bob)
    client = client_for(rita)
    every = {row[0]: row[1:] for row in csv_rows(get(client, "theme-matrix-export", "csv"))[1:]}
    bobs = {row[0]: row[1:] for row in csv_rows(get(client, "theme-matrix-export", "csv", layer=bob.pk))[1:]}
    assert every["Results › Impact"] == ["3", "0"] and bobs["Results › Impact"] == ["1", "0"]
    cases = csv_rows(get(client, "case-theme-export", "csv", measure="count", layer=bob.pk))
    impact = cases[0].index("Impact")
    assert [row[impact] for row in cases[1:]] == ["1", "0"]
    crosstabs = csv_rows(get(client, "crosstabs-export", "csv", layer=bob.pk))
    assert {row[0]: row[1] for row in crosstabs[1:]}["Impact"] == "1"
    refused = client.get(reverse("reports:theme-matrix-export", args=[SLUG, "csv"]), {"layer": "x"})
    assert refused.status_code == 400
