"""The owner's blind coding switch (team:blind-set, team.services.study_blind_set): the whole
study, a set of its transcripts, or off; logged; owners only."""

import pytest
from django.urls import reverse

from audit.models import Change
from interviews.models import Participant, Transcript
from tests.conftest import client_for
from tests.test_blind_coding import coded  # noqa: F401  (the fixture: a blind study, two layers)


def url(study):
    return reverse("team:blind-set", args=[study.slug])


def test_the_owner_puts_a_set_of_transcripts_in_blind_mode(coded, adam):  # noqa: F811
    study = coded["study"]
    response = client_for(adam).post(url(study), {"blind": "transcripts",
                                                  "transcripts": [coded["transcript"].pk]})
    assert response.status_code == 302
    study.refresh_from_db()
    coded["transcript"].refresh_from_db()
    assert study.blind == "transcripts" and coded["transcript"].is_blind
    assert Change.objects.filter(study=study, model="interviews.transcript",
                                 object_id=str(coded["transcript"].pk), data__is_blind=[False, True]).exists()
    assert Change.objects.filter(study=study, model="studies.study",
                                 data__blind=["study", "transcripts"]).exists()


def test_the_owner_turns_it_off_without_a_reveal(coded, adam):  # noqa: F811
    study = coded["study"]
    assert client_for(adam).post(url(study), {"blind": ""}).status_code == 302
    study.refresh_from_db()
    assert (study.blind, study.layers_revealed_at) == ("", None)


def test_blind_transcripts_need_at_least_one(coded, adam):  # noqa: F811
    study = coded["study"]
    response = client_for(adam).post(url(study), {"blind": "transcripts"})
    assert response.status_code == 400
    assert "Choose the transcripts to code blind." in response.content.decode()
    study.refresh_from_db()
    assert study.blind == "study"


def test_an_unknown_mode_is_refused(coded, adam):  # noqa: F811
    assert client_for(adam).post(url(coded["study"]), {"blind": "everyone"}).status_code == 400
    coded["study"].refresh_from_db()
    assert coded["study"].blind == "study"


@pytest.mark.parametrize("role", ["alice", "rita"])
def test_researchers_and_reviewers_cannot_switch_it(coded, alice, rita, role):  # noqa: F811
    user = {"alice": alice, "rita": rita}[role]
    assert client_for(user).post(url(coded["study"]), {"blind": ""}).status_code == 403
    coded["study"].refresh_from_db()
    assert coded["study"].blind == "study"


def test_another_studys_owner_gets_a_404(coded, otto):  # noqa: F811
    assert client_for(otto).post(url(coded["study"]), {"blind": ""}).status_code == 404


def test_a_transcript_of_another_study_cannot_be_marked_blind(coded, adam, other_study):  # noqa: F811
    participant = Participant.objects.create(study=other_study, code="Z")
    foreign = Transcript.objects.create(study=other_study, participant=participant, title="Z", text="z")
    response = client_for(adam).post(url(coded["study"]), {"blind": "transcripts",
                                                           "transcripts": [foreign.pk]})
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert not foreign.is_blind
