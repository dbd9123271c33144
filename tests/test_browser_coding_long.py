"""The coding page on a long transcript in real Chromium: exact selection at any scroll position,
saves without reloads, the docked picker, speaker turns, other coders' work, narrow screens."""

import pytest
from playwright.sync_api import expect

from coding.models import AutoCodingRun, CodedExcerpt, Theme
from coding.services import excerpt_create, excerpt_update
from interviews.models import Transcript
from studies.models import Membership, Role
from tests.test_browser_coding import RECT_OF, drag_select, highlights

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPEAKER_TEXT = (
    "Entrevistador: ¿Cómo empezó la cooperación?\n\n"
    "D: Con la oficina de juventud y el trabajo de género.\n\n"
    "Y siguió con la migración forzada.\n\n"
    "Entrevistador: ¿Y después?\n\n"
    "D: Vino la estrategia municipal."
)


@pytest.fixture
def very_long(participant):
    """About 300 turns: many screens tall."""
    text = "\n\n".join(
        f"{'Interviewer' if i % 2 else 'D'}: turn {i:03} the youth office spoke about gender and "
        f"forced migration in the municipality, and about trust." for i in range(300)
    )
    return Transcript.objects.create(
        study=participant.study, participant=participant, title="Very long", text=text)


def open_page(login_page, live_server, user, transcript):
    page = login_page(user)
    page.goto(live_server.url + transcript.get_absolute_url())
    expect(page.locator("#transcript-text p.turn").first).to_be_visible()
    return page


def scroll_y(page):
    return page.evaluate("() => window.scrollY")


def scroll_halfway(page):
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    # content-visibility settles the heights of the paragraphs now on screen
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return scroll_y(page)


def turn_in_view(page, transcript_text):
    """The number of a turn whose paragraph sits in the middle of the viewport."""
    offset = page.evaluate("""() => {
      for (const p of document.querySelectorAll('#transcript-text p.turn')) {
        const r = p.getBoundingClientRect();
        if (r.top > window.innerHeight / 3) return Number(p.dataset.cp);
      }
    }""")
    return transcript_text[offset:].split(":", 2)[1].split()[1]


def test_a_drag_after_scrolling_stores_exactly_the_dragged_words(alice, themes, very_long, login_page,
                                                                  live_server):
    page = open_page(login_page, live_server, alice, very_long)
    text = very_long.text
    y = scroll_halfway(page)
    assert y > 3000
    number = turn_in_view(page, text)
    passage = f"turn {number} the youth office spoke"
    start = text.index(passage)
    drag_select(page, start, start + len(passage))
    assert scroll_y(page) == y  # nothing moved while selecting
    assert page.evaluate("() => getSelection().toString()") == passage
    expect(page.locator("#code-button")).to_be_visible()
    page.locator("#code-button").click()
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    picker.get_by_label("Youth", exact=True).check()
    picker.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_contain_text("Excerpt saved: Youth")
    excerpt = CodedExcerpt.objects.get()
    assert (excerpt.start, excerpt.end, excerpt.quote) == (start, start + len(passage), passage)
    assert scroll_y(page) == y
    assert highlights(page)[f"pc-t{themes['youth'].pk}"] == [passage]


def test_five_saves_in_a_row_keep_the_scroll_position_and_never_navigate(alice, themes, very_long,
                                                                         login_page, live_server):
    page = open_page(login_page, live_server, alice, very_long)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.evaluate("() => { window.pastoMarker = 'still here'; }")
    text = very_long.text
    y = scroll_halfway(page)
    number = int(turn_in_view(page, text))
    for i in range(5):
        passage = f"turn {number + i:03} the youth"
        start = text.index(passage)
        drag_select(page, start, start + len(passage))
        page.keyboard.press("c")
        page.locator("#picker").get_by_label("Gender", exact=True).check()
        page.keyboard.press("Enter")  # the checkbox has focus; Enter submits the picker's form
        expect(page.locator("#picker")).to_be_hidden()
        expect(page.locator("#stripes .stripe")).to_have_count(i + 1)
        assert scroll_y(page) == y
    assert CodedExcerpt.objects.count() == 5
    assert sorted(CodedExcerpt.objects.values_list("quote", flat=True)) == [
        f"turn {number + i:03} the youth" for i in range(5)]
    assert page.evaluate("() => window.pastoMarker") == "still here"
    assert navigations == []
    assert len(highlights(page)[f"pc-t{themes['gender'].pk}"]) == 5


def test_escape_closes_the_picker_and_keeps_the_selection(alice, themes, very_long, login_page, live_server):
    page = open_page(login_page, live_server, alice, very_long)
    y = scroll_halfway(page)
    number = turn_in_view(page, very_long.text)
    passage = f"turn {number} the youth"
    start = very_long.text.index(passage)
    drag_select(page, start, start + len(passage))
    page.keyboard.press("c")
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    assert page.evaluate("() => getSelection().toString()") == passage
    assert scroll_y(page) == y
    page.keyboard.press("c")  # the kept selection can be coded straight away
    expect(picker).to_be_visible()
    expect(page.locator("#picker-quote")).to_have_text(passage)


def test_a_grouping_only_theme_cannot_be_ticked(alice, themes, very_long, login_page, live_server):
    Theme.objects.filter(pk=themes["parent"].pk).update(is_codable=False)
    page = open_page(login_page, live_server, alice, very_long)
    drag_select(page, 0, 10)
    page.keyboard.press("c")
    picker = page.locator("#picker")
    group = picker.get_by_label("Strategy themes", exact=True)
    expect(group).to_be_disabled()
    # a real click on its label (force: Playwright itself refuses to click a disabled control)
    picker.locator(f'label[for="theme-{themes["parent"].pk}"]').click(force=True)
    expect(group).not_to_be_checked()
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    page.keyboard.type("strat")  # the filter: Enter ticks the first theme that can be ticked
    page.keyboard.press("Enter")
    expect(group).not_to_be_checked()
    expect(picker.locator('input[name="themes"]:checked')).to_have_count(0)


def test_in_vivo_coding_makes_the_theme_and_the_excerpt(alice, themes, very_long, login_page, live_server):
    page = open_page(login_page, live_server, alice, very_long)
    passage = "forced migration"
    start = very_long.text.index(passage)
    drag_select(page, start, start + len(passage))
    page.keyboard.press("c")
    picker = page.locator("#picker")
    picker.get_by_label("under").select_option(label="Strategy themes")
    picker.get_by_role("button", name="Code in vivo").click()
    expect(page.locator("#status")).to_contain_text("Excerpt saved: forced migration")
    theme = Theme.objects.get(name="forced migration")
    assert theme.parent == themes["parent"]
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.quote == passage
    assert list(excerpt.themes.all()) == [theme]
    assert highlights(page)[f"pc-t{theme.pk}"] == [passage]
    expect(picker.get_by_label("forced migration", exact=True)).to_have_count(1)  # in the tree now


def test_a_conflict_keeps_the_pickers_state(alice, bob, themes, very_long, login_page, live_server):
    excerpt = excerpt_create(transcript=very_long, start=3, end=11, themes=[themes["youth"]], coder=alice)
    page = open_page(login_page, live_server, alice, very_long)
    excerpt_update(excerpt=excerpt, version=1, start=3, end=11, themes=[themes["youth"]], memo="bob's")
    page.locator(f"#x{excerpt.pk}").get_by_role("button", name="Edit").click()
    picker = page.locator("#picker")
    picker.get_by_label("Gender", exact=True).check()
    picker.get_by_label("Memo").fill("alice's reading")
    picker.get_by_role("button", name="Save").click()
    expect(page.locator("#picker-errors")).to_contain_text("Someone else changed this excerpt")
    expect(page.locator("#picker-errors")).to_contain_text("bob's")
    expect(picker).to_be_visible()
    expect(picker.get_by_label("Gender", exact=True)).to_be_checked()
    expect(picker.get_by_label("Youth", exact=True)).to_be_checked()
    expect(picker.get_by_label("Memo")).to_have_value("alice's reading")
    excerpt.refresh_from_db()
    assert excerpt.memo == "bob's"
    # Having seen both, a second Save is a deliberate choice.
    picker.get_by_role("button", name="Save").click()
    expect(picker).to_be_hidden()
    excerpt.refresh_from_db()
    assert (excerpt.memo, excerpt.version) == ("alice's reading", 3)


def test_a_network_failure_keeps_the_selection_and_the_picker(alice, themes, very_long, login_page,
                                                              live_server):
    page = open_page(login_page, live_server, alice, very_long)
    page.route("**/excerpts/new/", lambda route: route.abort())
    start = very_long.text.index("youth office")
    drag_select(page, start, start + len("youth office"))
    page.keyboard.press("c")
    picker = page.locator("#picker")
    picker.get_by_label("Youth", exact=True).check()
    picker.get_by_label("Memo").fill("keep me")
    picker.get_by_role("button", name="Save").click()
    expect(page.locator("#picker-errors")).to_contain_text("The server did not answer")
    expect(picker.get_by_label("Youth", exact=True)).to_be_checked()
    expect(picker.get_by_label("Memo")).to_have_value("keep me")
    assert not CodedExcerpt.objects.exists()
    page.unroute("**/excerpts/new/")
    picker.get_by_role("button", name="Save").click()
    expect(picker).to_be_hidden()
    assert CodedExcerpt.objects.get().quote == "youth office"


def test_new_boundaries_come_from_an_explicit_action_showing_old_and_new(alice, themes, very_long,
                                                                         login_page, live_server):
    text = very_long.text
    start = text.index("youth office")
    excerpt = excerpt_create(transcript=very_long, start=start, end=start + 5, themes=[themes["youth"]],
                             coder=alice)
    page = open_page(login_page, live_server, alice, very_long)
    page.locator(f"#x{excerpt.pk}").get_by_role("button", name="Edit").click()
    drag_select(page, start, start + len("youth office spoke"))
    page.get_by_role("button", name="Use current selection as new boundaries").click()
    expect(page.locator("#bounds-old")).to_have_text("youth")
    expect(page.locator("#bounds-new")).to_have_text("youth office spoke")
    page.locator("#picker").get_by_role("button", name="Save").click()
    expect(page.locator("#picker")).to_be_hidden()
    excerpt.refresh_from_db()
    assert excerpt.quote == "youth office spoke" == text[excerpt.start : excerpt.end]


def test_the_speaker_filter_and_coding_all_turns_with_undo(alice, themes, participant, login_page,
                                                           live_server):
    transcript = Transcript.objects.create(
        study=participant.study, participant=participant, title="Entrevista", text=SPEAKER_TEXT)
    page = open_page(login_page, live_server, alice, transcript)
    question = page.locator("#transcript-text p.turn", has_text="¿Cómo empezó")
    expect(question).to_be_visible()
    page.get_by_label("Speaker", exact=True).select_option(label="Only D")
    expect(question).to_be_hidden()
    expect(page.locator("#transcript-text p.turn", has_text="Y siguió")).to_be_visible()
    page.get_by_label("Code all turns of this speaker with").select_option(label="\u2003Gender")
    page.get_by_role("button", name="Code all turns").click()
    expect(page.locator("#status")).to_contain_text("2 turns of D coded with «Gender»")
    assert sorted(CodedExcerpt.objects.values_list("quote", flat=True)) == [
        "Con la oficina de juventud y el trabajo de género.\n\nY siguió con la migración forzada.",
        "Vino la estrategia municipal."]
    assert len(highlights(page)[f"pc-t{themes['gender'].pk}"]) == 2
    page.locator("#status").get_by_role("button", name="Undo").click()
    expect(page.locator("#status")).to_contain_text("Undone: 2 excerpts removed.")
    assert not CodedExcerpt.objects.exists()
    assert AutoCodingRun.objects.get().undone_at is not None
    assert highlights(page).get(f"pc-t{themes['gender'].pk}", []) == []


def test_other_coders_excerpts_appear_on_request(alice, bob, themes, very_long, login_page, live_server):
    page = open_page(login_page, live_server, alice, very_long)
    excerpt_create(transcript=very_long, start=3, end=11, themes=[themes["gender"]], coder=bob)
    page.get_by_role("button", name="Check for new excerpts").click()
    expect(page.locator("#news")).to_contain_text("1 new or changed excerpt by bob")
    assert f"pc-t{themes['gender'].pk}" not in highlights(page)  # nothing changes until asked
    page.locator("#news").get_by_role("button", name="Show").click()
    expect(page.locator("#news")).to_be_hidden()
    assert highlights(page)[f"pc-t{themes['gender'].pk}"] == [very_long.text[3:11]]
    expect(page.locator("#excerpt-list")).to_contain_text("bob")


def test_the_skip_link_comes_first_and_leads_to_the_text(alice, themes, very_long, login_page, live_server):
    page = open_page(login_page, live_server, alice, very_long)
    page.keyboard.press("Tab")
    expect(page.locator("#skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#transcript-text")).to_be_focused()
    for _ in range(len("D: ")):
        page.keyboard.press("ArrowRight")
    for _ in range(len("turn 000")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#picker")).to_be_visible()
    expect(page.locator("#picker-quote")).to_have_text("turn 000")


def test_at_400_px_a_touch_selection_offers_the_code_action(alice, themes, very_long, login_page,
                                                           live_server):
    page = login_page(alice)
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(live_server.url + very_long.get_absolute_url())
    expect(page.locator("#transcript-text p.turn").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 400
    expect(page.get_by_role("link", name="Codebook")).to_be_hidden()  # the menus are collapsed
    expect(page.get_by_role("link", name="Your studies")).to_be_hidden()
    page.get_by_role("button", name="Show the study menu").click()
    expect(page.get_by_role("link", name="Codebook")).to_be_visible()
    page.get_by_role("button", name="Show the study menu").click()
    page.get_by_role("button", name="Show the menu").click()
    expect(page.get_by_role("link", name="Your studies")).to_be_visible()
    page.get_by_role("button", name="Show the menu").click()
    expect(page.locator("#side-panel")).to_be_hidden()  # a drawer, closed
    text = very_long.text
    start = text.index("youth office")
    box = page.evaluate(RECT_OF, [start, start + len("youth office")])
    assert box["x2"] < 400  # the text takes the width
    # what a long press and the selection handles do: a selection, with no mouse involved
    page.evaluate("""([start, end]) => {
      const p = document.querySelector('#transcript-text p.turn');
      const r = document.createRange();
      r.setStart(p.firstChild, start); r.setEnd(p.firstChild, end);
      getSelection().removeAllRanges(); getSelection().addRange(r);
    }""", [start, start + len("youth office")])
    button = page.locator("#code-button")
    expect(button).to_be_visible()
    b = button.bounding_box()
    assert 0 <= b["x"] and b["x"] + b["width"] <= 400 and 0 <= b["y"] and b["y"] + b["height"] <= 800
    button.click()
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    picker.get_by_label("Youth", exact=True).check()
    picker.get_by_role("button", name="Save").click()
    expect(picker).to_be_hidden()
    assert CodedExcerpt.objects.get().quote == "youth office"
    page.get_by_role("button", name="Excerpts", exact=True).click()
    expect(page.locator("#side-panel")).to_be_visible()
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)


def test_the_side_panel_follows_the_reader_and_filters_by_theme_and_coder(alice, bob, themes, very_long,
                                                                          login_page, live_server):
    text = very_long.text

    def code(phrase, theme, coder):
        start = text.index(phrase)
        return excerpt_create(transcript=very_long, start=start, end=start + len(phrase), themes=[theme],
                              coder=coder)

    first = code("turn 000 the youth", themes["youth"], alice)
    bobs = code("turn 150 the youth", themes["gender"], bob)
    alices = code("turn 151 the youth", themes["gender"], alice)
    page = open_page(login_page, live_server, alice, very_long)
    panel = page.locator("#excerpt-list")
    expect(panel.locator(f"#x{first.pk}")).to_be_visible()
    expect(panel.locator(".excerpt-item")).to_have_count(1)
    page.evaluate("""(cp) => document.querySelector(`#transcript-text p.turn[data-cp="${cp}"]`)
                     .scrollIntoView({block: 'center'})""", text.index("D: turn 150"))
    expect(panel.locator(".excerpt-item")).to_have_count(2)
    expect(panel.locator(f"#x{bobs.pk}")).to_be_visible()
    expect(panel.locator(f"#x{alices.pk}")).to_be_visible()
    expect(page.locator("#stripes .stripe")).to_have_count(2)
    page.get_by_label("Coder", exact=True).select_option(label="bob")
    expect(panel.locator(".excerpt-item")).to_have_count(1)
    expect(panel.locator(f"#x{bobs.pk}")).to_be_visible()
    expect(page.locator("#stripes .stripe")).to_have_count(1)
    assert list(highlights(page)[f"pc-t{themes['gender'].pk}"]) == ["turn 150 the youth"]
    page.get_by_label("Coder", exact=True).select_option(label="All coders")
    page.get_by_label("Theme", exact=True).select_option(label="\u2003Youth")
    expect(panel).to_contain_text("No excerpts in view.")
    expect(page.locator("#stripes .stripe")).to_have_count(0)
    page.get_by_label("Theme", exact=True).select_option(label="\u2003Gender")
    expect(panel.locator(".excerpt-item")).to_have_count(2)


def test_a_refusal_or_bad_input_says_why_and_keeps_the_picker(alice, themes, very_long, login_page,
                                                              live_server):
    page = open_page(login_page, live_server, alice, very_long)
    start = very_long.text.index("youth office")
    drag_select(page, start, start + len("youth office"))
    page.keyboard.press("c")
    picker = page.locator("#picker")
    picker.get_by_label("Memo").fill("my note")
    picker.get_by_role("button", name="Save").click()  # no theme ticked: 400
    expect(page.locator("#picker-errors")).to_contain_text("Choose at least one theme.")
    expect(picker.get_by_label("Memo")).to_have_value("my note")
    # the role becomes reviewer while the page is open: 403
    Membership.objects.filter(user=alice).update(role=Role.REVIEWER)
    picker.get_by_label("Youth", exact=True).check()
    picker.get_by_role("button", name="Save").click()
    expect(page.locator("#picker-errors")).to_contain_text("You are not allowed to do this (error 403)")
    expect(picker.get_by_label("Youth", exact=True)).to_be_checked()
    expect(picker.get_by_label("Memo")).to_have_value("my note")
    expect(page.locator("#picker-quote")).to_have_text("youth office")
    assert not CodedExcerpt.objects.exists()
