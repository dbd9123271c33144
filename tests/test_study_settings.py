"""Study settings (studies.views.study_settings, study_archive): owners only."""

import pytest
from django.urls import reverse

from studies.models import Study
from tests.conftest import client_for

URL = reverse("study:settings", args=["pasto"])
ARCHIVE = reverse("study:archive", args=["pasto"])


def data(**extra):
    return {"name": "Pasto, renamed", "description": "New words.", "language": "en", **extra}


def test_it_shows_owners_the_form(adam):
    response = client_for(adam).get(URL)
    assert response.status_code == 200
    assert 'name="description"' in response.content.decode()


def test_an_owner_edits_the_study(adam, study):
    assert client_for(adam).post(URL, data()).status_code == 302
    study.refresh_from_db()
    assert (study.name, study.description, study.language, study.slug) == (
        "Pasto, renamed", "New words.", "en", "pasto")


def test_it_refuses_an_empty_name(adam, study):
    response = client_for(adam).post(URL, data(name=""))
    assert response.status_code == 400
    study.refresh_from_db()
    assert study.name == "Pasto test study"


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_members_who_are_not_owners(who, request, study):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, data()).status_code == 403
    assert client.post(ARCHIVE, {"archived": "1"}).status_code == 403
    study.refresh_from_db()
    assert (study.name, study.archived_at) == ("Pasto test study", None)


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_hides_the_study_from_non_members(who, request, study):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, data()).status_code == 404
    assert client.post(ARCHIVE, {"archived": "1"}).status_code == 404
    study.refresh_from_db()
    assert (study.name, study.archived_at) == ("Pasto test study", None)


def test_archiving_makes_the_study_read_only(adam, alice, study):
    assert client_for(adam).post(ARCHIVE, {"archived": "1"}).status_code == 302
    study.refresh_from_db()
    assert study.is_archived
    researcher = alice.memberships.select_related("study").get()
    assert not researcher.can_code
    owner = adam.memberships.select_related("study").get()
    assert not owner.can_code and not owner.can_manage


def test_an_archived_study_refuses_edits_but_can_be_unarchived(adam, study):
    client = client_for(adam)
    client.post(ARCHIVE, {"archived": "1"})
    assert client.get(URL).status_code == 200
    assert client.post(URL, data()).status_code == 403
    assert Study.objects.get(pk=study.pk).name == "Pasto test study"
    assert client.post(ARCHIVE, {"archived": "0"}).status_code == 302
    study.refresh_from_db()
    assert not study.is_archived


def test_archiving_refuses_get(adam):
    assert client_for(adam).get(ARCHIVE).status_code == 405
