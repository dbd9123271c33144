"""The codebook as CSV, both ways: one row per theme, for spreadsheets and for tools that take
a plain list of codes (Taguette imports its codebook as CSV).

Columns: guid, parent_guid, name, kind, colour, description, inclusion_criteria,
exclusion_criteria, excerpts. `guid` and `parent_guid` carry the tree (the same GUIDs as the
.qdc, `theme_guid`); `excerpts` is informative and ignored on import.

Export is UTF-8 with a BOM (so Excel reads the accents) and CRLF rows (RFC 4180). A cell that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) gets a
leading apostrophe, which import takes off again, so a round trip is exact.

Import needs only a `name` column. It takes a BOM or none, commas, semicolons (Excel in
Spanish) or tabs, a few other column names (code, theme, color, parent…), and rows in any
order; it reports what it could not use. It ends in the same `codebook_import` as the .qdc.
"""

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _

from coding.codebook_qdc import (
    CodebookFileError,
    CodeSpec,
    ImportReport,
    codebook_import,
    read_upload,
    theme_guid,
)
from coding.forms import clean_theme_text
from coding.models import ThemeKind
from studies.spreadsheet import csv_cell, csv_uncell

COLUMNS = ["guid", "parent_guid", "name", "kind", "colour", "description", "inclusion_criteria",
           "exclusion_criteria", "excerpts"]
ALIASES = {
    "id": "guid", "parent": "parent_guid", "parent_id": "parent_guid", "code": "name",
    "theme": "name", "tag": "name", "color": "colour", "definition": "description",
    "inclusion": "inclusion_criteria", "exclusion": "exclusion_criteria",
    "number_of_highlights": "excerpts",
}
def codebook_csv_bytes(themes):
    """`themes` (Theme.objects.for_codebook_export(study)) as CSV bytes, in tree order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for theme in themes:
        writer.writerow([
            theme_guid(theme),
            theme_guid(theme.parent_id) if theme.parent_id else "",
            *(csv_cell(v) for v in (theme.name, theme.kind, theme.colour, theme.description,
                                   theme.inclusion_criteria, theme.exclusion_criteria)),
            getattr(theme, "excerpt_count", ""),
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _column(header):
    key = header.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _kind(value, row, report):
    wanted = value.strip().casefold()
    if not wanted:
        return ""
    for kind, label in ThemeKind.choices:
        if wanted in (kind, str(label).casefold()):
            return kind
    report.unmapped.append(_("Row %(row)s: kind «%(kind)s» is not one of %(kinds)s; the theme takes its "
                             "parent's kind.") % {"row": row, "kind": value,
                                                  "kinds": ", ".join(ThemeKind.values)})
    return ""


def _delimiter(text):
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count)


def _specs(rows, columns, report):
    """CodeSpec trees from CSV rows: `parent_guid` nests a row under another; a parent missing
    from the file, or a loop of parents, puts the row at the top (reported)."""
    specs, parents, order = {}, {}, []
    for number, row in rows:
        cell = {c: csv_uncell(v) for c, v in zip(columns, row, strict=False) if c}
        if not any(v.strip() for v in row):
            continue
        if not cell.get("name", "").strip():
            report.skipped.append(_("Row %(row)s has no name.") % {"row": number})
            continue
        guid = cell.get("guid", "").strip() or f"row:{number}"
        if guid in specs:
            report.warnings.append(
                _("Row %(row)s repeats the guid %(guid)s of an earlier row; it was imported, but nothing "
                  "can sit under it.") % {"row": number, "guid": guid}
            )
            guid = f"row:{number}"
        specs[guid] = CodeSpec(
            guid=guid, name=cell["name"], colour=cell.get("colour", "").strip(),
            description=clean_theme_text(cell.get("description", "")),
            inclusion_criteria=clean_theme_text(cell.get("inclusion_criteria", "")),
            exclusion_criteria=clean_theme_text(cell.get("exclusion_criteria", "")),
            kind=_kind(cell.get("kind", ""), number, report),
        )
        parents[guid] = (cell.get("parent_guid", "").strip(), number)
        order.append(guid)
    top = []
    for guid in order:
        parent, number = parents[guid]
        ancestor, seen = parent, {guid}
        while ancestor in specs and ancestor not in seen:
            seen.add(ancestor)
            ancestor = parents[ancestor][0]
        if parent and parent not in specs:
            report.unmapped.append(
                _("Row %(row)s: its parent %(parent)s is not in the file; it was imported at the top level.")
                % {"row": number, "parent": parent}
            )
            top.append(specs[guid])
        elif parent and ancestor == guid:
            report.warnings.append(_("Row %(row)s is its own ancestor through parent_guid; it was imported "
                                     "at the top level.") % {"row": number})
            parents[guid] = ("", number)
            top.append(specs[guid])
        elif parent:
            specs[parent].children.append(specs[guid])
        else:
            top.append(specs[guid])
    return top


def codebook_import_csv(file, *, study, report=None):
    """Import a CSV codebook (an open binary file or an upload) into the study, all or nothing.
    Raises CodebookFileError with a message for the user when the file cannot be read. Who may
    import is the view's business (coding.access)."""
    report = report if report is not None else ImportReport()
    try:
        text = read_upload(file).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookFileError(
            _("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        ) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        header = next(reader, None)
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise CodebookFileError(_("The CSV file cannot be read (%(error)s).") % {"error": exc}) from None
    columns = [_column(h) for h in header or []]
    if "name" not in columns:
        raise CodebookFileError(_("The CSV file has no “name” column. Its first row must name the columns, "
                                  "e.g. name,parent_guid,colour,description."))
    ignored = [h for h, c in zip(header, columns, strict=True) if c not in COLUMNS]
    if ignored:
        report.unmapped.append(_("Columns with no equivalent here were ignored: %(columns)s.")
                               % {"columns": ", ".join(ignored)})
    columns = [c if c in COLUMNS and c not in columns[:i] else "" for i, c in enumerate(columns)]
    with transaction.atomic():
        codebook_import(study=study, codes=_specs(rows, columns, report), report=report)
    return report
