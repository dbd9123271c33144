"""Keyset pagination ("after this excerpt") for the excerpt browser.

A page link carries the ordering key of the last row shown (a cursor) instead of an OFFSET, so
the next page is the first rows after it: the database reads those rows and not the pages
before them, and an excerpt added or deleted meanwhile moves nothing (no row is shown twice or
skipped). The key ends with the primary key, so it orders every row and ties are never lost.
An ordering with a nullable key (the interview date) has no cursor: it pages by number
(OFFSET), slower but the same rows.
"""

import base64
import binascii
import json
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Q
from django.utils.dateparse import parse_datetime


class BadCursor(ValueError):
    """A cursor this ordering could not have made: damaged, or from another ordering."""


def _key_name(field):
    return field.lstrip("-")


def cursor_encode(values):
    """The cursor of a row whose ordering key is `values` (str, int or datetime): URL-safe text."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def cursor_decode(text, kinds):
    """The key values in `text`, checked against `kinds` (str, int or datetime, one per field of
    the ordering). Raises BadCursor."""
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise BadCursor(text) from error
    if not isinstance(values, list) or len(values) != len(kinds):
        raise BadCursor(text)
    decoded = []
    for value, kind in zip(values, kinds, strict=True):
        if kind is datetime:
            try:  # parse_datetime raises ValueError for a well-formed impossible date
                value = parse_datetime(value) if isinstance(value, str) else None
            except ValueError:
                value = None
        elif kind is int and (isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63):
            value = None
        elif kind is str and (not isinstance(value, str) or "\x00" in value):
            value = None  # PostgreSQL's text cannot hold NUL: the query would fail, not find nothing
        if value is None:
            raise BadCursor(text)
        decoded.append(value)
    return decoded


def after_q(ordering, values):
    """Q for the rows after the row with key `values` in `ordering` (names as order_by takes
    them, "-" for descending): (a > x) or (a = x and b > y) or ... The first field's own
    condition (a >= x) is repeated outside the OR, so that an index on it can start there."""
    names = [_key_name(field) for field in ordering]
    first = "lte" if ordering[0].startswith("-") else "gte"
    later = Q()
    for i, field in enumerate(ordering):
        step = Q(**{f"{names[i]}__{'lt' if field.startswith('-') else 'gt'}": values[i]})
        for name, value in zip(names[:i], values[:i], strict=True):
            step &= Q(**{name: value})
        later |= step
    return Q(**{f"{names[0]}__{first}": values[0]}) & later


def keyset_query(excerpts, ordering, *, offset, per_page, fields=("pk",), after=None, keyset=True):
    """The query of one page of `excerpts` in `ordering`: per_page + 1 rows (the extra row says
    whether a next page exists, so no COUNT), each `fields` then, with a cursor ordering
    (`keyset`), the ordering's key; the rows after `after` (key values) when given, else from
    `offset`. KeysetPage reads what it returns."""
    keys = [_key_name(field) for field in ordering] if keyset else []
    rows = excerpts.order_by(*ordering).values_list(*fields, *keys)
    if after is not None:
        return rows.filter(after_q(ordering, after))[: per_page + 1]
    return rows[offset : offset + per_page + 1]


class KeysetPage:
    """One page, from the rows keyset_query's query returned (`rows`, of `width` fields, the
    primary key first, then the ordering's key with `keyset`): `rows` are the page's fields,
    `ids` its primary keys; `cursor` is the last row's key, for the next page's link."""

    def __init__(self, rows, *, number, per_page, width, offset, keyset=True):
        self.number, self.per_page = number, per_page
        self.rows, self.more = [row[:width] for row in rows[:per_page]], len(rows) > per_page
        self.ids = [row[0] for row in self.rows]
        self.cursor = cursor_encode(rows[per_page - 1][width:]) if keyset and self.more else None
        self.start_index = offset + 1 if self.ids else 0
        self.end_index = offset + len(self.ids)

    def has_next(self):
        return self.more

    def has_previous(self):
        return self.number > 1

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    def next_query(self):
        """The next page's query parameters: its number, and its cursor when there is one."""
        params = {"page": self.number + 1}
        if self.cursor:
            params["after"] = self.cursor
        return urlencode(params)
