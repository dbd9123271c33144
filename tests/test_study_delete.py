"""Deleting a study (studies.views.study_delete): the owner types its name; it goes to the trash."""

import pytest
from django.urls import reverse

from studies.models import Study
from tests.conftest import client_for

URL = reverse("study:delete", args=["pasto"])


def test_it_shows_owners_the_form(adam):
    response = client_for(adam).get(URL)
    assert response.status_code == 200
    assert "Pasto test study" in response.content.decode()


def test_an_owner_deletes_the_study_by_typing_its_name(adam, alice, study):
    response = client_for(adam).post(URL, {"confirm_name": "Pasto test study"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    study.refresh_from_db()
    assert study.deleted_at is not None and study.deleted_by == adam
    # Gone for its members, and off their home page.
    assert client_for(alice).get(reverse("study:members", args=["pasto"])).status_code == 404
    assert client_for(alice).get(reverse("home")).context["studies"] == []


@pytest.mark.parametrize("typed", ["", "pasto", "Pasto test study ", "pasto test study"])
def test_it_refuses_a_wrong_name(adam, study, typed):
    response = client_for(adam).post(URL, {"confirm_name": typed})
    assert response.status_code == 400
    assert Study.objects.get(pk=study.pk).deleted_at is None


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_members_who_are_not_owners(who, request, study):
    response = client_for(request.getfixturevalue(who)).post(URL, {"confirm_name": "Pasto test study"})
    assert response.status_code == 403
    assert Study.objects.get(pk=study.pk).deleted_at is None


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_hides_the_study_from_non_members(who, request, study):
    response = client_for(request.getfixturevalue(who)).post(URL, {"confirm_name": "Pasto test study"})
    assert response.status_code == 404
    assert Study.objects.get(pk=study.pk).deleted_at is None
