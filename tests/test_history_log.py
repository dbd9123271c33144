import datetime

import pytest
from django.urls import reverse

from audit.context import acting_as
from audit.models import Change
from coding.models import Theme
from tests.conftest import client_for

URL = reverse("audit:history-log")


def test_it_shows_admins_every_change(adam, alice):
    with acting_as(alice):
        Theme.objects.create(name="Trust")
    body = client_for(adam).get(URL).content.decode()
    assert "Trust" in body and "alice" in body


def test_it_filters_by_user_and_date(adam, alice, bob):
    with acting_as(alice):
        Theme.objects.create(name="Alice theme")
    with acting_as(bob):
        Theme.objects.create(name="Bob theme")
    client = client_for(adam)
    body = client.get(URL, {"user": alice.pk}).content.decode()
    assert "Alice theme" in body and "Bob theme" not in body
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    Change.objects.filter(object_repr="Bob theme").update(at=long_ago)
    body = client.get(URL, {"until": "2020-12-31"}).content.decode()
    assert "Bob theme" in body and "Alice theme" not in body
    body = client.get(URL, {"since": "2021-01-01"}).content.decode()
    assert "Alice theme" in body and "Bob theme" not in body


def test_it_ignores_malformed_filters(adam):
    bad = {"user": "x", "since": "2026-02-31", "until": "nope", "page": "zz"}
    assert client_for(adam).get(URL, bad).status_code == 200


@pytest.mark.parametrize("who", ["alice", "rita", "steve"])
def test_it_forbids_everyone_but_admins(who, request):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


@pytest.mark.parametrize("count", [1, 30])
def test_it_runs_a_fixed_number_of_queries(adam, count, django_assert_num_queries):
    """Guards against an N+1 over changes (their user fetched one by one)."""
    with acting_as(adam):
        for i in range(count):
            Theme.objects.create(name=f"T{i}")
    client = client_for(adam)
    # session, user, user permissions, group permissions, count, page of changes with users,
    # users for the filter menu
    with django_assert_num_queries(7):
        client.get(URL)
