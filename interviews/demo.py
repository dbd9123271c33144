"""The Pasto demo study: fixtures/pasto_demo.json turned into rows, and the demo users.

Offsets are never typed by hand: each transcript's text is its passages joined by blank lines,
and each excerpt's offsets are where its passage landed in that text.
"""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import transaction

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from interviews.models import ConsentScope, Participant, Transcript
from interviews.text import normalise_text
from pasto_coop import roles

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "pasto_demo.json"

# For local use only: the README repeats these, and production never runs load_demo.
DEMO_USERS = [
    ("maria", "pasto-demo-maria", roles.RESEARCHER),
    ("tomas", "pasto-demo-tomas", roles.RESEARCHER),
    ("rosa", "pasto-demo-rosa", roles.REVIEWER),
    ("admin", "pasto-demo-admin", roles.ADMIN),
]
DEMO_CODER = "maria"
PASSAGE_SEPARATOR = "\n\n"


def demo_users_create():
    """Create the demo users; an existing one keeps its password and gets its role back."""
    User = get_user_model()
    for username, password, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": role == roles.ADMIN}
        )
        if created:
            user.set_password(password)
            user.save()
        user.groups.set([Group.objects.get(name=role)])
    return DEMO_USERS


def _themes_load(rows):
    by_key = {}
    for row in rows:
        parent = by_key[row["parent"]] if row["parent"] else None
        theme, _ = Theme.objects.update_or_create(
            parent=parent,
            name=row["name"],
            defaults={
                "kind": row["kind"],
                "colour": row["colour"],
                "description": row["description"],
                "inclusion_criteria": row["inclusion"],
                "exclusion_criteria": row["exclusion"],
                "order": row["order"],
            },
        )
        by_key[row["key"]] = theme
    return by_key


def _transcript_load(row, participants, themes, coder):
    passages = [normalise_text(p["text"]) for p in row["passages"]]
    text = PASSAGE_SEPARATOR.join(passages)
    transcript, created = Transcript.objects.get_or_create(
        participant=participants[row["participant"]],
        title=row["title"],
        defaults={
            "interview_date": date.fromisoformat(row["interview_date"]),
            "language": row["language"],
            "text": text,
            "source_filename": DEMO_FILE.name,
            "created_by": coder,
            "updated_by": coder,
        },
    )
    if transcript.text != text:
        raise CommandError(
            f"{transcript.title}: its text in the database differs from {DEMO_FILE.name}; "
            "load_demo never rewrites coded text. Start from an empty database to reload it."
        )
    start = 0
    for passage, passage_row in zip(passages, row["passages"], strict=True):
        end = start + len(passage)
        passage_themes = [themes[key] for key in passage_row["themes"]]
        if not CodedExcerpt.objects.filter(transcript=transcript, start=start, end=end).exists():
            excerpt_create(
                transcript=transcript, start=start, end=end, themes=passage_themes, coder=coder
            )
        start = end + len(PASSAGE_SEPARATOR)
    return transcript


@transaction.atomic
def demo_study_load(path=DEMO_FILE):
    """Load the demo study; running it again changes nothing."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    coder = get_user_model().objects.get(username=DEMO_CODER)
    participants = {}
    for row in data["participants"]:
        participants[row["code"]], _ = Participant.objects.get_or_create(
            code=row["code"],
            defaults={
                "organisation": row["organisation"],
                "sector": row["sector"],
                "gender": row["gender"],
                # The paper's interviewees agreed to be quoted with their organisation named.
                "consent_given": True,
                "consent_scope": ConsentScope.QUOTE_NAMED,
            },
        )
    themes = _themes_load(data["themes"])
    transcripts = [_transcript_load(row, participants, themes, coder) for row in data["transcripts"]]
    return {
        "participants": len(participants),
        "themes": len(themes),
        "transcripts": len(transcripts),
        "excerpts": CodedExcerpt.objects.filter(transcript__in=transcripts).count(),
    }
