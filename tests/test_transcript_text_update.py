"""Correcting a transcript's text (transcripts:transcript-text-edit and the service behind it):
every excerpt is re-anchored, none is dropped, and every version of the text is kept."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import CodedExcerpt, DeletedExcerpt
from coding.services import excerpt_create, excerpt_delete, excerpt_restore
from coding.transcript_text import TranscriptConflict, transcript_text_update
from interviews.models import Transcript, TranscriptVersion
from studies.models import Study
from tests.conftest import client_for

TEXT = ("Interviewer: How did the strategy start?\n\n"
        "D: With the youth office and the gender work.\n\n"
        "Interviewer: And forced migration?\n\n"
        "D: That came later, with José and the municipality.")


@pytest.fixture
def coded(participant, alice, themes):
    transcript = Transcript.objects.create(study=participant.study, participant=participant,
                                           title="Interview D", text=TEXT)

    def code(words):
        start = TEXT.index(words)
        return excerpt_create(transcript=transcript, start=start, end=start + len(words),
                              themes=[themes["youth"]], coder=alice)

    excerpts = {w: code(w) for w in ["How did the strategy start?", "youth office",
                                      "the gender work", "That came later", "municipality"]}
    return transcript, excerpts


def url(transcript, slug="pasto"):
    return reverse("transcripts:transcript-text-edit", args=[slug, transcript.pk])


def post(client, transcript, text, version=None, slug="pasto"):
    return client.post(url(transcript, slug),
                       {"text": text, "base_version": version or transcript.text_version})


def refreshed(excerpts):
    return {words: CodedExcerpt.objects.get(pk=e.pk) for words, e in excerpts.items()}


def assert_invariant(transcript):
    transcript.refresh_from_db()
    for excerpt in CodedExcerpt.objects.filter(transcript=transcript):
        assert 0 <= excerpt.start < excerpt.end <= len(transcript.text)
        if not excerpt.needs_review:
            assert excerpt.quote == transcript.text[excerpt.start : excerpt.end]


def test_it_shows_the_text_in_a_form(alice, coded):
    transcript, _ = coded
    response = client_for(alice).get(url(transcript))
    assert response.status_code == 200
    assert "With the youth office" in response.content.decode()


def test_it_fixes_a_typo_and_moves_every_excerpt_with_its_words(alice, coded):
    transcript, excerpts = coded
    response = post(client_for(alice), transcript, TEXT.replace("How did", "How exactly did"))
    assert response.status_code == 302
    transcript.refresh_from_db()
    assert transcript.text == TEXT.replace("How did", "How exactly did")
    after = refreshed(excerpts)
    for words in ["youth office", "the gender work", "That came later", "municipality"]:
        e = after[words]
        assert not e.needs_review and e.quote == words == transcript.text[e.start : e.end]
        assert e.start == excerpts[words].start + len("exactly ")
        assert e.version == excerpts[words].version + 1  # an edit made on the old offsets conflicts
    changed = after["How did the strategy start?"]
    assert changed.needs_review and changed.review_reason == "text_changed"
    assert changed.quote == "How did the strategy start?"
    assert transcript.text[changed.start : changed.end] == "How exactly did the strategy start?"
    assert_invariant(transcript)


def test_it_keeps_every_version(alice, coded):
    transcript, _ = coded
    client = client_for(alice)
    post(client, transcript, TEXT.replace("José", "Jose"))
    transcript.refresh_from_db()
    post(client, transcript, TEXT.replace("José", "P3"))
    versions = list(TranscriptVersion.objects.filter(transcript=transcript).order_by("number"))
    assert [(v.number, v.change) for v in versions] == [(1, "recorded"), (2, "edit"), (3, "edit")]
    assert [v.text for v in versions] == [TEXT, TEXT.replace("José", "Jose"), TEXT.replace("José", "P3")]
    assert versions[2].created_by == alice
    transcript.refresh_from_db()
    assert transcript.text_version == 3


def test_it_keeps_an_excerpt_whose_words_were_deleted_in_the_review_list(alice, coded):
    transcript, excerpts = coded
    new = TEXT.replace("\n\nD: That came later, with José and the municipality.", "")
    assert post(client_for(alice), transcript, new).status_code == 302
    for words in ["That came later", "municipality"]:
        e = CodedExcerpt.objects.get(pk=excerpts[words].pk)
        assert e.needs_review and e.review_reason == "text_deleted"
        assert e.quote == words
        assert e.end == e.start + 1 <= len(new)
    assert CodedExcerpt.objects.count() == 5
    review = reverse("transcripts:transcript-review", args=["pasto", transcript.pk])
    body = client_for(alice).get(review).content
    assert "That came later" in body.decode() and "municipality" in body.decode()
    assert_invariant(transcript)


def test_it_refuses_an_edit_of_a_text_someone_changed_since(alice, bob, coded):
    transcript, excerpts = coded
    post(client_for(bob), transcript, TEXT.replace("José", "Jose"))
    response = post(client_for(alice), transcript, TEXT.replace("youth", "young"), version=1)
    assert response.status_code == 409
    assert "Someone saved version 2" in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.text == TEXT.replace("José", "Jose")
    assert not CodedExcerpt.objects.get(pk=excerpts["youth office"].pk).needs_review


def test_it_refuses_an_empty_text(alice, coded):
    transcript, _ = coded
    response = post(client_for(alice), transcript, " \r\n \n")
    assert response.status_code == 400
    transcript.refresh_from_db()
    assert transcript.text == TEXT
    assert not TranscriptVersion.objects.exists()


def test_it_saves_nothing_when_the_text_is_unchanged(alice, coded):
    transcript, _ = coded
    response = post(client_for(alice), transcript, TEXT.replace("\n", "\r\n") + "  \n")
    assert response.status_code == 302
    transcript.refresh_from_db()
    assert transcript.text_version == 1
    assert not TranscriptVersion.objects.exists()


def test_it_moves_cue_times_with_their_lines(alice, participant):
    transcript = Transcript.objects.create(
        study=participant.study, participant=participant, title="Cues",
        text="First cue.\nSecond cue.\n\nD: Third cue.",
        cues=[{"offset": 0, "time": 1.0}, {"offset": 11, "time": 4.5}, {"offset": 24, "time": 9.0}],
    )
    post(client_for(alice), transcript, "First cue, longer.\nSecond cue.\n\nD: Third cue.")
    transcript.refresh_from_db()
    assert transcript.cues == [{"offset": 0, "time": 1.0}, {"offset": 19, "time": 4.5},
                               {"offset": 32, "time": 9.0}]
    assert transcript.cue_labels() == {0: "00:01", 19: "00:04", 32: "00:09"}


def test_it_moves_removed_excerpts_so_undo_restores_the_same_words(alice, coded):
    transcript, excerpts = coded
    deleted = excerpt_delete(excerpt=excerpts["municipality"], user=alice)
    transcript_text_update(transcript=transcript, text="Preface.\n\n" + TEXT, user=alice)
    restored = excerpt_restore(deleted=DeletedExcerpt.objects.get(pk=deleted.pk))
    transcript.refresh_from_db()
    assert not restored.needs_review
    assert transcript.text[restored.start : restored.end] == "municipality"


def test_the_service_raises_a_conflict_for_a_stale_version(alice, coded):
    transcript, _ = coded
    transcript_text_update(transcript=transcript, text=TEXT + "\n\nEnd.", user=alice, base_version=1)
    with pytest.raises(TranscriptConflict):
        transcript_text_update(transcript=transcript, text=TEXT, user=alice, base_version=1)


def test_it_forbids_reviewers(rita, coded):
    transcript, _ = coded
    client = client_for(rita)
    assert client.get(url(transcript)).status_code == 403
    assert post(client, transcript, "Changed.").status_code == 403
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_it_forbids_everyone_in_an_archived_study(alice, coded):
    transcript, _ = coded
    Study.objects.filter(slug="pasto").update(archived_at=timezone.now())
    assert post(client_for(alice), transcript, "Changed.").status_code == 403
    transcript.refresh_from_db()
    assert transcript.text == TEXT


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, coded):
    transcript, _ = coded
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(transcript)).status_code == 404
    assert post(client, transcript, "Changed.").status_code == 404
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_it_answers_404_for_another_studys_transcript(otto, coded, other_study):
    """otto owns `other`: pasto's transcript id under his study's address is a 404."""
    transcript, _ = coded
    client = client_for(otto)
    response = client.get(url(transcript, other_study.slug))
    assert response.status_code == 404
    assert b"youth office" not in response.content
    assert post(client, transcript, "Changed.", slug=other_study.slug).status_code == 404
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_it_sends_anonymous_users_to_login(client, coded):
    transcript, _ = coded
    assert post(client, transcript, "Changed.").status_code == 302
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_it_answers_404_for_a_missing_transcript(alice):
    response = client_for(alice).get(reverse("transcripts:transcript-text-edit", args=["pasto", 99999]))
    assert response.status_code == 404


@pytest.mark.parametrize("edits", [1, 5])
def test_its_version_list_runs_a_fixed_number_of_queries(alice, bob, coded, edits,
                                                         django_assert_num_queries):
    """Guards against an N+1 over versions: each version's author fetched one by one."""
    transcript, _ = coded
    for i in range(edits):
        transcript_text_update(transcript=transcript, text=TEXT + f"\n\nEnd {i}.", user=bob)
    client = client_for(alice)
    # user, transcript with participant, study and the user's membership (one query),
    # versions with authors
    with django_assert_num_queries(3):
        response = client.get(url(transcript))
    assert len(response.context["versions"]) == edits + 1


def test_it_refuses_control_characters(alice, coded):
    transcript, _ = coded
    response = post(client_for(alice), transcript, TEXT + "\x01\x02")
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.text == TEXT
