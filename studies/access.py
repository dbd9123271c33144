"""The one access rule: a user reaches a study's objects only through a membership of it.

`get_membership(request, slug)` is the base of every per-object helper in the apps above
(interviews.access, coding.access, ...): a study that does not exist, is in the trash, or of
which the user is not a member is a 404, never a 403, so ids of other studies reveal nothing.
The membership is cached on the request, so a view that asks twice pays one query.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation

from studies.models import Membership, Study
from studies.prepared import Prepared
from studies.roles import is_site_admin


def _membership_query(_shape, *, slug, user_id):
    return Membership.objects.select_related("study").filter(
        study__slug=slug, study__deleted_at__isnull=True, user_id=user_id)[:1]


# Read on nearly every request: compiled once per process (studies.prepared).
MEMBERSHIP = Prepared(_membership_query)


def _find_membership(user, slug):
    """The user's membership of the live study `slug`, with its study; 404 otherwise."""
    found = MEMBERSHIP.run(slug=slug, user_id=user.pk) if user.is_authenticated else None
    if not found:
        raise Http404
    return found[0]


def _remember(request, membership):
    """Cache the membership on the request; and, when neither the account, the language switch
    nor the browser chose a language (accounts.language), speak the study's language."""
    request.membership = membership
    if getattr(request, "language_chosen", True) is False:
        try:
            language = translation.get_supported_language_variant(membership.study.language)
        except LookupError:
            return membership
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return membership


def get_membership(request, slug):
    """The user's membership of the live study `slug`, with its study; 404 otherwise."""
    cached = getattr(request, "membership", None)
    if cached is not None and cached.study.slug == slug:
        return cached
    return _remember(request, _find_membership(request.user, slug))


def get_in_study(request, slug, queryset, **lookup):
    """(membership, object): the object of `queryset` matching `lookup` in the live study `slug`,
    and the user's membership of that study, in ONE query (the object joined to the user's
    membership row), or 404 if the user is not a member or the object is not in that study;
    the two are not told apart, so another study's ids reveal nothing. The membership is cached
    on the request as get_membership's is. Per-object helpers build on this; pages that open
    an object pay one query for access, not two."""
    cached = getattr(request, "membership", None)
    if cached is not None and cached.study.slug == slug:
        return cached, get_object_or_404(queryset, study=cached.study, **lookup)
    if not request.user.is_authenticated:
        raise Http404
    found = (
        queryset.select_related("study")
        .filter(study__slug=slug, study__deleted_at__isnull=True, study__memberships__user=request.user,
                **lookup)
        .annotate(_membership_pk=F("study__memberships__pk"), _membership_role=F("study__memberships__role"))
        .first()
    )
    if found is None:
        raise Http404
    membership = Membership(pk=found._membership_pk, study=found.study, user=request.user,
                            role=found._membership_role)
    membership._state.adding, membership._state.db = False, found._state.db
    _remember(request, membership)
    return membership, found


def require_rw(membership):
    """403 unless the membership may change the study's content (see get_membership_rw)."""
    if not membership.can_code:
        raise PermissionDenied
    return membership


def get_membership_rw(request, slug):
    """As get_membership, for writes to the study's content: researchers and owners of a study
    that is not archived; 403 for reviewers and in archived studies."""
    return require_rw(get_membership(request, slug))


def get_membership_owner(request, slug):
    """As get_membership, for owners only (members, settings, participant records); 403
    otherwise."""
    membership = get_membership(request, slug)
    if not membership.is_owner:
        raise PermissionDenied
    return membership


def get_membership_manage(request, slug):
    """As get_membership_owner, for changes to members and settings: also 403 while the study
    is archived (read-only for everyone; the settings page can still un-archive it)."""
    membership = get_membership_owner(request, slug)
    if not membership.can_manage:
        raise PermissionDenied
    return membership


def get_member_for_owner(request, slug, pk):
    """A membership of the study `slug`, for an owner to change or remove: another study's
    membership id is a 404."""
    owner = get_membership_manage(request, slug)
    member = Membership.objects.select_related("user", "study").filter(study=owner.study, pk=pk).first()
    if member is None:
        raise Http404
    return member


def get_study_for_site_admin(request, pk=None, slug=None, *, deleted=False):
    """A study for a site admin's site-level action (claim, restore): 403 for anyone else. Gives
    the study row only, never its content. `deleted` picks the trash instead of live studies."""
    if not is_site_admin(request.user):
        raise PermissionDenied
    studies = Study.objects.filter(deleted_at__isnull=not deleted)
    study = studies.filter(pk=pk).first() if pk is not None else studies.filter(slug=slug).first()
    if study is None:
        raise Http404
    return study


def get_source_study_for_user(request, slug):
    """A study the user reads from while working in another (the codebook copy's source): any
    role will do, a study they are not a member of, or one in the trash, is a 404. Unlike
    get_membership it does not cache the membership on the request, which stays the target's."""
    return _find_membership(request.user, slug).study
