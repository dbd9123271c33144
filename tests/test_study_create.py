"""Creating a study (studies.views.study_create): study creators only; the creator owns it."""

import pytest
from django.urls import reverse

from audit.models import Change
from studies import roles
from studies.models import Membership, Role, Study
from tests.conftest import client_for

URL = reverse("studies:study-create")


@pytest.fixture
def creator(django_user_model, site_groups):
    """May create studies (Study creator group), member of none."""
    user = django_user_model.objects.create_user(username="cleo", password="pw")
    user.groups.add(site_groups[roles.STUDY_CREATOR])
    return user


def data(**extra):
    return {"name": "Cali street vendors", "slug": "cali", "description": "Ten interviews.",
            "language": "es", **extra}


def test_it_shows_the_form(creator):
    response = client_for(creator).get(URL)
    assert response.status_code == 200
    assert 'name="slug"' in response.content.decode()


def test_it_creates_a_study_owned_by_its_creator(creator):
    response = client_for(creator).post(URL, data())
    study = Study.objects.get(slug="cali")
    assert response.status_code == 302
    assert response["Location"] == reverse("transcripts:transcript-list", args=["cali"])
    assert (study.name, study.description, study.language, study.created_by) == (
        "Cali street vendors", "Ten interviews.", "es", creator)
    assert list(Membership.objects.filter(study=study).values_list("user__username", "role")) == [
        ("cleo", Role.OWNER)]
    assert Change.objects.filter(study=study, model="studies.membership", user=creator).exists()


def test_a_site_admin_may_create_studies(sam):
    assert client_for(sam).post(URL, data()).status_code == 302
    assert Membership.objects.get(study__slug="cali").user == sam


def test_it_refuses_a_slug_that_is_taken(creator, other_study):
    response = client_for(creator).post(URL, data(slug="other"))
    assert response.status_code == 400
    assert "is taken" in response.content.decode()
    assert Study.objects.count() == 1
    assert not Membership.objects.filter(user=creator).exists()


@pytest.mark.parametrize("slug", ["new", "trash", "import"])
def test_it_refuses_a_reserved_slug(creator, slug):
    response = client_for(creator).post(URL, data(slug=slug))
    assert response.status_code == 400
    assert "is reserved" in response.content.decode()
    assert not Study.objects.exists()


@pytest.mark.parametrize("bad", [{"slug": "two words"}, {"slug": ""}, {"name": ""}, {"slug": "é" * 3},
                                 {"name": "x" * 201}])
def test_it_refuses_bad_input(creator, bad):
    response = client_for(creator).post(URL, data(**bad))
    assert response.status_code == 400
    assert not Study.objects.exists()


@pytest.mark.parametrize("who", ["alice", "rita", "steve", "otto"])
def test_it_forbids_users_who_may_not_create_studies(who, request):
    response = client_for(request.getfixturevalue(who)).post(URL, data())
    assert response.status_code == 403
    assert not Study.objects.filter(slug="cali").exists()


def test_it_sends_anonymous_users_to_login(client, db):
    response = client.post(URL, data())
    assert response.status_code == 302
    assert not Study.objects.exists()
