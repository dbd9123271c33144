"""The coding page in real Chromium: select, pick themes, save, see the highlight."""

import re

import pytest
from playwright.sync_api import expect

from coding.models import CodedExcerpt
from interviews.models import Transcript
from interviews.text import is_normalised

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Returns the viewport rectangle of the UTF-16 range [start, end) of the transcript text, using
# the same paragraph offsets the page script relies on.
RECT_OF = """([start, end]) => {
  const point = (target) => {
    for (const p of document.querySelectorAll('#transcript-text p.turn')) {
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      let pos = Number(p.dataset.o), node;
      while ((node = walker.nextNode())) {
        if (target <= pos + node.length) return [node, target - pos];
        pos += node.length;
      }
    }
  };
  const r = document.createRange();
  r.setStart(...point(start)); r.setEnd(...point(end));
  const rects = r.getClientRects();
  const a = rects[0], b = rects[rects.length - 1];
  return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
}"""


# {highlight name: [text of each range]}: what the CSS Custom Highlight API draws.
HIGHLIGHTS = """() => {
  const out = {};
  for (const [name, h] of CSS.highlights) {
    out[name] = Array.from(h).map((r) => {
      const x = document.createRange();
      x.setStart(r.startContainer, r.startOffset); x.setEnd(r.endContainer, r.endOffset);
      return x.toString();
    });
  }
  return out;
}"""


def highlights(page):
    return page.evaluate(HIGHLIGHTS)


def drag_select(page, start, end):
    # The page's late scripts (annotation marks, memos tab) may still move the layout: measure
    # the passage once they are done, so the drag lands where the words are.
    page.wait_for_load_state("networkidle")
    box = page.evaluate(RECT_OF, [start, end])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def open_page(login_page, live_server, user, transcript):
    page = login_page(user)
    page.goto(live_server.url + transcript.get_absolute_url())
    return page


def code_with(page, *theme_names):
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    for name in theme_names:
        picker.get_by_label(name, exact=True).check()
    picker.get_by_role("button", name="Save").click()


@pytest.fixture
def long_transcript(participant):
    text = "\n\n".join(
        f"Turn {i}: the youth office spoke about gender and forced migration." for i in range(8)
    )
    return Transcript.objects.create(study=participant.study, participant=participant, title="Long",
                                     text=text)


def test_a_researcher_codes_a_passage_by_mouse_drag(alice, themes, long_transcript, login_page,
                                                     live_server):
    page = login_page(alice)
    page.goto(live_server.url + long_transcript.get_absolute_url())
    text = long_transcript.text
    start = text.index("youth office")
    drag_select(page, start, start + len("youth office"))
    page.keyboard.press("c")
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    picker.get_by_label("Youth", exact=True).check()
    picker.get_by_role("button", name="Save").click()
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.quote == "youth office" == text[excerpt.start : excerpt.end]
    assert excerpt.start == start
    assert list(excerpt.themes.all()) == [themes["youth"]]
    assert highlights(page)[f"pc-t{themes['youth'].pk}"] == ["youth office"]


def test_a_reviewer_sees_no_coding_controls(rita, themes, long_transcript, login_page, live_server):
    page = login_page(rita)
    page.goto(live_server.url + long_transcript.get_absolute_url())
    expect(page.locator("#transcript-text")).to_contain_text("Turn 0")
    drag_select(page, 0, 10)
    page.keyboard.press("c")
    expect(page.locator("#picker")).to_have_count(0)
    expect(page.locator("#code-button")).to_have_count(0)
    expect(page.locator(".excerpt-edit")).to_have_count(0)


def test_a_researcher_codes_a_passage_from_the_keyboard(alice, themes, long_transcript, login_page,
                                                         live_server):
    page = open_page(login_page, live_server, alice, long_transcript)
    page.locator("#transcript-text").focus()
    for _ in range(len("Turn 0: ")):
        page.keyboard.press("ArrowRight")
    for _ in range(len("the youth")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    page.keyboard.type("gend")  # the filter has focus
    page.keyboard.press("Enter")  # ticks the first theme left by the filter
    expect(picker.get_by_label("Gender", exact=True)).to_be_checked()
    picker.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.quote == "the youth"
    assert excerpt.start == len("Turn 0: ")
    assert list(excerpt.themes.all()) == [themes["gender"]]


def test_number_keys_tick_the_themes_pinned_to_them(alice, themes, long_transcript, login_page,
                                                    live_server):
    page = open_page(login_page, live_server, alice, long_transcript)
    drag_select(page, 0, 6)
    page.keyboard.press("c")
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    # Without pins, 1-9 are the codable themes in codebook order: Youth, then Gender.
    page.keyboard.press("2")
    expect(picker.locator('input[name="themes"]:checked')).to_have_count(1)
    expect(picker.get_by_label("Gender", exact=True)).to_be_checked()
    page.keyboard.press("2")
    expect(picker.get_by_label("Gender", exact=True)).not_to_be_checked()
    # Pinning Gender makes it key 1, and the pin survives a reload.
    picker.get_by_role("button", name="Pin «Gender» to a number key").click()
    page.reload()
    drag_select(page, 0, 6)
    page.keyboard.press("c")
    pin = picker.get_by_role("button", name="Pin «Gender» to a number key")
    expect(pin).to_have_attribute("aria-pressed", "true")
    picker.locator("#theme-filter").focus()
    page.keyboard.press("1")
    expect(picker.get_by_label("Gender", exact=True)).to_be_checked()
    expect(picker.get_by_label("Youth", exact=True)).not_to_be_checked()


def test_a_passage_across_two_paragraphs_keeps_the_line_break(alice, themes, long_transcript,
                                                              login_page, live_server):
    page = open_page(login_page, live_server, alice, long_transcript)
    text = long_transcript.text
    start = text.index("forced migration.")
    end = text.index("Turn 1: the youth") + len("Turn 1: the youth")
    drag_select(page, start, end)
    page.keyboard.press("c")
    code_with(page, "Youth")
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.quote == "forced migration.\n\nTurn 1: the youth" == text[excerpt.start : excerpt.end]
    # One range over two paragraphs (a DOM range's text has no line breaks between them).
    assert highlights(page)[f"pc-t{themes['youth'].pk}"] == ["forced migration.Turn 1: the youth"]


def test_two_overlapping_excerpts_stay_distinguishable(alice, themes, long_transcript, login_page,
                                                       live_server):
    page = open_page(login_page, live_server, alice, long_transcript)
    text = long_transcript.text
    a = text.index("youth office spoke")
    drag_select(page, a, a + len("youth office spoke"))
    page.keyboard.press("c")
    code_with(page, "Youth")
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)
    b = text.index("office spoke about gender")
    drag_select(page, b, b + len("office spoke about gender"))
    page.keyboard.press("c")
    code_with(page, "Gender")
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(2)
    first, second = CodedExcerpt.objects.order_by("start")
    drawn = highlights(page)
    assert drawn[f"pc-t{themes['youth'].pk}"] == ["youth office spoke"]
    assert drawn[f"pc-t{themes['gender'].pk}"] == ["office spoke about gender"]
    # one stripe each, in separate lanes, labelled on hover
    youth_bar = page.locator(f'#stripes .stripe[data-id="{first.pk}"]')
    gender_bar = page.locator(f'#stripes .stripe[data-id="{second.pk}"]')
    expect(youth_bar).to_have_attribute("title", "Youth — alice")
    expect(gender_bar).to_have_attribute("title", "Gender — alice")
    assert youth_bar.bounding_box()["x"] != gender_bar.bounding_box()["x"]
    gender_bar.click()
    expect(page.locator(f"#x{second.pk}")).to_have_class(re.compile("selected"))
    # hovering the words both cover names both excerpts
    shared = text.index("office spoke")
    box = page.evaluate(RECT_OF, [shared, shared + len("office spoke")])
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y1"])
    tip = page.locator("#excerpt-tip")
    expect(tip).to_contain_text("Youth — alice")
    expect(tip).to_contain_text("Gender — alice")


def test_offsets_survive_emoji_combining_marks_and_arabic(alice, themes, participant, login_page,
                                                          live_server):
    # q + combining acute has no precomposed form, so it stays two code points after NFC
    text = (
        "D: 😀 we said «migración» q\u0301 then مرحبا بكم\n\n"
        "Interviewer: 🇨🇴 and the youth office 👩🏽‍🌾 spoke"
    )
    assert is_normalised(text)
    transcript = Transcript.objects.create(study=participant.study, participant=participant, title="Unicode",
                                           text=text)
    page = open_page(login_page, live_server, alice, transcript)
    start = text.index("the youth office")
    # the page counts UTF-16 units: every astral character before the passage is 2 units
    start16 = len(text[:start].encode("utf-16-le")) // 2
    drag_select(page, start16, start16 + len("the youth office"))
    page.keyboard.press("c")
    code_with(page, "Youth")
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.start == start
    assert excerpt.quote == "the youth office" == text[excerpt.start : excerpt.end]
    assert highlights(page)[f"pc-t{themes['youth'].pk}"] == [excerpt.quote]


def test_edit_remove_and_undo_an_excerpt(alice, themes, long_transcript, login_page, live_server):
    from coding.services import excerpt_create

    text = long_transcript.text
    start = text.index("youth office")
    original = excerpt_create(transcript=long_transcript, start=start, end=start + 12,
                              themes=[themes["youth"]], coder=alice, memo="first")
    created_at = original.created_at
    page = open_page(login_page, live_server, alice, long_transcript)
    item = page.locator(f"#x{original.pk}")
    item.get_by_role("button", name="Edit").click()
    picker = page.locator("#picker")
    expect(picker.get_by_label("Youth", exact=True)).to_be_checked()
    picker.get_by_label("Gender", exact=True).check()
    picker.get_by_label("Memo").fill("second thoughts")
    picker.get_by_role("button", name="Save").click()
    expect(page.locator(f"#x{original.pk}")).to_contain_text("second thoughts")
    original.refresh_from_db()
    assert {t.name for t in original.themes.all()} == {"Youth", "Gender"}
    assert original.version == 2

    page.locator(f"#x{original.pk}").get_by_role("button", name="Remove").click()
    expect(page.locator("#status")).to_contain_text("removed")
    expect(page.locator(f"#x{original.pk}")).to_have_count(0)
    assert not CodedExcerpt.objects.exists()
    assert highlights(page).get(f"pc-t{themes['youth'].pk}", []) == []
    page.locator("#status").get_by_role("button", name="Undo").click()
    expect(page.locator(f"#x{original.pk}")).to_be_visible()
    assert highlights(page)[f"pc-t{themes['youth'].pk}"] == ["youth office"]
    restored = CodedExcerpt.objects.get()
    assert restored.pk == original.pk
    assert (restored.start, restored.end, restored.quote) == (original.start, original.end, original.quote)
    assert {t.name for t in restored.themes.all()} == {"Youth", "Gender"}
    assert restored.memo == "second thoughts"
    assert restored.coder == alice
    assert restored.created_at == created_at


def test_a_new_theme_can_be_made_inside_the_picker(alice, themes, long_transcript, login_page,
                                                   live_server):
    page = open_page(login_page, live_server, alice, long_transcript)
    drag_select(page, 0, 6)
    page.keyboard.press("c")
    picker = page.locator("#picker")
    picker.get_by_label("New theme").fill("Trust")
    picker.get_by_label("New theme").press("Enter")
    expect(picker.get_by_label("Trust", exact=True)).to_be_checked()
    picker.get_by_role("button", name="Save").click()
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)
    assert [t.name for t in CodedExcerpt.objects.get().themes.all()] == ["Trust"]


def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(alice, bob, themes,
                                                                 long_transcript, login_page,
                                                                 live_server):
    from coding.services import excerpt_create, excerpt_update

    excerpt = excerpt_create(transcript=long_transcript, start=0, end=6,
                             themes=[themes["youth"]], coder=alice, memo="start")
    page = open_page(login_page, live_server, alice, long_transcript)
    # bob saves after alice loaded the page
    excerpt_update(excerpt=excerpt, version=1, start=0, end=6, themes=[themes["gender"]],
                   memo="bob's reading")
    page.locator(f"#x{excerpt.pk}").get_by_role("button", name="Edit").click()
    picker = page.locator("#picker")
    picker.get_by_label("Memo").fill("alice's reading")
    picker.get_by_role("button", name="Save").click()
    errors = page.locator("#picker-errors")
    expect(errors).to_contain_text("Someone else changed this excerpt")
    expect(errors).to_contain_text("bob's reading")
    expect(errors).to_contain_text("alice's reading")
    excerpt.refresh_from_db()
    assert excerpt.memo == "bob's reading"
