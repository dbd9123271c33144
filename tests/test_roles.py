"""Roles: the two site groups (studies/roles.py) and the per-study membership roles
(studies.models.Membership), which decide everything inside a study."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from coding.models import CodedExcerpt, Theme
from interviews.models import Participant, Transcript
from studies import roles
from studies.models import Membership, Role
from tests.conftest import client_for


def group_permissions(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


# ----- site groups -----

def test_migrate_leaves_exactly_the_site_groups(db):
    # `db`, not `site_groups`: the groups must come from migrate alone (studies/0002 renames
    # Admin, deletes Researcher and Reviewer; post_migrate syncs them).
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.GROUP_PERMISSIONS)


@pytest.mark.parametrize("name", list(roles.GROUP_PERMISSIONS))
def test_each_site_group_has_exactly_its_permissions(db, name):
    assert group_permissions(Group.objects.get(name=name)) == set(roles.GROUP_PERMISSIONS[name])


def test_it_syncs_a_group_back_to_its_permissions(site_groups):
    creator = site_groups[roles.STUDY_CREATOR]
    creator.permissions.add(*site_groups[roles.SITE_ADMIN].permissions.all())
    roles.roles_sync(Group, Permission)
    assert group_permissions(creator) == {"studies.add_study"}


def test_it_knows_who_runs_the_site(alice, rita, adam, sam, steve, django_user_model, site_groups):
    root = django_user_model.objects.create_superuser(username="root", password="pw")
    assert [u.username for u in (alice, rita, adam, sam, steve, root) if roles.is_site_admin(u)] == [
        "adam", "sam", "root"]
    steve.groups.add(site_groups[roles.STUDY_CREATOR])
    steve = django_user_model.objects.get(pk=steve.pk)  # has_perm caches
    assert roles.can_create_study(steve) and not roles.is_site_admin(steve)
    assert not roles.can_create_study(alice)
    assert roles.site_role_names(steve) == [roles.STUDY_CREATOR]
    assert roles.site_role_names(root) == [roles.SITE_ADMIN]


def test_an_inactive_site_admin_runs_nothing(sam):
    sam.is_active = False
    assert not roles.is_site_admin(sam)
    assert not roles.can_create_study(sam)


# ----- membership roles -----

def member(user):
    return user.memberships.select_related("study").get()


def test_each_role_says_what_it_may_do(alice, rita, adam):
    assert [(m.can_code, m.is_owner, m.can_manage, m.can_see_identifying_fields)
            for m in map(member, (adam, alice, rita))] == [
        (True, True, True, True),
        (True, False, False, False),
        (False, False, False, False),
    ]


def test_an_archived_study_lets_no_one_write(alice, adam, study):
    study.archived_at = timezone.now()
    study.save()
    assert not member(alice).can_code
    owner = member(adam)
    assert (owner.can_code, owner.can_manage, owner.can_see_identifying_fields) == (False, False, True)


def test_a_user_holds_at_most_one_role_per_study(alice, study):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(study=study, user=alice, role=Role.OWNER)


# ----- one user, different roles in different studies -----

@pytest.fixture
def study_b(rita, other_study):
    """rita reviews `study` and is a researcher in `other_study`, which has its own transcript
    and theme."""
    Membership.objects.create(study=other_study, user=rita, role=Role.RESEARCHER)
    participant = Participant.objects.create(study=other_study, code="Q")
    transcript = Transcript.objects.create(study=other_study, participant=participant, title="Interview Q",
                                           text="Q: The market opens at dawn and closes at noon.")
    theme = Theme.objects.create(study=other_study, name="Markets")
    return {"transcript": transcript, "theme": theme}


def code(user, transcript, theme):
    url = reverse("coding:excerpt-create", args=[transcript.study.slug, transcript.pk])
    return client_for(user).post(url, {"start_utf16": 3, "end_utf16": 13, "themes": [theme.pk]},
                                 HTTP_ACCEPT="application/json")


def test_a_researcher_in_b_codes_in_b(rita, study_b):
    response = code(rita, study_b["transcript"], study_b["theme"])
    assert response.status_code == 201
    excerpt = CodedExcerpt.objects.get()
    assert (excerpt.study.slug, excerpt.coder, excerpt.quote) == ("other", rita, "The market")


def test_the_same_user_reviewing_a_is_refused_there(rita, study_b, transcript, themes):
    assert code(rita, transcript, themes["youth"]).status_code == 403
    assert not CodedExcerpt.objects.exists()


def test_a_theme_of_b_cannot_be_used_in_a(alice, rita, study_b, transcript):
    """alice codes in `study` only: study B's theme id is refused, and nothing is saved."""
    assert code(alice, transcript, study_b["theme"]).status_code in (400, 404)
    assert not CodedExcerpt.objects.exists()
