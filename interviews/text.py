"""Text rules shared by every path that stores or addresses transcript text.

Offsets in this project are Unicode code points of the stored text (Python's `len`). Browsers
count UTF-16 code units, so a character outside the Basic Multilingual Plane (an emoji, say) is
one code point but two units. `utf16_to_codepoint` and `codepoint_to_utf16` are the one place
where the two are converted; nothing else should do that arithmetic.
"""

import re
import unicodedata
from bisect import bisect_left


def normalise_text(text):
    """NFC, `\\n` line endings and no trailing whitespace on any line: the form offsets refer to."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return unicodedata.normalize("NFC", text).strip("\n")


def is_normalised(text):
    return normalise_text(text) == text


def utf16_length(text):
    """How many UTF-16 code units `text` takes: what a browser's `.length` reports."""
    return len(text.encode("utf-16-le")) // 2


def utf16_to_codepoint(text, offset):
    """Turn a UTF-16 offset into `text` into a code-point offset.

    An offset that falls between the two halves of a surrogate pair is rounded down to the start
    of that character, so a selection never splits one. Raises ValueError outside the text.
    Costs one encode of the text: about 0.1 ms for 100,000 characters.
    """
    data = text.encode("utf-16-le")
    if offset < 0 or offset * 2 > len(data):
        raise ValueError("offset outside the text")
    if len(data) == 2 * len(text):  # no character outside the BMP: one unit per code point
        return offset
    prefix = data[: offset * 2]
    if prefix and 0xD800 <= int.from_bytes(prefix[-2:], "little") <= 0xDBFF:
        prefix = prefix[:-2]
    return len(prefix.decode("utf-16-le"))


def codepoint_to_utf16(text, offset):
    """Turn a code-point offset into `text` into the UTF-16 offset a browser uses."""
    if offset < 0 or offset > len(text):
        raise ValueError("offset outside the text")
    return utf16_length(text[:offset])


def codepoint_to_utf16_converter(text):
    """A fast `codepoint_to_utf16` for many offsets into one text: each call is a bisect over the
    text's astral characters (none, in most transcripts) instead of an encode of the prefix."""
    has_astral = utf16_length(text) != len(text)
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if has_astral else []
    length = len(text)

    def convert(offset):
        if offset < 0 or offset > length:
            raise ValueError("offset outside the text")
        return offset + bisect_left(astral, offset)

    return convert


# ----- Folding for accent- and case-insensitive comparison (search, report filters) -----

# Combining accents that NFC could not compose onto their letter stay in the text as separate
# code points; the matcher lets any number of them follow a letter.
MARKS = "\u0300-\u036f"
MARKS_RE = re.compile(f"[{MARKS}]+")

# Letters that unaccent folds to one ASCII letter although Unicode gives them no decomposition.
_EXTRA_BASES = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t", "ŀ": "l"}
# The Latin blocks: Latin-1 Supplement, Latin Extended-A and -B, Latin Extended Additional.
_LATIN = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]


def _base_letter(ch):
    """The ASCII letter `ch` is an accented form of (lower case), or None."""
    low = ch.lower()
    if len(low) == 1 and low in _EXTRA_BASES:
        return _EXTRA_BASES[low]
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0].lower()
    if base.isascii() and base.isalpha() and all(unicodedata.combining(c) for c in decomposed[1:]):
        return base
    return None


def _variants():
    found = {chr(c): {chr(c), chr(c).upper()} for c in range(ord("a"), ord("z") + 1)}
    for cp in _LATIN:
        ch = chr(cp)
        base = _base_letter(ch)
        if base is not None:
            found[base].add(ch)
    return {base: "".join(sorted(chars)) for base, chars in found.items()}


# For each ASCII letter, every Latin letter that is it with an accent, in both cases.
VARIANTS = _variants()
BASE_OF = {ch: base for base, chars in VARIANTS.items() for ch in chars}


_BASE_TABLE = str.maketrans(BASE_OF)
# Accented letters to their base and combining accents dropped, in one C-level pass. When the
# result is plain ASCII it equals the full fold (NFD, drop accents, NFC, base letters) below.
_QUICK_TABLE = str.maketrans({**BASE_OF, **{chr(c): None for c in range(0x300, 0x370)}})


def fold(text):
    """Lower case without accents, for comparisons: SQLite's pasto_fold (PostgreSQL's is
    lower(unaccent(...)), migration 0006). Not for offsets: it may change the length.

    SQLite calls it once per row a filter reads (100,000 quotes for a whole study), so it is
    built from C-level string operations only, with a shortcut for plain ASCII."""
    if text is None:
        return None
    if text.isascii():
        return text.lower()
    quick = text.translate(_QUICK_TABLE)
    if quick.isascii():
        return quick.lower()
    stripped = MARKS_RE.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", stripped).translate(_BASE_TABLE).lower()


# ----- Passages around a position -----

SENTENCE_END = re.compile(r"[.!?…](?=\s)")


def expand_hit(text, start, end, scope):
    """The passage an auto-coded hit becomes: the match itself, its sentence, or its paragraph
    (line), trimmed of surrounding whitespace. Never crosses a line break."""
    if scope == "match":
        return start, end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    if scope == "sentence":
        for found in SENTENCE_END.finditer(text, line_start, start):
            line_start = found.end()
        found = SENTENCE_END.search(text, end, line_end)
        if found is not None:
            line_end = found.end()
    while line_start < start and text[line_start].isspace():
        line_start += 1
    while line_end > end and text[line_end - 1].isspace():
        line_end -= 1
    return line_start, line_end


def anonymise_pattern(name, *, whole_words=True, match_case=True):
    """A regex for `name` as stored text spells it (NFC); with whole_words, not inside a word."""
    name = unicodedata.normalize("NFC", name.strip())
    body = re.escape(name)
    if whole_words:
        body = rf"(?<!\w){body}(?!\w)"
    return re.compile(body, 0 if match_case else re.IGNORECASE)
