"""The coding page from the keyboard alone, as a screen-reader user meets it: what is announced,
where focus and the caret are after each step, and that nothing needs a mouse."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from coding.contrast import WHITE, contrast
from coding.models import CodedExcerpt
from coding.services import excerpt_create
from interviews.models import Transcript
from tests.test_axe import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Turn one: the youth office spoke.\n\nTurn two: gender and forced migration.\n\nTurn three: the end."

# Where the caret is: (focused element's id, UTF-16 offset of the selection's focus, selected text).
CARET = """() => {
  const sel = window.getSelection();
  const node = sel.focusNode;
  const p = node && (node.nodeType === 3 ? node.parentElement : node).closest('p.turn');
  return [document.activeElement.id, p ? Number(p.dataset.o) + sel.focusOffset : null, sel.toString()];
}"""


@pytest.fixture
def interview(participant):
    return Transcript.objects.create(study=participant.study, participant=participant, title="Keys",
                                     text=TEXT)


def open_by_keyboard(login_page, live_server, user, transcript):
    """The page, then Tab to the skip link and Enter: focus in the text, caret at its start."""
    page = login_page(user)
    page.goto(live_server.url + transcript.get_absolute_url())
    page.keyboard.press("Tab")
    expect(page.locator("#skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#transcript-text")).to_be_focused()
    return page


def select_from_start(page, skip, length):
    """From the caret at offset 0, select TEXT[skip:skip + length] (in one paragraph): one
    ArrowRight crosses a paragraph break, which is two characters of the text."""
    for _ in range(skip - TEXT[:skip].count("\n\n")):
        page.keyboard.press("ArrowRight")
    for _ in range(length):
        page.keyboard.press("Shift+ArrowRight")


def test_select_code_hear_and_go_on_from_the_same_place(alice, themes, interview, login_page, live_server):
    page = open_by_keyboard(login_page, live_server, alice, interview)
    start = TEXT.index("the youth")
    select_from_start(page, start, len("the youth"))
    expect(page.locator("#live")).to_have_text("the youth")
    page.keyboard.press("c")
    expect(page.locator("#theme-filter")).to_be_focused()
    page.keyboard.type("youth")
    page.keyboard.press("Enter")  # ticks Youth, the first match, and moves to it in the list
    expect(page.locator(f"#theme-{themes['youth'].pk}")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back to the filter
    page.keyboard.press("Control+a")
    page.keyboard.type("gender")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")

    expect(page.locator("#status")).to_have_text("Excerpt saved: Youth, Gender")
    excerpt = CodedExcerpt.objects.get()
    assert (excerpt.quote, {t.name for t in excerpt.themes.all()}) == ("the youth", {"Youth", "Gender"})
    end = start + len("the youth")
    assert page.evaluate(CARET) == ["transcript-text", end, ""]
    # Going on: the next selection starts where the excerpt ended.
    select_from_start(page, 0, len(" office"))
    assert page.evaluate(CARET) == ["transcript-text", end + len(" office"), " office"]


def test_escape_closes_the_picker_and_keeps_the_selection(alice, themes, interview, login_page, live_server):
    page = open_by_keyboard(login_page, live_server, alice, interview)
    start = TEXT.index("gender")
    select_from_start(page, start, len("gender"))
    page.keyboard.press("Enter")
    expect(page.locator("#picker")).to_be_visible()
    page.keyboard.press("Tab")  # into the theme list
    page.keyboard.press("Escape")
    expect(page.locator("#picker")).to_be_hidden()
    assert page.evaluate(CARET) == ["transcript-text", start + len("gender"), "gender"]
    page.keyboard.press("Shift+ArrowRight")  # the selection grows from where it was
    assert page.evaluate(CARET)[2] == "gender "
    assert not CodedExcerpt.objects.exists()


def test_the_caret_never_leaves_the_text(alice, themes, interview, login_page, live_server):
    page = open_by_keyboard(login_page, live_server, alice, interview)
    for _ in range(8):
        page.keyboard.press("Shift+ArrowDown")
    assert page.evaluate(CARET) == ["transcript-text", len(TEXT), TEXT]
    for _ in range(8):
        page.keyboard.press("ArrowUp")
    assert page.evaluate(CARET)[:2] == ["transcript-text", 0]


def test_n_and_p_step_through_the_excerpts_and_i_reads_their_codes(alice, bob, themes, interview,
                                                                    login_page, live_server):
    first = TEXT.index("the youth office")
    second = TEXT.index("forced migration")
    excerpt_create(transcript=interview, start=first, end=first + 16, themes=[themes["youth"]], coder=alice)
    excerpt_create(transcript=interview, start=second, end=second + 16,
                   themes=[themes["gender"], themes["youth"]], coder=bob, memo="Displacement.")
    page = open_by_keyboard(login_page, live_server, alice, interview)
    page.select_option("#filter-coder", "")  # every coder's excerpts, not only mine
    page.locator("#transcript-text").focus()
    live = page.locator("#live")

    page.keyboard.press("n")
    expect(live).to_have_text("Excerpt 1 of 2: «the youth office». Themes: Youth. Coder: alice.")
    assert page.evaluate(CARET)[:2] == ["transcript-text", first]
    page.keyboard.press("n")
    expect(live).to_have_text("Excerpt 2 of 2: «forced migration». Themes: Gender, Youth. Coder: bob. "
                              "Memo: Displacement.")
    page.keyboard.press("n")
    expect(live).to_have_text("No more excerpts after this one.")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("i")
    expect(live).to_have_text("Themes: Gender, Youth. Coder: bob. Memo: Displacement.")
    page.keyboard.press("p")  # from inside the second excerpt: back to the first, not to its start
    expect(live).to_have_text("Excerpt 1 of 2: «the youth office». Themes: Youth. Coder: alice.")
    # The side list gives the same details to whoever focuses the quote.
    described = page.locator(".excerpt-goto").first.get_attribute("aria-describedby").split()
    assert [page.locator(f"#{i}").inner_text() for i in described] == ["Youth", "alice"]


def test_a_reviewer_steps_through_the_excerpts_too(alice, rita, themes, interview, login_page, live_server):
    excerpt_create(transcript=interview, start=0, end=4, themes=[themes["youth"]], coder=alice)
    page = open_by_keyboard(login_page, live_server, rita, interview)
    page.select_option("#filter-coder", "")
    page.locator("#transcript-text").focus()
    page.keyboard.press("n")
    expect(page.locator("#live")).to_have_text("Excerpt 1 of 1: «Turn». Themes: Youth. Coder: alice.")


def test_the_theme_list_is_one_tab_stop_moved_in_with_arrows(alice, themes, interview, login_page,
                                                              live_server):
    page = open_by_keyboard(login_page, live_server, alice, interview)
    select_from_start(page, 0, 4)
    page.keyboard.press("c")
    page.keyboard.press("Tab")  # the list, on its first theme (codebook order)
    expect(page.locator(f"#theme-{themes['parent'].pk}")).to_be_focused()
    stops = page.locator("#theme-options [tabindex='0']")
    expect(stops).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#theme-{themes['gender'].pk}")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator(f"#theme-{themes['gender'].pk}")).to_be_checked()
    page.keyboard.press("ArrowRight")  # to Gender's pin button
    expect(page.locator(f".theme-option[data-id='{themes['gender'].pk}'] .pin")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator(f".theme-option[data-id='{themes['youth'].pk}'] .pin")).to_be_focused()
    expect(stops).to_have_count(1)
    page.keyboard.press("Tab")  # out of the list in one step
    expect(page.locator("#new-theme-name")).to_be_focused()


def test_question_mark_shows_the_shortcuts_and_escape_gives_focus_back(alice, themes, interview, login_page,
                                                                       live_server):
    page = open_by_keyboard(login_page, live_server, alice, interview)
    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Go to the next or previous excerpt")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#transcript-text")).to_be_focused()


def test_reduced_motion_stops_the_caret_blinking(alice, themes, interview, login_page, live_server):
    page = open_by_keyboard(login_page, live_server, alice, interview)
    assert page.evaluate("getComputedStyle(document.getElementById('caret')).animationName") == "blink"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate("getComputedStyle(document.getElementById('caret')).animationName") == "none"


def test_the_open_picker_and_the_shortcuts_pass_axe(alice, themes, interview, login_page, live_server):
    excerpt_create(transcript=interview, start=0, end=4, themes=[themes["youth"]], coder=alice,
                   memo="A memo.")
    page = open_by_keyboard(login_page, live_server, alice, interview)
    select_from_start(page, 5, 3)
    page.keyboard.press("c")
    expect(page.locator("#picker")).to_be_visible()
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


# The focused element, its outline (style, width in px, colour as #rrggbb).
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (el === document.body) return null;  // Tab past the last stop leaves the page
  const s = getComputedStyle(el);
  const rgb = s.outlineColor.match(/\\d+/g).slice(0, 3).map(Number);
  return [el.id || el.className || el.tagName, s.outlineStyle, parseFloat(s.outlineWidth),
          '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('')];
}"""


def focus_rings(page, stops):
    rings = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        rings.append(page.evaluate(FOCUS_RING))
    return [ring for ring in rings if ring]


def test_every_tab_stop_shows_a_three_to_one_focus_outline(alice, themes, interview, login_page, live_server):
    excerpt_create(transcript=interview, start=0, end=4, themes=[themes["youth"]], coder=alice)
    page = login_page(alice)
    page.goto(live_server.url + interview.get_absolute_url())
    rings = focus_rings(page, 30)  # the navbars, the toolbar, the text, the list of excerpts
    page.locator("#transcript-text").focus()
    select_from_start(page, 5, 3)
    page.keyboard.press("c")
    rings += focus_rings(page, 14)  # the picker's controls
    assert len({ring[0] for ring in rings}) > 20
    weak = [ring for ring in rings if ring[1] == "none" or ring[2] < 2 or contrast(ring[3], WHITE) < 3]
    assert not weak
