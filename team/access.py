"""The access helpers of the team app, on studies.access: an assignment of another study is a
404; owners manage assignments, and only an assignment's coder moves its status."""

from django.core.exceptions import PermissionDenied

from studies.access import get_in_study, require_rw
from team.models import Adjudication, Assignment


def get_assignment_for_coder(request, slug, pk):
    """An assignment whose status the user sets: theirs, in a study they may write to."""
    membership, assignment = get_in_study(request, slug, Assignment.objects.all(), pk=pk)
    require_rw(membership)
    if assignment.coder_id != request.user.pk:
        raise PermissionDenied
    return assignment


def get_assignment_for_owner(request, slug, pk):
    """An assignment to remove: owners of a study that is not archived."""
    membership, assignment = get_in_study(request, slug, Assignment.objects.all(), pk=pk)
    if not membership.can_manage:
        raise PermissionDenied
    return assignment


def get_adjudication_for_owner(request, slug, pk):
    """An adjudication to undo: owners (adjudicators) of a study that is not archived."""
    membership, adjudication = get_in_study(request, slug, Adjudication.objects.all(), pk=pk)
    if not membership.can_manage:
        raise PermissionDenied
    return adjudication
