"""Theme report exports: DOCX opens in python-docx, CSV and XLSX (openpyxl) hold the report's
quotes, each with its citation; consent rules as on the page."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, theme, twin_study

SLUG = "pasto"  # the conftest study

HEADER = ["Participant", "Sector", "Gender", "Organisation", "Interview date", "Transcript", "Start", "End",
          "Themes", "Quote", "Citation", "Reference", "Coder", "Coded on"]
TODAY = datetime.date.today().isoformat()


@pytest.fixture
def data(alice, study):
    study.language = "en"  # the paper's quotes: cited, and exported, in English by default
    study.save()
    plan = theme(study, "Planning versus execution", description="The gap between planning and doing.",
                 inclusion_criteria="Plans questioned.", exclusion_criteria="Impacts.")
    sub = theme(study, "Too many documents", parent=plan)
    d = person(study, "D", sector="ngo", gender="male", organisation="RET", scope="quote_named")
    j = person(study, "J", sector="public", gender="female", organisation="Gender Office",
               scope="quote")
    i = person(study, "I", sector="civil_society", gender="male", organisation="Arca",
               scope="interview_only")
    w = person(study, "W", withdrawn=datetime.date(2010, 1, 1))
    td = interview(d, "D: Plans are not enough.", date=datetime.date(2009, 4, 8))
    tj = interview(j, "J: We are up to here with planning documents", date=datetime.date(2009, 5, 11))
    code(td, "Plans are not enough", [plan], alice)
    code(tj, "We are up to here with planning documents", [sub], alice)
    code(interview(i, "I: Planning without money."), "Planning without money", [plan], alice)
    code(interview(w, "W: Secret planning words."), "Secret planning words", [plan], alice)
    return {"plan": plan, "sub": sub, "j": j}


def export(client, name, theme_obj, **params):
    response = client.get(reverse(f"reports:theme-report-{name}", args=[SLUG, theme_obj.pk]), params)
    assert response.status_code == 200, response.content
    return response


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_holds_one_row_per_quote_with_its_citation(rita, data):
    response = export(client_for(rita), "csv", data["plan"])
    assert response["Content-Disposition"] == (
        'attachment; filename="theme-report-planning-versus-execution.csv"')
    rows = csv_rows(response)
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["D", "NGO", "Male", "RET", "2009-04-08", "Interview D", "3", "23", "Planning versus execution",
         "Plans are not enough", "(Participant «D». Personal interview April 8, 2009).", "T1:1 \u00b61",
         "alice", TODAY],
        ["J", "Public", "Female", "", "2009-05-11", "Interview J", "3", "44", "Too many documents",
         "We are up to here with planning documents", "(Participant «J». Personal interview May 11, 2009).",
         "T2:1 \u00b61", "alice", TODAY],
    ]


def test_the_csv_follows_the_sub_theme_and_participant_choices(rita, data):
    client = client_for(rita)
    assert [r[0] for r in csv_rows(export(client, "csv", data["plan"], subthemes="0"))[1:]] == ["D"]
    only_j = csv_rows(export(client, "csv", data["plan"], participant=data["j"].pk))
    assert [r[0] for r in only_j[1:]] == ["J"]


def test_the_xlsx_holds_the_quotes_and_the_counts(rita, data):
    response = export(client_for(rita), "xlsx", data["plan"])
    book = load_workbook(io.BytesIO(response.content))
    quotes = [[c.value for c in row] for row in book["Quotes"].iter_rows()]
    assert quotes[0] == HEADER
    assert [(r[0], r[3], r[9], r[10]) for r in quotes[1:]] == [
        ("D", "RET", "Plans are not enough", "(Participant «D». Personal interview April 8, 2009)."),
        ("J", None, "We are up to here with planning documents",
         "(Participant «J». Personal interview May 11, 2009)."),
    ]
    counts = [[c.value for c in row] for row in book["Counts"].iter_rows()]
    assert ["Excerpts", 3, None] in counts  # D, J and I (interview only); W withdrew
    assert ["NGO", 1, 1] in counts
    assert any(row[0] and row[0].startswith("2 participants are left out") for row in counts)


def test_the_docx_reads_like_the_report(rita, data):
    response = export(client_for(rita), "docx", data["plan"])
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Planning versus execution"
    assert "The gap between planning and doing." in paragraphs
    assert "Plans questioned." in paragraphs and "Impacts." in paragraphs
    assert "Participant D · NGO · Male · RET" in paragraphs
    assert "Participant J · Public · Female" in paragraphs
    assert "«Plans are not enough» (Participant «D». Personal interview April 8, 2009)." in paragraphs
    assert ("«We are up to here with planning documents» (Participant «J». Personal interview May 11, 2009)."
            in paragraphs)
    assert any(p.startswith("2 participants are left out of the quotations") for p in paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Excerpts" in cells and "3" in cells
    everything = "\n".join(paragraphs + cells)
    for secret in ("Planning without money", "Secret planning words", "Gender Office", "Arca"):
        assert secret not in everything


def test_exports_write_formula_like_quotes_as_text(rita, alice, study, data):
    t = interview(person(study, "F", scope="quote_named"), "=HYPERLINK(1) said F")
    code(t, "=HYPERLINK(1) said F", [data["plan"]], alice)
    client = client_for(rita)
    row = [r for r in csv_rows(export(client, "csv", data["plan"])) if r[0] == "F"][0]
    assert row[9] == "'=HYPERLINK(1) said F"
    book = load_workbook(io.BytesIO(export(client, "xlsx", data["plan"]).content))
    cell = [r[9] for r in book["Quotes"].iter_rows() if r[0].value == "F"][0]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1) said F", "s")


@pytest.mark.parametrize("name", ["csv", "xlsx", "docx"])
def test_exports_let_researchers_read(alice, data, name):
    export(client_for(alice), name, data["plan"])


@pytest.mark.parametrize("name", ["csv", "xlsx", "docx"])
def test_exports_hide_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, data, name):
    for user in (steve, otto):
        response = client_for(user).get(reverse(f"reports:theme-report-{name}", args=[SLUG, data["plan"].pk]))
        assert response.status_code == 404


@pytest.mark.parametrize("name", ["csv", "xlsx", "docx"])
def test_exports_answer_404_for_a_theme_of_another_study(rita, otto, other_study, data, name):
    twin = twin_study(other_study, otto)
    response = client_for(rita).get(reverse(f"reports:theme-report-{name}", args=[SLUG, twin["parent"].pk]))
    assert response.status_code == 404


def test_exports_hold_the_studys_quotes_only(rita, otto, other_study, data):
    twin = twin_study(other_study, otto)
    rows = csv_rows(export(client_for(rita), "csv", data["plan"]))
    assert [r[0] for r in rows[1:]] == ["D", "J"]
    assert not any("migración" in cell for row in rows for cell in row)
    book = load_workbook(io.BytesIO(export(client_for(rita), "xlsx", data["plan"]).content))
    counts = [[c.value for c in row] for row in book["Counts"].iter_rows()]
    assert ["Excerpts", 3, None] in counts
    theirs = client_for(otto).get(reverse("reports:theme-report-csv", args=["other", twin["child"].pk]))
    assert [r[9] for r in csv_rows(theirs)[1:]] == ["planning alpha", "alpha beta"]


def test_exports_refuse_a_participant_of_another_study(rita, otto, other_study, data):
    twin = twin_study(other_study, otto)
    response = client_for(rita).get(reverse("reports:theme-report-csv", args=[SLUG, data["plan"].pk]),
                                    {"participant": twin["named"].pk})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["csv", "xlsx", "docx"])
def test_exports_send_anonymous_users_to_login(client, data, name):
    response = client.get(reverse(f"reports:theme-report-{name}", args=[SLUG, data["plan"].pk]))
    assert response.status_code == 302


def test_exports_refuse_an_unknown_participant(rita, data):
    response = client_for(rita).get(reverse("reports:theme-report-csv", args=[SLUG, data["plan"].pk]),
                                    {"participant": 99999})
    assert response.status_code == 400


@pytest.mark.parametrize("people", [1, 6])
def test_the_csv_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, people,
                                                django_assert_num_queries):
    """Guards against an N+1 over quotes (transcript, participant or themes per row), and against
    a cost that grows with the other studies on the server."""
    noise(other_study, otto, people)
    parent = theme(study, "Results")
    for i in range(people):
        code(interview(person(study, f"P{i}"), "Plans."), "Plans", [parent], alice)
    client = client_for(rita)
    # user, membership with its study, the theme, the study's attributes and the
    # participants' values (read once for the counts' columns and the quotes' headings), the
    # study's themes, the choices the counts are split by, the study's transcripts with their
    # participants' consent and the counts grouped by transcript, the quotes with transcript and
    # participant, their themes, and the study's transcripts (their numbers) with the quoted
    # ones' texts (references)
    with django_assert_num_queries(12):
        response = client.get(reverse("reports:theme-report-csv", args=[SLUG, parent.pk]))
    assert len(csv_rows(response)) == people + 1


def test_docx_and_xlsx_carry_the_study_the_exporting_user_and_the_real_time(rita, study, data):
    """Not the library template's metadata (author "python-docx", created 2013-12-23)."""
    client = client_for(rita)
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    props = Document(io.BytesIO(export(client, "docx", data["plan"]).content)).core_properties
    assert (props.title, props.author, props.last_modified_by) == (study.name, "rita", "rita")
    assert props.subject == "Planning versus execution"
    created = props.created.replace(tzinfo=None)
    assert before - datetime.timedelta(seconds=1) <= created <= before + datetime.timedelta(minutes=1)
    book = load_workbook(io.BytesIO(export(client, "xlsx", data["plan"]).content))
    assert (book.properties.title, book.properties.creator) == (study.name, "rita")
    soon = before + datetime.timedelta(minutes=1)
    assert before - datetime.timedelta(seconds=1) <= book.properties.created <= soon


def test_exports_start_with_the_report_header(rita, study, data):
    client = client_for(rita)
    document = Document(io.BytesIO(export(client, "docx", data["plan"]).content))
    header = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert header["Study"] == study.name and header["Made by"] == "rita"
    assert header["Left out for consent"].startswith(
        "2 participants are left out of the quotations (1 withdrew")
    book = load_workbook(io.BytesIO(export(client, "xlsx", data["plan"]).content))
    about = {row[0].value: row[1].value for row in book["Report"].iter_rows()}
    assert about["Filters"] == "sub-themes included; quotes grouped by participant"


def test_the_header_names_the_coder_layer_the_report_reads(rita, bob, data):
    """Issue 13's layer in issue 16's header, on the page and in the DOCX."""
    url = reverse("reports:theme-report", args=[SLUG, data["plan"].pk])
    assert "every coder&#x27;s excerpts" in client_for(rita).get(url).content.decode()
    body = client_for(rita).get(url, {"layer": bob.pk}).content.decode()
    assert "bob&#x27;s excerpts" in body
    docx = client_for(rita).get(reverse("reports:theme-report-docx", args=[SLUG, data["plan"].pk]),
                                {"layer": "consensus"})
    rows = Document(io.BytesIO(docx.content)).tables[0].rows
    header = {row.cells[0].text: row.cells[1].text for row in rows}
    assert header["Coder layer"] == "the consensus layer's excerpts"
