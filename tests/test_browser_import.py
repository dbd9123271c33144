"""Import and cue times in real Chromium: several files picked at once get a row each, and cue
times shown beside subtitle lines leave selection offsets exactly those of the stored text."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import CodedExcerpt
from interviews.models import Transcript
from tests.test_browser_coding import code_with, drag_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_several_files_picked_at_once_get_a_row_each(alice, participant, login_page, live_server):
    page = login_page(alice)
    page.goto(live_server.url + reverse("interviews:transcript-upload", args=["pasto"]))
    files = [{"name": f"entrevista {i}.txt", "mimeType": "text/plain",
              "buffer": f"Interviewer: ¿Cómo?\nD: Respuesta {i}, José.".encode("cp1252")} for i in range(4)]
    page.locator("#multi-files").set_input_files(files)
    rows = page.locator(".upload-row")
    expect(rows).to_have_count(4)  # three offered, one added
    for i in range(4):
        expect(rows.nth(i).locator('input[name$="-title"]')).to_have_value(f"entrevista {i}")
        rows.nth(i).locator('select[name$="-participant"]').select_option(label="D")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 4 transcripts.")).to_be_visible()
    texts = dict(Transcript.objects.values_list("title", "text"))
    assert texts == {f"entrevista {i}": f"Interviewer: ¿Cómo?\n\nD: Respuesta {i}, José." for i in range(4)}


def test_a_row_can_be_added(alice, participant, login_page, live_server):
    page = login_page(alice)
    page.goto(live_server.url + reverse("interviews:transcript-upload", args=["pasto"]))
    page.get_by_role("button", name="Add a row").click()
    expect(page.locator(".upload-row")).to_have_count(4)
    expect(page.locator('input[name="form-TOTAL_FORMS"]')).to_have_value("4")


def test_cue_times_show_beside_lines_and_leave_offsets_alone(alice, themes, participant, login_page,
                                                             live_server):
    text = "Interviewer: How did it start?\nAnd who took part?\n\nD: With the youth office."
    transcript = Transcript.objects.create(
        study=participant.study, participant=participant, title="Video", text=text,
        cues=[{"offset": 0, "time": 1.0}, {"offset": 31, "time": 4.5}, {"offset": 51, "time": 62.0}],
    )
    page = login_page(alice)
    page.goto(live_server.url + transcript.get_absolute_url())
    paragraphs = page.locator("#transcript-text p.turn")
    expect(paragraphs).to_have_count(3)
    shown = paragraphs.evaluate_all(
        "ps => ps.map(p => [getComputedStyle(p, '::before').content, p.textContent])")
    assert shown == [['"00:01"', "Interviewer: How did it start?"], ['"00:04"', "And who took part?"],
                     ['"01:02"', "D: With the youth office."]]
    start = text.index("youth office")
    drag_select(page, start, start + len("youth office"))
    page.keyboard.press("c")
    code_with(page, "Youth")
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)
    excerpt = CodedExcerpt.objects.get()
    assert (excerpt.start, excerpt.quote) == (start, "youth office")
