"""The access helpers for coded excerpts, shared by every app whose views take an excerpt id
(coding, interviews' review page, audit's history): one place decides who may read or change
an excerpt."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from coding.models import CodedExcerpt
from pasto_coop.roles import can_read


def get_excerpt_for_user(request, pk):
    if not can_read(request.user):
        raise PermissionDenied
    return get_object_or_404(CodedExcerpt.objects.select_related("transcript"), pk=pk)


def get_excerpt_for_user_rw(request, pk):
    if not request.user.has_perm("coding.change_codedexcerpt"):
        raise PermissionDenied
    return get_object_or_404(CodedExcerpt.objects.select_related("transcript"), pk=pk)
