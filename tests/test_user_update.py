"""Changing an account (accounts.views.user_update_view): site groups and active flag."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from studies import roles
from tests.conftest import client_for


def url(user):
    return reverse("accounts:user-update", args=[user.pk])


def group_names(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_it_shows_the_form(sam, steve):
    assert client_for(sam).get(url(steve)).status_code == 200


def test_it_lets_a_user_create_studies(sam, steve, site_groups):
    response = client_for(sam).post(url(steve), {"site_groups": [roles.STUDY_CREATOR], "is_active": "on"})
    assert response.status_code == 302
    assert group_names(steve) == [roles.STUDY_CREATOR]


def test_it_makes_and_unmakes_a_site_admin(sam, steve, site_groups):
    client = client_for(sam)
    client.post(url(steve), {"site_groups": [roles.SITE_ADMIN], "is_active": "on"})
    assert group_names(steve) == [roles.SITE_ADMIN]
    client.post(url(steve), {"site_groups": [], "is_active": "on"})
    assert group_names(steve) == []


def test_it_leaves_other_groups_and_memberships_alone(sam, alice, study):
    field_team = Group.objects.create(name="Field team")
    alice.groups.add(field_team)
    client_for(sam).post(url(alice), {"site_groups": [roles.STUDY_CREATOR], "is_active": "on"})
    assert group_names(alice) == ["Field team", roles.STUDY_CREATOR]
    assert alice.memberships.get().study == study


def test_it_deactivates_a_user(sam, alice):
    client_for(sam).post(url(alice), {"site_groups": []})
    alice.refresh_from_db()
    assert not alice.is_active


def test_a_site_admin_cannot_lock_themselves_out(sam):
    client = client_for(sam)
    assert client.post(url(sam), {"site_groups": [roles.SITE_ADMIN]}).status_code == 400
    assert client.post(url(sam), {"site_groups": [], "is_active": "on"}).status_code == 400
    sam.refresh_from_db()
    assert sam.is_active and group_names(sam) == [roles.SITE_ADMIN]


def test_it_rejects_an_unknown_group(sam, steve):
    response = client_for(sam).post(url(steve), {"site_groups": ["Admin"], "is_active": "on"})
    assert response.status_code == 400
    assert group_names(steve) == []


@pytest.mark.parametrize("who", ["alice", "rita", "steve", "otto"])
def test_it_forbids_everyone_but_site_admins(who, request, steve, site_groups):
    response = client_for(request.getfixturevalue(who)).post(
        url(steve), {"site_groups": [roles.SITE_ADMIN], "is_active": "on"})
    assert response.status_code == 403
    assert not steve.groups.exists()


def test_it_answers_404_for_a_missing_user(sam):
    assert client_for(sam).get("/users/999999/").status_code == 404


def test_a_role_change_is_logged_and_listed(sam, steve, site_groups):
    """Issue 17 #9: changing a site role left no trace."""
    from django.contrib.admin.models import CHANGE, LogEntry

    client = client_for(sam)
    client.post(url(steve), {"site_groups": [roles.SITE_ADMIN], "is_active": "on"})
    client.post(url(steve), {"site_groups": [roles.SITE_ADMIN], "is_active": "on"})  # nothing changes
    entry = LogEntry.objects.get(object_id=str(steve.pk))
    assert (entry.user, entry.action_flag) == (sam, CHANGE)
    assert entry.get_change_message() == "Changed Site roles."
    body = client.get(url(steve)).content.decode()
    assert "<bdi>sam</bdi>: Changed Site roles." in body
