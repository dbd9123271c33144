"""The home page (studies.views.home): the user's studies with their role in each."""

import pytest
from django.urls import reverse
from django.utils import timezone

from studies import roles
from studies.models import Membership, Role, Study
from tests.conftest import client_for

URL = reverse("home")


@pytest.fixture
def creator(django_user_model, site_groups):
    """May create studies (Study creator group), member of none."""
    user = django_user_model.objects.create_user(username="cleo", password="pw")
    user.groups.add(site_groups[roles.STUDY_CREATOR])
    return user


def test_it_sends_anonymous_users_to_login(db, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_the_users_studies_with_their_role(alice, other_study, transcript):
    Membership.objects.create(study=other_study, user=alice, role=Role.REVIEWER)
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    rows = {s.slug: (s.role, s.transcript_count) for s in response.context["studies"]}
    assert rows == {"pasto": (Role.RESEARCHER, 1), "other": (Role.REVIEWER, 0)}
    body = response.content.decode()
    assert reverse("transcripts:transcript-list", args=["pasto"]) in body
    assert reverse("transcripts:transcript-list", args=["other"]) in body


def test_it_lists_no_study_the_user_is_not_a_member_of(alice, other_study):
    body = client_for(alice).get(URL).content.decode()
    assert "Pasto test study" in body
    assert "Other study" not in body


def test_it_hides_deleted_studies(alice, study):
    Study.objects.filter(pk=study.pk).update(deleted_at=timezone.now())
    response = client_for(alice).get(URL)
    assert response.context["studies"] == []
    assert "not a member of any study" in response.content.decode()


def test_it_shows_a_stranger_how_to_join(steve, transcript):
    body = client_for(steve).get(URL).content.decode()
    assert "not a member of any study" in body
    assert "Interview D" not in body
    assert "Pasto test study" not in body


def test_it_offers_new_study_only_to_those_who_may_create(creator, alice):
    new = reverse("studies:study-create")
    assert new in client_for(creator).get(URL).content.decode()
    assert new not in client_for(alice).get(URL).content.decode()


def test_it_links_site_admins_to_users_trash_and_other_studies(sam, study, transcript):
    response = client_for(sam).get(URL)
    body = response.content.decode()
    assert reverse("accounts:user-list") in body
    assert reverse("studies:trash") in body
    assert reverse("study:claim", args=[study.slug]) in body
    # The study's name, never its content.
    assert "Interview D" not in body
    assert f'href="{reverse("transcripts:transcript-list", args=[study.slug])}"' not in body


def test_it_shows_no_admin_links_to_members(alice, rita):
    for user in (alice, rita):
        body = client_for(user).get(URL).content.decode()
        assert reverse("accounts:user-list") not in body
        assert reverse("studies:trash") not in body


@pytest.mark.parametrize("extra_studies", [0, 9])
def test_it_runs_a_fixed_number_of_queries(adam, alice, transcript, django_user_model, extra_studies,
                                           django_assert_num_queries):
    """Guards against an N+1 over studies (role, transcript and member counts per study) and,
    for site admins, over the other studies listed for claiming."""
    for i in range(extra_studies):
        mine = Study.objects.create(name=f"Study {i}", slug=f"s{i}")
        Membership.objects.create(study=mine, user=adam, role=Role.RESEARCHER)
        Membership.objects.create(study=mine, user=alice, role=Role.OWNER)
        Study.objects.create(name=f"Not mine {i}", slug=f"n{i}")
    client = client_for(adam)
    # user (with whether they hold permissions), group permissions (can_create_study /
    # is_site_admin: adam holds none of his own, so that read is skipped), the user's studies
    # with role and counts, the other live studies
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert len(response.context["studies"]) == 1 + extra_studies
    assert len(response.context["other_studies"]) == extra_studies
