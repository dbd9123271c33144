"""Move a single-study database into studies: every existing row joins one study, and the old
site-wide roles become memberships of it.

- Admin → owner, Researcher → researcher, Reviewer → reviewer (the highest one a user had).
- Users who had the Admin role also keep running the site: the Admin group becomes "Site admin".
  The Researcher and Reviewer groups go; their powers now live in memberships.
- If no one was an admin, the superusers become the study's owners, so it is never ownerless.
- A database with no data and no role holders (a new install) gets no study.
"""

from collections import Counter

from django.conf import settings
from django.db import migrations

STUDY_MODELS = [
    ("interviews", "Participant"), ("interviews", "Transcript"), ("interviews", "TranscriptVersion"),
    ("coding", "Theme"), ("coding", "CodedExcerpt"), ("coding", "DeletedExcerpt"),
    ("coding", "DeletedTheme"), ("coding", "AutoCodingRun"), ("audit", "Change"),
]
ROLE_OF_GROUP = {"Admin": "owner", "Researcher": "researcher", "Reviewer": "reviewer"}
RANK = {"owner": 0, "researcher": 1, "reviewer": 2}


def forwards(apps, schema_editor):
    Study = apps.get_model("studies", "Study")
    Membership = apps.get_model("studies", "Membership")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    models = [apps.get_model(app, name) for app, name in STUDY_MODELS]

    roles = {}
    for user in User.objects.filter(groups__name__in=ROLE_OF_GROUP).distinct():
        names = user.groups.filter(name__in=ROLE_OF_GROUP).values_list("name", flat=True)
        roles[user.pk] = min((ROLE_OF_GROUP[n] for n in names), key=RANK.__getitem__)
    if roles or any(model.objects.exists() for model in models):
        Transcript = apps.get_model("interviews", "Transcript")
        languages = Counter(Transcript.objects.values_list("language", flat=True))
        study = Study.objects.create(
            name="Study (migrated)",
            slug="migrated",
            description="Everything this server held before it had studies.",
            language=languages.most_common(1)[0][0] if languages else "en",
        )
        for model in models:
            model.objects.update(study=study)
        if "owner" not in roles.values():
            for pk in User.objects.filter(is_superuser=True).values_list("pk", flat=True):
                roles[pk] = "owner"
        Membership.objects.bulk_create(
            Membership(study=study, user_id=pk, role=role) for pk, role in sorted(roles.items())
        )
    Group.objects.filter(name__in=["Researcher", "Reviewer"]).delete()
    Group.objects.filter(name="Admin").update(name="Site admin")


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="Site admin").update(name="Admin")


class Migration(migrations.Migration):
    dependencies = [
        ("studies", "0001_initial"),
        ("interviews", "0004_study"),
        ("coding", "0008_study"),
        ("audit", "0002_study"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
