"""Names and contacts of participants reach the study's owners only: no page or export rendered
for a researcher or a reviewer contains them, whatever the page; owners do see them on the
participants page and the record's form."""

import pytest
from django.urls import reverse

from coding.services import excerpt_create
from tests.conftest import client_for

SECRETS = ("Secret Realname", "secret@example.org")


def pages(transcript):
    study, pk, participant = "pasto", transcript.pk, transcript.participant_id
    return [
        reverse("home"),
        reverse("transcripts:transcript-list", args=[study]),
        reverse("coding:transcript-coding", args=[study, pk]),
        reverse("coding:transcript-coding", args=[study, pk]) + "?coder=mine",
        reverse("transcripts:transcript-review", args=[study, pk]),
        reverse("transcripts:transcript-text-edit", args=[study, pk]),
        reverse("transcripts:transcript-anonymise", args=[study, pk]),
        reverse("transcripts:transcripts-anonymise", args=[study]),
        reverse("interviews:transcript-upload", args=[study]),
        reverse("interviews:participant-list", args=[study]),
        reverse("interviews:participant-list", args=[study]) + "?q=Secret",
        reverse("interviews:participant-update", args=[study, participant]),
        reverse("interviews:participant-export", args=[study]),
        reverse("interviews:participant-export-identifying", args=[study]),
    ]


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_no_page_shows_identifying_fields_to_researchers_or_reviewers(
    who, request, alice, transcript, themes
):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    client = client_for(request.getfixturevalue(who))
    for url in pages(transcript):
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403), url
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (url, secret)


def test_the_participant_pages_show_them_to_owners(adam, participant):
    for url in [
        reverse("interviews:participant-list", args=["pasto"]),
        reverse("interviews:participant-update", args=["pasto", participant.pk]),
        reverse("interviews:participant-export-identifying", args=["pasto"]),
    ]:
        body = client_for(adam).get(url).content.decode()
        assert all(secret in body for secret in SECRETS), url
