"""Creating accounts (accounts.views.user_create_view): site admins only."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from studies import roles
from studies.models import Membership
from tests.conftest import client_for

URL = reverse("accounts:user-create")


def data(**extra):
    return {"username": "nadia", "password1": "a-Long-passphrase-42", "password2": "a-Long-passphrase-42",
            "email": "nadia@example.org", "site_groups": [roles.STUDY_CREATOR], **extra}


def test_it_shows_the_form(sam):
    response = client_for(sam).get(URL)
    assert response.status_code == 200
    assert roles.STUDY_CREATOR in response.content.decode()


def test_it_creates_a_user_with_site_groups(sam):
    response = client_for(sam).post(URL, data())
    assert response.status_code == 302
    user = User.objects.get(username="nadia")
    assert [g.name for g in user.groups.all()] == [roles.STUDY_CREATOR]
    assert user.check_password("a-Long-passphrase-42")
    assert user.is_active and not user.is_staff
    assert roles.can_create_study(user) and not roles.is_site_admin(user)
    # An account is no membership: study roles are given by each study's owners.
    assert not Membership.objects.filter(user=user).exists()


def test_it_creates_a_site_admin(sam):
    client_for(sam).post(URL, data(site_groups=[roles.SITE_ADMIN, roles.STUDY_CREATOR]))
    assert roles.is_site_admin(User.objects.get(username="nadia"))


def test_it_creates_a_user_with_no_site_group(sam):
    client_for(sam).post(URL, data(site_groups=[]))
    assert not User.objects.get(username="nadia").groups.exists()


@pytest.mark.parametrize("password", ["123456789", "short", "password"])
def test_it_rejects_weak_passwords(sam, password):
    response = client_for(sam).post(URL, data(password1=password, password2=password))
    assert response.status_code == 400
    assert not User.objects.filter(username="nadia").exists()


@pytest.mark.parametrize("group", ["Admin", "Researcher", "Overlord"])
def test_it_rejects_an_unknown_site_group(sam, group):
    response = client_for(sam).post(URL, data(site_groups=[group]))
    assert response.status_code == 400
    assert not User.objects.filter(username="nadia").exists()


def test_it_rejects_a_taken_username(sam, alice):
    assert client_for(sam).post(URL, data(username="alice")).status_code == 400
    assert User.objects.filter(username="alice").count() == 1


@pytest.mark.parametrize("who", ["alice", "rita", "steve", "otto"])
def test_it_forbids_everyone_but_site_admins(who, request):
    assert client_for(request.getfixturevalue(who)).post(URL, data()).status_code == 403
    assert not User.objects.filter(username="nadia").exists()


def test_it_logs_who_created_the_account(sam):
    """Issue 17 #9: creating a user left no trace."""
    from django.contrib.admin.models import ADDITION, LogEntry

    client_for(sam).post(URL, data())
    user = User.objects.get(username="nadia")
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert (entry.user, entry.action_flag, entry.object_repr) == (sam, ADDITION, "nadia")
