"""The agreement table as CSV and XLSX: the page's figures, with their n."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coding.services import excerpt_create
from tests.conftest import client_for


@pytest.fixture
def coded(transcript, alice, bob, themes):
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    excerpt_create(transcript=transcript, start=36, end=49, themes=[themes["youth"]], coder=bob)
    return transcript


def test_the_csv_holds_each_theme_and_overall(coded, alice, bob, rita, study):
    url = reverse("team:agreement-csv", args=[study.slug])
    response = client_for(rita).get(url, {"coders": [alice.pk, bob.pk], "overlap": 90})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="agreement-pasto.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:7] == ["Theme", "Percent agreement", "Cohen's κ", "Characters (κ)", "Krippendorff's α",
                          "Characters (α)", "Pairable values (α)"]
    assert [row[0] for row in rows[1:]] == ["Youth", "Overall"]
    youth = dict(zip(header, rows[1], strict=True))
    assert youth["Characters (κ)"] == str(len(coded.text))
    assert youth["Excerpts by alice"] == youth["Matched (alice)"] == "1"  # 13 of 14 characters: 93%
    assert float(youth["Cohen's κ"]) > 0.9


def test_the_xlsx_holds_the_table_and_the_methods_paragraph(coded, alice, bob, rita, study):
    url = reverse("team:agreement-xlsx", args=[study.slug])
    response = client_for(rita).get(url, {"coders": [alice.pk, bob.pk]})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == "Youth" and values[2][0] == "Overall"
    assert values[-1][0].startswith("2 coders independently coded")


def test_an_export_without_two_coders_is_refused(alice, rita, study):
    url = reverse("team:agreement-csv", args=[study.slug])
    response = client_for(rita).get(url, {"coders": [alice.pk]})
    assert response.status_code == 400
    assert "at least two coders" in response.content.decode()


def test_a_theme_named_like_a_formula_stays_text(coded, alice, bob, rita, study, themes):
    themes["youth"].name = "=HYPERLINK(\"http://x\")"
    themes["youth"].save()
    params = {"coders": [alice.pk, bob.pk]}
    csv_body = client_for(rita).get(reverse("team:agreement-csv", args=[study.slug]), params).content
    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"
    xlsx = client_for(rita).get(reverse("team:agreement-xlsx", args=[study.slug]), params).content
    cell = load_workbook(io.BytesIO(xlsx)).active["A2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"http://x\")", "s")
