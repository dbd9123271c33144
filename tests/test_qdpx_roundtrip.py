"""Round trip: export a study, import it into an empty database, get the same study back."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create, excerpt_update
from exchange.qdpx_export import study_export
from exchange.qdpx_import import study_import
from interviews.demo import demo_study_load, demo_users_create
from interviews.models import Participant, Transcript
from pasto_coop import roles
from tests.test_qdpx_export import study_build

pytestmark = pytest.mark.django_db(transaction=True)


def theme_path(theme, by_id):
    names = []
    while theme is not None:
        names.append(theme.name)
        theme = by_id.get(theme.parent_id)
    return tuple(reversed(names))


def study_snapshot():
    """Everything a study is, keyed by what survives a move between databases (codes, titles,
    theme paths, usernames) rather than by primary keys."""
    themes = {t.pk: t for t in Theme.objects.all()}
    excerpts = CodedExcerpt.objects.select_related("transcript__participant", "coder").prefetch_related(
        "themes")
    return {
        "participants": {p.code: {f: getattr(p, f) for f in Participant.PSEUDONYMOUS_FIELDS}
                         for p in Participant.objects.all()},
        "transcripts": {
            (t.participant.code, t.title): (t.text, t.interview_date, t.language, t.source_filename,
                                            t.created_by.username if t.created_by else None, t.created_at)
            for t in Transcript.objects.select_related("participant", "created_by")
        },
        "themes": {theme_path(t, themes): (t.kind, t.colour, t.description, t.inclusion_criteria,
                                           t.exclusion_criteria, t.order) for t in themes.values()},
        "excerpts": sorted(
            (e.transcript.participant.code, e.transcript.title, e.start, e.end, e.quote,
             e.coder.username, tuple(sorted(theme_path(t, themes) for t in e.themes.all())), e.memo,
             e.needs_review, e.review_reason, e.created_at)
            for e in excerpts
        ),
        "coders": sorted(set(CodedExcerpt.objects.values_list("coder__username", flat=True))),
    }


def database_empty():
    """What a fresh database holds: nothing but the roles the migrations create."""
    call_command("flush", interactive=False, verbosity=0)
    roles.roles_sync(Group, Permission)


def export_then_import_into_an_empty_database():
    out = io.BytesIO()
    study_export(out)
    database_empty()
    assert not Transcript.objects.exists() and not get_user_model().objects.exists()
    out.seek(0)
    return study_import(out, file_name="study.qdpx")


def test_it_reproduces_the_demo_study_exactly():
    demo_users_create()
    demo_study_load()
    # The demo has one coder and no memos; give it a second coder and memos, so both count.
    tomas = get_user_model().objects.get(username="tomas")
    first = CodedExcerpt.objects.order_by("pk").first()
    excerpt_update(excerpt=first, version=first.version, start=first.start, end=first.end,
                   themes=list(first.themes.all()), memo="Maria's memo:\nthe plan comes first.")
    excerpt_create(transcript=first.transcript, start=first.start, end=first.end,
                   themes=list(Theme.objects.filter(name="Youth")), coder=tomas, memo="Tomás agrees.")
    before = study_snapshot()
    assert len(before["participants"]) == 13 and len(before["excerpts"]) == 31
    assert before["coders"] == ["maria", "tomas"]

    report = export_then_import_into_an_empty_database()

    assert study_snapshot() == before
    assert report.skipped == {}
    assert report.imported["excerpts"] == 31 and report.imported["participants"] == 13


def test_it_reproduces_astral_and_control_characters_shared_spans_and_stale_quotes(django_user_model):
    alice = django_user_model.objects.create_user("alice", password="pw")
    bob = django_user_model.objects.create_user("bob", password="pw")
    study = study_build(alice, bob)
    # A control character XML cannot hold: the selection's name loses it, the quote must not.
    odd = Transcript.objects.create(participant=study["participant"], title="Form feed",
                                    text="Page one\x0cpage two")
    excerpt_create(transcript=odd, start=0, end=len(odd.text), themes=[study["themes"]["Youth"]],
                   coder=alice)
    before = study_snapshot()

    export_then_import_into_an_empty_database()

    assert study_snapshot() == before


def test_it_gives_imported_coders_no_password_and_no_role():
    demo_users_create()
    demo_study_load()
    export_then_import_into_an_empty_database()
    maria = get_user_model().objects.get(username="maria")
    assert not maria.has_usable_password()
    assert roles.role_names(maria) == []
