"""The access helpers of the coding app: one per object type, each fetching the object within
the study the user belongs to (studies.access). Other apps whose views take an excerpt or a
theme id (history, reports) use these too; transcripts come from interviews.access.

An id of another study's object is a 404, like an id that does not exist; a non-member gets
404 for everything; the `_rw` variants add 403 for reviewers and in archived studies.
"""

from django.http import Http404

from coding.models import (
    ALL_CODERS,
    CodedExcerpt,
    DeletedExcerpt,
    DeletedTheme,
    Theme,
    blind_q,
    excerpt_hidden,
    layer_q,
)
from studies.access import get_in_study, require_rw


def _visible(membership, excerpt):
    """404 for an excerpt that blind coding hides from the member (another coder's), as for
    one that does not exist."""
    if excerpt_hidden(membership, excerpt):
        raise Http404
    return excerpt


def get_excerpt_for_user(request, slug, pk):
    return _visible(*get_in_study(request, slug, CodedExcerpt.objects.select_related("transcript"), pk=pk))


def get_excerpt_for_user_rw(request, slug, pk, *, lock=False):
    """An excerpt to change or delete. The consensus layer's are written only by adjudication
    (team): asked for here they are a 404, like an id that does not exist (one join). With
    `lock` (inside a transaction): the excerpt's row is read FOR UPDATE (PostgreSQL; SQLite's
    write transaction already holds the database), so it stays as read until the transaction
    ends (coding.services.excerpt_update(locked=True))."""
    excerpts = CodedExcerpt.objects.select_related("transcript").filter(layer_q(ALL_CODERS))
    if lock:
        excerpts = excerpts.select_for_update(of=("self",))
    membership, excerpt = get_in_study(request, slug, excerpts, pk=pk)
    require_rw(membership)
    return _visible(membership, excerpt)


def get_deleted_excerpt_for_user_rw(request, slug, pk):
    membership, deleted = get_in_study(request, slug, DeletedExcerpt.objects.select_related("transcript"),
                                       pk=pk)
    require_rw(membership)
    seen = DeletedExcerpt.objects.filter(blind_q(membership, coder="snapshot__coder"), pk=deleted.pk)
    if not membership.sees_every_layer and not seen.exists():
        raise Http404  # another coder's, hidden by blind coding
    return deleted


def get_theme_for_user(request, slug, pk):
    return get_in_study(request, slug, Theme.objects.all(), pk=pk)[1]


def get_theme_for_user_rw(request, slug, pk):
    membership, theme = get_in_study(request, slug, Theme.objects.all(), pk=pk)
    require_rw(membership)
    return theme


def get_deleted_theme_for_user_rw(request, slug, pk):
    membership, deleted = get_in_study(request, slug, DeletedTheme.objects.all(), pk=pk)
    require_rw(membership)
    return deleted
