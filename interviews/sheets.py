"""The classification sheets: a study's participants (or transcripts) as rows and their
attributes as columns, sorted and filtered by any column, and the same table as CSV or XLSX.

Four queries whatever the size: the records, the attributes, their choices, the values. Sorting
and filtering happen here in Python, on the typed values, since the page shows every row anyway
and a sort by an attribute would otherwise need one join per column."""

import html
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from operator import methodcaller

from django.db import connections
from django.utils.translation import gettext_lazy as _

from interviews.attributes import display_value, parse_value
from interviews.models import (
    VALUE_COLUMNS,
    Attribute,
    AttributeTarget,
    AttributeType,
    AttributeValue,
    Participant,
    Transcript,
)


@dataclass
class Column:
    key: str  # "a<id>" for an attribute, the field name for a record's own column
    label: str
    type: str = AttributeType.TEXT
    attribute: Attribute | None = None
    labels: dict = field(default_factory=dict)  # choice id or stored value -> label
    order: dict = field(default_factory=dict)  # choice id -> its place in the list

    def __post_init__(self):
        self._shown, self._html = {}, {}

    @property
    def editable(self):
        return self.attribute is not None

    def display(self, value):
        """A value as text; remembered per value, since a column repeats few (choices, yes/no)."""
        try:
            return self._shown[value]
        except KeyError:
            shown = self._shown[value] = display_value(self.type, value, self.labels)
            return shown

    def html(self, value):
        try:
            return self._html[value]
        except KeyError:  # the standard library's escape: Django's, without its lazy-text wrapper
            shown = self._html[value] = html.escape(str(self.display(value)))
            return shown


@dataclass
class Row:
    obj: object
    key: str  # the pseudonym code, or the transcript's id
    values: dict  # column key -> typed value (None when empty)

    def display(self, column):
        return column.display(self.values.get(column.key))


def _record_columns(target):
    """The records' own columns, read-only here (a participant's code is changed by owners on the
    participants page)."""
    if target == AttributeTarget.PARTICIPANT:
        return [
            Column("code", str(_("Code"))),
        ]
    return [
        Column("id", str(_("Id")), AttributeType.NUMBER),
        Column("title", str(_("Title"))),
        Column("participant", str(_("Participant"))),
        Column("interview_date", str(_("Interview date")), AttributeType.DATE),
    ]


def attribute_column(attribute):
    choices = list(attribute.choices.all()) if attribute.type == AttributeType.CHOICE else []
    return Column(
        f"a{attribute.pk}", attribute.name, attribute.type, attribute,
        labels={choice.pk: choice.label for choice in choices},
        order={choice.pk: i for i, choice in enumerate(choices)},
    )


def _records(study, target):
    if target == AttributeTarget.PARTICIPANT:
        records = Participant.objects.filter(study=study).only("pk", "study_id", "code").order_by("code")
        return [Row(p, p.code, {"code": p.code}) for p in records]
    records = Transcript.objects.filter(study=study).select_related("participant").only(
        "pk", "study_id", "title", "interview_date", "participant__code",
    ).order_by("participant__code", "title")
    return [Row(t, str(t.pk), {"id": Decimal(t.pk), "title": t.title, "participant": t.participant.code,
                               "interview_date": t.interview_date}) for t in records]


class Sheet:
    """The sheet of `target` ("participant" or "transcript") of `study` as `membership` may see
    it: identifying attributes only for owners."""

    def __init__(self, study, target, *, identifying):
        self.study, self.target = study, target
        self.attributes = list(Attribute.objects.visible(study, target, identifying=identifying))
        self.columns = _record_columns(target) + [attribute_column(a) for a in self.attributes]
        self.rows = _records(study, target)
        self._fill()

    def _fill(self):
        """One query per type of attribute the sheet has (five at most, whatever the number of
        columns), each reading only that type's column: converting every typed column of
        30,000 rows cost more than the extra queries. The rows are read raw and each distinct
        value is converted once (a column repeats few values), rather than every row through
        the ORM's converters."""
        values = {row.obj.pk: row.values for row in self.rows}
        owner = self.target  # "participant" or "transcript": the value's foreign key
        by_type = {}
        for attribute in self.attributes:
            by_type.setdefault(attribute.type, []).append(attribute.pk)
        for kind, ids in by_type.items():
            column = "choice_id" if kind == AttributeType.CHOICE else VALUE_COLUMNS[kind]
            # by the attributes alone, which are this study's (read with it; migration 0009 keeps
            # a value in its attribute's study): a filter on the study too had SQLite read every
            # value of the study by its study index for each type
            rows = AttributeValue.objects.filter(
                attribute__in=ids, **{f"{owner}__isnull": False}
            ).values_list(f"{owner}_id", "attribute_id", column)
            raw = _raw_rows(rows)
            convert = _db_converter(AttributeValue._meta.get_field(column), connections[rows.db])
            typed = {value: convert(value) for value in {row[2] for row in raw}}
            keys = {pk: f"a{pk}" for pk in ids}
            for pk, attribute_id, value in raw:
                if pk in values:
                    values[pk][keys[attribute_id]] = typed[value]

    def column(self, key):
        return next((column for column in self.columns if column.key == key), None)

    # ----- sort and filter -----

    def sorted_filtered(self, *, sort="", descending=False, filters=None):
        """The rows whose cells match every filter ({column key: text}), sorted by the column
        `sort` (empty cells last, whichever the direction). Unknown columns are ignored."""
        rows = self.rows
        for key, text in (filters or {}).items():
            column = self.column(key)
            if column is not None and text.strip():
                match = _matcher(column, text.strip())
                rows = [row for row in rows if match(row.values.get(key), row.display(column))]
        column = self.column(sort)
        if column is not None:
            present = [row for row in rows if row.values.get(column.key) is not None]
            empty = [row for row in rows if row.values.get(column.key) is None]
            present.sort(key=lambda row: _sort_key(column, row.values[column.key]), reverse=descending)
            rows = present + empty
        return rows

    # ----- export -----

    def table(self, rows=None):
        """Header and rows of display strings: what the CSV and XLSX exports hold, and what an
        import reads back."""
        header = [column.label for column in self.columns]
        return header, [[row.display(column) for column in self.columns] for row in rows or self.rows]


def _raw_rows(queryset):
    """The rows of a values_list queryset as the database returns them (no conversion)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _db_converter(model_field, connection):
    """What the ORM does to a column's raw value when it reads `model_field` (e.g. SQLite's
    text to a date, a number to a Decimal of the field's places)."""
    col = model_field.get_col(model_field.model._meta.db_table)
    converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)

    def convert(value):
        for converter in converters:
            value = converter(value, col, connection)
        return value

    return convert


def _sort_key(column, value):
    if column.type == AttributeType.CHOICE:
        return column.order.get(value, len(column.order))
    if column.type == AttributeType.TEXT:
        return str(value).casefold()
    return value


def _matcher(column, text):
    """A filter's test for a cell: numbers and dates take a range "from..to" (either end may be
    left out) or one value; choices and yes/no match whole labels; text matches a part."""
    if column.type in (AttributeType.NUMBER, AttributeType.DATE):
        low, sep, high = text.partition("..")
        parse = _parse_bound(column)
        low, high = parse(low), parse(high) if sep else parse(low)
        if sep == "" and low is None:
            return lambda value, shown: False
        return lambda value, shown: value is not None and (low is None or value >= low) and (
            high is None or value <= high)
    if column.type in (AttributeType.CHOICE, AttributeType.BOOLEAN):
        wanted = text.casefold()
        return lambda value, shown: shown.casefold() == wanted
    wanted = text.casefold()
    return lambda value, shown: wanted in shown.casefold()


def _parse_bound(column):
    probe = Attribute(name=column.label, type=column.type)

    def parse(text):
        try:
            return parse_value(probe, text)
        except Exception:  # noqa: BLE001 — a filter that does not parse matches nothing beyond it
            return None
    return parse


# ----- the page's table, built here: 30,000 cells through the template engine cost ~1 s -----

def sheet_rows_html(sheet, rows):
    """The <tbody> rows of the sheet page. Built in Python rather than a template loop because
    a 1,000 × 30 sheet is 30,000 cells, which Django's template engine renders ten times slower;
    every value is escaped here.

    Column by column: a column repeats few values (choices, yes/no, numbers), so each distinct
    value's cell is made once and the column's cells are dictionary look-ups; rows are then
    joined from the columns (map, zip and join run in C, not a Python call per cell)."""
    first, *rest = sheet.columns
    values = [row.values for row in rows]
    columns = []
    for column in sheet.columns:
        cells = list(map(methodcaller("get", column.key), values))
        if column is first:
            opening, closing = '<th scope="row">', "</th>"
        elif column.editable:
            opening, closing = f'<td data-c="{column.attribute.pk}" tabindex="-1">', "</td>"
        else:
            opening, closing = "<td>", "</td>"
        made = {value: f"{opening}{column.html(value)}{closing}" for value in set(cells)}
        columns.append(map(made.__getitem__, cells))
    openings = [f'<tr data-o="{row.obj.pk}">' for row in rows]
    return "\n".join(map("".join, zip(openings, *columns, repeat("</tr>", len(rows)), strict=True)))
