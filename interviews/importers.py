"""Turn an uploaded file (or pasted text) into transcript text that offsets can refer to.

Each format is decoded, parsed and normalised here; nothing here touches the database. A file
that cannot become a transcript raises `ImportRefused`, whose message names the file and the
problem, so the upload page and the import command report it the same way.

Hostile input. Sizes are checked before anything is read. A .docx is a zip archive: its entry
count, declared uncompressed sizes and compression ratios are checked before any part is
decompressed (`zipfile` never inflates an entry past its declared size, so the declared sizes are
a hard ceiling; one part may inflate to at most twice the upload limit, and the extracted text
may be no longer than the upload limit), and every XML part is parsed with defusedxml, which
refuses a DTD, before python-docx sees it, so an entity-expansion ("billion laughs") file is
refused unexpanded.
"""

import codecs
import html
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import PurePath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.utils.translation import gettext_lazy as _

from interviews.text import is_normalised

FORMATS = {".txt": "txt", ".docx": "docx", ".vtt": "vtt", ".srt": "srt", ".pdf": "pdf"}
CONTENT_TYPES = {
    "txt": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "pdf": "application/pdf",
    "pasted": "text/plain; charset=utf-8",
}
ACCEPTED = ", ".join(FORMATS)
MB = 1024 * 1024

# A .docx is refused before decompression if it breaks any of these. Real transcripts are far
# inside them: a 5,000-word interview's document.xml is about 400 KB and compresses about 8:1.
DOCX_MAX_ENTRIES = 2_000
DOCX_MAX_RATIO = 100  # per entry, for entries over 1 MB; deflate cannot exceed about 1,030:1
DOCX_UNCOMPRESSED_FACTOR = 10  # all entries together, times the upload limit
# One part, inflated, may be at most twice the upload limit: a ratio under DOCX_MAX_RATIO still
# lets a 1.4 MB file hold a 100 MB document.xml, which python-docx turns into gigabytes of tree.
DOCX_PART_FACTOR = 2
# Text extracted from a .docx or .pdf may be no longer than the upload limit (in UTF-8 bytes):
# the largest text a .txt upload could hold.
EXTRACTED_TEXT_FACTOR = 1
PDF_MAX_PAGES = 2_000

# Magic numbers of the files most often given a wrong extension.
SIGNATURES = [
    (b"PK\x03\x04", "zip", _("a zip archive (a .docx?)")),
    (b"%PDF-", "pdf", _("a PDF document")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole", _("an old Word .doc (or other Office 97) file")),
    (b"{\\rtf", "rtf", _("an RTF document")),
    (b"\x89PNG", "png", _("a PNG image")),
    (b"\xff\xd8\xff", "jpeg", _("a JPEG image")),
    (b"GIF8", "gif", _("a GIF image")),
    (b"\x1f\x8b", "gzip", _("a gzip archive")),
    (b"\x7fELF", "elf", _("a program (ELF)")),
]

BOMS = [  # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Characters that end a line besides \n and \r: form feed, vertical tab, NEL, LS, PS.
LINE_BREAKS = re.compile("[\f\v\x85\u2028\u2029]")
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

# A speaker label at the start of a line: "Interviewer:", "P:", "D:", "Dr. Pérez:", "Participante
# 3:", "INTERVIEWER:", optionally after a timestamp: "[00:01:02] Name:". Every word after the first
# starts with a capital, a digit or "(", so "He said: yes" is not a label.
SPEAKER = re.compile(
    r"^\s*(?:[\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])]?\s+)?"
    r"(?P<name>[^\W\d_][\w.'’-]*(?:\s[\w(][\w.'’()-]*){0,3})\s?:(?:\s|$)"
)
SPEAKER_NAME_MAX = 40


class ImportRefused(Exception):
    """A file that cannot become a transcript. `message` names the file and the problem."""

    def __init__(self, name, problem, code):
        self.name, self.problem, self.code = name, problem, code
        super().__init__(self.message)

    @property
    def message(self):
        return str(_("%(name)s: %(problem)s") % {"name": isolate(self.name), "problem": self.problem})


BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def isolate(name):
    """A file name holding bidirectional controls (U+202E turns "fdp.exe" into "exe.pdf"),
    wrapped in Unicode isolates (FSI ... PDI) so it cannot reorder the message after it, in a
    page or in a terminal. Other names are left as they are."""
    return f"\u2068{name}\u2069" if BIDI_CONTROLS.search(str(name)) else name


@dataclass
class ParsedTranscript:
    """What an import stores: the normalised text, cue times, and the original bytes."""

    name: str
    format: str
    text: str
    data: bytes
    encoding: str = ""
    cues: list = field(default_factory=list)  # [{"offset": code point, "time": seconds}]
    turns: int = 0

    @property
    def content_type(self):
        return CONTENT_TYPES[self.format]

    @property
    def sha256(self):
        return sha256(self.data).hexdigest()

    @property
    def title(self):
        return PurePath(self.name).stem or str(_("Pasted text"))


# ----- checks shared by every format -----

def check_size(name, size, max_bytes):
    """Refuse an empty file or one over the limit, before reading it."""
    if size == 0:
        raise ImportRefused(name, _("the file is empty."), "empty")
    if size > max_bytes:
        raise ImportRefused(name, _("the file is %(size).1f MB, over the %(limit)s MB limit.") % {
            "size": size / MB, "limit": _limit_mb(max_bytes)}, "too_large")


def _limit_mb(max_bytes):
    mb = max_bytes / MB
    return f"{mb:g}"


def detect_format(name, data):
    """The format named by the extension, checked against what the bytes look like."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or _("(none)")
        hint = _(" Open it in Word and save it as .docx.") if suffix == ".doc" else ""
        raise ImportRefused(name, _("the extension %(ext)s is not accepted; use one of %(accepted)s."
                                    "%(hint)s") % {"ext": shown, "accepted": ACCEPTED, "hint": hint},
                            "wrong_extension")
    fmt = FORMATS[suffix]
    found = next(((kind, label) for magic, kind, label in SIGNATURES if data.startswith(magic)), None)
    expected = {"docx": "zip", "pdf": "pdf"}.get(fmt)
    if found and found[0] != expected:
        raise ImportRefused(name, _("the file is %(kind)s, not %(ext)s as its name says.") % {
            "kind": found[1], "ext": suffix}, "wrong_extension")
    return fmt


def decode_text(name, data):
    """Bytes to text: a BOM decides (UTF-8, UTF-16, UTF-32); otherwise UTF-8, then Windows-1252.

    Windows-1252 is a superset of Latin-1's printable characters, so Latin-1 files decode the
    same. Returns (text, encoding name)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ImportRefused(name, _(
                    "the file starts with a %(encoding)s byte-order mark but is not valid %(encoding)s "
                    "(at byte %(position)s)."
                ) % {"encoding": encoding.upper().replace("-SIG", ""), "position": f"{exc.start:,}"},
                    "undecodable") from None
            return check_controls(name, text.lstrip("\ufeff")), encoding.replace("-sig", "")
    if b"\x00" in data:
        raise ImportRefused(name, _(
            "the file contains NUL bytes: it is binary data, or UTF-16 text without a byte-order "
            "mark. Save it as UTF-8 text and try again."), "binary")
    try:
        return check_controls(name, data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        _refuse_broken_utf8(name, data, exc.start)
    try:
        return check_controls(name, data.decode("cp1252")), "windows-1252"
    except UnicodeDecodeError as exc:
        raise ImportRefused(name, _(
            "the text is neither UTF-8 nor Windows-1252: byte 0x%(byte)02X at position %(position)s "
            "means nothing in either. Save it as UTF-8 and try again."
        ) % {"byte": data[exc.start], "position": f"{exc.start:,}"}, "undecodable") from None


NEWLINE = b"\n"


def _refuse_broken_utf8(name, data, first_bad):
    """Refuse text that is mostly valid UTF-8 with a few invalid bytes: read as Windows-1252 every
    accented letter would turn to mojibake ("migraciÃ³n"), silently. "Mostly": at least as many
    valid multi-byte UTF-8 characters as invalid bytes; Windows-1252 text almost never holds a
    valid multi-byte sequence, so it still falls through to that encoding."""
    decoded = data.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for ch in decoded if "\udc80" <= ch <= "\udcff")
    valid = sum(1 for ch in decoded if ch > "\x7f" and not "\udc80" <= ch <= "\udcff")
    if valid and valid >= invalid:
        raise ImportRefused(name, _(
            "the file is UTF-8 text, but byte 0x%(byte)02X at position %(position)s (line %(line)s) "
            "is not valid UTF-8 (%(count)s such bytes in all). It was not read as another encoding, "
            "which would garble every accented letter. Fix or remove that byte and try again."
        ) % {"byte": data[first_bad], "position": f"{first_bad:,}",
             "line": f"{data.count(NEWLINE, 0, first_bad) + 1:,}", "count": f"{invalid:,}"},
            "invalid_utf8")


def check_controls(name, text):
    """Text with every kind of line break made \\n; refused if it holds control characters."""
    text = LINE_BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.rstrip("\x1a")  # the DOS end-of-file mark
    controls = CONTROL.findall(text)
    if controls:
        line = text[: CONTROL.search(text).start()].count("\n") + 1
        raise ImportRefused(name, _(
            "the file contains %(count)s control characters (the first on line %(line)s): it looks "
            "like binary data, not text."
        ) % {"count": f"{len(controls):,}", "line": line}, "binary")
    return text


# ----- speaker turns and normalisation -----

def is_speaker_line(line):
    match = SPEAKER.match(line)
    if not match or len(match.group("name")) > SPEAKER_NAME_MAX:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w[0] == "(" for w in match.group("name").split())


def split_turns(lines):
    """Lines with exactly one blank line before each speaker turn and between paragraphs; runs
    of blank lines collapse to one. A line starting with a speaker label starts a new turn."""
    out = []
    for line in lines:
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        if out and out[-1] != "" and is_speaker_line(line):
            out.append("")
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def _normalise_line(line):
    return unicodedata.normalize("NFC", line).rstrip()


def text_from_lines(lines):
    """Join lines into stored text: each line NFC and right-stripped, turns split. Normalising
    line by line gives the same result as `normalise_text` on the whole (a newline never
    composes), and lets callers know where each line starts."""
    text = "\n".join(_normalise_line(line) for line in split_turns(lines))
    assert is_normalised(text)
    return text


def _finish(name, fmt, data, text, encoding=""):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stored = text_from_lines(lines)
    if not stored.strip():
        raise ImportRefused(name, _("the file contains no text."), "empty")
    turns = sum(1 for line in stored.split("\n") if is_speaker_line(line))
    return ParsedTranscript(name=name, format=fmt, text=stored, data=data, encoding=encoding,
                            turns=turns)


# ----- formats -----

def parse_txt(name, data, max_bytes):
    text, encoding = decode_text(name, data)
    return _finish(name, "txt", data, text, encoding)


def parse_pasted(text, *, max_bytes, name=None):
    """Text typed or pasted into the upload page; stored as its UTF-8 bytes."""
    name = name or str(_("pasted text"))
    data = text.encode("utf-8")
    check_size(name, len(data), max_bytes)
    return _finish(name, "pasted", data, check_controls(name, text), "utf-8")


def _docx_open(name, data, max_bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportRefused(name, _("the file is corrupt: it is not a valid zip archive, which "
                                    "every .docx is."), "corrupt") from None
    if len(entries) > DOCX_MAX_ENTRIES:
        raise ImportRefused(name, _("the archive holds %(count)s entries; a Word document holds a "
                                    "few dozen. Refused as a possible zip bomb.") % {
            "count": f"{len(entries):,}"}, "zip_bomb")
    total = sum(e.file_size for e in entries)
    if total > DOCX_UNCOMPRESSED_FACTOR * max_bytes:
        raise ImportRefused(name, _("the archive would expand to %(size)s MB. Refused as a "
                                    "possible zip bomb.") % {"size": f"{total / MB:,.0f}"}, "zip_bomb")
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > MB and ratio > DOCX_MAX_RATIO:
            raise ImportRefused(name, _("the part %(part)s is compressed %(ratio)s:1. Refused as a "
                                        "possible zip bomb.") % {"part": entry.filename,
                                                                 "ratio": f"{ratio:,.0f}"}, "zip_bomb")
        if entry.file_size > DOCX_PART_FACTOR * max_bytes:
            raise ImportRefused(name, _(
                "the part %(part)s would expand to %(size)s MB, over %(limit)s MB (%(factor)s times "
                "the upload limit). Refused as a possible zip bomb; nothing was expanded."
            ) % {"part": entry.filename, "size": f"{entry.file_size / MB:,.1f}",
                 "limit": f"{DOCX_PART_FACTOR * max_bytes / MB:,.1f}", "factor": DOCX_PART_FACTOR},
                "zip_bomb")
    return archive, entries


def _check_extracted_size(name, size, max_bytes):
    limit = EXTRACTED_TEXT_FACTOR * max_bytes
    if size > limit:
        raise ImportRefused(name, _(
            "its text is over %(limit)s MB, more than the upload limit allows for a transcript. "
            "Split it into several files."
        ) % {"limit": _limit_mb(limit)}, "too_large")


def _looks_like_xml(head):
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<")


def _docx_check_xml(name, archive, entries):
    """Parse every XML part (whatever its name) with defusedxml first: a DTD, and so any entity
    declaration, is refused before python-docx parses anything."""
    for entry in entries:
        try:
            with archive.open(entry) as part:
                head = part.read(64)
                if not _looks_like_xml(head):
                    continue
                defused_fromstring(head + part.read(entry.file_size + 1), forbid_dtd=True)
        except DefusedXmlException:
            raise ImportRefused(name, _(
                "the part %(part)s declares a DTD or XML entities, which Word never writes. Refused "
                "as a possible entity-expansion attack; nothing was expanded."
            ) % {"part": entry.filename}, "xml_entities") from None
        except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError,
                NotImplementedError):
            raise ImportRefused(name, _("the file is corrupt: the part %(part)s cannot be read.") % {
                "part": entry.filename}, "corrupt") from None


def _docx_lines(document):
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table: one line per row
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:  # merged cells repeat; keep each once
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(" ".join(cell.text.split("\n")).strip())
                if len(cells) == 2 and cells[0] and is_speaker_line(cells[0].rstrip(":") + ": x"):
                    yield f"{cells[0].rstrip(':')}: {cells[1]}"  # a speaker | speech table
                else:
                    yield "\t".join(cells)
        else:
            yield from block.text.split("\n")  # a line break inside a paragraph stays one


def parse_docx(name, data, max_bytes):
    import docx  # python-docx; imported here so the rest of the module loads without it

    archive, entries = _docx_open(name, data, max_bytes)
    _docx_check_xml(name, archive, entries)
    try:
        document = docx.Document(io.BytesIO(data))
        lines, size = [], 0
        for line in _docx_lines(document):
            size += len(line.encode("utf-8")) + 1
            _check_extracted_size(name, size, max_bytes)
            lines.append(line)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - any failure inside a third-party parser of hostile input
        raise ImportRefused(name, _("the file is not a readable Word document (.docx)."),
                            "corrupt") from None
    return _finish(name, "docx", data, "\n".join(lines))


TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
TIMING = re.compile(rf"^\s*{TIME}\s*-->\s*{TIME}")
VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")


def _seconds(h, m, s, ms):
    return round(int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000, 3)


def _cue_blocks(text):
    return [block.strip("\n").split("\n") for block in re.split(r"\n[ \t]*\n", text) if block.strip()]


def _subtitle_cues(blocks, *, vtt):
    """(start seconds, voice or None, payload text) for each cue block."""
    cues = []
    for lines in blocks:
        timing_at = next((i for i, line in enumerate(lines[:2]) if TIMING.match(line)), None)
        if timing_at is None:
            continue
        start = _seconds(*TIMING.match(lines[timing_at]).groups()[:4])
        payload = " ".join(line.strip() for line in lines[timing_at + 1 :] if line.strip())
        voice = VOICE.search(payload) if vtt else None
        payload = TAG.sub("", payload)
        payload = " ".join((html.unescape(payload) if vtt else payload).split())
        if payload:
            cues.append((start, voice.group(1).strip() if voice else None, payload))
    return cues


def _subtitles(name, fmt, data, encoding, cues):
    """Each cue is a line, timed; a voice change or a speaker label starts a new turn."""
    rows, voice = [], None
    for start, cue_voice, payload in cues:
        if cue_voice and cue_voice != voice:
            payload = f"{cue_voice}: {payload}"
        voice = cue_voice or voice
        rows.append((_normalise_line(payload), start))
    lines, times = [], []
    for line, start in rows:
        if lines and lines[-1] != "" and is_speaker_line(line):
            lines.append("")
            times.append(None)
        lines.append(line)
        times.append(start)
    text, offset, cue_offsets = [], 0, []
    for line, start in zip(lines, times, strict=True):
        if start is not None:
            cue_offsets.append({"offset": offset, "time": start})
        text.append(line)
        offset += len(line) + 1
    stored = "\n".join(text)
    assert is_normalised(stored)
    turns = sum(1 for line in lines if is_speaker_line(line))
    return ParsedTranscript(name=name, format=fmt, text=stored, data=data, encoding=encoding,
                            cues=cue_offsets, turns=turns)


def parse_vtt(name, data, max_bytes):
    text, encoding = decode_text(name, data)
    first = text.split("\n", 1)[0]
    if not re.match(r"WEBVTT(?:[ \t]|$)", first):
        raise ImportRefused(name, _("the file is not WebVTT: its first line must be “WEBVTT”."),
                            "not_subtitles")
    blocks = [b for b in _cue_blocks(text)[1:] if not re.match(r"(NOTE|STYLE|REGION)(\s|$)", b[0])]
    cues = _subtitle_cues(blocks, vtt=True)
    if not cues:
        raise ImportRefused(name, _("the file holds no cues with text (expected lines like "
                                    "“00:00:01.000 --> 00:00:04.000” followed by text)."), "empty")
    return _subtitles(name, "vtt", data, encoding, cues)


def parse_srt(name, data, max_bytes):
    text, encoding = decode_text(name, data)
    cues = _subtitle_cues(_cue_blocks(text), vtt=False)
    if not cues:
        raise ImportRefused(name, _("the file holds no subtitles with text (expected a number, a "
                                    "line like “00:00:01,000 --> 00:00:04,000”, then text)."),
                            "not_subtitles")
    return _subtitles(name, "srt", data, encoding, cues)


HYPHEN_BREAK = re.compile(r"([^\W\d_])[-\u00ad][ \t]*\n[ \t]*(?=[^\W\d_])")


def rejoin_hyphenated(text):
    """Re-join a word split by a line-end hyphen ("migra-\\nción"), when the next line goes on in
    lower case; a soft hyphen always joins. "Latin-\\nAmerican" keeps its hyphen."""

    def join(match):
        following = text[match.end()]
        hyphen = match.group(0)[1]
        if hyphen == "\u00ad" or following.islower():
            return match.group(1)
        return match.group(0)

    return HYPHEN_BREAK.sub(join, text)


def parse_pdf(name, data, max_bytes):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportRefused(name, _("the PDF is password-protected."), "encrypted")
        if len(reader.pages) > PDF_MAX_PAGES:
            raise ImportRefused(name, _("the PDF has %(pages)s pages; the limit is %(limit)s.") % {
                "pages": f"{len(reader.pages):,}", "limit": f"{PDF_MAX_PAGES:,}"}, "too_large")
        pages, size = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            size += len(pages[-1].encode("utf-8")) + 1
            _check_extracted_size(name, size, max_bytes)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - any failure inside a third-party parser of hostile input
        raise ImportRefused(name, _("the file is not a readable PDF."), "corrupt") from None
    text = LINE_BREAKS.sub("\n", "\n".join(pages).replace("\r\n", "\n").replace("\r", "\n"))
    text = CONTROL.sub("", text)  # extraction artifacts, not content
    text = rejoin_hyphenated("\n".join(line.rstrip() for line in text.split("\n")))
    if not text.strip():
        raise ImportRefused(name, _("the PDF has no text layer (is it a scan?). Run OCR on it "
                                    "first, or paste the text."), "empty")
    return _finish(name, "pdf", data, text)


PARSERS = {"txt": parse_txt, "docx": parse_docx, "vtt": parse_vtt, "srt": parse_srt, "pdf": parse_pdf}


def parse_file(name, data, *, max_bytes):
    """Parse one uploaded file. Raises ImportRefused with a message naming the file."""
    name = PurePath(name).name or "?"
    check_size(name, len(data), max_bytes)
    fmt = detect_format(name, data)
    return PARSERS[fmt](name, data, max_bytes)
