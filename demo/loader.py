"""The demo studies and their users: each fixtures/*_demo.json turned into a study with its
members, participants, transcripts, codebook and coded excerpts.

- fixtures/pasto_demo.json: "Pasto Open to the World", the study paper's quotations, each coded
  under the innermost heading the paper quotes it under.
- fixtures/huertas_demo.json: "Huertas urbanas", three short synthetic interviews in Spanish, with
  a team in other roles, to show that studies are isolated from each other.

Offsets are never typed by hand: a transcript's text is its passages joined by blank lines (a
passage with a speaker reads "Speaker: words"), and each excerpt spans the words of its passage.
Running the loader again changes nothing: every row is looked up before it is made.
"""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import CommandError
from django.db import transaction

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create, theme_create, theme_update
from interviews.models import Attribute, AttributeTarget, Participant, Transcript
from interviews.services import attribute_create, attribute_value_set
from interviews.text import normalise_text
from studies import roles
from studies.models import Membership, Study
from studies.services import membership_role_set, study_create

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures"
PASTO_FILE = DEMO_DIR / "pasto_demo.json"
HUERTAS_FILE = DEMO_DIR / "huertas_demo.json"
DEMO_FILES = [PASTO_FILE, HUERTAS_FILE]

# For local use only: the README repeats these, and production never runs load_demo.
# (username, password, site group or None). Roles inside a study come from each file's "members".
DEMO_USERS = [
    ("admin", "pasto-demo-admin", roles.SITE_ADMIN),
    ("olga", "pasto-demo-olga", roles.STUDY_CREATOR),
    ("maria", "pasto-demo-maria", None),
    ("tomas", "pasto-demo-tomas", None),
    ("rosa", "pasto-demo-rosa", None),
]
PASSAGE_SEPARATOR = "\n\n"


def demo_users_create():
    """Create the demo users. An existing one keeps its password and gets its site group back."""
    roles.roles_sync(Group, Permission)  # a flushed test database has no site groups
    User = get_user_model()
    site_groups = Group.objects.filter(name__in=roles.GROUP_PERMISSIONS)
    users = {}
    for username, password, group in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save()
        user.groups.remove(*site_groups.exclude(name=group))
        if group:
            user.groups.add(Group.objects.get(name=group))
        users[username] = user
    return users


def _study_load(data, users):
    """The study by its slug, made by its creator if missing; each listed member gets their
    role back. Members added since are left alone."""
    row = data["study"]
    study = Study.objects.filter(slug=row["slug"]).first()
    if study is None:
        study = study_create(name=row["name"], slug=row["slug"], creator=users[row["creator"]],
                             description=row["description"], language=row["language"])
    for username, role in data["members"].items():
        membership, created = Membership.objects.get_or_create(
            study=study, user=users[username], defaults={"role": role}
        )
        if not created and membership.role != role:
            membership_role_set(membership=membership, role=role)
    return study


def _attributes_load(study, rows):
    """The study's participant attributes (organisation, sector, gender: ordinary attributes,
    named in the study's language), each made once; one edited since is left alone."""
    attributes = {}
    for order, row in enumerate(rows):
        attribute = Attribute.objects.filter(
            study=study, applies_to=AttributeTarget.PARTICIPANT, name=row["name"]).first()
        if attribute is None:
            attribute = attribute_create(
                study=study, applies_to=AttributeTarget.PARTICIPANT, name=row["name"], type=row["type"],
                description=row["description"], order=order, choices=row.get("choices", ()))
        attributes[row["name"]] = attribute
    return attributes


def _participants_load(study, rows, attributes):
    """Each participant made once, with its attribute values. The Pasto file leaves every
    sector blank, as the REFI-QDA import does when a file does not say, because the paper never
    states one per participant (see the participants' notes); an owner may choose one once it
    is known."""
    participants = {}
    for row in rows:
        participant, created = Participant.objects.get_or_create(
            study=study,
            code=row["code"],
            defaults={"notes": row["notes"], "consent_given": True, "consent_scope": row["consent_scope"]},
        )
        if created:
            for name, raw in row["attributes"].items():
                attribute_value_set(attribute=attributes[name], obj=participant, raw=raw)
        participants[row["code"]] = participant
    return participants


def _themes_load(study, rows):
    """Each theme made once, in file order; a demo theme edited since gets its definition back."""
    by_key = {}
    for row in rows:
        parent = by_key[row["parent"]] if row["parent"] else None
        wanted = {
            "kind": row["kind"],
            "colour": row["colour"],
            "description": row["description"],
            "inclusion_criteria": row["inclusion"],
            "exclusion_criteria": row["exclusion"],
            # A heading that only holds sub-headings is grouping-only (REFI-QDA isCodable="false").
            "is_codable": row.get("codable", True),
        }
        theme = Theme.objects.filter(study=study, parent=parent, name=row["name"]).first()
        if theme is None:
            theme = theme_create(study=study, name=row["name"], parent=parent, **wanted)
        elif any(getattr(theme, field) != value for field, value in wanted.items()):
            theme = theme_update(theme=theme, name=theme.name, parent=parent, **wanted)
        by_key[row["key"]] = theme
    return by_key


def _passages(rows):
    """(text, [(start, end, theme keys)]) for a transcript's passages."""
    parts, spans, start = [], [], 0
    for row in rows:
        words = normalise_text(row["text"])
        label = f"{row['speaker']}: " if row.get("speaker") else ""
        if row["themes"]:
            spans.append((start + len(label), start + len(label) + len(words), row["themes"]))
        parts.append(label + words)
        start += len(label + words) + len(PASSAGE_SEPARATOR)
    return PASSAGE_SEPARATOR.join(parts), spans


def _transcript_load(study, row, participants, themes, coder, source):
    text, spans = _passages(row["passages"])
    transcript, _created = Transcript.objects.get_or_create(
        study=study,
        participant=participants[row["participant"]],
        title=row["title"],
        defaults={
            "interview_date": date.fromisoformat(row["interview_date"]),
            "language": row["language"],
            "text": text,
            "source_filename": source,
            "created_by": coder,
            "updated_by": coder,
        },
    )
    if transcript.text != text:
        raise CommandError(
            f"{study.slug}: “{transcript.title}”: its text in the database differs from {source}; "
            "load_demo never rewrites coded text. Start from an empty database to reload it."
        )
    for start, end, keys in spans:
        if not CodedExcerpt.objects.filter(transcript=transcript, start=start, end=end).exists():
            excerpt_create(transcript=transcript, start=start, end=end,
                           themes=[themes[key] for key in keys], coder=coder)
    return transcript


def demo_study_load(path, users):
    """Load one demo study file; running it again changes nothing. Returns the study and its
    counts."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    study = _study_load(data, users)
    coder = users[data["coder"]]
    attributes = _attributes_load(study, data["attributes"])
    participants = _participants_load(study, data["participants"], attributes)
    themes = _themes_load(study, data["themes"])
    transcripts = [
        _transcript_load(study, row, participants, themes, coder, Path(path).name)
        for row in data["transcripts"]
    ]
    return study, {
        "participants": len(participants),
        "themes": len(themes),
        "transcripts": len(transcripts),
        "excerpts": CodedExcerpt.objects.filter(transcript__in=transcripts).count(),
    }


@transaction.atomic
def demo_load(paths=DEMO_FILES):
    """The demo users and every demo study, all or nothing. Returns the users and, per study,
    its counts."""
    users = demo_users_create()
    studies = [demo_study_load(path, users) for path in paths]
    return users, studies


def demo_logins(users):
    """(username, password, site group or "", [(study, role label)]) for every demo user."""
    memberships = Membership.objects.filter(user__in=users.values()).select_related("study")
    by_user = {}
    for membership in memberships.order_by("study_id"):
        by_user.setdefault(membership.user_id, []).append(
            (membership.study, membership.get_role_display())
        )
    return [
        (username, password, group or "", by_user.get(users[username].pk, []))
        for username, password, group in DEMO_USERS
    ]
