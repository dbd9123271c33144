"""Memos in real Chromium: a memo holding a script, an event handler or a javascript: link
renders inert on every page that shows it, with its simple formatting intact; and a passage is
annotated from the coding page without being coded."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import CodedExcerpt
from memos.models import Memo
from memos.services import memo_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = ('*fine* words\n\n<script id=pwned>alert(1)</script>'
           '<img id=pwned src=x onerror=alert(2)><a id=pwned href="#" onclick="alert(3)">click</a>\n\n'
           '[bad](javascript:alert(4)) <svg id=pwned onload=alert(5)></svg>')


def test_a_hostile_memo_renders_inert_everywhere(alice, study, transcript, themes, participant, login_page,
                                                  live_server):
    memo = memo_create(study=study, author=alice, title='T <img id=pwned src=x onerror=alert(6)>',
                       body=HOSTILE, transcripts=[transcript], themes=[themes["youth"]],
                       participants=[participant], spans=[(transcript, 0, 11)])
    page = login_page(alice)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in [
        memo.get_absolute_url(),
        reverse("memos:journal", args=["pasto"]),
        reverse("memos:transcript-memos", args=["pasto", transcript.pk]),
        reverse("memos:participant-memos", args=["pasto", participant.pk]),
        reverse("reports:theme-report", args=["pasto", themes["youth"].pk]),
    ]:
        page.goto(live_server.url + url)
        assert page.locator("#pwned").count() == 0, url
        assert page.locator(".memo-body em", has_text="fine").count() >= 1, url
        assert page.locator(".memo-body a[href^='javascript']").count() == 0, url
    page.goto(live_server.url + memo.get_absolute_url())
    page.locator("#memo-body a", has_text="click").click()  # its onclick is gone
    # the coding page: the memo tab and the margin mark
    page.goto(live_server.url + reverse("coding:transcript-coding", args=["pasto", transcript.pk]))
    page.locator(".annotation-mark").first.wait_for()
    page.locator(".annotation-mark").first.click()
    page.locator("#memo-tab #memo-panel").wait_for()
    assert page.locator("#pwned").count() == 0
    assert page.locator("#memo-tab .memo-body em", has_text="fine").count() == 1
    assert dialogs == []


def test_a_passage_is_annotated_from_the_coding_page(alice, transcript, login_page, live_server):
    page = login_page(alice)
    page.goto(live_server.url + reverse("coding:transcript-coding", args=["pasto", transcript.pk]))
    # select "Interviewer" (the first 11 characters) in the first paragraph
    page.evaluate("""() => {
        const node = document.querySelector('#transcript-text p.turn').firstChild;
        const range = document.createRange();
        range.setStart(node, 0); range.setEnd(node, 11);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    }""")
    page.locator("#annotate-button").click()
    page.locator("#annotate-body").fill("Check the question wording")
    page.locator("#annotate-form button[type=submit]").click()
    page.locator(".annotation-mark").wait_for()
    page.locator("#memo-tab #memo-panel").wait_for()
    memo = Memo.objects.get()
    span = memo.spans.get()
    assert (span.start, span.end, span.quote) == (0, 11, "Interviewer")
    assert memo.body == "Check the question wording"
    assert not CodedExcerpt.objects.exists()
    # the side tab is reloaded after the save: wait for the new memo in it
    expect(page.locator("#memo-tab")).to_contain_text("Check the question wording")
