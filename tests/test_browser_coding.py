"""The coding page in real Chromium: select, pick themes, save, see the highlight."""

import pytest
from playwright.sync_api import expect

from coding.models import CodedExcerpt
from interviews.models import Transcript

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


def drag_select(page, start, end):
    box = page.evaluate(RECT_OF, [start, end])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


@pytest.fixture
def long_transcript(participant):
    text = "\n\n".join(
        f"Turn {i}: the youth office spoke about gender and forced migration." for i in range(8)
    )
    return Transcript.objects.create(participant=participant, title="Long", text=text)


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
    picker.get_by_label("Youth").check()
    picker.get_by_role("button", name="Save").click()
    expect(page.locator("#excerpt-list .excerpt-item")).to_have_count(1)
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.quote == "youth office" == text[excerpt.start : excerpt.end]
    assert excerpt.start == start
    assert list(excerpt.themes.all()) == [themes["youth"]]
    expect(page.locator(f'#transcript-text span.x[data-x="{excerpt.pk}"]')).to_have_text("youth office")


def test_a_reviewer_sees_no_coding_controls(rita, themes, long_transcript, login_page, live_server):
    page = login_page(rita)
    page.goto(live_server.url + long_transcript.get_absolute_url())
    expect(page.locator("#transcript-text")).to_contain_text("Turn 0")
    drag_select(page, 0, 10)
    page.keyboard.press("c")
    expect(page.locator("#picker")).to_have_count(0)
    expect(page.locator("#code-button")).to_have_count(0)
    expect(page.locator(".excerpt-edit")).to_have_count(0)
