"""Theme report as DOCX (python-docx), CSV and XLSX (openpyxl); every excerpt as CSV.

Exports hold what the page holds: pseudonyms and attributes, quotes only from participants who
may be quoted, the organisation only where "quote_named" allows it. A cell that a spreadsheet
would run as a formula (it starts with = + - @, a tab or a carriage return) is written as text,
by studies.spreadsheet: in CSV behind a leading apostrophe, in XLSX as a string cell.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.layers import layer_label
from reports.queries import citation, may_name_organisation, participant_heading
from studies.spreadsheet import csv_cell, csv_row, xlsx_append, xlsx_cell

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"  # so that spreadsheet programs read the CSV as UTF-8


@dataclass
class Meta:
    """Who made an export and when: the document's title (the study), author (the exporting
    user) and creation time, and the report's header (reports.views.report_header)."""

    title: str
    author: str
    created: datetime.datetime
    header: dict = None


def _docx_properties(doc, meta, subject=""):
    """The study as title, the exporting user as author, now as created and modified: not the
    library template's "python-docx", 2013-12-23."""
    props = doc.core_properties
    props.title, props.subject = meta.title, subject
    props.author = props.last_modified_by = meta.author
    props.created = props.modified = meta.created.astimezone(datetime.UTC).replace(tzinfo=None)
    props.revision, props.keywords, props.comments, props.category = 1, "", "", ""


def _xlsx_properties(book, meta, subject=""):
    props = book.properties
    props.title, props.subject = meta.title, subject
    props.creator = props.lastModifiedBy = meta.author
    props.created = props.modified = meta.created.astimezone(datetime.UTC).replace(tzinfo=None)


def header_rows(header):
    """The report header as label-value rows, for the first lines of a DOCX or a sheet."""
    return [
        [_("Study"), header["study"]],
        [_("Report date"), header["date"].astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")],
        [_("Made by"), header["user"]],
        [_("Filters"), header["filters"]],
        [_("Coder layer"), str(header["coders"])],
        [_("Left out for consent"), header["left_out"]],
    ]


def report_header(study, report, *, user, group):
    """What a report says about itself: study, date, who made it (`user`, a username), its
    filters (`group`: how its quotes are grouped), the coders it reads and who it leaves out for
    consent (reports/report_header.html, the first lines of a DOCX or a sheet)."""
    state = _("included") if report.include_subthemes else _("left out")
    filters = [_("sub-themes %(state)s") % {"state": state}]
    if report.participant is not None:
        filters.append(_("participant %(code)s only") % {"code": report.participant.code})
    if report.transcript is not None:
        filters.append(_("transcript «%(title)s» only") % {"title": report.transcript.title})
    filters.append(_("quotes grouped by %(group)s") % {"group": group})
    return {
        "study": study.name,
        "date": timezone.now(),
        "user": user,
        "filters": "; ".join(str(f) for f in filters),
        "coders": layer_label(getattr(report, "layer", None)),
        "left_out": report.left_out.sentence(),
    }


def _date(value):
    return value.isoformat() if value else ""


def quote_columns(report, memos=False):
    """The quote exports' header: a column per choice attribute of participants (the report's
    `by_attribute`, the same as each QuoteRow's `choice_values`), then the organisation."""
    return [_("Participant"), *(attribute.name for attribute, _counts in report.by_attribute),
            _("Organisation"), _("Interview date"),
            _("Transcript"), _("Start"), _("End"), _("Themes"), _("Quote"), _("Citation"), _("Reference"),
            _("Coder"), _("Coded on"), *([_("Memos")] if memos else [])]


def excerpt_memo_text(quote):
    """A quote's own memo and the memos linked to it (title: words), one paragraph each."""
    parts = [quote.memo] if quote.memo else []
    parts += [f"{m.title}: {m.body_text}" if m.body_text else m.title for m in quote.report_memos]
    return "\n\n".join(parts)


def quote_rows(quotes, memos=False):
    """One row per quote of a theme report (reports.queries.QuoteRow), in the page's order."""
    for x in quotes:
        yield [
            x.code,
            *x.choice_values,
            x.organisation if may_name_organisation(x) else "",
            _date(x.interview_date),
            x.title,
            x.start,
            x.end,
            "; ".join(name for _pk, name in x.themes),
            x.quote,
            citation(x.code, x.interview_date),
            x.reference,
            x.coder,
            _date(timezone.localdate(x.created_at)),
            *([excerpt_memo_text(x)] if memos else []),
        ]


def theme_report_csv(report, quotes, meta, memos=None):
    """`memos` (the theme's, or None when not asked): a Memos column holds each quote's."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(csv_row(quote_columns(report, memos is not None)))
    for row in quote_rows(quotes, memos is not None):
        writer.writerow(csv_row(row))
    return out.getvalue().encode("utf-8")


def _count_rows(report):
    rows = [
        [_("Theme"), report.texts.name],
        [_("Sub-themes"), _("included") if report.include_subthemes else _("left out")],
        [_("Excerpts"), report.totals.excerpts],
        [_("Participants"), report.totals.participants],
    ]
    if report.participant is not None:
        rows.append([_("Participant"), report.participant.code])
    if report.transcript is not None:
        rows.append([_("Transcript"), report.transcript.title])
    for attribute, counts in report.by_attribute:
        rows.append([])
        rows.append([attribute.name, _("Excerpts"), _("Participants")])
        rows += [[str(label), c.excerpts, c.participants] for label, c in counts]
    rows.append([])
    rows.append([report.left_out.sentence()])
    return rows


def theme_report_xlsx(report, quotes, meta, memos=None):
    """`memos` (the theme's, or None when not asked): a Memos column and a Memos sheet."""
    book = Workbook()
    _xlsx_properties(book, meta, report.theme.name)
    sheet = book.active
    sheet.title = _("Quotes")[:31]
    columns = quote_columns(report, memos is not None)
    xlsx_append(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(quote_rows(quotes, memos is not None), start=2):
        for c, value in enumerate(row, start=1):
            xlsx_cell(sheet.cell(row=r, column=c), value)
    quote = get_column_letter(columns.index(_("Quote")) + 1)
    sheet.column_dimensions[quote].width = 80
    for cell in sheet[quote]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    counts = book.create_sheet(_("Counts")[:31])
    for row in _count_rows(report):
        xlsx_append(counts, row)
    if memos is not None:
        memo_sheet = book.create_sheet(_("Memos")[:31])
        xlsx_append(memo_sheet, [_("Title"), _("Type"), _("Author"), _("Changed"), _("Text")])
        for memo in memos:
            author = getattr(memo.author, "username", "")
            xlsx_append(memo_sheet, [memo.title, memo.get_type_display(), author,
                                     memo.updated_at.strftime("%Y-%m-%d %H:%M"), memo.body_text])
    about = book.create_sheet(_("Report")[:31])
    for row in header_rows(meta.header):
        xlsx_append(about, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def memos_docx(doc, memos, level=1):
    """Memos as headed sections: title, then type, author and date, then the words."""
    for memo in memos:
        doc.add_heading(memo.title, level=level)
        meta = doc.add_paragraph()
        meta.add_run(f"{memo.get_type_display()} · {getattr(memo.author, 'username', '')} · "
                     f"{memo.updated_at:%Y-%m-%d}").italic = True
        for paragraph in memo.body_text.split("\n"):
            if paragraph.strip():
                doc.add_paragraph(paragraph)


def _docx_header(doc, header):
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in header_rows(header):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value


def theme_report_docx(report, quotes, meta, memos=None):
    """The report as the paper would print it: its header, definition and criteria, the
    numbers, then the quotes grouped by participant (or sub-theme), each cited the paper's way
    with its reference. With `memos` (asked for): the theme's memos before the quotes, and each
    quote's memos under it."""
    theme, texts = report.theme, report.texts  # the theme's texts in the report's language
    doc = Document()
    _docx_properties(doc, meta, texts.name)
    doc.add_heading(texts.name, level=0)
    _docx_header(doc, meta.header)
    path = " › ".join(t.name for t in report.tree.ancestors(theme.pk))
    if path:
        doc.add_paragraph(path)
    for heading, text in ((_("Definition"), texts.description),
                          (_("Inclusion criteria"), texts.inclusion_criteria),
                          (_("Exclusion criteria"), texts.exclusion_criteria)):
        if text:
            doc.add_heading(heading, level=2)
            doc.add_paragraph(text)
    doc.add_heading(_("Counts"), level=1)
    table = doc.add_table(rows=0, cols=3)
    table.style = "Table Grid"
    for row in _count_rows(report)[:-1]:
        if row:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=False):
                cell.text = str(value)
    doc.add_paragraph(report.left_out.sentence())
    if memos is not None:
        doc.add_heading(_("Memos"), level=1)
        memos_docx(doc, memos, level=2)
        if not memos:
            doc.add_paragraph(_("No memos."))
    doc.add_heading(_("Quotes"), level=1)
    current = None
    for x in quotes:
        key = x.group_theme if x.group_theme is not None else x.participant_id
        if key != current:
            current = key
            heading = report.tree.by_id[key].name if x.group_theme is not None else participant_heading(x)
            doc.add_heading(heading, level=2)
        paragraph = doc.add_paragraph(style="Quote")
        paragraph.add_run(f"«{x.quote}» ")
        paragraph.add_run(citation(x.code, x.interview_date))
        doc.add_paragraph(_("%(reference)s · coded by %(coder)s, %(date)s") % {
            "reference": x.reference, "coder": x.coder, "date": _date(timezone.localdate(x.created_at))})
        if memos is not None and excerpt_memo_text(x):
            doc.add_paragraph().add_run(excerpt_memo_text(x)).italic = True
    if current is None:
        doc.add_paragraph(_("No quotes."))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


EXCERPT_COLUMNS = [
    gettext_lazy("Excerpt"), gettext_lazy("Participant"),  # then a column per attribute of participants
    gettext_lazy("Transcript"), gettext_lazy("Interview date"),
    gettext_lazy("Start"), gettext_lazy("End"), gettext_lazy("Themes"), gettext_lazy("Coder"),
    gettext_lazy("Needs review"), gettext_lazy("Quotable"), gettext_lazy("Quote"), gettext_lazy("Reference"),
]


def excerpts_csv(rows, *, filename, attributes=()):
    """Stream `rows` (reports.queries.excerpts_for_export) as CSV, 1,000 lines a chunk:
    100,000 excerpts never sit in memory as text at once, and each chunk costs one writerows
    call and one encode rather than one per line. The loop runs once per excerpt, so it avoids
    per-column dispatch and function calls. `attributes`: the non-identifying attributes of
    participants whose values each row holds (interviews.attributes.Profiles)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yes, no = _("yes"), _("no")
    esc = csv_cell

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    def lines():
        buffer.write(BOM)
        header = [str(label) for label in EXCERPT_COLUMNS]
        writer.writerow(header[:2] + [attribute.name for attribute in attributes] + header[2:])
        yield flush()
        batch = []
        for row in rows:
            (pk, code, values, title, date, start, end, coder, review, quotable, quote,
             themes, reference) = row
            themes = "; ".join(themes)
            batch.append((
                pk,
                esc(code),
                *map(esc, values),
                esc(title),
                date.isoformat() if date else "",
                start,
                end,
                esc(themes),
                esc(coder),
                yes if review else no,
                yes if quotable else no,
                esc(quote),
                esc(reference),
            ))
            if len(batch) == 1000:
                writer.writerows(batch)
                batch.clear()
                yield flush()
        writer.writerows(batch)
        yield flush()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_csv(header, rows, *, filename):
    """A table (a header row, then rows) as CSV, streamed; text cells that a spreadsheet would
    run as formulas are written as text."""
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(BOM)
        writer.writerow(csv_row(header))
        for row in rows:
            writer.writerow(csv_row(row))
            if buffer.tell() > 64_000:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _write_only_cell(ws, value):
    """studies.spreadsheet.xlsx_cell for a write-only sheet: a string is a string cell, never a
    formula."""
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def table_xlsx(header, rows, *, sheet, meta, filename):
    """A table as one XLSX sheet (openpyxl's write-only mode: rows go straight to the file),
    with the study, author and time as the workbook's properties."""
    from django.http import HttpResponse

    book = Workbook(write_only=True)
    _xlsx_properties(book, meta)
    ws = book.create_sheet(sheet[:31])
    ws.append([_write_only_cell(ws, v) for v in header])
    for row in rows:
        ws.append([_write_only_cell(ws, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def codebook_report_docx(sections, meta):
    """The codebook report: its header, then every theme in codebook order with its
    definition, criteria, counts and quotes (each cited, with its reference)."""
    doc = Document()
    _docx_properties(doc, meta, _("Codebook report"))
    doc.add_heading(_("Codebook report"), level=0)
    _docx_header(doc, meta.header)
    for section in sections:
        theme = section["theme"]
        doc.add_heading(theme.name, level=min(section["depth"] + 1, 8))
        path = " › ".join(t.name for t in section["path"])
        if path:
            doc.add_paragraph(path)
        for heading, text in ((_("Definition"), theme.description),
                              (_("Inclusion criteria"), theme.inclusion_criteria),
                              (_("Exclusion criteria"), theme.exclusion_criteria)):
            if text:
                doc.add_paragraph(f"{heading}: {text}")
        counts = section["counts"]
        doc.add_paragraph(_("%(excerpts)s excerpts (with its sub-themes, each once) from %(participants)s "
                            "participants who count (consent given, not withdrawn).")
                          % {"excerpts": counts.excerpts, "participants": counts.participants})
        for x in section["quotes"]:
            paragraph = doc.add_paragraph(style="Quote")
            paragraph.add_run(f"«{x.quote}» ")
            paragraph.add_run(citation(x.code, x.interview_date))
            doc.add_paragraph(f"{x.reference} · {participant_heading(x)}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
