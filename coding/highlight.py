"""What the coding page sends: the text as plain paragraphs, and its excerpts as compact data.

The text is rendered once, with no markup per excerpt: the page draws highlights with the CSS
Custom Highlight API over the paragraphs' text nodes, so the page's size grows with the text
and with a few dozen bytes per excerpt, not with the markup of each one.

Each paragraph is one text node identical to its stored line, character for character, so the
browser can turn a selection into offsets: a paragraph's `data-o` is the UTF-16 offset of its
first character, and the offset of a point inside it is `data-o` plus its offset in that node.
Built in Python rather than a template loop: a 100,000-character transcript has about 1,000
lines, and this costs about 2 ms.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from coding.speakers import lines


def render_text_html(text, to_utf16, cues=None):
    """Paragraphs for the non-empty lines of `text`. `to_utf16` converts code points to UTF-16
    units (interviews.text.codepoint_to_utf16_converter). `cues` ({code point: label}, from
    Transcript.cue_labels) put a subtitle cue's time on its line as `data-time`. A line's speaker
    (coding.speakers) is `data-s`, an index into the page's speaker list; a line that starts
    with a label says how long it is (`data-l`, UTF-16 units) so the script can style it."""
    cues = cues or {}
    speakers = {}
    out = []
    for line in lines(text):
        start = to_utf16(line.start)
        attrs = ""
        if line.speaker:
            attrs += f' data-s="{speakers.setdefault(line.speaker, len(speakers))}"'
        if line.label_length:
            attrs += f' data-l="{to_utf16(line.start + line.label_length) - start}"'
        attrs += f' data-o="{start}" data-cp="{line.start}"'
        if line.start in cues:
            attrs += f' data-time="{escape(cues[line.start])}"'
        out.append(f'<p class="turn"{attrs}>{escape(text[line.start : line.end])}</p>')
    return mark_safe("".join(out)), list(speakers)


def page_excerpts(rows, notes, to_utf16):
    """The excerpts as the page's script reads them, from CodedExcerpt.objects.for_coding_page:
    "rows" [id, start, end, theme ids, coder id, version] with UTF-16 offsets, in text order;
    "memos" {id: memo}; "reviews" {id: old quote} for excerpts that need review. `to_utf16`
    is interviews.text.codepoint_to_utf16_converter for the transcript's text."""
    for row in rows:
        row[1], row[2] = to_utf16(row[1]), to_utf16(row[2])
    return {"rows": rows,
            "memos": {pk: memo for pk, (memo, _quote) in notes.items() if memo},
            "reviews": {pk: quote for pk, (_memo, quote) in notes.items() if quote is not None}}


def excerpt_json(row, notes, quote):
    """One excerpt for the JSON API, as the script holds it: "id", UTF-16 start and end ("s",
    "e"), theme ids in the order chosen ("t"), coder id ("c"), version ("v"), its quote ("q");
    the memo ("m") only if there is one, the old quote ("r") only if it needs review. `row` is
    a row of page_excerpts (UTF-16 offsets already)."""
    pk = row[0]
    data = {"id": pk, "s": row[1], "e": row[2], "t": row[3], "c": row[4], "v": row[5], "q": quote}
    memo, review = notes.get(pk, ("", None))
    if memo:
        data["m"] = memo
    if review is not None:
        data["r"] = review
    return data
