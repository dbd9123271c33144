import pytest
from django.urls import reverse

from tests.conftest import client_for


def url(user):
    return reverse("accounts:user-update", args=[user.pk])


def test_it_changes_a_role(adam, steve):
    response = client_for(adam).post(url(steve), {"role": "Researcher", "is_active": "on"})
    assert response.status_code == 302
    assert [g.name for g in steve.groups.all()] == ["Researcher"]


def test_it_removes_a_role_and_deactivates(adam, alice):
    client_for(adam).post(url(alice), {"role": ""})
    alice.refresh_from_db()
    assert not alice.is_active
    assert not alice.groups.exists()


def test_an_admin_cannot_deactivate_themselves(adam):
    response = client_for(adam).post(url(adam), {"role": "Admin"})
    assert response.status_code == 400
    adam.refresh_from_db()
    assert adam.is_active


@pytest.mark.parametrize("who", ["alice", "rita", "steve"])
def test_it_forbids_everyone_but_admins(who, request, steve):
    response = client_for(request.getfixturevalue(who)).post(url(steve), {"role": "Admin", "is_active": "on"})
    assert response.status_code == 403
    assert not steve.groups.exists()


def test_it_answers_404_for_a_missing_user(adam):
    assert client_for(adam).get("/users/999999/").status_code == 404
