"""Search and auto-coding in real Chromium: pick every hit on the page (reports.js), code them
with a theme, then undo. Also checks the report pages run under the Content-Security-Policy
without errors."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import CodedExcerpt
from interviews.models import Transcript

SLUG = "pasto"  # the conftest study

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page):
    """Script errors and Content-Security-Policy refusals on `page` (the browser's own favicon
    request is not the page's business)."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


@pytest.fixture
def spanish(participant):
    return Transcript.objects.create(
        study=participant.study, participant=participant, title="Entrevista D",
        text="La migración forzada es un reto.\n\nOtra MIGRACION aquí. Y la inmigración.",
    )


def test_it_codes_the_picked_hits_and_undoes_it(login_page, live_server, alice, spanish, themes):
    page = login_page(alice)
    errors = watch(page)
    page.goto(live_server.url + reverse("reports:search", args=[SLUG]) + "?q=migracion")
    expect(page.locator("#hit-count")).to_contain_text("2 hits")
    page.locator("#pick-all").check()
    expect(page.locator('[data-pick="hits"]:checked')).to_have_count(2)
    page.locator('[data-pick="hits"]').nth(1).uncheck()
    expect(page.locator("#pick-all")).not_to_be_checked()
    assert page.evaluate("document.getElementById('pick-all').indeterminate")
    page.locator('[data-pick="hits"]').nth(1).check()
    expect(page.locator("#pick-all")).to_be_checked()
    page.select_option("#auto-theme", label="\u2003Youth")
    page.select_option("#auto-scope", value="match")
    page.get_by_role("button", name="Code the picked hits").click()
    expect(page.locator("#undo-banner")).to_be_visible()
    assert sorted(CodedExcerpt.objects.values_list("quote", flat=True)) == ["MIGRACION", "migración"]
    page.locator("#undo-banner").get_by_role("button", name="Undo").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text("removed")
    assert not CodedExcerpt.objects.exists()
    assert errors == []


def test_report_pages_load_without_console_errors(login_page, live_server, rita, alice, spanish, themes):
    from coding.services import excerpt_create

    excerpt_create(transcript=spanish, start=3, end=12, themes=[themes["youth"]], coder=alice)
    page = login_page(rita)
    errors = watch(page)
    for url in (
        reverse("reports:excerpt-browser", args=[SLUG]), reverse("reports:study-overview", args=[SLUG]),
        reverse("reports:theme-matrix", args=[SLUG]),
        reverse("reports:theme-cooccurrence", args=[SLUG]),
        reverse("reports:theme-report", args=[SLUG, themes["youth"].pk]) + "?print=on",
    ):
        page.goto(live_server.url + url)
        expect(page.locator("main h1")).to_be_visible()
    assert errors == []
