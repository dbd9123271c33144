"""Downloading a transcript's original file (interviews:transcript-source): admins only, since it
may hold names that anonymisation removed from the text since."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import Transcript
from tests.conftest import client_for

DATA = "Interviewer: ¿Cómo?\r\nD: Juan Pérez.".encode("cp1252")


def imported(client, participant):
    client.post(reverse("interviews:transcript-upload"), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "100", "form-0-file": SimpleUploadedFile("entrevista D.txt", DATA),
        "form-0-participant": participant.pk, "form-0-language": "es",
    })
    return Transcript.objects.get()


def url(transcript):
    return reverse("interviews:transcript-source", args=[transcript.pk])


def test_an_admin_downloads_the_exact_bytes(adam, participant):
    transcript = imported(client_for(adam), participant)
    response = client_for(adam).get(url(transcript))
    assert response.status_code == 200
    assert response.content == DATA
    assert response["Content-Type"] == "text/plain"
    assert 'filename="entrevista D.txt"' in response["Content-Disposition"]


def test_the_text_page_links_to_it_for_admins_only(adam, alice, participant):
    transcript = imported(client_for(adam), participant)
    page = reverse("interviews:transcript-text-edit", args=[transcript.pk])
    assert url(transcript) in client_for(adam).get(page).content.decode()
    assert url(transcript) not in client_for(alice).get(page).content.decode()


def test_it_forbids_researchers_reviewers_and_strangers(alice, rita, steve, participant):
    transcript = imported(client_for(alice), participant)
    for user in (alice, rita, steve):
        assert client_for(user).get(url(transcript)).status_code == 403


def test_it_sends_anonymous_users_to_login(client, alice, participant):
    transcript = imported(client_for(alice), participant)
    assert client.get(url(transcript)).status_code == 302


def test_it_answers_404_when_there_is_no_original(adam, transcript):
    assert client_for(adam).get(url(transcript)).status_code == 404
