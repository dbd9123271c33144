"""Queries built and compiled by the ORM once per process, then run again with other values.

Django builds a QuerySet and compiles it to SQL in Python every time it runs. For the small
reads every request makes (the user, the membership) and for the excerpt browser's page, that
building costs several times what the database spends answering (0.3-2.5 ms of Python against
0.05-0.3 ms of SQLite), and it is the same work each time: only the values change.

A Prepared query is a function that builds the QuerySet from named values. The first time it
runs in a given shape (the values' names, types and list lengths, plus whatever else the caller
says changes the SQL), it is built and compiled twice, with two sets of stand-in values; where
each stand-in lands among the SQL's parameters is noted, and the compiler is kept. From then on
the same SQL runs with the real values put in those places, and its rows go through that
compiler's converters (and, for model rows, the same construction as Django's ModelIterable).
The QuerySet stays the one definition of the query: nothing here writes SQL.

Safe by construction: only ints and strs (alone or in lists) are stood in for. A query is
reused only if both compilations gave the same SQL, and each parameter is the same in both (a
constant of the query) or the same stand-in in both, and every stand-in is there, unchanged.
Anything else (a value the field transforms, such as `__contains`'s wrapping; a comparison
Django leaves out for a value beyond the field's range; a constant that happens to equal a
stand-in) runs through the ORM as usual, each time. So does any call with another kind of
value (a date, None, a bool). On PostgreSQL Django passes an IntegerField's value as psycopg's
Int4(value): the compiled query makes Int4(value) again, and a value beyond its range goes
through the ORM. Compiled queries are kept per database connection (so per
thread), at most MAX_SHAPES of them, least recently used out first. The shape must hold
everything else the builder reads (a page size, a setting): a compiled query never sees it
again.
"""

import itertools
from collections import OrderedDict

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

MAX_SHAPES = 256
_counter = itertools.count(1)


class _Compiled:
    """A compiled query: its SQL, where each parameter comes from (a stand-in's name and list
    index, or a constant), and how its rows become results. Built from the same query compiled
    twice, with two sets of stand-ins (`first`, `second`): usable (`complete`) only if both gave
    the same SQL (no value changed what Django wrote, e.g. a comparison it drops because the
    value lies outside the field's range), every parameter is either the same in both (a
    constant) or the same stand-in in both, and every stand-in is there."""

    def __init__(self, queryset, first, other, second):
        self.db = queryset.db
        self.compiler = queryset.query.get_compiler(using=self.db)
        self.sql, params = self.compiler.as_sql()  # EmptyResultSet: not kept (see Prepared.run)
        other_sql, other_params = other.query.get_compiler(using=self.db).as_sql()
        places = [_places(first), _places(second)]
        self.sources, used = [], set()
        for a, b in zip(params, other_params, strict=False):
            source_a, source_b = places[0].get(_plain(a)), places[1].get(_plain(b))
            if source_a is None and source_b is None and type(a) is type(b) and a == b:
                self.sources.append((None, a, None))  # a constant of the query
            elif source_a is not None and source_a == source_b and type(a) is type(b):
                # psycopg's typed ints (Int4(...) for an IntegerField) are made again for each value
                self.sources.append((*source_a, None if type(a) in (int, str) else type(a)))
                used.add(source_a)
            else:
                self.sources.append(False)
        self.complete = (other_sql == self.sql and len(params) == len(other_params)
                         and False not in self.sources and len(used) == len(places[0]))
        # The row converters, worked out once (results_iter works them out on every run).
        fields = [column[0] for column in self.compiler.select[0 : self.compiler.col_count]]
        self.converters = self.compiler.get_converters(fields)
        if self.compiler.has_composite_fields(fields):
            self.complete = False
        self.kind = queryset._iterable_class
        if self.kind not in (ModelIterable, ValuesListIterable, FlatValuesListIterable) or (
                queryset._prefetch_related_lookups or queryset._known_related_objects):
            self.complete = False
        if self.kind is ModelIterable and self.complete:  # as ModelIterable does
            compiler = self.compiler
            klass_info = compiler.klass_info
            self.model = klass_info["model"]
            fields = klass_info["select_fields"]
            self.model_slice = slice(fields[0], fields[-1] + 1)
            self.init_list = [f[0].target.attname for f in compiler.select[self.model_slice]]
            self.populators = get_related_populators(klass_info, compiler.select, self.db)
            self.annotations = list(compiler.annotation_col_map.items())

    def params(self, values):
        """The parameters for `values`, or None if one does not fit its typed int."""
        params = []
        for name, constant_or_index, typed in self.sources:
            if name is None:
                params.append(constant_or_index)
                continue
            value = values[name] if constant_or_index is None else values[name][constant_or_index]
            if typed is not None:
                bits = TYPED_INT_BITS.get(typed.__name__)
                if bits is None or not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
                    return None  # the ORM decides what a value beyond the column's range means
                value = typed(value)
            params.append(value)
        return params

    def run(self, params):
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        compiler = self.compiler
        if compiler.has_extra_select:  # columns only the ORDER BY needed, as execute_sql drops them
            rows = [row[: compiler.col_count] for row in rows]
        if not self.converters and self.kind is ValuesListIterable:
            return rows  # fetchall's tuples, as they are
        if self.converters:
            rows = compiler.apply_converters(rows, self.converters)
        if self.kind is ModelIterable:
            found = []
            for row in rows:
                obj = self.model.from_db(self.db, self.init_list, row[self.model_slice])
                for populator in self.populators:
                    populator.populate(row, obj)
                for name, position in self.annotations:
                    setattr(obj, name, row[position])
                found.append(obj)
            return found
        if self.kind is FlatValuesListIterable:
            return [row[0] for row in rows]
        # Django 5.2 selects values_list's fields in their order, annotations included (Query.selected):
        # its ValuesListIterable takes the rows as they come, and so does this.
        return list(map(tuple, rows))


# psycopg's ints typed for the column (Django passes Int4(value) for an IntegerField on
# PostgreSQL), by the bits they hold.
TYPED_INT_BITS = {"Int2": 16, "Int4": 32, "Int8": 64}


def _plain(param):
    """(type, value) of a parameter as a stand-in would be: an int of any int subclass (not a
    bool) as an int, a str as a str; None for anything else."""
    if isinstance(param, int) and not isinstance(param, bool) and (
            type(param) is int or type(param).__name__ in TYPED_INT_BITS):
        return int, int(param)
    return (str, param) if type(param) is str else None


def _places(stand_ins):
    """{(type, stand-in): (name, list index or None)}."""
    return {(type(item), item): (name, i if isinstance(value, list) else None)
            for name, value in stand_ins.items()
            for i, item in enumerate(value if isinstance(value, list) else [value])}


# Stand-ins: ints inside every integer field's range (a small positive integer field's
# included, so that Django keeps every comparison), strs with control characters. Two sets,
# told apart by their base.
STAND_IN_BASES = (20_000, 26_000)
MAX_STAND_INS = 5_000


def _stand_ins(values, base):
    serial = itertools.count(base + 1)

    def one(value):
        return f"\x1fprepared-{next(serial)}\x1f" if isinstance(value, str) else next(serial)

    return {name: [one(item) for item in value] if isinstance(value, list) else one(value)
            for name, value in values.items()}


def _preparable(value):
    return (type(value) in (int, str)) or (
        isinstance(value, list) and all(type(item) in (int, str) for item in value))


class Prepared:
    """A query built by `build(shape, **values)` (a QuerySet: model rows, values_list or flat),
    run by `run(shape, **values)`. `shape` is anything hashable that, with the values' names, types and
    list lengths, fixes the SQL (filters present, sort order, LIMIT and OFFSET). Lists are passed
    to `build` as lists."""

    def __init__(self, build):
        self.build = build
        self.key = next(_counter)
        self.db = None

    def run(self, shape=(), **values):
        values = {name: list(v) if isinstance(v, list | tuple) else v for name, v in values.items()}
        if not all(_preparable(v) for v in values.values()) or sum(
                len(v) if isinstance(v, list) else 1 for v in values.values()) > MAX_STAND_INS:
            return self._direct(shape, values)
        signature = (self.key, shape, tuple(
            (name, len(v) if isinstance(v, list) else -1,
             tuple(type(i).__name__ for i in v) if isinstance(v, list) else type(v).__name__)
            for name, v in sorted(values.items())))
        # This thread's connection to the QuerySet's database holds the compiled queries; which
        # database that is, is known once the QuerySet has been built the first time.
        cache = _cache_of(self.db) if self.db is not None else None
        compiled = cache.get(signature) if cache is not None else None
        if compiled is None:
            first, second = (_stand_ins(values, base) for base in STAND_IN_BASES)
            queryset = self.build(shape, **first)
            self.db = queryset.db
            cache = _cache_of(self.db)
            try:
                compiled = _Compiled(queryset, first, self.build(shape, **second), second)
            except EmptyResultSet:
                compiled = False
            cache[signature] = compiled
            if len(cache) > MAX_SHAPES:
                cache.popitem(last=False)
        else:
            cache.move_to_end(signature)
        params = compiled.params(values) if compiled and compiled.complete else None
        if params is None:
            return self._direct(shape, values)
        return compiled.run(params)

    def _direct(self, shape, values):
        """Through the ORM, as if nothing were prepared."""
        return list(self.build(shape, **values))


IN_LENGTHS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def in_list(values):
    """`values` for an IN (...) of a Prepared query, their length rounded up to one of
    IN_LENGTHS by repeating the last value (the same rows: IN ignores repeats), so that lists
    of 1 to 50 ids make six shapes, not fifty. Not for a list whose positions mean something."""
    values = list(values)
    if not values:
        return values
    length = next((n for n in IN_LENGTHS if n >= len(values)), len(values))
    return values + [values[-1]] * (length - len(values))


def _cache_of(db):
    connection = connections[db]
    cache = getattr(connection, "_prepared_queries", None)
    if cache is None:
        cache = connection._prepared_queries = OrderedDict()
    return cache
