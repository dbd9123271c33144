"""studies.access.get_in_study: the object and the user's membership of its study in one query;
404 for a non-member and for another study's object alike."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from coding.models import Theme
from studies.access import get_in_study, require_rw
from studies.models import Role


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_it_gives_a_member_the_object_and_their_membership_in_one_query(alice, themes,
                                                                        django_assert_num_queries):
    request = request_for(alice)
    with django_assert_num_queries(1):
        membership, theme = get_in_study(request, "pasto", Theme.objects.all(), pk=themes["youth"].pk)
    assert theme == themes["youth"]
    assert (membership.user, membership.study.slug, membership.role) == (alice, "pasto", Role.RESEARCHER)
    assert request.membership is membership
    with django_assert_num_queries(1):  # the membership is cached: only the object is read
        get_in_study(request, "pasto", Theme.objects.all(), pk=themes["gender"].pk)


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_a_non_member_gets_404(who, request, themes):
    with pytest.raises(Http404):
        get_in_study(request_for(request.getfixturevalue(who)), "pasto", Theme.objects.all(),
                     pk=themes["youth"].pk)


def test_another_studys_object_is_a_404_like_a_missing_one(alice, other_study):
    theirs = Theme.objects.create(study=other_study, name="Theirs")
    for pk in (theirs.pk, 999999):
        with pytest.raises(Http404):
            get_in_study(request_for(alice), "pasto", Theme.objects.all(), pk=pk)


def test_a_study_in_the_trash_is_a_404(alice, study, themes):
    study.deleted_at = study.created_at
    study.save()
    with pytest.raises(Http404):
        get_in_study(request_for(alice), "pasto", Theme.objects.all(), pk=themes["youth"].pk)


def test_require_rw_refuses_a_reviewer_and_an_archived_study(rita, alice, study, themes):
    membership, _theme = get_in_study(request_for(rita), "pasto", Theme.objects.all(), pk=themes["youth"].pk)
    with pytest.raises(PermissionDenied):
        require_rw(membership)
    membership, _theme = get_in_study(request_for(alice), "pasto", Theme.objects.all(), pk=themes["youth"].pk)
    assert require_rw(membership) is membership
    study.archived_at = study.created_at
    study.save()
    membership, _theme = get_in_study(request_for(alice), "pasto", Theme.objects.all(), pk=themes["youth"].pk)
    with pytest.raises(PermissionDenied):
        require_rw(membership)
