import pytest
from django.urls import reverse

from tests.conftest import client_for

URL = reverse("accounts:user-list")


def test_it_lists_users_with_their_roles(adam, alice, rita, steve):
    body = client_for(adam).get(URL).content.decode()
    for name in ("adam", "alice", "rita", "steve"):
        assert name in body
    assert "Researcher" in body and "Reviewer" in body


@pytest.mark.parametrize("who", ["alice", "rita", "steve"])
def test_it_forbids_everyone_but_admins(who, request):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


def test_it_sends_anonymous_users_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("extra", [0, 10])
def test_it_runs_a_fixed_number_of_queries(adam, django_user_model, extra, django_assert_num_queries):
    """Guards against an N+1 over users (their groups fetched one by one)."""
    for i in range(extra):
        django_user_model.objects.create_user(f"u{i}")
    client = client_for(adam)
    # session, user, user permissions, group permissions, users, their groups (prefetch)
    with django_assert_num_queries(6):
        client.get(URL)
