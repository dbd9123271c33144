"""studies.prepared: a query compiled once per shape, then run with other values, gives exactly
what the ORM gives, and a query it cannot safely reuse runs through the ORM each time."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding.models import CodedExcerpt
from studies.models import Membership, Study
from studies.prepared import STAND_IN_BASES, Prepared, in_list
from tests.reports_study import code, interview, person, theme

PHRASES = ["youth", "women", "river", "market", "school"]


@pytest.fixture
def excerpts(study, alice):
    text = " ".join(PHRASES) + ". " + " ".join(reversed(PHRASES)) + "."
    transcript = interview(person(study, "A"), text)
    youth = theme(study, "Youth")
    return [code(transcript, phrase, [youth], alice, occurrence=i % 2)
            for i, phrase in enumerate(PHRASES * 2)]


def compiled_entries(prepared):
    return {signature: entry for signature, entry in getattr(connection, "_prepared_queries", {}).items()
            if signature[0] == prepared.key}


def by_ids(shape, *, ids, study):
    return CodedExcerpt.objects.filter(pk__in=ids, study_id=study).order_by("pk").values_list("pk", "quote")


def test_rows_are_the_orms_for_each_set_of_values_with_one_compiled_query(study, excerpts):
    prepared = Prepared(by_ids)
    for chosen in ([excerpts[0], excerpts[3]], [excerpts[5], excerpts[1]], [excerpts[9], excerpts[2]]):
        ids = [e.pk for e in chosen]
        assert prepared.run(ids=ids, study=study.pk) == list(by_ids((), ids=ids, study=study.pk))
        assert prepared.run(ids=ids, study=study.pk) == sorted((e.pk, e.quote) for e in chosen)
    (entry,) = compiled_entries(prepared).values()
    assert entry.complete


def test_a_list_of_another_length_is_another_shape(study, excerpts):
    prepared = Prepared(by_ids)
    prepared.run(ids=[excerpts[0].pk], study=study.pk)
    assert prepared.run(ids=[e.pk for e in excerpts], study=study.pk) == [(e.pk, e.quote) for e in excerpts]
    assert len(compiled_entries(prepared)) == 2


def test_one_query_a_run(study, excerpts):
    prepared = Prepared(by_ids)
    prepared.run(ids=[excerpts[0].pk], study=study.pk)
    with CaptureQueriesContext(connection) as queries:
        assert prepared.run(ids=[excerpts[1].pk], study=study.pk) == [(excerpts[1].pk, excerpts[1].quote)]
    assert len(queries) == 1


def test_another_study_finds_nothing(study, other_study, excerpts):
    prepared = Prepared(by_ids)
    assert prepared.run(ids=[excerpts[0].pk], study=study.pk) == [(excerpts[0].pk, excerpts[0].quote)]
    assert prepared.run(ids=[excerpts[0].pk], study=other_study.pk) == []


def test_a_value_the_field_transforms_is_never_reused(study, excerpts):
    """`__contains` wraps the value in %...%: the compiled parameters don't hold the stand-in,
    so the query runs through the ORM, with each value."""

    def containing(shape, *, word):
        return CodedExcerpt.objects.filter(quote__contains=word).order_by("pk").values_list("quote",
                                                                                          flat=True)

    prepared = Prepared(containing)
    assert prepared.run(word="iv") == ["river", "river"]
    assert prepared.run(word="oo") == ["school", "school"]
    (entry,) = compiled_entries(prepared).values()
    assert not entry.complete


def test_a_comparison_django_would_drop_for_a_stand_in_is_not_reused(study, excerpts):
    """Django leaves out a comparison whose value lies outside the field's range; if a stand-in
    did, its SQL would lack the condition. Both compilations must give the same SQL, and a
    comparison kept for one and dropped for the other is refused."""

    def after(shape, *, start):
        return CodedExcerpt.objects.filter(start__gt=start).order_by("start").values_list("start", flat=True)

    prepared = Prepared(after)
    starts = sorted(e.start for e in excerpts)
    assert prepared.run(start=starts[7]) == starts[8:]
    assert prepared.run(start=-5) == starts
    assert prepared.run(start=2**40) == []


def test_a_constant_that_equals_a_stand_in_is_told_apart(study, excerpts):
    """A query's own constant equal to a stand-in (20,001 here) would be mistaken for a value:
    the second compilation, with other stand-ins, shows it is a constant."""
    first = STAND_IN_BASES[0] + 1

    def below(shape, *, pk):
        return CodedExcerpt.objects.filter(pk=pk, start__lt=first).values_list("pk", flat=True)

    prepared = Prepared(below)
    assert prepared.run(pk=excerpts[4].pk) == [excerpts[4].pk]
    assert prepared.run(pk=excerpts[6].pk) == [excerpts[6].pk]
    (entry,) = compiled_entries(prepared).values()
    assert not entry.complete


def test_dates_and_none_go_through_the_orm(study, excerpts):
    def since(shape, *, day):
        return Study.objects.filter(created_at__date__gte=day).values_list("slug", flat=True)

    prepared = Prepared(since)
    assert prepared.run(day=datetime.date(2000, 1, 1)) == ["pasto"]
    assert prepared.run(day=datetime.date(2999, 1, 1)) == []
    assert compiled_entries(prepared) == {}


def test_model_rows_with_a_related_row_are_the_orms(study, alice, bob):
    def memberships(shape, *, slug, user_id):
        return Membership.objects.select_related("study").filter(study__slug=slug, user_id=user_id)[:1]

    prepared = Prepared(memberships)
    for user in (alice, bob, alice):
        (found,) = prepared.run(slug="pasto", user_id=user.pk)
        expected = Membership.objects.select_related("study").get(study=study, user=user)
        assert (found.pk, found.role, found.user_id, found.study_id) == (
            expected.pk, expected.role, expected.user_id, expected.study_id)
        assert found._state.db == "default" and not found._state.adding
        with CaptureQueriesContext(connection) as queries:
            assert found.study.slug == "pasto" and found.study.created_at == study.created_at
        assert len(queries) == 0
    assert prepared.run(slug="other", user_id=alice.pk) == []
    (entry,) = compiled_entries(prepared).values()
    assert entry.complete


def test_annotations_and_converted_values_are_the_orms(study, alice, excerpts):
    """The row's converters run as the ORM's do (a datetime, a bool on SQLite), and annotations
    land on the object."""
    from django.db.models import F

    def with_length(shape, *, pk):
        return CodedExcerpt.objects.filter(pk=pk).annotate(length=F("end") - F("start"))

    prepared = Prepared(with_length)
    (found,) = prepared.run(pk=excerpts[2].pk)
    (expected,) = with_length((), pk=excerpts[2].pk)
    assert found.length == expected.length == len(excerpts[2].quote)
    assert found.created_at == expected.created_at and found.created_at.tzinfo is not None
    assert found.needs_review is expected.needs_review is False


def test_an_in_list_is_padded_to_a_few_lengths_with_the_same_rows(study, excerpts):
    assert in_list([]) == []
    assert in_list([7]) == [7]
    assert in_list([3, 1, 2]) == [3, 1, 2, 2, 2]
    assert len(in_list(range(11))) == 20 and len(in_list(range(50))) == 50
    prepared = Prepared(by_ids)
    for chosen in (excerpts[:3], excerpts[2:6], excerpts[:1]):
        ids = [e.pk for e in chosen]
        assert prepared.run(ids=in_list(ids), study=study.pk) == sorted((e.pk, e.quote) for e in chosen)
    assert len(compiled_entries(prepared)) == 2  # lengths 5 (three and four ids) and 1


def test_values_with_an_annotation_among_them_come_in_the_order_asked(study, excerpts):
    from django.db.models import F

    def lengths(shape, *, pk):
        return (CodedExcerpt.objects.filter(pk=pk).annotate(length=F("end") - F("start"))
                .values_list("pk", "length", "quote"))

    prepared = Prepared(lengths)
    for excerpt in excerpts[:3]:
        expected = [(excerpt.pk, len(excerpt.quote), excerpt.quote)]
        assert prepared.run(pk=excerpt.pk) == list(lengths((), pk=excerpt.pk)) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: prepared statements")
def test_a_query_every_page_repeats_becomes_a_postgresql_prepared_statement(study, excerpts):
    """On PostgreSQL a query run five times on a connection is prepared there
    (settings: DATABASE_PREPARED_STATEMENTS), so that its later runs skip parsing and, after
    PostgreSQL's first custom plans, planning; its rows stay the ORM's."""
    prepared = Prepared(by_ids)
    ids = [excerpts[0].pk, excerpts[3].pk]
    for _ in range(7):
        assert prepared.run(ids=ids, study=study.pk) == list(by_ids((), ids=ids, study=study.pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('"coding_codedexcerpt"."quote"' in statement for statement in statements)
