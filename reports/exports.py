"""Theme report as DOCX (python-docx), CSV and XLSX (openpyxl); every excerpt as CSV.

Exports hold what the page holds: pseudonyms and attributes, quotes only from participants who
may be quoted, the organisation only where "quote_named" allows it. A cell that a spreadsheet
would run as a formula (it starts with = + - @, a tab or a carriage return) is written as text,
by studies.spreadsheet: in CSV behind a leading apostrophe, in XLSX as a string cell.
"""

import csv
import io

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from interviews.models import Gender, Sector
from reports.queries import citation, gender_label, may_name_organisation, participant_heading, sector_label
from studies.spreadsheet import csv_cell, csv_row, xlsx_append, xlsx_cell

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"  # so that spreadsheet programs read the CSV as UTF-8


def _date(value):
    return value.isoformat() if value else ""


def quote_columns(memos=False):
    return [_("Participant"), _("Sector"), _("Gender"), _("Organisation"), _("Interview date"),
            _("Transcript"), _("Start"), _("End"), _("Themes"), _("Quote"), _("Citation"),
            *([_("Memos")] if memos else [])]


def excerpt_memo_text(excerpt):
    """An excerpt's own memo and the memos linked to it (title: words), one paragraph each."""
    parts = [excerpt.memo] if excerpt.memo else []
    parts += [f"{m.title}: {m.body_text}" if m.body_text else m.title
              for m in getattr(excerpt, "report_memos", ())]
    return "\n\n".join(parts)


def quote_rows(quotes, memos=False):
    """One row per quote of a theme report, in the page's order."""
    for excerpt in quotes:
        transcript = excerpt.transcript
        participant = transcript.participant
        yield [
            participant.code,
            sector_label(participant.sector),
            gender_label(participant.gender),
            participant.organisation if may_name_organisation(participant) else "",
            _date(transcript.interview_date),
            transcript.title,
            excerpt.start,
            excerpt.end,
            "; ".join(t.name for t in excerpt.report_themes),
            excerpt.quote,
            citation(participant.code, transcript.interview_date),
            *([excerpt_memo_text(excerpt)] if memos else []),
        ]


def theme_report_csv(report, quotes, memos=None):
    """`memos` (the theme's, or None when not asked): a Memos column holds each excerpt's."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(csv_row(quote_columns(memos is not None)))
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
    rows.append([])
    rows.append([_("Sector"), _("Excerpts"), _("Participants")])
    rows += [[str(label), c.excerpts, c.participants] for label, c in report.by_sector]
    rows.append([])
    rows.append([_("Gender"), _("Excerpts"), _("Participants")])
    rows += [[str(label), c.excerpts, c.participants] for label, c in report.by_gender]
    rows.append([])
    rows.append([report.left_out.sentence()])
    return rows


def theme_report_xlsx(report, quotes, memos=None):
    """`memos` (the theme's, or None when not asked): a Memos column and a Memos sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Quotes")[:31]
    xlsx_append(sheet, quote_columns(memos is not None))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(quote_rows(quotes, memos is not None), start=2):
        for c, value in enumerate(row, start=1):
            xlsx_cell(sheet.cell(row=r, column=c), value)
    sheet.column_dimensions["J"].width = 80
    for cell in sheet["J"]:
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


def theme_report_docx(report, quotes, memos=None):
    """The report as the paper would print it: definition and criteria, the numbers, then the
    quotes grouped by participant, each cited the paper's way. With `memos` (asked for): the
    theme's memos before the quotes, and each excerpt's memos under it."""
    theme, texts = report.theme, report.texts  # the theme's texts in the report's language
    doc = Document()
    doc.core_properties.title = texts.name
    doc.add_heading(texts.name, level=0)
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
    for excerpt in quotes:
        participant = excerpt.transcript.participant
        if participant.pk != current:
            current = participant.pk
            doc.add_heading(participant_heading(participant), level=2)
        paragraph = doc.add_paragraph(style="Quote")
        paragraph.add_run(f"«{excerpt.quote}» ")
        paragraph.add_run(citation(participant.code, excerpt.transcript.interview_date))
        if memos is not None and excerpt_memo_text(excerpt):
            doc.add_paragraph().add_run(excerpt_memo_text(excerpt)).italic = True
    if current is None:
        doc.add_paragraph(_("No quotes."))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


EXCERPT_COLUMNS = [
    gettext_lazy("Excerpt"), gettext_lazy("Participant"), gettext_lazy("Sector"), gettext_lazy("Gender"),
    gettext_lazy("Organisation"), gettext_lazy("Transcript"), gettext_lazy("Interview date"),
    gettext_lazy("Start"), gettext_lazy("End"), gettext_lazy("Themes"), gettext_lazy("Coder"),
    gettext_lazy("Needs review"), gettext_lazy("Quotable"), gettext_lazy("Quote"),
]


def excerpts_csv(rows, *, filename):
    """Stream `rows` (reports.queries.excerpts_for_export) as CSV, 1,000 lines a chunk:
    100,000 excerpts never sit in memory as text at once, and each chunk costs one writerows
    call and one encode rather than one per line. The loop runs once per excerpt, so it avoids
    per-column dispatch and function calls."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yes, no = _("yes"), _("no")
    sectors = {value: str(label) for value, label in Sector.choices}
    genders = {value: str(label) for value, label in Gender.choices}
    esc = csv_cell

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    def lines():
        buffer.write(BOM)
        writer.writerow([str(label) for label in EXCERPT_COLUMNS])
        yield flush()
        batch = []
        for row in rows:
            (pk, code, sector, gender, org, title, date, start, end, coder, review, quotable, quote,
             themes) = row
            themes = "; ".join(themes)
            batch.append((
                pk,
                esc(code),
                esc(sectors.get(sector, sector)),
                esc(genders.get(gender, gender)),
                esc(org),
                esc(title),
                date.isoformat() if date else "",
                start,
                end,
                esc(themes),
                esc(coder),
                yes if review else no,
                yes if quotable else no,
                esc(quote),
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
