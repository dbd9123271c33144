"""Speaker turns (coding/speakers.py) and "code all turns of this speaker" with its undo."""

import pytest
from django.urls import reverse

from coding.models import AutoCodingRun, CodedExcerpt
from coding.services import excerpt_create
from coding.speakers import speaker_at, speaker_names, speaker_turns
from interviews.models import Transcript
from tests.conftest import client_for

TEXT = ("Entrevistador: ¿Cómo empezó?\n\nD: Con la oficina de juventud.\n\nY siguió con género.\n\n"
        "Entrevistador: ¿Y después?\n\nD:\nNada más.\n\nP: Yo tampoco.")


@pytest.fixture
def interview(participant):
    return Transcript.objects.create(study=participant.study, participant=participant, title="E", text=TEXT)


def test_it_finds_the_speakers_in_order():
    assert speaker_names(TEXT) == ["Entrevistador", "D", "P"]


def test_a_turn_runs_to_the_next_label_without_its_own_label():
    assert [TEXT[s:e] for s, e in speaker_turns(TEXT, "D")] == [
        "Con la oficina de juventud.\n\nY siguió con género.", "Nada más."]
    assert [TEXT[s:e] for s, e in speaker_turns(TEXT, "Entrevistador")] == ["¿Cómo empezó?", "¿Y después?"]
    assert speaker_turns(TEXT, "Nobody") == []


def test_it_knows_whose_turn_an_offset_is_in():
    assert speaker_at(TEXT, TEXT.index("siguió")) == "D"
    assert speaker_at(TEXT, TEXT.index("tampoco")) == "P"
    assert speaker_at("No label here.", 3) == ""


def url(transcript):
    return reverse("coding:speaker-code", args=[transcript.study.slug, transcript.pk])


def test_it_codes_every_turn_of_the_speaker(alice, interview, themes):
    response = client_for(alice).post(url(interview), {"speaker": "D", "theme": themes["youth"].pk},
                                      HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    excerpts = list(CodedExcerpt.objects.order_by("start"))
    assert [e.quote for e in excerpts] == ["Con la oficina de juventud.\n\nY siguió con género.", "Nada más."]
    for e in excerpts:
        assert e.quote == TEXT[e.start : e.end]
        assert list(e.themes.all()) == [themes["youth"]]
        assert e.coder == alice
    run = AutoCodingRun.objects.get()
    assert (run.scope, run.query, run.skipped_count) == ("turn", "D", 0)
    body = response.json()
    assert [x["id"] for x in body["excerpts"]] == [e.pk for e in excerpts]
    assert body["undo"] == reverse("reports:auto-coding-undo", args=[run.study.slug, run.pk])


def test_it_leaves_turns_that_already_overlap_the_theme(alice, interview, themes):
    start = TEXT.index("Nada")
    excerpt_create(transcript=interview, start=start, end=start + 4, themes=[themes["youth"]], coder=alice)
    response = client_for(alice).post(url(interview), {"speaker": "D", "theme": themes["youth"].pk})
    assert response.json()["skipped"] == 1
    assert CodedExcerpt.objects.count() == 2


def test_it_is_undone_in_one_step(alice, interview, themes):
    client = client_for(alice)
    body = client.post(url(interview), {"speaker": "D", "theme": themes["youth"].pk}).json()
    response = client.post(body["undo"], HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert sorted(response.json()["removed"]) == sorted(x["id"] for x in body["excerpts"])
    assert not CodedExcerpt.objects.exists()


def test_it_refuses_a_speaker_without_turns(alice, interview, themes):
    response = client_for(alice).post(url(interview), {"speaker": "Nobody", "theme": themes["youth"].pk})
    assert response.status_code == 400
    assert "no turns" in str(response.json()["errors"])
    assert not AutoCodingRun.objects.exists()


def test_it_refuses_a_grouping_only_theme(alice, interview, themes):
    themes["parent"].is_codable = False
    themes["parent"].save()
    response = client_for(alice).post(url(interview), {"speaker": "D", "theme": themes["parent"].pk})
    assert response.status_code == 400
    assert not CodedExcerpt.objects.exists()


def test_it_asks_for_a_theme(alice, interview):
    response = client_for(alice).post(url(interview), {"speaker": "D"})
    assert response.status_code == 400
    assert "Choose the theme" in str(response.json()["errors"])


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_code(who, status, request, interview, themes):
    client = client_for(request.getfixturevalue(who))
    response = client.post(url(interview), {"speaker": "D", "theme": themes["youth"].pk})
    assert response.status_code == status
    assert not CodedExcerpt.objects.exists()


def test_it_only_accepts_post(alice, interview):
    assert client_for(alice).get(url(interview)).status_code == 405
