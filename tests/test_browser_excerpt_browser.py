"""The excerpt browser in real Chromium: typed filters get suggestions from the JSON endpoint,
"Show context" widens a quote's context in place, "N more" appends the next page; and the
codebook report runs under the Content-Security-Policy without errors."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from interviews.models import Transcript
from tests.reports_study import code, interview, person

SLUG = "pasto"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_suggestions_context_and_more(login_page, live_server, rita, alice, participant, themes):
    words = " ".join(f"w{i:02}" for i in range(60))
    transcript = Transcript.objects.create(study=participant.study, participant=participant, title="Long",
                                           text="First paragraph.\n\n" + words + "\n\nLast paragraph.")
    for i in range(60):
        code(transcript, f"w{i:02}", [themes["youth"]], alice)
    withdrew = person(participant.study, "W", withdrawn=datetime.date(2010, 1, 1))
    withdrawn = interview(withdrew, "Withdrawn words.")
    code(withdrawn, "Withdrawn", [themes["youth"]], alice)
    page = login_page(rita)
    errors = watch(page)
    page.goto(live_server.url + reverse("reports:excerpt-browser", args=[SLUG]))
    expect(page.locator("#excerpts > li.card")).to_have_count(50)
    expect(page.locator("#result-count")).to_have_text("60 excerpts")  # the totals, fetched after
    expect(page.locator("#hidden-count")).to_have_text(
        "1 more excerpt matches, but is not shown: its participant withdrew consent or never gave it.")
    page.locator("#id_participant").focus()
    expect(page.locator("#participant-choices option")).to_have_count(1)
    assert page.locator("#participant-choices option").first.get_attribute("label") == participant.code
    first = page.locator("#excerpts > li.card").first
    expect(first.locator("[data-before]")).not_to_contain_text("First paragraph.")
    first.get_by_role("button", name="Show context").click()
    expect(first.locator("[data-before]")).to_contain_text("First paragraph.")
    page.locator("[data-more]").click()
    expect(page.locator("#excerpts > li.card")).to_have_count(60)
    expect(page.locator("[data-more]")).to_have_count(0)
    page.goto(live_server.url + reverse("reports:theme-report", args=[SLUG, themes["youth"].pk]))
    quote = page.locator("blockquote.quote").first
    quote.get_by_role("button", name="Show context").click()
    expect(quote.locator("[data-before]")).to_contain_text("First paragraph.")
    page.goto(live_server.url + reverse("reports:codebook-report", args=[SLUG]))
    expect(page.locator("main h1")).to_have_text("Codebook report")
    assert errors == []


def test_page_links_show_the_page_in_place_with_the_address_history_and_focus(
        login_page, live_server, rita, alice, participant, themes):
    """Next and Previous fetch the page's cards and show them in place of the list's: no page
    load, the address and Back follow, and the focus is on the heading naming the page."""
    transcript = interview(participant, " ".join(f"w{i:03}" for i in range(120)))
    for i in range(120):
        code(transcript, f"w{i:03}", [themes["youth"]], alice)
    page = login_page(rita)
    errors = watch(page)
    url = live_server.url + reverse("reports:excerpt-browser", args=[SLUG])
    page.goto(url + f"?theme={themes['youth'].pk}")
    expect(page.locator("#result-count")).to_have_text("120 excerpts")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Next").click()
    expect(page.locator("#result-count")).to_have_text("Excerpts 51–100")
    expect(page.locator("#result-count")).to_be_focused()
    expect(page.locator("#excerpts > li.card")).to_have_count(50)
    expect(page.locator("#excerpts > li.card").first).to_contain_text("w050")
    assert "page=2" in page.url and "after=" in page.url
    page.get_by_role("link", name="Next").focus()  # the keyboard alone
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_have_text("Excerpts 101–120")
    expect(page.locator("#excerpts > li.card")).to_have_count(20)
    page.go_back()
    expect(page.locator("#result-count")).to_have_text("Excerpts 51–100")
    expect(page.locator("#excerpts > li.card").first).to_contain_text("w050")
    page.get_by_role("link", name="Previous").click()
    expect(page.locator("#result-count")).to_have_text("Excerpts 1–50")
    expect(page.locator("#excerpts > li.card").first).to_contain_text("w000")
    assert page.evaluate("window.notReloaded") is True  # never a whole page load
    page.reload()  # the address is the page's own: loaded whole, it shows the same page
    expect(page.locator("#excerpts > li.card").first).to_contain_text("w000")
    assert errors == []
