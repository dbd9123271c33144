"""The members page (studies.views.members, member_add, member_role_set, member_remove)."""

import pytest
from django.urls import reverse

from audit.models import Change
from studies.models import Membership, Role
from tests.conftest import client_for

PAGE = reverse("study:members", args=["pasto"])
ADD = reverse("study:member-add", args=["pasto"])


def role_url(membership):
    return reverse("study:member-role", args=[membership.study.slug, membership.pk])


def remove_url(membership):
    return reverse("study:member-remove", args=[membership.study.slug, membership.pk])


def roles_of(study):
    return dict(Membership.objects.filter(study=study).values_list("user__username", "role"))


# ----- the page -----

def test_it_shows_owners_the_members_and_the_forms(adam, alice, rita):
    response = client_for(adam).get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("adam", "alice", "rita"):
        assert name in body
    assert ADD in body
    assert [m.user.username for m in response.context["members"]] == ["adam", "alice", "rita"]


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_shows_other_members_the_list_read_only(who, request, adam):
    response = client_for(request.getfixturevalue(who)).get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "adam" in body
    assert ADD not in body
    assert "/remove/" not in body


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_hides_the_study_from_non_members(who, request, adam):
    assert client_for(request.getfixturevalue(who)).get(PAGE).status_code == 404


def test_it_sends_anonymous_users_to_login(client, adam):
    assert client.get(PAGE).status_code == 302


@pytest.mark.parametrize("extra", [0, 10])
def test_it_runs_a_fixed_number_of_queries(adam, study, django_user_model, extra,
                                           django_assert_num_queries):
    """Guards against an N+1 over members (their user fetched one by one)."""
    for i in range(extra):
        Membership.objects.create(study=study, user=django_user_model.objects.create_user(f"u{i}"),
                                  role=Role.REVIEWER)
    client = client_for(adam)
    # user, membership with study, members with users, group permissions (the nav's site
    # links; a site admin holds none of their own, so that read is skipped)
    with django_assert_num_queries(4):
        response = client.get(PAGE)
    assert len(response.context["members"]) == 1 + extra


# ----- adding -----

def test_an_owner_adds_a_user_by_username(adam, steve, study):
    response = client_for(adam).post(ADD, {"user": "steve", "role": Role.REVIEWER})
    assert response.status_code == 302
    assert roles_of(study)["steve"] == Role.REVIEWER
    change = Change.objects.get(model="studies.membership", action="create",
                                object_id=str(Membership.objects.get(user=steve).pk))
    assert (change.user, change.study_id) == (adam, study.pk)


def test_an_owner_adds_a_user_by_email_in_any_case(adam, steve, study):
    steve.email = "Steve@Example.org"
    steve.save()
    client_for(adam).post(ADD, {"user": " steve@example.ORG ", "role": Role.RESEARCHER})
    assert roles_of(study)["steve"] == Role.RESEARCHER


def test_it_refuses_an_unknown_user(adam, study):
    response = client_for(adam).post(ADD, {"user": "nobody@example.org", "role": Role.REVIEWER})
    assert response.status_code == 400
    assert "There is no user with the username or e-mail" in response.content.decode()
    assert roles_of(study) == {"adam": Role.OWNER}


def test_it_refuses_an_inactive_user(adam, steve, study):
    steve.is_active = False
    steve.save()
    assert client_for(adam).post(ADD, {"user": "steve", "role": Role.REVIEWER}).status_code == 400
    assert "steve" not in roles_of(study)


def test_it_refuses_an_existing_member(adam, rita, study):
    response = client_for(adam).post(ADD, {"user": "rita", "role": Role.OWNER})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert roles_of(study)["rita"] == Role.REVIEWER


@pytest.mark.parametrize("role", ["", "admin", "Owner"])
def test_it_refuses_an_unknown_role(adam, steve, study, role):
    assert client_for(adam).post(ADD, {"user": "steve", "role": role}).status_code == 400
    assert "steve" not in roles_of(study)


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_members_who_are_not_owners(who, request, steve, study):
    response = client_for(request.getfixturevalue(who)).post(ADD, {"user": "steve", "role": Role.OWNER})
    assert response.status_code == 403
    assert "steve" not in roles_of(study)


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_hides_the_study_from_non_members_on_add(who, request, study):
    response = client_for(request.getfixturevalue(who)).post(ADD, {"user": "steve", "role": Role.OWNER})
    assert response.status_code == 404
    assert "steve" not in roles_of(study)


def test_it_forbids_changes_in_an_archived_study(adam, steve, study):
    from django.utils import timezone

    study.archived_at = timezone.now()
    study.save()
    response = client_for(adam).post(ADD, {"user": "steve", "role": Role.REVIEWER})
    assert response.status_code == 403
    assert "This study is archived" in response.content.decode()
    assert "steve" not in roles_of(study)


# ----- changing a role -----

def test_an_owner_changes_a_role(adam, rita, study):
    response = client_for(adam).post(role_url(rita.memberships.get()), {"role": Role.RESEARCHER})
    assert response.status_code == 302
    assert roles_of(study)["rita"] == Role.RESEARCHER


def test_it_refuses_to_demote_the_last_owner(adam, study):
    response = client_for(adam).post(role_url(adam.memberships.get()), {"role": Role.REVIEWER})
    assert response.status_code == 400
    assert "at least one owner" in response.content.decode()
    assert roles_of(study)["adam"] == Role.OWNER


def test_an_owner_may_step_down_when_another_owner_remains(adam, alice, study):
    client = client_for(adam)
    client.post(role_url(alice.memberships.get()), {"role": Role.OWNER})
    assert client.post(role_url(adam.memberships.get()), {"role": Role.RESEARCHER}).status_code == 302
    assert roles_of(study) == {"adam": Role.RESEARCHER, "alice": Role.OWNER}


def test_it_refuses_an_unknown_role_on_change(adam, rita, study):
    response = client_for(adam).post(role_url(rita.memberships.get()), {"role": "overlord"})
    assert response.status_code == 400
    assert roles_of(study)["rita"] == Role.REVIEWER


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_role_changes_by_non_owners(who, request, adam, study):
    response = client_for(request.getfixturevalue(who)).post(role_url(adam.memberships.get()),
                                                             {"role": Role.REVIEWER})
    assert response.status_code == 403
    assert roles_of(study)["adam"] == Role.OWNER


def test_it_answers_404_for_another_studys_membership(adam, otto):
    """adam owns `study`; otto's membership of `other_study` is not his to see or change."""
    membership = otto.memberships.get()
    url = reverse("study:member-role", args=["pasto", membership.pk])
    assert client_for(adam).post(url, {"role": Role.REVIEWER}).status_code == 404
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


# ----- removing -----

def test_an_owner_removes_a_member(adam, rita, study):
    assert client_for(adam).post(remove_url(rita.memberships.get())).status_code == 302
    assert "rita" not in roles_of(study)
    assert client_for(rita).get(PAGE).status_code == 404


def test_it_refuses_to_remove_the_last_owner(adam, alice, study):
    response = client_for(adam).post(remove_url(adam.memberships.get()))
    assert response.status_code == 400
    assert "at least one owner" in response.content.decode()
    assert roles_of(study) == {"adam": Role.OWNER, "alice": Role.RESEARCHER}


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_removal_by_non_owners(who, request, adam, bob, study):
    response = client_for(request.getfixturevalue(who)).post(remove_url(bob.memberships.get()))
    assert response.status_code == 403
    assert "bob" in roles_of(study)


def test_it_answers_404_when_removing_another_studys_member(adam, otto, other_study):
    url = reverse("study:member-remove", args=["pasto", otto.memberships.get().pk])
    assert client_for(adam).post(url).status_code == 404
    assert roles_of(other_study) == {"otto": Role.OWNER}


def test_it_refuses_get_on_writes(adam, rita):
    assert client_for(adam).get(remove_url(rita.memberships.get())).status_code == 405
