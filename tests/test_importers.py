"""Parsing every accepted format, and refusing every kind of bad file with a message that names
the file and the problem. Files are generated here (python-docx for Word)."""

import codecs
import time
import unicodedata

import pytest

from interviews.importers import (
    ImportRefused,
    parse_file,
    parse_pasted,
    rejoin_hyphenated,
    split_turns,
)
from interviews.text import is_normalised
from tests.import_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    SRT,
    VTT,
    make_docx,
    make_many_entries,
    make_pdf,
    make_zip_bomb,
    replace_part,
)

LIMIT = 10 * 1024 * 1024
SPANISH = "Interviewer: ¿Cómo llegó José?\nP: Por la migración forzada, con “esperanza” y 5 €."


def parse(name, data, max_bytes=LIMIT):
    return parse_file(name, data, max_bytes=max_bytes)


def refused(name, data, max_bytes=LIMIT):
    with pytest.raises(ImportRefused) as info:
        parse(name, data, max_bytes)
    assert info.value.message.startswith(f"{name}: ")
    return info.value


# ----- plain text and its encodings -----

@pytest.mark.parametrize("encoding, data", [
    ("utf-8", SPANISH.encode("utf-8")),
    ("utf-8", codecs.BOM_UTF8 + SPANISH.encode("utf-8")),
    ("utf-16", SPANISH.encode("utf-16")),  # with a BOM, little-endian here
    ("utf-16", codecs.BOM_UTF16_BE + SPANISH.encode("utf-16-be")),
    ("windows-1252", SPANISH.encode("cp1252")),
])
def test_it_decodes_every_supported_encoding_without_garbling(encoding, data):
    parsed = parse("d.txt", data)
    assert parsed.encoding == encoding
    assert "José" in parsed.text and "migración" in parsed.text
    assert "“esperanza”" in parsed.text and "5 €" in parsed.text
    assert parsed.text == ("Interviewer: ¿Cómo llegó José?\n\n"
                           "P: Por la migración forzada, con “esperanza” y 5 €.")
    assert parsed.data == data  # the original bytes are kept as they came


def test_it_reads_latin_1_the_same_as_windows_1252():
    parsed = parse("d.txt", "José, migración, niño".encode("latin-1"))
    assert parsed.text == "José, migración, niño"


def test_it_normalises_to_nfc_lf_and_no_trailing_whitespace():
    decomposed = unicodedata.normalize("NFD", "José  \r\nmigración\t\r\n\r\n\r\n\r\nfin  ")
    parsed = parse("d.txt", decomposed.encode("utf-8"))
    assert parsed.text == "José\nmigración\n\nfin"
    assert is_normalised(parsed.text)


def test_it_puts_each_speaker_turn_in_its_own_paragraph():
    text = ("Interviewer: How did it start?\nP: With the youth office\nand the gender work.\n"
            "D: Yes.\n[00:01:02] Ana María: It was 2009.\nHe said: no labels inside a turn.\n"
            "Dr. Pérez: A title counts.\nParticipante 3: So does a number.")
    parsed = parse("d.txt", text.encode("utf-8"))
    assert parsed.text.split("\n\n") == [
        "Interviewer: How did it start?",
        "P: With the youth office\nand the gender work.",
        "D: Yes.",
        "[00:01:02] Ana María: It was 2009.\nHe said: no labels inside a turn.",
        "Dr. Pérez: A title counts.",
        "Participante 3: So does a number.",
    ]
    assert parsed.turns == 6


def test_it_collapses_runs_of_blank_lines():
    assert split_turns(["a", "", " ", "", "b", "", ""]) == ["a", "", "b"]


def test_it_takes_pasted_text():
    parsed = parse_pasted("Interviewer: Hola\r\nD: José", max_bytes=LIMIT)
    assert parsed.format == "pasted"
    assert parsed.text == "Interviewer: Hola\n\nD: José"


# ----- Word -----

def test_it_keeps_docx_paragraphs_and_speaker_labels():
    data = make_docx(["Interviewer: ¿Cómo empezó?", "D: Con la oficina de juventud.",
                      "Y la migración.", "", "Interviewer: ¿Y después?"])
    parsed = parse("d.docx", data)
    assert parsed.format == "docx"
    assert parsed.text == ("Interviewer: ¿Cómo empezó?\n\nD: Con la oficina de juventud.\n"
                           "Y la migración.\n\nInterviewer: ¿Y después?")
    assert parsed.turns == 3


def test_it_reads_a_speaker_table_in_a_docx():
    data = make_docx(["Transcript"], table=[["Interviewer", "How?"], ["D", "With José."]])
    assert parse("d.docx", data).text == "Transcript\n\nInterviewer: How?\n\nD: With José."


# ----- subtitles -----

def test_it_keeps_each_vtt_cue_time_at_its_line():
    parsed = parse("d.vtt", VTT.encode("utf-8"))
    assert parsed.text == ("Interviewer: How did the strategy start?\nAnd who took part?\n\n"
                           "D: With the youth office & the gender work, in migración.")
    assert [c["time"] for c in parsed.cues] == [1.0, 4.5, 62.25]
    starts = [parsed.text[c["offset"]:].split("\n")[0] for c in parsed.cues]
    assert starts == ["Interviewer: How did the strategy start?", "And who took part?",
                      "D: With the youth office & the gender work, in migración."]


def test_it_keeps_each_srt_cue_time_in_windows_1252():
    parsed = parse("d.srt", SRT.encode("cp1252"))
    assert parsed.encoding == "windows-1252"
    assert parsed.text == ("INTERVIEWER: ¿Cómo empezó la estrategia?\n\nD: Con la oficina de juventud.\n"
                           "Y la migración forzada.")
    assert [(c["offset"], c["time"]) for c in parsed.cues] == [
        (0, 1.0), (parsed.text.index("D:"), 4.5), (parsed.text.index("Y la"), 3723.0)]


def test_it_refuses_a_vtt_without_its_header():
    error = refused("d.vtt", b"00:00:01.000 --> 00:00:02.000\nhello\n")
    assert "WEBVTT" in error.message


def test_it_refuses_an_srt_without_cues():
    error = refused("d.srt", b"just some words\n")
    assert error.code == "not_subtitles"


# ----- PDF -----

def test_it_reads_a_pdf_text_layer_and_rejoins_hyphenated_words():
    data = make_pdf(["Interviewer: How did the", "migra-", "ción start?",
                     "D: The Latin-", "American network."])
    parsed = parse("d.pdf", data)
    assert parsed.text == "Interviewer: How did the\nmigración start?\n\nD: The Latin-\nAmerican network."


def test_it_rejoins_soft_hyphens_and_lower_case_continuations_only():
    assert rejoin_hyphenated("coope\u00ad\nración") == "cooperación"
    assert rejoin_hyphenated("coope-\n  ración") == "cooperación"
    assert rejoin_hyphenated("Latin-\nAmerican") == "Latin-\nAmerican"
    assert rejoin_hyphenated("2009-\n2010") == "2009-\n2010"


def test_it_refuses_a_pdf_without_a_text_layer():
    error = refused("scan.pdf", make_pdf([]))
    assert "no text layer" in error.message


def test_it_refuses_a_corrupt_pdf():
    assert refused("d.pdf", b"%PDF-1.4\nnot really a pdf").code == "corrupt"


# ----- bad input -----

def test_it_refuses_an_empty_file():
    assert refused("empty.txt", b"").message == "empty.txt: the file is empty."


def test_it_refuses_a_file_of_only_whitespace():
    assert refused("blank.txt", b" \r\n\t\n").code == "empty"


def test_it_refuses_binary_junk():
    assert refused("junk.txt", bytes(range(256)) * 8).code == "binary"
    error = refused("junk.srt", b"1\n00:00:01,000 --> 00:00:02,000\nhi\x01\x02\x03\x04")
    assert error.code == "binary"
    assert "control characters" in error.message


@pytest.mark.parametrize("name, data, words", [
    ("notes.rtf", b"{\\rtf1 hello}", ".rtf is not accepted"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "save it as .docx"),
    ("noext", b"hello", "(none) is not accepted"),
    ("report.txt", make_pdf(["hello"]), "a PDF document, not .txt"),
    ("word.txt", make_docx(["hello"]), "a zip archive (a .docx?), not .txt"),
    ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Word .doc"),
    ("image.vtt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "a PNG image, not .vtt"),
])
def test_it_refuses_the_wrong_extension(name, data, words):
    error = refused(name, data)
    assert error.code == "wrong_extension"
    assert words in error.message


def test_it_refuses_a_file_over_the_size_limit():
    error = refused("long.txt", b"a" * (2 * 1024 * 1024 + 1), max_bytes=2 * 1024 * 1024)
    assert error.code == "too_large"
    assert "over the 2 MB limit" in error.message


def test_it_refuses_text_that_cannot_be_decoded():
    error = refused("d.txt", "José".encode("cp1252") + b" \x81\x8d")
    assert error.code == "undecodable"
    assert "byte 0x81 at position 5" in error.message


def test_it_refuses_a_broken_utf16_file():
    error = refused("d.txt", codecs.BOM_UTF16_LE + "José".encode("utf-16-le") + b"\x00\xd8")
    assert error.code == "undecodable"
    assert "UTF-16" in error.message


def test_it_refuses_utf16_without_a_bom_as_binary_with_a_hint():
    error = refused("d.txt", "José".encode("utf-16-le"))
    assert "UTF-16 text without a byte-order mark" in error.message


def test_it_refuses_a_docx_that_is_not_a_zip():
    error = refused("d.docx", b"Interviewer: this is plain text")
    assert error.code == "corrupt"
    assert "not a valid zip archive" in error.message


def test_it_refuses_a_zip_that_is_not_a_word_document():
    error = refused("d.docx", replace_part(make_docx(["hi"]), "[Content_Types].xml", b"<Types/>"))
    assert error.code == "corrupt"


def test_it_refuses_a_zip_bomb_before_inflating_it():
    bomb = make_zip_bomb()
    assert len(bomb) < 200_000
    started = time.perf_counter()
    error = refused("bomb.docx", bomb)
    assert time.perf_counter() - started < 1
    assert error.code == "zip_bomb"
    assert "zip bomb" in error.message


def test_it_refuses_an_archive_that_would_expand_past_the_limit():
    error = refused("big.docx", make_zip_bomb(size=3 * 1024 * 1024), max_bytes=256 * 1024)
    assert error.code == "zip_bomb"
    assert "would expand to" in error.message


def test_it_refuses_an_archive_with_too_many_entries():
    assert refused("many.docx", make_many_entries()).code == "zip_bomb"


def test_it_refuses_a_billion_laughs_docx_without_expanding_it():
    data = replace_part(make_docx(["Interviewer: hi"]), "word/document.xml", BILLION_LAUGHS)
    started = time.perf_counter()
    error = refused("laughs.docx", data)
    assert time.perf_counter() - started < 1  # expanded, it would be 3 GB of "lol"
    assert error.code == "xml_entities"
    assert "word/document.xml declares a DTD or XML entities" in error.message
    assert "nothing was expanded" in error.message


def test_it_refuses_an_entity_hidden_in_another_part():
    data = replace_part(make_docx(["hi"]), "word/styles.xml", EXTERNAL_ENTITY)
    error = refused("xxe.docx", data)
    assert error.code == "xml_entities"
    assert "word/styles.xml" in error.message


def test_it_refuses_a_docx_with_a_broken_part():
    data = replace_part(make_docx(["hi"]), "word/document.xml", b"<w:document><unclosed>")
    assert refused("broken.docx", data).code == "corrupt"


def _words(count, seed=0):
    import random

    rng = random.Random(seed)
    vocabulary = ["migración", "José", "youth", "office", "gender", "the", "and", "esperanza", "a"]
    return " ".join(rng.choice(vocabulary) + str(rng.randrange(10)) for _ in range(count))


def test_it_refuses_a_docx_part_that_expands_past_twice_the_upload_limit():
    """A modest ratio (here about 5:1, under the 100:1 rule) and a total under ten times the
    limit: only the per-part cap stops a document.xml several times the upload limit."""
    limit = 256 * 1024
    data = make_docx([f"P: {_words(1_000, seed)}" for seed in range(150)])
    assert len(data) < limit
    error = refused("inflated.docx", data, max_bytes=limit)
    assert error.code == "zip_bomb"
    assert "the part word/document.xml would expand to" in error.message
    assert "over 0.5 MB (2 times the upload limit)" in error.message


def test_it_refuses_a_docx_whose_text_is_longer_than_the_upload_limit():
    limit = 256 * 1024
    data = make_docx([f"P: {_words(1_000, seed)}" for seed in range(40)])
    assert len(data) < limit
    error = refused("long.docx", data, max_bytes=limit)
    assert error.code == "too_large"
    assert "its text is over 0.25 MB" in error.message


def test_it_accepts_a_docx_whose_text_fits_the_upload_limit():
    data = make_docx([f"P: {_words(1_000, seed)}" for seed in range(40)])
    assert parse("long.docx", data, max_bytes=1024 * 1024).text.startswith("P: ")


def test_it_refuses_utf8_with_one_invalid_byte_and_names_its_position():
    """Read as Windows-1252 it would be stored as "migraciÃ³n", silently."""
    good = ("Interviewer: ¿Cómo fue la migración?\n" * 50).encode("utf-8")
    data = good[:1000] + b"\xff" + good[1000:]
    error = refused("broken.txt", data)
    assert error.code == "invalid_utf8"
    assert "byte 0xFF at position 1,000 (line 26)" in error.message
    assert "1 such bytes" in error.message


def test_it_still_reads_windows_1252_with_no_utf8_in_it():
    parsed = parse("old.txt", ("Interviewer: ¿Cómo fue la migración?\n" * 50).encode("cp1252"))
    assert parsed.encoding == "windows-1252"
    assert "migración" in parsed.text


def test_it_refuses_a_pdf_whose_text_is_longer_than_the_upload_limit():
    """A compressed content stream holds far more text than the file's size."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(make_pdf(["D: the same words again and again."] * 40))).pages:
        for _ in range(60):
            writer.add_page(page)
    for page in writer.pages:
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    limit = 64 * 1024
    assert len(out.getvalue()) < limit
    error = refused("long.pdf", out.getvalue(), max_bytes=limit)
    assert error.code == "too_large"
    assert "its text is over 0.0625 MB" in error.message
