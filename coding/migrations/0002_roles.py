"""Create the Researcher, Reviewer and Admin groups with their permissions, as they were before
studies (studies/0002 turns them into memberships). Frozen here: the live roles module has moved on."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["interviews.view_participant", "interviews.view_transcript", "coding.view_theme",
        "coding.view_codedexcerpt"]
ROLE_PERMISSIONS = {
    "Researcher": READ + [
        "interviews.add_transcript", "interviews.change_transcript", "coding.add_theme",
        "coding.change_theme", "coding.delete_theme", "coding.add_codedexcerpt",
        "coding.change_codedexcerpt", "coding.delete_codedexcerpt",
    ],
    "Reviewer": READ,
    "Admin": READ + [
        "interviews.add_participant", "interviews.change_participant", "interviews.delete_participant",
        "interviews.view_identifying_fields", "interviews.add_transcript", "interviews.change_transcript",
        "auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations run; make them now so groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([
            Permission.objects.get(content_type__app_label=perm.split(".")[0], codename=perm.split(".")[1])
            for perm in perms
        ])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("interviews", "0001_initial"),
        ("coding", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
