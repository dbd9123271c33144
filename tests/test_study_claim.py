"""A site admin makes themselves owner of a study (studies.views.study_claim): logged."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Change
from studies import roles
from studies.models import Membership, Role
from tests.conftest import client_for

URL = reverse("study:claim", args=["pasto"])
MEMBERS = reverse("study:members", args=["pasto"])


def test_a_site_admin_sees_no_content_before_claiming(sam, transcript):
    client = client_for(sam)
    assert client.get(MEMBERS).status_code == 404
    assert client.get(reverse("transcripts:transcript-list", args=["pasto"])).status_code == 404


def test_a_site_admin_makes_themselves_owner_and_it_is_logged(sam, adam, study):
    client = client_for(sam)
    response = client.post(URL)
    assert response.status_code == 302
    membership = Membership.objects.get(study=study, user=sam)
    assert membership.role == Role.OWNER
    change = Change.objects.get(model="studies.membership", object_id=str(membership.pk))
    assert (change.action, change.user, change.study_id) == ("create", sam, study.pk)
    assert client.get(MEMBERS).status_code == 200


def test_a_site_admin_who_is_a_reviewer_becomes_owner(rita, study, site_groups):
    rita.groups.add(site_groups[roles.SITE_ADMIN])
    assert client_for(rita).post(URL).status_code == 302
    membership = Membership.objects.get(study=study, user=rita)
    assert membership.role == Role.OWNER
    change = Change.objects.get(model="studies.membership", object_id=str(membership.pk), action="update")
    assert change.user == rita
    assert change.data["role"] == [Role.REVIEWER, Role.OWNER]


def test_it_answers_404_for_a_deleted_or_missing_study(sam, study):
    study.deleted_at = timezone.now()
    study.save()
    client = client_for(sam)
    assert client.post(URL).status_code == 404
    assert client.post(reverse("study:claim", args=["nope"])).status_code == 404
    assert not Membership.objects.filter(user=sam).exists()


@pytest.mark.parametrize("who", ["alice", "rita", "steve", "otto"])
def test_it_forbids_everyone_but_site_admins(who, request, study):
    user = request.getfixturevalue(who)
    before = dict(Membership.objects.filter(study=study).values_list("user_id", "role"))
    assert client_for(user).post(URL).status_code == 403
    assert dict(Membership.objects.filter(study=study).values_list("user_id", "role")) == before


def test_it_refuses_get(sam, study):
    assert client_for(sam).get(URL).status_code == 405
    assert not Membership.objects.filter(user=sam).exists()
