"""The codebook as CSV: export for spreadsheets, tolerant import, an exact round trip."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from coding.codebook_csv import COLUMNS, codebook_csv_bytes, codebook_import_csv
from coding.codebook_qdc import CodebookFileError, theme_guid
from coding.models import Theme
from coding.services import excerpt_create
from studies.spreadsheet import csv_cell as _escape
from studies.spreadsheet import csv_uncell as _unescape
from tests.codebook_state import delete_all_themes, make_codebook, other_study_objects, theme_rows
from tests.conftest import client_for

EXPORT = reverse("coding:codebook-export-csv", args=["pasto"])
IMPORT = reverse("coding:codebook-import", args=["pasto"])


@pytest.fixture
def codebook(study):
    return make_codebook(study)


def rows_of(data):
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def import_text(text, study, encoding="utf-8"):
    return codebook_import_csv(io.BytesIO(text.encode(encoding)), study=study)


def export_csv(study):
    return codebook_csv_bytes(Theme.objects.for_codebook_export(study))


# ----- export -----


def test_it_exports_one_row_per_theme_in_tree_order(study, alice, transcript, codebook):
    excerpt_create(transcript=transcript, start=0, end=5, themes=[codebook], coder=alice)
    data = export_csv(study)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = rows_of(data)
    assert rows[0] == COLUMNS
    names = [row[2] for row in rows[1:]]
    assert names == ["Estrategia & <política>", "Juventud", "Rural", "Género", "Analytic"]
    top, child = rows[1], rows[2]
    assert top[0] == theme_guid(codebook) and top[1] == ""
    assert child[1] == theme_guid(codebook)
    assert (top[3], top[4], top[8]) == ("strategy", "#ABCDEF", "1")
    assert top[5] == "Línea 1\nLínea 2\n\nSecond paragraph 😀"


def test_it_defuses_cells_a_spreadsheet_would_run(study, alice):
    Theme.objects.create(study=study,
        name='=HYPERLINK("http://evil")', description="-1 + 2", exclusion_criteria="@SUM(A1)"
    )
    row = rows_of(export_csv(study))[1]
    assert row[2] == '\'=HYPERLINK("http://evil")'
    assert row[5] == "'-1 + 2"
    assert row[7] == "'@SUM(A1)"


@given(st.text(max_size=12))
def test_escaping_is_undone_exactly(value):
    assert _unescape(_escape(value)) == value
    assert not _escape(value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_export_view_downloads_the_file(alice, codebook):
    response = client_for(alice).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pasto-coop-pasto-codebook.csv"'
    assert rows_of(response.content)[0] == COLUMNS


def test_a_reviewer_may_export(rita, codebook):
    assert client_for(rita).get(EXPORT).status_code == 200


def test_anonymous_users_go_to_login(client, codebook):
    assert client.get(EXPORT).status_code == 302


# ----- round trip -----


def test_export_then_import_into_an_empty_codebook_reproduces_every_theme(study, alice, codebook):
    Theme.objects.create(study=study, name="-minus", description="=formula", inclusion_criteria="'quoted",
                         order=2)
    before = theme_rows()
    data = export_csv(study)
    delete_all_themes()
    report = codebook_import_csv(io.BytesIO(data), study=study)
    assert theme_rows() == before
    assert len(report.imported) == 6
    assert not (report.merged or report.skipped or report.unmapped or report.warnings)


# ----- import -----


def test_it_takes_semicolons_other_column_names_and_any_row_order(study, alice):
    text = (
        "ID;Code;Parent;Color;Definition;Kind\r\n"
        "c1;Child;p1;#00ff00;A child;\r\n"
        "p1;Top;;#ff0000;The top;Strategy theme\r\n"
    )
    import_text(text, study)
    top = Theme.objects.get(name="Top")
    child = Theme.objects.get(name="Child")
    assert (top.parent, top.colour, top.description, top.kind) == (None, "#ff0000", "The top", "strategy")
    assert (child.parent, child.colour, child.kind) == (top, "#00ff00", "strategy")


def test_a_single_name_column_is_enough(study, alice):
    report = import_text("name\nTrust\n\nPower\n", study)
    assert sorted(Theme.objects.values_list("name", flat=True)) == ["Power", "Trust"]
    assert len(report.imported) == 2


def test_it_reports_what_it_could_not_use(study, alice):
    text = (
        "guid,parent_guid,name,kind,weight\n"
        "a,,A,,1\n"
        ",,,,\n"
        "b,missing,B,,2\n"
        "c,d,C,,3\n"
        "d,c,D,mystery,4\n"
        "e,,,,5\n"
    )
    report = import_text(text, study)
    assert dict(Theme.objects.values_list("name", "parent__name")) == {
        "A": None,
        "B": None,
        "C": None,
        "D": "C",
    }
    assert report.skipped == ["Row 7 has no name."]
    assert any("weight" in line for line in report.unmapped)
    assert any("Row 4" in line and "missing" in line for line in report.unmapped)
    assert any("mystery" in line for line in report.unmapped)
    assert any("Row 5" in line and "own ancestor" in line for line in report.warnings)


@pytest.mark.parametrize(
    "data, message",
    [
        ("Tema\nConfianza\n".encode("latin-1") + "é".encode("latin-1"), "not UTF-8"),
        (b"colour,description\n#fff,x\n", "no “name” column"),
        (b"", "no “name” column"),
        (b'name\n"' + b"x" * 200_000 + b'"\n', "cannot be read"),
    ],
)
def test_it_refuses_files_it_cannot_read_and_changes_nothing(study, alice, codebook, data, message):
    before = theme_rows()
    with pytest.raises(CodebookFileError, match=message):
        codebook_import_csv(io.BytesIO(data), study=study)
    assert theme_rows() == before


def test_the_import_view_takes_a_csv(alice, db):
    upload = SimpleUploadedFile("book.csv", "\ufeffname,colour\nConfianza,#123456\n".encode())
    response = client_for(alice).post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert "Theme «Confianza»" in response.content.decode()
    assert Theme.objects.get().colour == "#123456"


def test_the_import_view_explains_an_unreadable_csv(alice, db):
    upload = SimpleUploadedFile("book.csv", b"colour\n#123456\n")
    response = client_for(alice).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert "column" in response.content.decode()
    assert not Theme.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_users_who_cannot_manage_themes_may_not_import(who, status, request, db):
    upload = SimpleUploadedFile("book.csv", b"name\nTrust\n")
    assert client_for(request.getfixturevalue(who)).post(IMPORT, {"file": upload}).status_code == status
    assert not Theme.objects.exists()


def test_the_export_holds_only_the_studys_themes(alice, codebook, other_study, otto):
    other_study_objects(other_study, otto)
    names = [row[2] for row in rows_of(client_for(alice).get(EXPORT).content)[1:]]
    assert names == ["Estrategia & <política>", "Juventud", "Rural", "Género", "Analytic"]
    response = client_for(otto).get(reverse("coding:codebook-export-csv", args=["other"]))
    assert [row[2] for row in rows_of(response.content)[1:]] == ["Harbour", "Market"]


@pytest.mark.parametrize("who", ["steve", "otto"])
def test_non_members_may_not_export(who, request, codebook):
    assert client_for(request.getfixturevalue(who)).get(EXPORT).status_code == 404


def test_it_imports_into_the_study_only(alice, study, other_study, otto):
    other_study_objects(other_study, otto)
    before = sorted(Theme.objects.filter(study=other_study).values_list("pk", "name", "parent_id", "order"))
    upload = SimpleUploadedFile("c.csv", b"name,parent_guid\nHarbour,\nMarket,\n")
    assert client_for(alice).post(IMPORT, {"file": upload}).status_code == 200
    assert sorted(Theme.objects.filter(study=study).values_list("name", flat=True)) == ["Harbour", "Market"]
    after = sorted(Theme.objects.filter(study=other_study).values_list("pk", "name", "parent_id", "order"))
    assert after == before
