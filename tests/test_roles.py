"""pasto_coop/roles.py and the data migration that turns it into groups."""

import pytest
from django.contrib.auth.models import Group, Permission

from pasto_coop import roles


def group_permissions(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_it_creates_exactly_the_role_groups_in_the_migration(db):
    # `db`, not `role_groups`: the groups must come from the migration alone.
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ROLE_PERMISSIONS)


@pytest.mark.parametrize("role", list(roles.ROLE_PERMISSIONS))
def test_it_gives_each_migrated_group_exactly_its_role_permissions(db, role):
    assert group_permissions(Group.objects.get(name=role)) == set(roles.ROLE_PERMISSIONS[role])


def test_it_pins_the_role_permissions():
    """0002_roles applies ROLE_PERMISSIONS once: a database migrated before a change here keeps
    the old groups. So this copy fails on purpose; update it together with a new data migration
    that calls roles_sync."""
    read = {
        "interviews.view_participant",
        "interviews.view_transcript",
        "coding.view_theme",
        "coding.view_codedexcerpt",
    }
    assert {role: set(perms) for role, perms in roles.ROLE_PERMISSIONS.items()} == {
        roles.RESEARCHER: read
        | {
            "interviews.add_transcript",
            "interviews.change_transcript",
            "coding.add_theme",
            "coding.change_theme",
            "coding.delete_theme",
            "coding.add_codedexcerpt",
            "coding.change_codedexcerpt",
            "coding.delete_codedexcerpt",
        },
        roles.REVIEWER: read,
        roles.ADMIN: read
        | {
            "interviews.add_participant",
            "interviews.change_participant",
            "interviews.delete_participant",
            "interviews.view_identifying_fields",
            "interviews.add_transcript",
            "interviews.change_transcript",
            "auth.view_user",
            "auth.add_user",
            "auth.change_user",
            "auth.view_group",
            "audit.view_change",
        },
    }


def test_it_syncs_a_group_back_to_its_role(role_groups):
    reviewer = role_groups[roles.REVIEWER]
    reviewer.permissions.add(*role_groups[roles.RESEARCHER].permissions.all())
    roles.roles_sync(Group, Permission)
    assert group_permissions(reviewer) == set(roles.ROLE_PERMISSIONS[roles.REVIEWER])


def test_it_lets_a_researcher_read_and_code(alice):
    assert roles.can_read(alice)
    assert roles.can_code(alice)
    assert not roles.can_see_identifying_fields(alice)


def test_it_lets_a_reviewer_read_but_not_code(rita):
    assert roles.can_read(rita)
    assert not roles.can_code(rita)
    assert not roles.can_see_identifying_fields(rita)


def test_it_lets_a_stranger_do_nothing(steve):
    assert not roles.can_read(steve)
    assert not roles.can_code(steve)
    assert not roles.can_see_identifying_fields(steve)


def test_it_shows_identifying_fields_to_admins_only(adam):
    assert roles.can_read(adam)
    assert not roles.can_code(adam)
    assert roles.can_see_identifying_fields(adam)


def test_it_lets_a_superuser_do_everything(django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="pw")
    assert roles.can_read(root)
    assert roles.can_code(root)
    assert roles.can_see_identifying_fields(root)


def test_it_names_each_users_role(alice, rita, adam, steve):
    assert roles.role_names(alice) == [roles.RESEARCHER]
    assert roles.role_names(rita) == [roles.REVIEWER]
    assert roles.role_names(adam) == [roles.ADMIN]
    assert roles.role_names(steve) == []


def test_it_names_several_roles_in_order_and_ignores_other_groups(rita, role_groups):
    rita.groups.add(role_groups[roles.ADMIN], Group.objects.create(name="Field team"))
    assert roles.role_names(rita) == [roles.ADMIN, roles.REVIEWER]


def test_it_names_a_superuser_admin(django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="pw")
    assert roles.role_names(root) == [roles.ADMIN]
