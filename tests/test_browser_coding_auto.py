"""Auto-coding from the search page in real Chromium: it never repeats or overlaps an excerpt of
the same theme, and it can keep to one speaker's turns. The result is read from the database."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import AutoCodingRun, CodedExcerpt
from coding.services import excerpt_create
from interviews.models import Transcript

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Entrevistador: ¿Y la migración forzada?\n\n"
    "D: La migración forzada es un reto. Otra migración aquí.\n\n"
    "Entrevistador: ¿Más migración?"
)


@pytest.fixture
def interview(participant):
    return Transcript.objects.create(
        study=participant.study, participant=participant, title="Entrevista D", text=TEXT)


def auto_code(page, live_server, scope, speaker=""):
    page.goto(live_server.url + reverse("reports:search", args=["pasto"]) + "?q=migracion")
    expect(page.locator("#hit-count")).to_contain_text("4 hits")
    page.select_option("#auto-theme", label="\u2003Youth")
    page.select_option("#auto-scope", value=scope)
    page.get_by_label("Only in the turns of").fill(speaker)
    page.get_by_role("button", name="Code all 4 hits").click()
    expect(page.get_by_role("alert").first).to_be_visible()


def youth_spans(themes):
    return sorted(CodedExcerpt.objects.filter(themes=themes["youth"]).values_list("start", "end"))


def test_auto_coding_twice_creates_no_duplicates_or_overlaps(login_page, live_server, alice, bob,
                                                             interview, themes):
    start = TEXT.index("La migración forzada")
    excerpt_create(transcript=interview, start=start, end=start + 20, themes=[themes["youth"]], coder=bob)
    page = login_page(alice)
    auto_code(page, live_server, "sentence")
    expect(page.get_by_role("alert").first).to_contain_text("1 already had it")
    spans = youth_spans(themes)
    assert [TEXT[s:e] for s, e in spans] == [
        "Entrevistador: ¿Y la migración forzada?", "La migración forzada", "Otra migración aquí.",
        "Entrevistador: ¿Más migración?"]
    auto_code(page, live_server, "match")
    expect(page.get_by_role("alert").first).to_contain_text("4 already had it")
    assert youth_spans(themes) == spans
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False))


def test_auto_coding_can_keep_to_one_speakers_turns(login_page, live_server, alice, interview, themes):
    page = login_page(alice)
    auto_code(page, live_server, "match", speaker="D")
    assert [TEXT[s:e] for s, e in youth_spans(themes)] == ["migración", "migración"]
    assert all(TEXT.rfind("\n", 0, s) == TEXT.index("\n\nD:") + 1 for s, _ in youth_spans(themes))
    assert AutoCodingRun.objects.get().excerpts.count() == 2
