from django.urls import reverse

from tests.conftest import client_for


def test_the_admin_cannot_edit_a_saved_transcripts_text(adam, transcript):
    url = reverse("admin:interviews_transcript_change", args=[transcript.pk])
    body = client_for(adam).get(url).content.decode()
    assert 'name="title"' in body
    assert 'name="text"' not in body  # shown read-only: corrections go through re-anchoring


def test_the_admin_can_still_add_a_transcript_with_text(adam):
    body = client_for(adam).get(reverse("admin:interviews_transcript_add")).content.decode()
    assert 'name="text"' in body
