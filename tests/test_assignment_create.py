"""Owners assign transcripts to coders from the progress page (team.services.assignments_create)."""

from django.urls import reverse

from interviews.models import Participant, Transcript
from team.models import Assignment
from tests.conftest import client_for


def url(study):
    return reverse("team:assignment-create", args=[study.slug])


def test_it_assigns_each_transcript_to_each_coder(adam, alice, bob, transcript, study):
    data = {"transcripts": [transcript.pk], "coders": [alice.pk, bob.pk]}
    response = client_for(adam).post(url(study), data)
    assert response.status_code == 302
    assert set(Assignment.objects.values_list("coder__username", "status", "assigned_by__username")) == {
        ("alice", "todo", "adam"), ("bob", "todo", "adam")}


def test_it_leaves_existing_assignments_as_they_are(adam, alice, transcript, study):
    Assignment.objects.create(study=study, transcript=transcript, coder=alice, status="done")
    client_for(adam).post(url(study), {"transcripts": [transcript.pk], "coders": [alice.pk]})
    assert list(Assignment.objects.values_list("status", flat=True)) == ["done"]


def test_it_refuses_reviewers_as_coders_and_saves_nothing(adam, alice, rita, transcript, study):
    data = {"transcripts": [transcript.pk], "coders": [alice.pk, rita.pk]}
    response = client_for(adam).post(url(study), data)
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_it_refuses_another_studys_transcript(adam, alice, study, other_study):
    theirs = Transcript.objects.create(
        study=other_study, title="Theirs", text="text",
        participant=Participant.objects.create(study=other_study, code="Z", consent_given=True))
    response = client_for(adam).post(url(study), {"transcripts": [theirs.pk], "coders": [alice.pk]})
    assert response.status_code == 400
    assert "not one of the available choices" in response.content.decode()
    assert not Assignment.objects.exists()


def test_it_forbids_researchers(alice, transcript, study):
    response = client_for(alice).post(url(study), {"transcripts": [transcript.pk], "coders": [alice.pk]})
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_the_database_refuses_an_assignment_across_studies(alice, study, other_study):
    """Behind the service's check, a trigger (team/migrations/0002) refuses a raw write."""
    import pytest
    from django.db import IntegrityError, transaction

    theirs = Transcript.objects.create(
        study=other_study, title="Theirs", text="text",
        participant=Participant.objects.create(study=other_study, code="Z", consent_given=True))
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(study=study, transcript=theirs, coder=alice)
