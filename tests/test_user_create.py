import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.conftest import client_for

URL = reverse("accounts:user-create")


def data(**extra):
    return {"username": "nadia", "password1": "a-Long-passphrase-42", "password2": "a-Long-passphrase-42",
            "role": "Reviewer", **extra}


def test_it_creates_a_user_with_a_role(adam):
    response = client_for(adam).post(URL, data())
    assert response.status_code == 302
    user = User.objects.get(username="nadia")
    assert [g.name for g in user.groups.all()] == ["Reviewer"]
    assert user.check_password("a-Long-passphrase-42")
    assert not user.is_staff


def test_an_admin_role_gets_the_staff_flag(adam):
    client_for(adam).post(URL, data(role="Admin"))
    assert User.objects.get(username="nadia").is_staff


@pytest.mark.parametrize("password", ["123456789", "short", "password"])
def test_it_rejects_weak_passwords(adam, password):
    response = client_for(adam).post(URL, data(password1=password, password2=password))
    assert response.status_code == 400
    assert not User.objects.filter(username="nadia").exists()


def test_it_rejects_an_unknown_role(adam):
    response = client_for(adam).post(URL, data(role="Overlord"))
    assert response.status_code == 400
    assert not User.objects.filter(username="nadia").exists()


@pytest.mark.parametrize("who", ["alice", "rita", "steve"])
def test_it_forbids_everyone_but_admins(who, request):
    assert client_for(request.getfixturevalue(who)).post(URL, data()).status_code == 403
    assert not User.objects.filter(username="nadia").exists()
