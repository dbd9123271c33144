"""The reveal (team:layers-reveal, team.services.study_layers_reveal): blind coding ends, every
member sees every layer, and the study's history says who revealed them and when."""

import pytest
from django.urls import reverse

from audit.models import Change
from tests.conftest import client_for
from tests.test_blind_coding import coded  # noqa: F401  (the fixture: a blind study, two layers)


def url(study):
    return reverse("team:layers-reveal", args=[study.slug])


def test_the_reveal_is_logged_in_the_study_history(coded, adam):  # noqa: F811
    study = coded["study"]
    response = client_for(adam).post(url(study))
    assert response.status_code == 302
    study.refresh_from_db()
    assert (study.blind, study.layers_revealed_by) == ("", adam)
    change = Change.objects.filter(study=study, model="studies.study").latest("pk")
    assert change.user == adam and change.data["blind"] == ["study", ""]
    assert change.data["layers_revealed_by_id"] == [None, adam.pk] and "layers_revealed_at" in change.data
    page = client_for(adam).get(reverse("audit:history-log", args=[study.slug])).content.decode()
    assert "Layers revealed at" in page
    assert "Blind coding: <bdi>study</bdi>" in page


def test_the_transcripts_marked_blind_are_unmarked(coded, adam):  # noqa: F811
    from team.services import study_blind_set

    study = coded["study"]
    study_blind_set(study=study, blind="transcripts", transcripts=[coded["transcript"]])
    client_for(adam).post(url(study))
    coded["transcript"].refresh_from_db()
    assert not coded["transcript"].is_blind
    assert Change.objects.filter(model="interviews.transcript", data__is_blind=[True, False]).exists()


def test_nothing_to_reveal_when_blind_coding_is_off(coded, adam):  # noqa: F811
    study = coded["study"]
    client_for(adam).post(url(study))
    response = client_for(adam).post(url(study), follow=True)
    assert "blind coding is off" in response.content.decode()


@pytest.mark.parametrize("role", ["alice", "rita"])
def test_researchers_and_reviewers_cannot_reveal(coded, alice, rita, role):  # noqa: F811
    user = {"alice": alice, "rita": rita}[role]
    assert client_for(user).post(url(coded["study"])).status_code == 403
    coded["study"].refresh_from_db()
    assert coded["study"].blind == "study"


def test_another_studys_owner_gets_a_404(coded, otto):  # noqa: F811
    assert client_for(otto).post(url(coded["study"])).status_code == 404
