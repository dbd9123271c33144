"""Names and contacts of participants reach admins only: no page rendered for a researcher or a
reviewer contains them, whatever the page."""

import pytest
from django.urls import reverse

from coding.services import excerpt_create
from tests.conftest import client_for

SECRETS = ("Secret Realname", "secret@example.org")


def pages(transcript, excerpt):
    return [
        reverse("home"),
        reverse("interviews:transcript-list"),
        reverse("coding:transcript-coding", args=[transcript.pk]),
        reverse("coding:transcript-coding", args=[transcript.pk]) + "?coder=mine",
        reverse("admin:index"),
        reverse("admin:interviews_participant_changelist"),
        reverse("admin:interviews_participant_change", args=[transcript.participant_id]),
    ]


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_no_page_shows_identifying_fields_to_researchers_or_reviewers(
    who, request, alice, transcript, themes
):
    excerpt = excerpt_create(
        transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice
    )
    client = client_for(request.getfixturevalue(who))
    for url in pages(transcript, excerpt):
        response = client.get(url, follow=True)
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (url, secret)


def test_the_admin_does_show_them_to_admins(adam, participant):
    url = reverse("admin:interviews_participant_change", args=[participant.pk])
    body = client_for(adam).get(url).content.decode()
    assert "Secret Realname" in body
