"""Move excerpt spans from an old transcript text to a new one.

The diff runs by lines, then by words inside changed line blocks, then by characters inside
changed word blocks, each level after trimming the common prefix and suffix. A typo fix in a
100,000-character text is then a prefix compare, a suffix compare and a one-character diff;
`difflib.SequenceMatcher` on the two whole strings would take minutes. The character level runs
only on blocks whose size product stays under CHAR_LIMIT; a bigger block counts as replaced.

An excerpt keeps its words when they survive: its span moves with the text. When they changed it
keeps its old quote and is flagged "text_changed"; when they were deleted it is anchored to one
character at the deletion point and flagged "text_deleted". Nothing is dropped.

A text-only diff cannot always tell which of two identical passages was edited ("a a" minus one
"a"), so when the diff says an excerpt's words changed, the same words are looked for between the
nearest long stretches the diff kept (the nearest occurrence wins) before the excerpt is flagged.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher

LINES = re.compile(r"[^\n]*\n|[^\n]+")
WORDS = re.compile(r"\w+|[^\S\n]+|\n|[^\w\s]")
LEVELS = (LINES, WORDS, None)  # None: characters
CHAR_LIMIT = 4_000_000  # len(a) * len(b) for a character-level SequenceMatcher: about 50 ms
RELIABLE = 32  # a matched block at least this long (and unique) is where the edit left the text

TEXT_CHANGED = "text_changed"
TEXT_DELETED = "text_deleted"


def _common_prefix(a, b):
    """Length of the longest common prefix: a binary search of C-speed slice compares."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a, b, limit):
    lo, hi = 0, min(len(a), len(b), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _match(a, b, a0, b0, level, out):
    prefix = _common_prefix(a, b)
    suffix = _common_suffix(a, b, min(len(a), len(b)) - prefix)
    if prefix:
        out.append((a0, b0, prefix))
    middle_a, middle_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    if middle_a and middle_b:
        _match_middle(middle_a, middle_b, a0 + prefix, b0 + prefix, level, out)
    if suffix:
        out.append((a0 + len(a) - suffix, b0 + len(b) - suffix, suffix))


def _match_middle(a, b, a0, b0, level, out):
    pattern = LEVELS[level]
    if pattern is None:
        if len(a) * len(b) <= CHAR_LIMIT:
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            out.extend((a0 + i, b0 + j, n) for i, j, n in matcher.get_matching_blocks()
                       if n > 1 or (n == 1 and not _inside_word(a, i) and not _inside_word(b, j)))
        return
    tokens_a, tokens_b = pattern.findall(a), pattern.findall(b)
    if len(tokens_a) == 1 or len(tokens_b) == 1:
        _match_middle(a, b, a0, b0, level + 1, out)
        return
    starts_a, starts_b = _starts(tokens_a), _starts(tokens_b)
    matcher = SequenceMatcher(None, tokens_a, tokens_b, autojunk=True)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        ca1, ca2, cb1, cb2 = starts_a[i1], starts_a[i2], starts_b[j1], starts_b[j2]
        if tag == "equal":
            out.append((a0 + ca1, b0 + cb1, ca2 - ca1))
        elif tag == "replace":
            _match(a[ca1:ca2], b[cb1:cb2], a0 + ca1, b0 + cb1, level + 1, out)


def _inside_word(text, k):
    """Whether text[k] is a letter or digit next to another. A single such character matched
    inside a replaced word ("Juan Pérez" -> "P3" keeping the "P") is noise: it would split one
    replacement into a deletion and a change. Any other single character is kept: a space or a
    one-letter word left alone between two edits is text the excerpt on it still points at."""
    if not _word_char(text[k]):
        return False
    return (k > 0 and _word_char(text[k - 1])) or (k + 1 < len(text) and _word_char(text[k + 1]))


def _word_char(ch):
    return ch.isalnum() or ch == "_"


def _starts(tokens):
    starts, pos = [0], 0
    for token in tokens:
        pos += len(token)
        starts.append(pos)
    return starts


class TextMapping:
    """Where each character of the old text went in the new one.

    Built from matching blocks (a, b, size): old[a:a+size] == new[b:b+size], ascending in both.
    Between two blocks lies a change: old[a_end:next_a] became new[b_end:next_b].
    """

    def __init__(self, old, new):
        blocks = []
        _match(old, new, 0, 0, 0, blocks)
        blocks = [(0, 0, 0), *blocks, (len(old), len(new), 0)]
        self.a = [blk[0] for blk in blocks]
        self.b = [blk[1] for blk in blocks]
        self.n = [blk[2] for blk in blocks]
        self.old, self.new = old, new
        self.old_length, self.new_length = len(old), len(new)
        self._reliable = {}

    def start(self, p):
        """New position of old character p; if it changed, where its replacement starts."""
        k = bisect_right(self.a, p) - 1
        if p < self.a[k] + self.n[k]:
            return self.b[k] + p - self.a[k]
        return self.b[k] + self.n[k]

    def end(self, e):
        """New position just after old character e - 1; if it changed, where its replacement
        ends."""
        k = bisect_right(self.a, e - 1) - 1
        if e - 1 < self.a[k] + self.n[k]:
            return self.b[k] + e - self.a[k]
        return self.b[k + 1]

    def position(self, p):
        """New position of an old offset that is not an excerpt boundary (a cue's line start)."""
        return self.new_length if p >= self.old_length else self.start(p)

    def reliable(self, k):
        """Whether block k surely pairs the right passages: long, and found once in each text
        (two identical paragraphs could be paired the wrong way round). Checked only for the
        blocks around an excerpt the diff says changed, and remembered."""
        if self.n[k] < RELIABLE:
            return False
        if k not in self._reliable:
            a, b, n = self.a[k], self.b[k], self.n[k]
            block = self.old[a : a + n]
            self._reliable[k] = (
                self.old.find(block) == a and self.old.find(block, a + 1) == -1
                and self.new.find(block) == b and self.new.find(block, b + 1) == -1
            )
        return self._reliable[k]

    def window(self, s, e):
        """The stretch of the new text between the nearest reliable blocks around old [s, e):
        where the excerpt's words can be if the diff paired passages differently from the edit
        that was made. An unreliable block ("JJJ", or a paragraph that occurs twice) may be
        paired wrongly, so the window reaches past it. A change next to a reliable block can also
        slide into its edge ("offi|ce migraci|ón" minus "ce migraci" reads as "offi|ón" with
        either "i" kept), so the window reaches into the block by as far as that slide goes, and
        at least by the excerpt's length: the diff may have paired the excerpt's own words (a
        space kept between two edits) with the same characters at the block's edge."""
        last = len(self.a) - 1
        k = bisect_right(self.a, s) - 1
        while k > 0 and not self.reliable(k):
            k -= 1
        lo = 0
        if k > 0:
            end_a, end_b = self.a[k] + self.n[k], self.b[k] + self.n[k]
            slide = max(_common_suffix(self.old[:end_a], self.old[: self.a[k + 1]], self.n[k]),
                        _common_suffix(self.new[:end_b], self.new[: self.b[k + 1]], self.n[k]))
            reach = min(max(slide, e - s), self.n[k])
            lo = self.b[k] + min(self.n[k] - reach, max(s - self.a[k], 0))
        k = max(bisect_right(self.a, e - 1) - 1, 0)
        while k < last and not (self.reliable(k) and self.a[k] + self.n[k] >= e):
            k += 1
        if k == last:
            return lo, self.new_length
        if self.a[k] < e:  # the excerpt ends inside this reliable block: its end is sure
            return lo, self.b[k] + e - self.a[k]
        start_a = self.a[k - 1] + self.n[k - 1]
        start_b = self.b[k - 1] + self.n[k - 1]
        slide = max(_common_prefix(self.old[start_a:], self.old[self.a[k] :]),
                    _common_prefix(self.new[start_b:], self.new[self.b[k] :]))
        return lo, self.b[k] + min(max(slide, e - s), self.n[k])


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    quote: str
    needs_review: bool = False
    review_reason: str = ""


def _nearest(text, words, near, lo, hi):
    """The occurrence of `words` inside text[lo:hi] that starts nearest to `near`, or None."""
    best, at = None, text.find(words, max(lo, 0), max(hi, 0))
    while at != -1:
        if best is None or abs(at - near) < abs(best - near):
            best = at
        at = text.find(words, at + 1, hi)
    return best


def _deletion_point(text, pos):
    """A one-character span at `pos`, moved to the nearest character that is not a line break
    so it stays visible inside a paragraph."""
    pos = min(max(pos, 0), len(text) - 1)
    for distance in range(len(text)):
        for candidate in (pos - distance, pos + distance):
            if 0 <= candidate < len(text) and text[candidate] != "\n":
                return candidate
    return pos


def _find(old, new, mapping, anchor, rewrite):
    """New (start, end) of the anchor's current words (or their rewrite), or None."""
    s, e = anchor.start, anchor.end
    current = old[s:e]
    wanted = [current] if rewrite is None else list(dict.fromkeys([current, rewrite(current)]))
    ns, ne = mapping.start(s), mapping.end(e)
    for words in wanted:
        if new[ns:ne] == words:
            return ns, ne
    lo, hi = mapping.window(s, e)
    for words in wanted:
        found = _nearest(new, words, ns, lo, hi)
        if found is not None:
            return found, found + len(words)
    return None


def reanchor(old, new, anchors, *, mapping=None, rewrite=None):
    """The anchors moved to `new`: one Anchor out per Anchor in, in the same order.

    `rewrite` (anonymisation) is applied to old quotes, so an excerpt whose only change is that
    rewrite keeps its place unflagged and a flagged one keeps a rewritten old quote.
    Invariant of the result: an unflagged anchor's quote equals new[start:end].
    """
    if not new:
        raise ValueError("the new text is empty")
    mapping = mapping or TextMapping(old, new)
    out = []
    for anchor in anchors:
        quote = rewrite(anchor.quote) if rewrite else anchor.quote
        found = _find(old, new, mapping, anchor, rewrite)
        if found:
            ns, ne = found
            if not anchor.needs_review or new[ns:ne] == quote:
                out.append(Anchor(ns, ne, new[ns:ne]))
            else:
                out.append(Anchor(ns, ne, quote, True, anchor.review_reason))
            continue
        ns, ne = mapping.start(anchor.start), mapping.end(anchor.end)
        if ns < ne and anchor.needs_review and new[ns:ne] == quote:
            out.append(Anchor(ns, ne, quote))  # the words it was coded on are back
        elif ns < ne:
            reason = anchor.review_reason if anchor.needs_review else TEXT_CHANGED
            out.append(Anchor(ns, ne, quote, True, reason))
        else:
            at = _deletion_point(new, ns)
            out.append(Anchor(at, at + 1, quote, True, TEXT_DELETED))
    return out


def word_diff(old, new):
    """(old, new) as lists of (text, changed) segments, word by word: what the review list marks
    as deleted and inserted. For quotes (a few hundred words at most)."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    old_out, new_out = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            old_out.append(("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            new_out.append(("".join(b[j1:j2]), tag != "equal"))
    return old_out, new_out
