"""A classification sheet out to CSV or XLSX, and back in: reading a file into a table of
strings, comparing it with the sheet (new participants, changed cells, unknown columns, bad
cells), and the digest that ties a preview to what is applied.

Rows are matched on the pseudonym code (participants) or the id (transcripts); columns on the
attribute's name, case-insensitively. Every text cell, headers included, is written through
studies.spreadsheet (a formula as text: behind an apostrophe in CSV, a string cell in XLSX) and
read back without the apostrophe; numbers and dates are written as such."""

import csv
import datetime
import hashlib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from interviews.attributes import display_value, parse_value
from interviews.models import AttributeTarget, AttributeType
from studies.spreadsheet import csv_cell, csv_row, csv_uncell, xlsx_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
MAX_ROWS = 20000


def _filename(sheet, ext):
    name = "participants" if sheet.target == AttributeTarget.PARTICIPANT else "transcripts"
    return f'attachment; filename="{sheet.study.slug}-{name}.{ext}"'


def _typed_value(column, row):
    """A cell as a number, a date or text: numbers and dates are never escaped (they are no
    formula, and -3 must stay a number our import reads back); text goes through
    studies.spreadsheet, whatever its column."""
    value = row.values.get(column.key)
    if value is None:
        return None
    if column.type == AttributeType.NUMBER:
        return int(value) if value == value.to_integral_value() else value
    if column.type == AttributeType.DATE:
        return value
    return row.display(column)


def _csv_value(column, row):
    value = _typed_value(column, row)
    if value is None or isinstance(value, str):
        return csv_cell(value or "")
    return display_value(column.type, value)  # 34, -2.5, 2009-04-08: as the import reads them


def sheet_csv(sheet, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(sheet, "csv")
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow(csv_row([column.label for column in sheet.columns]))
    for row in rows:
        writer.writerow([_csv_value(column, row) for column in sheet.columns])
    return response


def _xlsx_cell(worksheet, value):
    cell = xlsx_cell(WriteOnlyCell(worksheet), value)
    if isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def sheet_xlsx(sheet, rows):
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_("Participants") if sheet.target == AttributeTarget.PARTICIPANT
                                      else _("Transcripts"))
    worksheet.append([_xlsx_cell(worksheet, column.label) for column in sheet.columns])
    for row in rows:
        worksheet.append([_xlsx_cell(worksheet, _typed_value(column, row)) for column in sheet.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _filename(sheet, "xlsx")
    return response


# ----- reading a file -----

def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    return csv_uncell(str(value))


def read_table(upload):
    """The file's first sheet as a list of rows of strings (header first), or a
    ValidationError saying why it cannot be read."""
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            cells = workbook.worksheets[0].iter_rows(values_only=True)
            rows = [[_cell_text(v) for v in row] for row in cells]
        except Exception:  # noqa: BLE001 — openpyxl raises many kinds of errors on a bad file
            raise ValidationError(_("This is not an XLSX file that can be read."),
                                  code="sheet_bad_xlsx") from None
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The CSV file is not UTF-8 text."), code="sheet_bad_encoding") from None
        rows = [[_cell_text(v) for v in row] for row in csv.reader(io.StringIO(text, newline=""))]
    else:
        raise ValidationError(_("Choose a .csv or .xlsx file."), code="sheet_bad_type")
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValidationError(_("The file is empty."), code="sheet_empty")
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS},
                              code="sheet_too_long")
    return rows


# ----- comparing a table with the sheet -----

@dataclass
class Change:
    key: str  # the row's code or id
    column: str
    old: str
    new: str


@dataclass
class ImportPlan:
    new_codes: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # Change, for the preview
    apply: list = field(default_factory=list)  # (record or new code, attribute, parsed value)
    unknown_columns: list = field(default_factory=list)
    read_only_columns: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def digest(self):
        """What the preview promised, as a hash: the apply step recomputes the plan and refuses
        if the study changed in between."""
        payload = [self.new_codes, [[c.key, c.column, c.old, c.new] for c in self.changes]]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def plan_import(sheet, table):
    """Compare `table` (header + rows of strings) with `sheet`: every difference, every cell
    that does not parse (with its row number), and the columns it does not know."""
    plan = ImportPlan()
    header = [cell.strip() for cell in table[0]]
    key_column = sheet.columns[0]
    by_name = {column.label.casefold(): column for column in sheet.columns}
    by_name.update({column.attribute.name.casefold(): column for column in sheet.columns if column.editable})
    key_index, mapped = None, []
    for i, name in enumerate(header):
        column = by_name.get(name.casefold())
        if column is key_column or (column is None and name.casefold() == key_column.key):
            key_index = i
        elif column is None:
            if name:
                plan.unknown_columns.append(name)
        elif column.editable:
            mapped.append((i, column))
        else:
            plan.read_only_columns.append(name)
    if key_index is None:
        plan.errors.append(_("The file has no “%(column)s” column to match rows on.")
                           % {"column": key_column.label})
        return plan
    rows = {row.key: row for row in sheet.rows}
    seen = set()
    creating = sheet.target == AttributeTarget.PARTICIPANT
    for number, cells in enumerate(table[1:], start=2):
        cells = cells + [""] * (len(header) - len(cells))
        key = cells[key_index].strip()
        if not key:
            plan.errors.append(_("Row %(row)d has no %(column)s.")
                               % {"row": number, "column": key_column.label})
            continue
        if key.casefold() in seen:
            plan.errors.append(_("Row %(row)d: %(key)s appears twice in the file.")
                               % {"row": number, "key": key})
            continue
        seen.add(key.casefold())
        row = rows.get(key)
        if row is None and not creating:
            plan.errors.append(_("Row %(row)d: there is no transcript with id %(key)s.")
                               % {"row": number, "key": key})
            continue
        if row is None:
            if len(key) > 20:
                plan.errors.append(_("Row %(row)d: a pseudonym code has at most 20 characters.")
                                   % {"row": number})
                continue
            plan.new_codes.append(key)
        for i, column in mapped:
            _plan_cell(plan, number, key, row, column, cells[i])
    return plan


def _plan_cell(plan, number, key, row, column, raw):
    try:
        value = parse_value(column.attribute, raw)
    except ValidationError as exc:
        plan.errors.extend(_("Row %(row)d: %(message)s") % {"row": number, "message": message}
                           for message in exc.messages)
        return
    stored = value.pk if column.type == AttributeType.CHOICE and value is not None else value
    old = row.values.get(column.key) if row is not None else None
    if old == stored:
        return
    new_text = display_value(column.type, stored, column.labels)
    plan.changes.append(Change(key, column.label, row.display(column) if row else "", new_text))
    plan.apply.append((row.obj if row is not None else key, column.attribute, value))
