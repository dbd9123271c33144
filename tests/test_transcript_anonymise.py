"""Replacing a name with a pseudonym in one transcript (transcripts:transcript-anonymise) or in
all of a study's (transcripts:transcripts-anonymise): a preview, then the change, through the same
re-anchoring path as a correction."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coding.models import CodedExcerpt
from coding.services import excerpt_create
from coding.transcript_text import transcript_anonymise
from interviews.models import Transcript, TranscriptVersion
from studies.models import Study
from tests.conftest import client_for
from tests.participants import participant_make

TEXT = ("Interviewer: Juan Pérez told us about the youth office.\n\n"
        "D: Yes, Juan Pérez and Anabel ran it. juan pérez left in 2010.")


@pytest.fixture
def coded(participant, alice, themes):
    transcript = Transcript.objects.create(study=participant.study, participant=participant,
                                           title="Interview D", text=TEXT)

    def code(words, occurrence=0):
        start = -1
        for _ in range(occurrence + 1):
            start = TEXT.index(words, start + 1)
        return excerpt_create(transcript=transcript, start=start, end=start + len(words),
                              themes=[themes["youth"]], coder=alice)

    return transcript, {
        "sentence": code("Juan Pérez told us about the youth office."),
        "name": code("Juan Pérez", 1),
        "partial": code("Juan"),
        "other": code("the youth office"),
    }


def url(transcript, slug="pasto"):
    return reverse("transcripts:transcript-anonymise", args=[slug, transcript.pk])


ALL = reverse("transcripts:transcripts-anonymise", args=["pasto"])


def form(name="Juan Pérez", pseudonym="P3", confirm=True, **flags):
    data = {"name": name, "pseudonym": pseudonym, "whole_words": "on", "match_case": "on", **flags}
    return {**data, "confirm": "on"} if confirm else data


def test_it_previews_before_changing_anything(alice, coded):
    transcript, _ = coded
    response = client_for(alice).post(url(transcript), form(confirm=False))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<bdi>Interview D</bdi> (<bdi>D</bdi>): 2 times" in body
    assert 'name="confirm" value="on"' in body
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_it_replaces_the_name_and_keeps_excerpts_on_their_words(alice, coded):
    transcript, excerpts = coded
    response = client_for(alice).post(url(transcript), form())
    assert response.status_code == 302
    transcript.refresh_from_db()
    assert transcript.text == TEXT.replace("Juan Pérez", "P3")
    assert "juan pérez left" in transcript.text  # match case was on
    after = {k: CodedExcerpt.objects.get(pk=e.pk) for k, e in excerpts.items()}
    assert not after["sentence"].needs_review
    assert after["sentence"].quote == "P3 told us about the youth office."
    assert not after["name"].needs_review and after["name"].quote == "P3"
    assert not after["other"].needs_review and after["other"].quote == "the youth office"
    assert after["partial"].needs_review  # coded on half the name: a person should look
    for e in after.values():
        assert e.needs_review or e.quote == transcript.text[e.start : e.end]


def test_it_keeps_a_version_whose_note_never_holds_the_name(alice, coded):
    transcript, _ = coded
    client_for(alice).post(url(transcript), form())
    version = TranscriptVersion.objects.get(transcript=transcript, number=2)
    assert version.change == "anonymise"
    assert "P3" in version.note and "2 times" in version.note
    assert "Juan" not in version.note
    assert TranscriptVersion.objects.get(transcript=transcript, number=1).text == TEXT


def test_no_page_shows_the_name_afterwards(alice, coded):
    transcript, _ = coded
    client = client_for(alice)
    client.post(url(transcript), form())
    review = reverse("transcripts:transcript-review", args=["pasto", transcript.pk])
    for page in [transcript.get_absolute_url(), review]:
        assert "Juan Pérez" not in client.get(page).content.decode()


def test_it_can_ignore_case(alice, coded):
    transcript, _ = coded
    data = form()
    del data["match_case"]
    client_for(alice).post(url(transcript), data)
    transcript.refresh_from_db()
    assert "Pérez" not in transcript.text and "pérez" not in transcript.text


def test_whole_words_leave_longer_names_alone(alice, coded):
    transcript, _ = coded
    client_for(alice).post(url(transcript), form(name="Ana", pseudonym="P4"))
    transcript.refresh_from_db()
    assert transcript.text == TEXT  # "Anabel" is not "Ana"


def test_it_replaces_the_name_in_every_transcript_of_the_study(alice, participant, other_study):
    study = participant.study
    other = participant_make(study=study, code="E", sector="public", gender="female")
    first = Transcript.objects.create(study=study, participant=participant, title="D",
                                      text="Juan Pérez spoke.")
    second = Transcript.objects.create(study=study, participant=other, title="E", text="I met Juan Pérez.")
    untouched = Transcript.objects.create(study=study, participant=other, title="F", text="Nobody named.")
    theirs = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    elsewhere = Transcript.objects.create(study=other_study, participant=theirs, title="Z",
                                          text="Juan Pérez, in another study.")
    client = client_for(alice)
    preview = client.post(ALL, form(confirm=False)).content.decode()
    assert "<bdi>D</bdi> (<bdi>D</bdi>): 1 time" in preview
    assert "<bdi>E</bdi> (<bdi>E</bdi>): 1 time" in preview
    assert "<bdi>F</bdi> (<bdi>E</bdi>)" not in preview
    assert "<bdi>Z</bdi> (<bdi>Z</bdi>)" not in preview
    response = client.post(ALL, form(), follow=True)
    assert response.redirect_chain[0][0] == reverse("transcripts:transcript-list", args=["pasto"])
    assert "Replaced the name 2 times in 2 transcripts." in response.content.decode()
    texts = dict(Transcript.objects.values_list("pk", "text"))
    assert texts == {first.pk: "P3 spoke.", second.pk: "I met P3.", untouched.pk: "Nobody named.",
                     elsewhere.pk: "Juan Pérez, in another study."}
    assert TranscriptVersion.objects.filter(change="anonymise").count() == 2


def test_it_says_when_the_name_does_not_occur(alice, coded):
    transcript, _ = coded
    response = client_for(alice).post(url(transcript), form(name="Nadie", confirm=False))
    assert "The name does not occur" in response.content.decode()


@pytest.mark.parametrize("data, message", [
    (form(name=""), "This field is required."),
    (form(pseudonym="   "), "This field is required."),
    (form(pseudonym="Juan Pérez (P3)"), "The pseudonym contains the name itself."),
])
def test_it_refuses_bad_input(alice, coded, data, message):
    transcript, _ = coded
    response = client_for(alice).post(url(transcript), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_it_forbids_reviewers(rita, coded):
    transcript, _ = coded
    client = client_for(rita)
    for page in [url(transcript), ALL]:
        assert client.get(page).status_code == 403
        assert client.post(page, form()).status_code == 403
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_it_forbids_everyone_in_an_archived_study(alice, coded):
    transcript, _ = coded
    Study.objects.filter(slug="pasto").update(archived_at=timezone.now())
    for page in [url(transcript), ALL]:
        assert client_for(alice).post(page, form()).status_code == 403
    transcript.refresh_from_db()
    assert transcript.text == TEXT


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, coded):
    transcript, _ = coded
    client = client_for(request.getfixturevalue(who))
    for page in [url(transcript), ALL]:
        assert client.get(page).status_code == 404
        assert client.post(page, form()).status_code == 404
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_it_answers_404_for_another_studys_transcript(otto, coded, other_study):
    """otto owns `other`: pasto's transcript id under his study's address is a 404."""
    transcript, _ = coded
    response = client_for(otto).post(url(transcript, other_study.slug), form())
    assert response.status_code == 404
    transcript.refresh_from_db()
    assert transcript.text == TEXT


def test_the_service_refuses_transcripts_of_two_studies(alice, coded, other_study):
    transcript, _ = coded
    theirs = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    elsewhere = Transcript.objects.create(study=other_study, participant=theirs, title="Z",
                                          text="Juan Pérez.")
    with pytest.raises(ValidationError) as info:
        transcript_anonymise(transcripts=[transcript, elsewhere], name="Juan Pérez", pseudonym="P3")
    assert info.value.code == "transcripts_other_study"
    assert Transcript.objects.get(pk=elsewhere.pk).text == "Juan Pérez."


def test_it_sends_anonymous_users_to_login(client, coded):
    transcript, _ = coded
    assert client.post(url(transcript), form()).status_code == 302
    assert client.post(ALL, form()).status_code == 302
    transcript.refresh_from_db()
    assert transcript.text == TEXT


@pytest.mark.parametrize("count", [1, 6])
def test_its_preview_runs_a_fixed_number_of_queries(alice, participant, other_study, count,
                                                    django_assert_num_queries):
    """Guards against an N+1 over transcripts: each one's participant code fetched one by one."""
    theirs = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    for i in range(count):
        Transcript.objects.create(study=participant.study, participant=participant, title=f"T{i}",
                                  text="Juan Pérez spoke.")
        Transcript.objects.create(study=other_study, participant=theirs, title=f"T{i}", text="Juan Pérez.")
    client = client_for(alice)
    # user, membership with study, transcripts with participant codes
    with django_assert_num_queries(3):
        response = client.post(ALL, form(confirm=False))
    assert len(response.context["preview"]) == count
