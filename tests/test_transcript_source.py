"""Downloading a transcript's original file (interviews:transcript-source): the study's owners
only, since it may hold names that anonymisation removed from the text since."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from interviews.models import Transcript, TranscriptSource
from studies.models import Study
from tests.conftest import client_for
from tests.participants import participant_make

DATA = "Interviewer: ¿Cómo?\r\nD: Juan Pérez.".encode("cp1252")


def imported(client, participant):
    client.post(reverse("interviews:transcript-upload", args=[participant.study.slug]), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "100", "form-0-file": SimpleUploadedFile("entrevista D.txt", DATA),
        "form-0-participant": participant.pk, "form-0-language": "es",
    })
    return Transcript.objects.get()


def url(transcript, slug=None):
    return reverse("interviews:transcript-source", args=[slug or transcript.study.slug, transcript.pk])


def test_an_owner_downloads_the_exact_bytes(adam, participant):
    transcript = imported(client_for(adam), participant)
    response = client_for(adam).get(url(transcript))
    assert response.status_code == 200
    assert response.content == DATA
    assert response["Content-Type"] == "text/plain"
    assert 'filename="entrevista D.txt"' in response["Content-Disposition"]


def test_an_owner_still_downloads_it_from_an_archived_study(adam, participant):
    transcript = imported(client_for(adam), participant)
    Study.objects.filter(pk=participant.study_id).update(archived_at=timezone.now())
    assert client_for(adam).get(url(transcript)).content == DATA


def test_the_text_page_links_to_it_for_owners_only(adam, alice, participant):
    transcript = imported(client_for(adam), participant)
    page = reverse("transcripts:transcript-text-edit", args=["pasto", transcript.pk])
    assert url(transcript) in client_for(adam).get(page).content.decode()
    assert url(transcript) not in client_for(alice).get(page).content.decode()


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_researchers_and_reviewers(who, request, alice, participant):
    transcript = imported(client_for(alice), participant)
    assert client_for(request.getfixturevalue(who)).get(url(transcript)).status_code == 403


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, alice, participant):
    transcript = imported(client_for(alice), participant)
    assert client_for(request.getfixturevalue(who)).get(url(transcript)).status_code == 404


def test_an_owner_of_another_study_cannot_reach_it_through_his_own(otto, alice, participant, other_study):
    """otto owns `other`: the transcript's id under his study's address is a 404, not the file."""
    transcript = imported(client_for(alice), participant)
    response = client_for(otto).get(url(transcript, slug=other_study.slug))
    assert response.status_code == 404
    assert DATA not in response.content


def test_an_owner_gets_404_for_another_studys_transcript(adam, otto, other_study):
    theirs = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    transcript = Transcript.objects.create(study=other_study, participant=theirs, title="T", text="Hi")
    TranscriptSource.objects.create(transcript=transcript, name="z.txt", content_type="text/plain",
                                    format="txt", size=2, sha256="0" * 64, data=b"Hi")
    assert client_for(otto).get(url(transcript)).status_code == 200
    assert client_for(adam).get(url(transcript, slug="pasto")).status_code == 404


def test_it_sends_anonymous_users_to_login(client, alice, participant):
    transcript = imported(client_for(alice), participant)
    assert client.get(url(transcript)).status_code == 302


def test_it_answers_404_when_there_is_no_original(adam, transcript):
    assert client_for(adam).get(url(transcript)).status_code == 404
