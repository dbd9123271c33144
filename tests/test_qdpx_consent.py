"""The REFI-QDA export and consent (issue 17 #8): participants without consent (withdrawn, or
never given) are left out by default with their transcripts and excerpts, the exchange page
names them, an owner may include them on purpose (recorded in the history), and consent travels
as case variables."""

import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import Change
from coding.models import Theme
from coding.services import excerpt_create
from interviews.models import Participant, Transcript
from tests.conftest import client_for
from tests.participants import participant_make

EXPORT = reverse("exchange:study-export", args=["pasto"])
PAGE = reverse("exchange:exchange", args=["pasto"])


@pytest.fixture
def people(study, alice):
    theme = Theme.objects.create(study=study, name="Youth")
    rows = {}
    consents = (("A", True, None), ("W", True, datetime.date(2010, 1, 1)), ("N", False, None))
    for code, given, withdrawn in consents:
        p = participant_make(study=study, code=code, sector="ngo", gender="male",
                                       consent_given=given, consent_withdrawn_on=withdrawn,
                                       consent_scope="quote")
        t = Transcript.objects.create(study=study, participant=p, title=f"Interview {code}",
                                      text=f"{code}: words of {code} only.")
        excerpt_create(transcript=t, start=0, end=len(t.text), themes=[theme], coder=alice)
        rows[code] = p
    return rows


def everything(response):
    assert response.status_code == 200, response
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist())


def test_it_leaves_out_participants_without_consent_by_default(alice, people):
    body = everything(client_for(alice).get(EXPORT))
    assert b"words of A only" in body
    for code in (b"W", b"N"):
        assert b"words of " + code not in body  # neither the source text nor the quote
        assert b'name="' + code + b'"' not in body  # no case
        assert b"Interview " + code not in body
    assert not Change.objects.filter(data__has_key="qdpx_export_with_withdrawn").exists()


def test_the_page_says_who_is_left_out(alice, people):
    body = client_for(alice).get(PAGE).content.decode()
    assert "Left out for consent (withdrawn, or never given): 2 participants, N, W" in body
    assert 'id="include-withdrawn"' not in body  # researchers cannot include them


def test_an_owner_includes_them_on_purpose_and_it_is_logged(adam, people):
    assert 'id="include-withdrawn"' in client_for(adam).get(PAGE).content.decode()
    body = everything(client_for(adam).get(EXPORT, {"include_withdrawn": "1"}))
    assert b"words of W only" in body and b"words of N only" in body
    change = Change.objects.get(data__has_key="qdpx_export_with_withdrawn")
    assert change.user == adam
    assert change.data["qdpx_export_with_withdrawn"]["participants"] == ["N", "W"]


def test_a_researcher_cannot_include_them(alice, people):
    assert client_for(alice).get(EXPORT, {"include_withdrawn": "1"}).status_code == 403


def test_consent_travels_as_case_variables(adam, people):
    body = everything(client_for(adam).get(EXPORT, {"include_withdrawn": "1"})).decode()
    for name in ("consent_given", "consent_scope", "consent_withdrawn_on"):
        assert f'name="{name}" typeOfVariable=' in body
    assert "<BooleanValue>false</BooleanValue>" in body  # N never consented
    assert "<DateValue>2010-01-01</DateValue>" in body  # W withdrew


def test_the_command_says_who_is_left_out_and_can_include_them(tmp_path, people):
    out = io.StringIO()
    call_command("export_qdpx", str(tmp_path / "a.qdpx"), "--study", "pasto", stdout=out)
    assert "Left out for consent (withdrawn, or never given): 2 participants, N, W" in out.getvalue()
    call_command("export_qdpx", str(tmp_path / "b.qdpx"), "--study", "pasto", "--include-withdrawn",
                 stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "b.qdpx") as archive:
        assert b"words of W only" in b"".join(archive.read(n) for n in archive.namelist())
    assert Change.objects.filter(data__has_key="qdpx_export_with_withdrawn", user=None).count() == 1


def test_memos_about_participants_left_out_are_left_out_with_them(study, alice, adam, people):
    """A memo linked to a withheld participant, their transcript or a passage of it may quote or
    describe them: it stays out of the file too, unless an owner includes them."""
    from memos.services import memo_create

    w = people["W"]
    w_transcript = Transcript.objects.get(participant=w)
    memo_create(study=study, author=alice, title="About W", body="W said secret things",
                participants=[w])
    memo_create(study=study, author=alice, title="Passage of W", body="annotated",
                spans=[(w_transcript, 0, 4)])
    memo_create(study=study, author=alice, title="On W's interview", body="read it",
                transcripts=[w_transcript])
    memo_create(study=study, author=alice, title="About A", body="A is fine",
                participants=[people["A"]])
    body = everything(client_for(alice).get(EXPORT)).decode()
    assert "About A" in body
    for title in ("About W", "Passage of W", "On W&apos;s interview", "On W's interview"):
        assert title not in body
    assert "secret things" not in body
    included = everything(client_for(adam).get(EXPORT, {"include_withdrawn": "1"})).decode()
    assert "About W" in included and "Passage of W" in included


def test_consent_comes_back_from_our_own_file(study, adam, people):
    """Consent travels as case variables and our import reads them back into the record, so a
    re-export withholds the same people."""
    from exchange.qdpx_export import study_export
    from exchange.qdpx_import import study_import

    out = io.BytesIO()
    study_export(out, study=study, include_withdrawn=True)
    out.seek(0)
    study_import(out, owner=adam, file_name="study.qdpx")
    copy = Participant.objects.exclude(study=study).order_by("code")
    assert [(p.code, p.consent_given, p.consent_withdrawn_on, p.consent_scope) for p in copy] == [
        ("A", True, None, "quote"), ("N", False, None, "quote"),
        ("W", True, datetime.date(2010, 1, 1), "quote")]
