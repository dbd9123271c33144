"""The user list (accounts.views.user_list): site admins only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from studies.models import Membership, Role, Study
from tests.conftest import client_for

URL = reverse("accounts:user-list")


def test_it_lists_users_with_their_site_groups_and_memberships(sam, adam, alice, rita, steve, otto):
    response = client_for(sam).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("adam", "alice", "rita", "steve", "otto", "sam"):
        assert name in body
    assert "<bdi>Pasto test study</bdi>: Researcher" in body
    assert "<bdi>Pasto test study</bdi>: Reviewer" in body
    assert "<bdi>Pasto test study</bdi>: Owner" in body
    assert "<bdi>Other study</bdi>: Owner" in body
    assert "Site admin" in body


def test_it_leaves_out_memberships_of_deleted_studies(sam, otto, other_study):
    Study.objects.filter(pk=other_study.pk).update(deleted_at=timezone.now())
    assert "Other study" not in client_for(sam).get(URL).content.decode()


@pytest.mark.parametrize("who", ["alice", "rita", "steve", "otto"])
def test_it_forbids_everyone_but_site_admins(who, request):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_it_sends_anonymous_users_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("extra", [0, 10])
def test_it_runs_a_fixed_number_of_queries(adam, django_user_model, extra, django_assert_num_queries):
    """Guards against an N+1 over users (their groups and their memberships with each study
    fetched one by one)."""
    for i in range(extra):
        user = django_user_model.objects.create_user(f"u{i}")
        study = Study.objects.create(name=f"Study {i}", slug=f"s{i}")
        Membership.objects.create(study=study, user=user, role=Role.OWNER)
        Membership.objects.create(study=study, user=adam, role=Role.REVIEWER)
    client = client_for(adam)
    # user, group permissions (adam's; none of his own: skipped), users, their groups
    # (prefetch), their memberships with studies (prefetch)
    with django_assert_num_queries(5):
        client.get(URL)
