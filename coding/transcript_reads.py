"""Read paths of the study's transcript pages that need excerpts: the transcript list's counts
and coverage, and the review page's flagged excerpts. interviews knows nothing of excerpts, so
these sit here, beside the pages (coding/transcripts_views.py)."""

from django.db.models import Count, Prefetch

from coding.models import CodedExcerpt, blind_q
from interviews.models import Transcript, coverage
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
    transcripts that have excerpts: every excerpt's span (two integers a row, never the text),
    then the distinct themes per transcript."""
    study, spans = membership.study, {}
    for transcript_id, start, end in (
        CodedExcerpt.objects.visible_to(membership).filter(study=study).order_by()
        .values_list("transcript_id", "start", "end")
    ):
        spans.setdefault(transcript_id, []).append((start, end))
    Link = CodedExcerpt.themes.through
    themes = dict(
        Link.objects.filter(blind_q(membership, "codedexcerpt__"), codedexcerpt__study=study)
        .order_by()
        .values("codedexcerpt__transcript_id")
        .annotate(n=Count("theme_id", distinct=True))
        .values_list("codedexcerpt__transcript_id", "n")
    )
    return {
        pk: (len(found), themes.get(pk, 0), coverage(found, lengths.get(pk, 0)))
        for pk, found in spans.items()
    }


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
