"""Cells for every CSV and XLSX the app writes, safe from formula injection (OWASP "CSV
Injection"): a spreadsheet runs a cell that starts with = + - @, a tab or a carriage return.

CSV: such a cell gets a leading apostrophe, which spreadsheets show as text. A value that already
starts with apostrophes before such a character gets one more, so `csv_uncell` gives back exactly
what was written (the codebook CSV round trip). XLSX: every string is written as a string cell,
never as a formula, so it reads exactly as stored.

It sits in the bottom layer so that interviews, coding and reports all use this one helper.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHECK_START = (*FORMULA_START, "'")


def _needs_escape(value):
    while value.startswith("'"):
        value = value[1:]
    return value.startswith(FORMULA_START)


def csv_cell(value):
    """`value` as a CSV cell; only strings are touched."""
    if isinstance(value, str) and value.startswith(_CHECK_START) and _needs_escape(value):
        return "'" + value
    return value


def csv_row(values):
    return [csv_cell(v) for v in values]


def csv_uncell(value):
    """The value `csv_cell` was given, from what it wrote."""
    return value[1:] if value.startswith("'") and _needs_escape(value[1:]) else value


def xlsx_cell(cell, value):
    """Set an openpyxl cell; a string is a string cell even when it starts with "=" (openpyxl
    would otherwise write a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def xlsx_append(sheet, values):
    """sheet.append(values), each string as a string cell."""
    from openpyxl.cell import Cell  # here, so CSV writers do not load openpyxl

    sheet.append([xlsx_cell(Cell(sheet), v) if isinstance(v, str) else v for v in values])
