"""Site-wide roles, as groups with model permissions. Everything inside a study is decided by
Membership.role instead (studies.models.Role); these two only say who runs the site.

- Site admin: creates accounts, decides who may create studies, restores deleted studies, and
  may make themselves owner of a study (logged). Sees a study's content only as a member.
- Study creator: may create studies, and becomes the owner of each one created.
"""

from django.utils.translation import gettext_lazy as _

SITE_ADMIN = "Site admin"
STUDY_CREATOR = "Study creator"

GROUP_PERMISSIONS = {
    SITE_ADMIN: [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "studies.add_study",
        "studies.change_study",
    ],
    STUDY_CREATOR: ["studies.add_study"],
}

# The groups' names are stored untranslated; these are their labels for people.
GROUP_LABELS = {
    SITE_ADMIN: _("Site admin"),
    STUDY_CREATOR: _("Study creator"),
}

GROUP_DESCRIPTIONS = {
    SITE_ADMIN: _("creates accounts, decides who may create studies, restores deleted studies"),
    STUDY_CREATOR: _("may create studies, and owns each one created"),
}


def is_site_admin(user):
    return user.is_active and user.has_perm("auth.change_user") and user.has_perm("studies.change_study")


def can_create_study(user):
    return user.is_active and user.has_perm("studies.add_study")


def site_role_names(user):
    if user.is_superuser:
        return [SITE_ADMIN]
    return sorted(g.name for g in user.groups.all() if g.name in GROUP_PERMISSIONS)


def roles_sync(Group, Permission):
    """Make each site group hold exactly its permissions. Takes the models as arguments so a
    migration can pass its historical ones."""
    for role, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
