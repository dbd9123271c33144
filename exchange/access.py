"""Who may move a study in or out as a REFI-QDA file (built on studies.access)."""

from django.core.exceptions import PermissionDenied

from studies.access import get_membership
from studies.models import Role
from studies.roles import can_create_study


def get_study_for_export(request, slug):
    """The study `slug`, for its owners and researchers; 403 for reviewers, 404 for others.

    Reviewers may not export. A .qdpx is a complete copy of every transcript, excerpt and memo
    that leaves the app for good: the roles, the audit log and consent withdrawal ("their quotes
    then leave every report") no longer reach it. A reviewer's work, reading reports, needs none
    of that; a researcher moving a project to another tool does, and an owner backing the study
    up does. An archived study can still be exported: the export changes nothing.
    """
    membership = get_membership(request, slug)
    if membership.role not in (Role.OWNER, Role.RESEARCHER):
        raise PermissionDenied
    return membership.study


def require_study_creator(request):
    """An import makes a new study, so it is for the users who may create studies."""
    if not can_create_study(request.user):
        raise PermissionDenied
