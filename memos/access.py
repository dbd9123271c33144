"""The access helpers of the memos app: one per object type, each fetching the object within the
study the user belongs to (studies.access).

A private memo is its author's alone: for anyone else it does not exist (404, like another
study's id). Memos are written by researchers and owners (`_rw`: 403 for reviewers and in
archived studies). Comments are the one write reviewers may make: any member of a study that is
not archived comments and replies (`get_membership_comment`); resolving is for `_rw`.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from coding.models import excerpt_hidden
from interviews.models import Participant
from memos.models import Comment, Memo
from studies.access import get_in_study, get_membership, require_rw


def _visible(request):
    return Q(private=False) | Q(author=request.user)


def get_memo_for_user(request, slug, pk):
    queryset = Memo.objects.filter(_visible(request), deleted_at__isnull=True).select_related("author")
    return get_in_study(request, slug, queryset, pk=pk)[1]


def get_memo_for_user_rw(request, slug, pk):
    queryset = Memo.objects.filter(_visible(request), deleted_at__isnull=True)
    membership, memo = get_in_study(request, slug, queryset, pk=pk)
    require_rw(membership)
    return memo


def get_deleted_memo_for_user_rw(request, slug, pk):
    queryset = Memo.objects.filter(_visible(request), deleted_at__isnull=False)
    membership, memo = get_in_study(request, slug, queryset, pk=pk)
    require_rw(membership)
    return memo


def get_participant_for_user(request, slug, pk):
    """A participant's pseudonymous row (code only), for its memo panel: any member."""
    return get_in_study(request, slug, Participant.objects.only("pk", "code", "study"), pk=pk)[1]


def get_membership_comment(request, slug):
    """Any member may comment, reviewers included; nobody while the study is archived."""
    membership = get_membership(request, slug)
    if membership.study.is_archived:
        raise PermissionDenied
    return membership


def _thread(request, slug, pk):
    """A thread (a comment that is no reply) of the study, with the member's membership; 404 for
    one on an excerpt that blind coding hides from them, as on the comments page."""
    threads = Comment.objects.filter(parent__isnull=True).select_related("excerpt__transcript")
    membership, comment = get_in_study(request, slug, threads, pk=pk)
    if comment.excerpt_id and excerpt_hidden(membership, comment.excerpt):
        raise Http404
    return membership, comment


def get_comment_for_user_comment(request, slug, pk):
    """A thread to reply to: any member of a live, unarchived study."""
    membership, comment = _thread(request, slug, pk)
    if membership.study.is_archived:
        raise PermissionDenied
    return comment


def get_comment_for_user_rw(request, slug, pk):
    """A thread to resolve: researchers and owners."""
    membership, comment = _thread(request, slug, pk)
    require_rw(membership)
    return comment


def get_in_study_or_404(queryset, study, pk):
    """An object of `queryset` (a transcript, theme, participant, excerpt) named by a form or a
    query string, within the study; a bad or foreign id is a 404."""
    if not str(pk).isdigit():
        raise Http404
    found = queryset.filter(study=study, pk=pk).first()
    if found is None:
        raise Http404
    return found
