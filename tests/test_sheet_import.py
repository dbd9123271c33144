"""Importing a classification sheet from CSV or XLSX (interviews.sheet_views.sheet_import): a
preview of new participants, changed cells, unknown columns and bad cells, then everything
applied in one transaction, exactly as previewed, or nothing."""

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from interviews.models import AttributeValue, Participant
from interviews.services import attribute_create, attribute_value_set
from tests.conftest import client_for


def url(name, study):
    return reverse(f"interviews:{name}", args=[study.slug])


@pytest.fixture
def attrs(study, participant):
    def make(name, kind, **kw):
        return attribute_create(study=study, applies_to="participant", name=name, type=kind, **kw)
    made = {"age": make("Age", "number"), "wave": make("Wave", "choice", choices=["First", "Second"]),
            "home": make("Home address", "text", identifying=True)}
    attribute_value_set(attribute=made["age"], obj=participant, raw="40")
    attribute_value_set(attribute=made["home"], obj=participant, raw="Calle 1")
    return made


def csv_file(text, name="sheet.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def preview(client, study, upload):
    return client.post(url("participant-sheet-import", study), {"file": upload})


def apply_from(client, study, response):
    body = response.content.decode()
    fields = dict(re.findall(r'name="(table|digest)" value="([^"]*)"', body))
    return client.post(url("participant-sheet-import", study),
                       {k: html.unescape(v) for k, v in fields.items()})


def values(study):
    stored = AttributeValue.objects.filter(study=study).select_related("participant", "attribute", "choice")
    return sorted((v.participant.code, v.attribute.name, str(v.value)) for v in stored)


def test_the_preview_shows_new_participants_changed_cells_and_unknown_columns(attrs, alice, study):
    response = preview(client_for(alice), study, csv_file(
        "Code,Age,Wave,Favourite colour,Sector\nD,41,First,blue,Public\nN1,29,,red,\n"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 new participant: N1" in body
    assert "Unknown columns, ignored: Favourite colour" in body
    assert "not imported here" not in body  # Sector is an attribute like Age: imported
    changes = body[body.index('id="changes"'):body.index("</table>", body.index('id="changes"'))]
    assert re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", changes) == [
        ("D", "Age", "40", "41"), ("D", "Wave", "", "First"), ("D", "Sector", "NGO", "Public"),
        ("N1", "Age", "", "29")]
    assert not Participant.objects.filter(code="N1").exists()  # a preview changes nothing


def test_applying_does_exactly_what_the_preview_showed(attrs, alice, study):
    client = client_for(alice)
    response = apply_from(client, study, preview(client, study, csv_file(
        "code,age,wave\nD,41,First\nN1,29,\n")))
    assert response.status_code == 302
    assert values(study) == [("D", "Age", "41.00000000"), ("D", "Gender", "Male"),
                             ("D", "Home address", "Calle 1"), ("D", "Organisation", "RET"),
                             ("D", "Sector", "NGO"),
                             ("D", "Wave", "First"), ("N1", "Age", "29.00000000")]
    added = Participant.objects.get(study=study, code="N1")
    assert added.full_name == "" and not added.attribute_values.exclude(attribute__name="Age").exists()


def test_a_bad_cell_blocks_the_whole_import(attrs, alice, study):
    before = values(study)
    response = preview(client_for(alice), study, csv_file("Code,Age,Wave\nN1,29,First\nD,forty,Third\n"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Row 3: Age: “forty” is not a number" in body
    assert "Row 3: Wave: “Third” is not one of its choices (First, Second)." in body
    assert "Apply the import" not in body
    assert values(study) == before and not Participant.objects.filter(code="N1").exists()


def test_a_forged_apply_with_a_bad_cell_changes_nothing(attrs, alice, study):
    client = client_for(alice)
    response = client.post(url("participant-sheet-import", study), {
        "table": '[["Code","Age"],["N1","1"],["N2","x"]]', "digest": "0" * 64})
    assert response.status_code == 400
    assert not Participant.objects.filter(code__in=["N1", "N2"]).exists()


def test_a_sheet_changed_since_the_preview_is_refused(attrs, alice, study, participant):
    client = client_for(alice)
    shown = preview(client, study, csv_file("Code,Age\nD,41\nN1,3\n"))
    attribute_value_set(attribute=attrs["age"], obj=participant, raw="45")  # someone edits meanwhile
    response = apply_from(client, study, shown)
    assert response.status_code == 400
    assert "changed since the preview" in response.content.decode()
    assert not Participant.objects.filter(code="N1").exists()
    assert AttributeValue.objects.get(attribute=attrs["age"]).number == 45


def test_a_researcher_cannot_import_an_identifying_column(attrs, alice, adam, study):
    response = preview(client_for(alice), study, csv_file("Code,Home address\nD,Somewhere else\n"))
    body = response.content.decode()
    assert "Unknown columns, ignored: Home address" in body and "Calle 1" not in body
    owner = preview(client_for(adam), study, csv_file("Code,Home address\nD,Somewhere else\n"))
    assert "Somewhere else" in owner.content.decode()


def test_an_exported_xlsx_imports_back_without_changes(attrs, alice, study, participant):
    client = client_for(alice)
    attribute_value_set(attribute=attrs["wave"], obj=participant, raw="Second")
    exported = client.get(url("participant-sheet-export-xlsx", study)).content
    response = preview(client, study, SimpleUploadedFile("back.xlsx", exported))
    body = response.content.decode()
    assert response.status_code == 200
    assert "0 changed cells" in body and "0 new participants" in body


def test_an_xlsx_with_typed_cells_imports(attrs, alice, study):
    book = Workbook()
    book.active.append(["Code", "Age", "Wave"])
    book.active.append(["N7", 33.0, "second"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(alice)
    shown = preview(client, study, SimpleUploadedFile("n.xlsx", buffer.getvalue()))
    response = apply_from(client, study, shown)
    assert response.status_code == 302
    assert ("N7", "Age", "33.00000000") in values(study) and ("N7", "Wave", "Second") in values(study)


@pytest.mark.parametrize(("upload", "message"), [
    (csv_file("Age\n3\n"), "no “Code” column"),
    (csv_file("Code,Age\nD,1\nd,2\n"), "appears twice"),
    (SimpleUploadedFile("x.xlsx", b"not a zip"), "not an XLSX file"),
    (SimpleUploadedFile("x.csv", "Code\nÑ\n".encode("latin-1")), "not UTF-8"),
    (SimpleUploadedFile("x.txt", b"Code\n"), "Choose a .csv or .xlsx file"),
])
def test_a_file_that_cannot_be_imported_gets_a_message(attrs, alice, study, upload, message):
    response = preview(client_for(alice), study, upload)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_reviewers_cannot_import(attrs, rita, study):
    assert preview(client_for(rita), study, csv_file("Code,Age\nN1,3\n")).status_code == 403


def test_the_transcript_sheet_imports_by_id(transcript, alice, study):
    mode = attribute_create(study=study, applies_to="transcript", name="Mode", type="choice",
                            choices=["In person", "Phone"])
    client = client_for(alice)
    shown = client.post(url("transcript-sheet-import", study),
                        {"file": csv_file(f"Id,Mode\n{transcript.pk},phone\n999999,In person\n")})
    assert shown.status_code == 400 and "no transcript with id 999999" in shown.content.decode()
    shown = client.post(url("transcript-sheet-import", study),
                        {"file": csv_file(f"Id,Mode\n{transcript.pk},phone\n")})
    fields = dict(re.findall(r'name="(table|digest)" value="([^"]*)"', shown.content.decode()))
    response = client.post(url("transcript-sheet-import", study),
                           {k: html.unescape(v) for k, v in fields.items()})
    assert response.status_code == 302
    assert AttributeValue.objects.get(attribute=mode, transcript=transcript).choice.label == "Phone"
