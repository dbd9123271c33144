"""Read paths of the study's transcript pages that need excerpts: the transcript list's counts
and coverage, and the review page's flagged excerpts. interviews knows nothing of excerpts, so
these sit here, beside the pages (coding/transcripts_views.py)."""

from django.db import connection
from django.db.models import Count, F, Max, Prefetch, RowRange, Window

from coding.models import CodedExcerpt, blind_q
from interviews.models import Transcript
from interviews.reanchor import word_diff


def transcripts_for_list(membership):
    """Transcript list page: the study's transcripts (interviews' `for_transcript_list`), each
    with `excerpt_count`, `theme_count` and `coverage` of the excerpts `membership` may see
    (blind coding: its own layer only where blind). Three queries: the transcripts, the
    excerpt spans, the theme counts."""
    study = membership.study
    transcripts = list(Transcript.objects.for_transcript_list(study))
    stats = _coverage(membership, {t.pk: t.length for t in transcripts})
    for t in transcripts:
        t.excerpt_count, t.theme_count, t.coverage = stats.get(t.pk, (0, 0, 0.0))
    return transcripts


def _coverage(membership, lengths):
    """{transcript id: (excerpt count, theme count, share of text coded)} for the study's
    transcripts that have excerpts, counted by the database (no excerpt row reaches Python, so
    the page costs the same with 300 excerpts or 30,000): one query for the counts and the
    covered characters (interviews.models.coverage's sweep, in SQL), one for the distinct themes
    per transcript."""
    study = membership.study
    covered = {pk: (count, chars) for pk, count, chars in _covered_characters(membership)}
    Link = CodedExcerpt.themes.through
    themes = dict(
        Link.objects.filter(blind_q(membership, "codedexcerpt__"), codedexcerpt__study=study)
        .order_by()
        .values("codedexcerpt__transcript_id")
        .annotate(n=Count("theme_id", distinct=True))
        .values_list("codedexcerpt__transcript_id", "n")
    )
    return {
        pk: (count, themes.get(pk, 0), chars / lengths[pk] if lengths.get(pk) else 0.0)
        for pk, (count, chars) in covered.items()
    }


def _covered_characters(membership):
    """(transcript id, excerpt count, characters covered by the union of their spans) per
    transcript with excerpts `membership` may see. The spans sorted by (start, end), each one
    adds what it reaches past the furthest end before it (a window MAX over the rows before):
    interviews.models.coverage's sweep, the same figure, on SQLite and PostgreSQL alike."""
    spans = (
        CodedExcerpt.objects.visible_to(membership).filter(study=membership.study).order_by()
        .annotate(reach=Window(Max("end"), partition_by=F("transcript_id"),
                               order_by=[F("start").asc(), F("end").asc()],
                               frame=RowRange(start=None, end=-1)))
        .values("transcript_id", "start", "end", "reach")
    )
    sql, params = spans.query.sql_with_params()
    q = connection.ops.quote_name
    tid, start, end, reach = q("transcript_id"), q("start"), q("end"), q("reach")
    before = f"COALESCE({reach}, 0)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {tid}, COUNT(*), SUM(CASE WHEN {end} > {before} THEN {end} - "  # noqa: S608
            f"CASE WHEN {start} > {before} THEN {start} ELSE {before} END ELSE 0 END) "
            f"FROM ({sql}) spans GROUP BY {tid}",
            params,
        )
        return cursor.fetchall()


def transcript_for_review_page():
    """Review page: a queryset for the transcript with its participant and its excerpts flagged
    for review (`flagged`), each with its coder and themes. Three queries: the transcript, the
    flagged excerpts with their coders, their themes."""
    flagged = (
        CodedExcerpt.objects.filter(needs_review=True)
        .select_related("coder")
        .prefetch_related("themes")
        .order_by("start", "end", "pk")
    )
    return Transcript.objects.select_related("participant").prefetch_related(
        Prefetch("excerpts", queryset=flagged, to_attr="flagged")
    )


def review_rows(transcript):
    """For `transcript_for_review_page`'s flagged excerpts: (excerpt, its old quote and the text
    at its place now, each as (text, changed) segments of a word diff)."""
    rows = []
    for e in transcript.flagged:
        if e.review_reason == "text_deleted":
            rows.append((e, [(e.quote, True)], []))
        else:
            rows.append((e, *word_diff(e.quote, transcript.text[e.start : e.end])))
    return rows
