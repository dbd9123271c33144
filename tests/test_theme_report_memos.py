"""The theme report shows the theme's memos and comments, and (asked for) each excerpt's memos;
its DOCX, XLSX and CSV carry memos only when asked; private memos stay their author's."""

import csv
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from coding.services import excerpt_create
from memos.services import comment_create, memo_create
from tests.conftest import client_for


@pytest.fixture
def data(study, alice, bob, rita, transcript, themes):
    youth = themes["youth"]
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[youth], coder=alice,
                             memo="Coder's note")
    memo_create(study=study, author=alice, title="Youth theory", body="Young people *leave*.", themes=[youth])
    memo_create(study=study, author=bob, title="Bob private", body="secret", private=True, themes=[youth],
                excerpts=[excerpt])
    memo_create(study=study, author=alice, title="On the quote", body="Strong words.", excerpts=[excerpt])
    comment_create(study=study, author=rita, body="Too broad?", theme=youth)
    return {"youth": youth, "excerpt": excerpt}


def get(user, name, theme, **params):
    response = client_for(user).get(reverse(f"reports:{name}", args=["pasto", theme.pk]), params)
    assert response.status_code == 200
    return response


def test_the_page_shows_theme_memos_and_comments(data, alice):
    response = get(alice, "theme-report", data["youth"])
    assert [m.title for m in response.context["theme_memos"]] == ["Youth theory"]
    assert [c.body for c in response.context["comments"]] == ["Too broad?"]
    html = response.content.decode()
    assert "<em>leave</em>" in html and "Strong words." not in html


def test_excerpt_memos_show_when_asked(data, alice, bob):
    html = get(alice, "theme-report", data["youth"], memos="on").content.decode()
    assert "Coder&#x27;s note" in html and "Strong words." in html and "Bob private" not in html
    assert "Bob private" in get(bob, "theme-report", data["youth"], memos="on").content.decode()


def test_exports_carry_memos_only_when_asked(data, alice):
    plain = get(alice, "theme-report-csv", data["youth"]).content.decode("utf-8-sig")
    assert "Memos" not in plain and "Strong words" not in plain
    rows = list(csv.reader(io.StringIO(get(alice, "theme-report-csv", data["youth"], memos="on")
                                       .content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Memos"
    assert rows[1][-1] == "Coder's note\n\nOn the quote: Strong words."

    book = load_workbook(io.BytesIO(get(alice, "theme-report-xlsx", data["youth"], memos="on").content))
    assert [row[0] for row in book["Memos"].iter_rows(min_row=2, values_only=True)] == ["Youth theory"]
    assert book["Memos"]["E2"].value == "Young people leave."
    assert "Memos" not in load_workbook(io.BytesIO(get(alice, "theme-report-xlsx", data["youth"]).content))

    doc = Document(io.BytesIO(get(alice, "theme-report-docx", data["youth"], memos="on").content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Youth theory" in text and "Young people leave." in text and "On the quote: Strong words." in text
    assert "Bob private" not in text and "secret" not in text
    doc = Document(io.BytesIO(get(alice, "theme-report-docx", data["youth"]).content))
    assert "Youth theory" not in "\n".join(p.text for p in doc.paragraphs)


def test_a_private_memo_is_exported_for_its_author_only(data, bob, alice):
    doc = Document(io.BytesIO(get(bob, "theme-report-docx", data["youth"], memos="on").content))
    assert "Bob private" in "\n".join(p.text for p in doc.paragraphs)
    book = load_workbook(io.BytesIO(get(alice, "theme-report-xlsx", data["youth"], memos="on").content))
    assert "Bob private" not in [row[0] for row in book["Memos"].iter_rows(values_only=True)]


def test_a_background_export_carries_memos_when_asked(data, alice, run_jobs, settings):
    """The report's "Prepare in the background" posts the page's options, memos included: the
    job's file has the same Memos column and sheet as the direct export, read as its starter."""
    from jobs.models import Job

    url = reverse("reports:theme-report-export-job", args=["pasto", data["youth"].pk])
    client = client_for(alice)
    assert client.post(url + "?memos=on", {"format": "csv"}).status_code == 302
    assert client.post(url, {"format": "xlsx"}).status_code == 302
    run_jobs()
    with_memos, plain = Job.objects.order_by("pk")
    assert with_memos.params["memos"] is True and plain.params["memos"] is False
    assert (with_memos.status, plain.status) == ("succeeded", "succeeded")
    content = b"".join(client.get(with_memos.result_url).streaming_content).decode("utf-8-sig")
    assert content == get(alice, "theme-report-csv", data["youth"], memos="on").content.decode("utf-8-sig")
    assert "On the quote: Strong words." in content and "Bob private" not in content
    book = load_workbook(io.BytesIO(b"".join(client.get(plain.result_url).streaming_content)))
    assert "Memos" not in book.sheetnames


def test_a_background_export_with_memos_is_another_job_than_without(data, alice):
    """The option is part of the job's key: asking for memos while the plain export is queued
    queues a second job instead of handing back the first (which has none)."""
    from jobs.models import Job

    url = reverse("reports:theme-report-export-job", args=["pasto", data["youth"].pk])
    client_for(alice).post(url, {"format": "xlsx"})
    client_for(alice).post(url + "?memos=on", {"format": "xlsx"})
    assert Job.objects.count() == 2
