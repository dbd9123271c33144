"""`manage.py load_demo`: the Pasto study from fixtures/pasto_demo.json, and the demo users."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from coding.models import CodedExcerpt, Theme
from interviews.models import Participant, Transcript
from pasto_coop import roles

CODES = list("ABCDEFGHIJKLM")


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    """Every row load_demo writes, field by field, so a second run that touched anything shows."""
    users = get_user_model().objects.order_by("username")
    return {
        "participants": list(Participant.objects.order_by("pk").values()),
        "transcripts": list(Transcript.objects.order_by("pk").values()),
        "themes": list(Theme.objects.order_by("pk").values()),
        "excerpts": list(CodedExcerpt.objects.order_by("pk").values()),
        "excerpt_themes": sorted(CodedExcerpt.themes.through.objects.values_list(
            "codedexcerpt_id", "theme_id"
        )),
        "users": [
            (u.username, u.password, u.is_staff, u.is_superuser, sorted(u.groups.values_list(
                "name", flat=True
            )))
            for u in users
        ],
    }


@pytest.fixture
def demo(role_groups):
    return load_demo()


def test_it_creates_the_thirteen_participants(demo):
    assert list(Participant.objects.values_list("code", flat=True)) == CODES
    assert Participant.objects.get(code="A").organisation == "Chamber of Commerce"
    assert not Participant.objects.filter(consent_given=False).exists()


def test_it_creates_a_transcript_for_everyone_but_participant_i(demo):
    assert Transcript.objects.count() == 12
    assert sorted(Transcript.objects.values_list("participant__code", flat=True)) == [
        code for code in CODES if code != "I"
    ]
    assert not Transcript.objects.filter(participant__code="I").exists()


@pytest.mark.parametrize(
    ("code", "day"),
    [("A", "2009-04-07"), ("D", "2009-04-08"), ("E", "2009-04-16"), ("M", "2009-05-27")],
)
def test_it_dates_interviews_as_the_paper_does(demo, code, day):
    transcript = Transcript.objects.get(participant__code=code)
    assert transcript.interview_date == datetime.date.fromisoformat(day)


def test_it_dates_every_interview_in_april_or_may_2009(demo):
    dates = Transcript.objects.values_list("interview_date", flat=True)
    assert all(datetime.date(2009, 4, 1) <= d <= datetime.date(2009, 5, 31) for d in dates)


def test_it_creates_the_codebook(demo):
    names = set(Theme.objects.values_list("name", flat=True))
    assert {
        "Strategy themes", "Youth", "Gender", "Forced inland migration", "Environment",
        "Analytic themes", "Results", "Learning",
    } <= names
    assert Theme.objects.get(name="Youth").parent.name == "Strategy themes"
    assert Theme.objects.get(name="Results").parent.name == "Analytic themes"
    assert Theme.objects.get(name="Communication and shared knowledge").parent.name == "Learning"


def test_it_stores_normalised_transcripts(demo):
    for transcript in Transcript.objects.all():
        transcript.full_clean()


def test_it_quotes_every_excerpt_from_its_transcript(demo):
    excerpts = CodedExcerpt.objects.select_related("transcript")
    assert excerpts.count() > 12
    for excerpt in excerpts:
        assert excerpt.quote == excerpt.transcript.text[excerpt.start : excerpt.end]
        assert excerpt.quote.strip() == excerpt.quote
        assert not excerpt.needs_review
        excerpt.full_clean()


def test_it_codes_every_transcript_and_every_excerpt(demo):
    assert not CodedExcerpt.objects.filter(themes__isnull=True).exists()
    assert not Transcript.objects.filter(excerpts__isnull=True).exists()
    assert set(CodedExcerpt.objects.values_list("coder__username", flat=True)) == {"maria"}


def test_it_creates_the_demo_users_with_their_roles(demo):
    User = get_user_model()
    expected = {
        "maria": roles.RESEARCHER,
        "tomas": roles.RESEARCHER,
        "rosa": roles.REVIEWER,
        "admin": roles.ADMIN,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert roles.role_names(user) == [role]
        assert user.check_password(f"pasto-demo-{username}")
        assert user.is_staff == (role == roles.ADMIN)
        assert not user.is_superuser
    assert roles.can_code(User.objects.get(username="maria"))
    assert not roles.can_code(User.objects.get(username="rosa"))
    assert roles.can_see_identifying_fields(User.objects.get(username="admin"))


def test_it_prints_the_logins(demo):
    assert "13 participants, 12 transcripts" in demo
    for username in ("maria", "tomas", "rosa", "admin"):
        assert f"{username} / pasto-demo-{username}" in " ".join(demo.split())


def test_it_changes_nothing_when_run_twice(demo):
    before = snapshot()
    again = load_demo()
    assert snapshot() == before
    assert again == demo


def test_it_gives_a_demo_user_back_their_role_but_keeps_their_password(demo, role_groups):
    rosa = get_user_model().objects.get(username="rosa")
    rosa.set_password("changed-by-rosa")
    rosa.save()
    rosa.groups.set([role_groups[roles.RESEARCHER]])
    load_demo()
    rosa.refresh_from_db()
    assert rosa.check_password("changed-by-rosa")
    assert roles.role_names(rosa) == [roles.REVIEWER]


def test_it_refuses_to_reload_over_edited_text_and_changes_nothing(demo):
    Transcript.objects.filter(participant__code="D").update(text="Edited by a researcher.")
    # Rows the loader would write before it reaches D's transcript, were it not atomic.
    Participant.objects.filter(code="I").delete()
    Theme.objects.filter(name="Youth").update(description="Edited description")
    before = snapshot()
    with pytest.raises(CommandError, match="Interview with participant D"):
        load_demo()
    assert snapshot() == before
    assert not Participant.objects.filter(code="I").exists()
    assert Theme.objects.get(name="Youth").description == "Edited description"
