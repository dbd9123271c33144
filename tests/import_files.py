"""Files for import tests, generated here: Word documents with python-docx, a minimal PDF with a
text layer, and hostile archives (zip bombs, entity expansion)."""

import io
import zipfile

import docx

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"""


def make_docx(paragraphs, table=None):
    """A real .docx: one paragraph per item (bold speaker label before the first ': '), then an
    optional table given as rows of cell texts."""
    document = docx.Document()
    for text in paragraphs:
        paragraph = document.add_paragraph()
        label, sep, rest = text.partition(": ")
        if sep and len(label) < 30:
            paragraph.add_run(label + ":").bold = True
            paragraph.add_run(" " + rest)
        else:
            paragraph.add_run(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replace_part(docx_bytes, part, data):
    """The same .docx with one part's bytes replaced."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, data if item.filename == part else source.read(item))
    return out.getvalue()


def make_zip_bomb(size=60 * 1024 * 1024):
    """A .docx whose document part inflates from about 60 KB to `size` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b" " * (size - 1))
    return out.getvalue()


def make_many_entries(count=2_500):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"word/part{i}.xml", "<a/>")
    return out.getvalue()


def _pdf_string(line):
    out = ""
    for ch in line:
        byte = ch.encode("cp1252")[0]
        out += "\\" + ch if ch in "()\\" else (f"\\{byte:03o}" if byte > 126 else ch)
    return out


def make_pdf(lines):
    """A one-page PDF whose text layer holds `lines` (Helvetica, WinAnsi), one per text line."""
    ops = ["BT /F1 12 Tf 72 760 Td 14 TL", *(f"({_pdf_string(line)}) Tj T*" for line in lines), "ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


VTT = """WEBVTT
Kind: captions

NOTE recorded in Pasto, 2009

1
00:00:01.000 --> 00:00:04.000
<v Interviewer>How did the strategy start?

2
00:00:04.500 --> 00:00:06.000 align:start
<v Interviewer>And who took part?

00:01:02.250 --> 00:01:09.000
<v D>With the youth office &amp; the
<v D>gender work, in migración.
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
INTERVIEWER: ¿Cómo empezó la estrategia?

2
00:00:04,500 --> 00:00:09,000
D: Con la oficina
de <i>juventud</i>.

3
01:02:03,000 --> 01:02:05,000
Y la migración forzada.
"""
