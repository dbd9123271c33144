"""Where a position in another tool's plain-text file lands in the text we store.

We store `normalise_text(raw)`: line breaks as LF, no trailing whitespace on a line, NFC, no
leading or trailing blank lines. Offsets in the file count the raw text (after its BOM), in code
points by the standard, in UTF-16 units by NVivo and QualCoder (NOTES.md §2). So an imported
selection goes: UTF-16 -> code points (`interviews.text.utf16_to_codepoint`, the one place that
does that arithmetic), then through each normalisation step, recorded here as edits.
"""

import codecs
import re
import unicodedata
from bisect import bisect_right

from interviews.text import normalise_text, utf16_length, utf16_to_codepoint


class Edits:
    """One normalisation step as sorted, disjoint edits (start, end, new length) of its input.
    An offset inside a replaced span lands at most `new length` past the span's new start."""

    def __init__(self, edits):
        self.edits = edits
        self.starts = [start for start, _end, _new in edits]
        self.shifts = [0]
        for start, end, new in edits:
            self.shifts.append(self.shifts[-1] + new - (end - start))

    def __call__(self, offset):
        i = bisect_right(self.starts, offset) - 1
        if i < 0:
            return offset
        start, end, new = self.edits[i]
        if offset >= end:
            return offset + self.shifts[i + 1]
        return start + self.shifts[i] + min(offset - start, new)


def _rstrip_edits(text):
    edits, at = [], 0
    for line in text.split("\n"):
        kept = len(line.rstrip())
        if kept < len(line):
            edits.append((at + kept, at + len(line), 0))
        at += len(line) + 1
    return edits


def _nfc_edits(text):
    """NFC never composes across whitespace, so each run of non-space characters is normalised
    on its own; inside a run, each starter with its combining marks is one edit."""
    if unicodedata.is_normalized("NFC", text):
        return []
    edits = []
    for match in re.finditer(r"\S+", text):
        run = match.group()
        if unicodedata.is_normalized("NFC", run):
            continue
        clusters, begin = [], 0
        for i in range(1, len(run) + 1):
            if i == len(run) or unicodedata.combining(run[i]) == 0:
                clusters.append((begin, i))
                begin = i
        pieces = [unicodedata.normalize("NFC", run[a:b]) for a, b in clusters]
        if "".join(pieces) != unicodedata.normalize("NFC", run):
            # Compositions across starters (Hangul jamo, say): one edit for the whole run.
            edits.append((match.start(), match.end(), len(unicodedata.normalize("NFC", run))))
            continue
        edits += [(match.start() + a, match.start() + b, len(piece))
                  for (a, b), piece in zip(clusters, pieces, strict=True) if b - a != len(piece)]
    return edits


class SourceText:
    """A plain-text source as we will store it (`text`), and how to move offsets into it."""

    def __init__(self, raw):
        self.raw = raw
        self.text = normalise_text(raw)
        self.has_cr = "\r" in raw
        self.has_astral = utf16_length(raw) != len(raw)
        if self.text == raw:
            self.lf_text, self.steps = raw, []
            return
        lf = re.sub(r"\r\n?", "\n", raw)
        stripped = "\n".join(line.rstrip() for line in lf.split("\n"))
        composed = unicodedata.normalize("NFC", stripped)
        lead = len(composed) - len(composed.lstrip("\n"))
        trail = len(composed) - len(composed.rstrip("\n")) if composed.strip("\n") else 0
        ends = [(0, lead, 0)] if lead else []
        if trail:
            ends.append((len(composed) - trail, len(composed), 0))
        self.lf_text = lf
        self.steps = [Edits([(m.start(), m.end(), 1) for m in re.finditer(r"\r\n?", raw)]),
                      Edits(_rstrip_edits(lf)), Edits(_nfc_edits(stripped)), Edits(ends)]
        if composed.strip("\n") != self.text:  # normalise_text changed; keep the two in step
            raise ValueError("normalise_text does more than SourceText.steps knows")

    def position(self, offset, *, utf16=False, crlf_as_one=False):
        """Where `offset` (in the raw text's code points, or UTF-16 units) lands in `text`; None
        if it lies outside the raw text. `crlf_as_one`: the offset counts CRLF as one."""
        base = self.lf_text if crlf_as_one else self.raw
        if offset is None or offset < 0:
            return None
        if utf16:
            try:
                offset = utf16_to_codepoint(base, offset)
            except ValueError:
                return None
        if offset > len(base):
            return None
        for step in self.steps[1:] if crlf_as_one else self.steps:
            offset = step(offset)
        return offset


def decode(data):
    """Bytes of a plain-text file as a string without its BOM, and whether bytes were invalid
    (they become U+FFFD). UTF-8 unless a UTF-16 BOM says otherwise."""
    codec = "utf-8"
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            data, codec = data[len(bom):], name
            break
    try:
        return data.decode(codec), False
    except UnicodeDecodeError:
        return data.decode(codec, errors="replace"), True


# ----- which counting convention a file used -----

UTF16_ORIGINS = ("nvivo", "qualcoder")


def _collapse(text):
    return " ".join(unicodedata.normalize("NFC", text).split())


def _at_boundary(text, i):
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())


def _score(source_text, selections, utf16, crlf_as_one):
    names = bounds = 0
    text = source_text.text
    for sel in selections:
        start = source_text.position(sel.start, utf16=utf16, crlf_as_one=crlf_as_one)
        end = source_text.position(sel.end, utf16=utf16, crlf_as_one=crlf_as_one)
        if start is None or end is None or start >= end:
            continue
        if sel.name.strip() and _collapse(sel.name) == _collapse(text[start:end]):
            names += 1
        bounds += _at_boundary(text, start) + _at_boundary(text, end)
    return names, bounds


def choose_reading(source_text, selections, origin):
    """(utf16, crlf_as_one) for a source's selections: how the writing tool counted.

    Only a text with characters outside the BMP tells code points from UTF-16 units apart, and
    only CRLF line breaks tell "CRLF is two" from "CRLF is one". NVivo and QualCoder count UTF-16
    units (verified, NOTES.md §2) unless the selections' names (the quoted text, for some
    tools) match better another way; for other tools, the names decide, then how many
    selections start and end on word boundaries; a tie keeps the standard's code points.
    """
    units = (False, True) if source_text.has_astral else (False,)
    crlfs = (False, True) if source_text.has_cr else (False,)
    candidates = [(u, c) for u in units for c in crlfs]
    if len(candidates) == 1 or origin.lower().startswith("pasto-coop"):
        return candidates[0]
    sample = [s for s in selections if s.start is not None and s.end is not None][:300]
    scores = {cand: _score(source_text, sample, *cand) for cand in candidates}
    if origin.lower().startswith(UTF16_ORIGINS):
        prior = (source_text.has_astral, False)
        best = max(candidates, key=lambda c: scores[c][0])
        return best if scores[best][0] > scores[prior][0] else prior
    return max(candidates, key=lambda c: scores[c])
