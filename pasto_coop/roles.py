"""The three roles, as groups with model permissions. A data migration creates them.

Views ask for permissions, never for group names, so a superuser can do everything and a user
with no role (a "stranger") can do nothing but see the home page.
"""

from django.utils.translation import gettext_lazy as _

RESEARCHER = "Researcher"
REVIEWER = "Reviewer"
ADMIN = "Admin"

READ = [
    "interviews.view_participant",
    "interviews.view_transcript",
    "coding.view_theme",
    "coding.view_codedexcerpt",
]

ROLE_PERMISSIONS = {
    # Codes transcripts and manages the codebook.
    RESEARCHER: READ
    + [
        "interviews.add_transcript",
        "interviews.change_transcript",
        "coding.add_theme",
        "coding.change_theme",
        "coding.delete_theme",
        "coding.add_codedexcerpt",
        "coding.change_codedexcerpt",
        "coding.delete_codedexcerpt",
    ],
    # Reads transcripts, excerpts and reports; changes nothing.
    REVIEWER: READ,
    # Manages participant records and users; the only role that sees identifying fields.
    ADMIN: READ
    + [
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
    ],
}

ROLE_DESCRIPTIONS = {
    RESEARCHER: _("codes transcripts and manages themes"),
    REVIEWER: _("reads transcripts, excerpts and reports, and changes nothing"),
    ADMIN: _("manages participant records and users, and sees identifying fields"),
}


def can_read(user):
    return user.has_perm("interviews.view_transcript") and user.has_perm("coding.view_codedexcerpt")


def can_code(user):
    return user.has_perm("coding.add_codedexcerpt")


def can_see_identifying_fields(user):
    return user.has_perm("interviews.view_identifying_fields")


def role_names(user):
    if user.is_superuser:
        return [ADMIN]
    return sorted(g.name for g in user.groups.all() if g.name in ROLE_PERMISSIONS)


def roles_sync(Group, Permission):
    """Make each role's group hold exactly its permissions. Takes the models as arguments so the
    data migration can pass its historical ones."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
