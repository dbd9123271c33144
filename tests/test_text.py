"""interviews/text.py: the one place where browser (UTF-16) and stored (code point) offsets meet.

Property tests run over any Unicode string; examples pin the cases a coder meets in real
transcripts: emoji, combining accents, Arabic.
"""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.text import (
    codepoint_to_utf16,
    codepoint_to_utf16_converter,
    is_normalised,
    normalise_text,
    utf16_length,
    utf16_to_codepoint,
)

# 200 examples a property keeps the module to a few seconds.
PROPERTY = settings(max_examples=200, deadline=None)

# Plain st.text() rarely draws the characters these functions care about, so mix them in.
TRICKY = ["\r", "\n", "\r\n", " ", "\t", "\u00a0", "e\u0301", "\u0301", "😀", "🇨🇴", "م", "\u200d"]
texts = st.lists(st.one_of(st.text(max_size=5), st.sampled_from(TRICKY)), max_size=30).map(
    "".join
)
# Always holds at least one character outside the Basic Multilingual Plane.
astral_texts = st.tuples(texts, st.characters(min_codepoint=0x10000), texts).map("".join)


@st.composite
def text_and_offset(draw):
    text = draw(texts)
    return text, draw(st.integers(min_value=0, max_value=len(text)))


@st.composite
def text_and_selection(draw):
    text = draw(texts)
    i = draw(st.integers(min_value=0, max_value=len(text)))
    j = draw(st.integers(min_value=i, max_value=len(text)))
    return text, i, j


# ----- offsets: properties -----

@PROPERTY
@given(text_and_offset())
def test_it_round_trips_every_code_point_offset(case):
    text, i = case
    assert utf16_to_codepoint(text, codepoint_to_utf16(text, i)) == i


@PROPERTY
@given(text_and_offset())
def test_it_counts_utf16_units_as_a_browser_does(case):
    text, i = case
    assert codepoint_to_utf16(text, i) == len(text[:i].encode("utf-16-le")) // 2


@PROPERTY
@given(text_and_selection())
def test_it_turns_a_browser_selection_back_into_the_same_passage(case):
    text, i, j = case
    start = utf16_to_codepoint(text, codepoint_to_utf16(text, i))
    end = utf16_to_codepoint(text, codepoint_to_utf16(text, j))
    assert text[start:end] == text[i:j]


@PROPERTY
@given(astral_texts, st.data())
def test_it_rounds_an_offset_inside_a_surrogate_pair_down(text, data):
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    i = data.draw(st.sampled_from(astral))
    between_halves = codepoint_to_utf16(text, i) + 1
    assert utf16_to_codepoint(text, between_halves) == i


@PROPERTY
@given(texts, st.integers(min_value=1, max_value=10))
def test_it_refuses_offsets_outside_the_text(text, beyond):
    with pytest.raises(ValueError):
        utf16_to_codepoint(text, -beyond)
    with pytest.raises(ValueError):
        utf16_to_codepoint(text, utf16_length(text) + beyond)
    with pytest.raises(ValueError):
        codepoint_to_utf16(text, -beyond)
    with pytest.raises(ValueError):
        codepoint_to_utf16(text, len(text) + beyond)
    convert = codepoint_to_utf16_converter(text)
    with pytest.raises(ValueError):
        convert(-beyond)
    with pytest.raises(ValueError):
        convert(len(text) + beyond)


@PROPERTY
@given(st.one_of(texts, astral_texts))
def test_it_converts_many_offsets_as_one_at_a_time_would(text):
    convert = codepoint_to_utf16_converter(text)
    assert [convert(i) for i in range(len(text) + 1)] == [
        codepoint_to_utf16(text, i) for i in range(len(text) + 1)
    ]


@PROPERTY
@given(st.text())
def test_it_measures_utf16_length_as_the_offset_of_the_end(text):
    assert utf16_length(text) == codepoint_to_utf16(text, len(text))
    assert utf16_to_codepoint(text, utf16_length(text)) == len(text)


# ----- normalise_text: properties -----

@PROPERTY
@given(texts)
def test_it_normalises_idempotently(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert is_normalised(once)


@PROPERTY
@given(texts)
def test_it_normalises_to_nfc_with_lf_line_endings_and_no_trailing_spaces(text):
    result = normalise_text(text)
    assert unicodedata.is_normalized("NFC", result)
    assert "\r" not in result
    assert all(line == line.rstrip() for line in result.split("\n"))
    assert not result.startswith("\n")
    assert not result.endswith("\n")


@PROPERTY
@given(texts)
def test_it_keeps_the_words_when_normalising(text):
    def words(t):
        return unicodedata.normalize("NFC", t).split()

    assert words(normalise_text(text)) == words(text)


# ----- examples -----

def test_it_counts_an_emoji_as_two_utf16_units():
    text = "a😀b"
    assert [codepoint_to_utf16(text, i) for i in range(4)] == [0, 1, 3, 4]
    assert [utf16_to_codepoint(text, u) for u in range(5)] == [0, 1, 1, 2, 3]
    assert utf16_length(text) == 4


def test_it_finds_the_passage_after_an_emoji():
    text = "Señal 😀: la juventud 🇨🇴 migra"
    # A browser puts "juventud" at 13-21: the emoji before it takes two units.
    start, end = utf16_to_codepoint(text, 13), utf16_to_codepoint(text, 21)
    assert (start, end) == (12, 20)
    assert text[start:end] == "juventud"
    # "migra" comes after a flag (two astral characters): four units for two code points.
    assert text[utf16_to_codepoint(text, 27) : utf16_to_codepoint(text, 32)] == "migra"


def test_it_never_splits_a_flag_between_its_halves():
    text = "🇨🇴"  # two regional indicators, four UTF-16 units
    assert [utf16_to_codepoint(text, u) for u in range(5)] == [0, 0, 1, 1, 2]


def test_it_counts_a_combining_accent_as_its_own_code_point():
    decomposed = "cafe\u0301"
    assert codepoint_to_utf16(decomposed, 5) == 5
    assert utf16_to_codepoint(decomposed, 4) == 4
    assert normalise_text(decomposed) == "caf\u00e9"
    assert len(normalise_text(decomposed)) == 4
    assert not is_normalised(decomposed)


def test_it_maps_arabic_offsets_one_to_one():
    text = "قال المشارك: الشباب أولاً"
    convert = codepoint_to_utf16_converter(text)
    assert [convert(i) for i in range(len(text) + 1)] == list(range(len(text) + 1))
    start = text.index("الشباب")
    assert text[utf16_to_codepoint(text, start) : utf16_to_codepoint(text, start + 6)] == "الشباب"


def test_it_normalises_a_pasted_windows_transcript():
    pasted = "\r\nInterviewer: Hola   \r\nD: Cafe\u0301\r\n\r\n"
    assert normalise_text(pasted) == "Interviewer: Hola\nD: Caf\u00e9"


def test_it_keeps_leading_indentation():
    assert normalise_text("  indented\n\tquote  ") == "  indented\n\tquote"


def test_it_treats_an_empty_text_as_normalised():
    assert normalise_text("") == ""
    assert is_normalised("")
    assert utf16_to_codepoint("", 0) == 0
    assert codepoint_to_utf16_converter("")(0) == 0
