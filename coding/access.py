"""The access helpers of the coding app: one per object type, each fetching the object within
the study the user belongs to (studies.access). Other apps whose views take an excerpt or a
theme id (history, reports) use these too; transcripts come from interviews.access.

An id of another study's object is a 404, like an id that does not exist; a non-member gets
404 for everything; the `_rw` variants add 403 for reviewers and in archived studies.
"""

from django.shortcuts import get_object_or_404

from coding.models import CodedExcerpt, DeletedExcerpt, DeletedTheme, Theme
from studies.access import get_membership, get_membership_rw


def get_excerpt_for_user(request, slug, pk):
    membership = get_membership(request, slug)
    return get_object_or_404(
        CodedExcerpt.objects.select_related("transcript"), study=membership.study, pk=pk
    )


def get_excerpt_for_user_rw(request, slug, pk):
    membership = get_membership_rw(request, slug)
    return get_object_or_404(
        CodedExcerpt.objects.select_related("transcript"), study=membership.study, pk=pk
    )


def get_deleted_excerpt_for_user_rw(request, slug, pk):
    membership = get_membership_rw(request, slug)
    return get_object_or_404(
        DeletedExcerpt.objects.select_related("transcript"), study=membership.study, pk=pk
    )


def get_theme_for_user(request, slug, pk):
    membership = get_membership(request, slug)
    return get_object_or_404(Theme, study=membership.study, pk=pk)


def get_theme_for_user_rw(request, slug, pk):
    membership = get_membership_rw(request, slug)
    return get_object_or_404(Theme, study=membership.study, pk=pk)


def get_deleted_theme_for_user_rw(request, slug, pk):
    membership = get_membership_rw(request, slug)
    return get_object_or_404(DeletedTheme, study=membership.study, pk=pk)
