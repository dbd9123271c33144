"""The upload page (interviews:transcript-upload): one or many files, or pasted text, each to a
participant. Good files are saved, bad ones reported by name, and no request ends in a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from interviews.models import Participant, Transcript, TranscriptSource, TranscriptVersion
from studies.models import Study
from tests.conftest import client_for
from tests.import_files import BILLION_LAUGHS, SRT, VTT, make_docx, make_pdf, make_zip_bomb, replace_part
from tests.participants import participant_make

URL = reverse("interviews:transcript-upload", args=["pasto"])


def rows(*rows):
    """POST data for the formset: each row a dict of field values (files included)."""
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "100"}
    for i, row in enumerate(rows):
        row = {"language": "es", **row} if row else {"language": "es"}  # untouched: the study's
        data.update({f"form-{i}-{k}": v for k, v in row.items()})
    return data


def upload(name, data):
    return SimpleUploadedFile(name, data)


def counts():
    return (Participant.objects.count(), Transcript.objects.count(), TranscriptSource.objects.count(),
            TranscriptVersion.objects.count())


def test_it_shows_the_form(alice):
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="form-0-language" value="es"' in body  # the study's language
    assert 'type="file"' in body and 'id="upload-row-template"' in body
    assert "new_code" not in body  # researchers choose existing participants


def test_an_owner_may_also_create_participants(adam):
    response = client_for(adam).get(URL)
    assert response.status_code == 200
    assert "form-0-new_code" in response.content.decode()


@pytest.mark.parametrize("name, data, text, cues", [
    ("d.txt", "Interviewer: ¿Cómo?\r\nD: José y la migración.".encode("cp1252"),
     "Interviewer: ¿Cómo?\n\nD: José y la migración.", 0),
    ("d.docx", make_docx(["Interviewer: ¿Cómo?", "D: José y la migración."]),
     "Interviewer: ¿Cómo?\n\nD: José y la migración.", 0),
    ("d.vtt", VTT.encode("utf-8"), None, 3),
    ("d.srt", SRT.encode("utf-8"), None, 3),
    ("d.pdf", make_pdf(["Interviewer: ¿Cómo?", "D: José y la migra-", "ción."]),
     "Interviewer: ¿Cómo?\n\nD: José y la migración.", 0),
])
def test_it_imports_each_format(alice, participant, name, data, text, cues):
    response = client_for(alice).post(URL, rows({"file": upload(name, data), "participant": participant.pk,
                                                 "interview_date": "2009-04-08"}))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("transcripts:transcript-list", args=["pasto"])
    transcript = Transcript.objects.get()
    assert transcript.study == participant.study
    if text:
        assert transcript.text == text
    assert len(transcript.cues) == cues
    assert (transcript.title, transcript.participant, transcript.language) == ("d", participant, "es")
    assert str(transcript.interview_date) == "2009-04-08"
    assert transcript.created_by == alice
    source = transcript.source
    assert bytes(source.data) == data and source.name == name and source.size == len(data)
    assert transcript.versions.get().text == transcript.text


def test_it_imports_pasted_text(alice, participant):
    response = client_for(alice).post(URL, rows({"text": "Interviewer: Hola\r\nD: José  ",
                                                 "participant": participant.pk, "title": "Notes"}))
    assert response.status_code == 302
    transcript = Transcript.objects.get()
    assert (transcript.title, transcript.text) == ("Notes", "Interviewer: Hola\n\nD: José")
    assert transcript.source.format == "pasted"


def test_it_imports_many_files_at_once(alice, participant):
    files = [{"file": upload(f"d{i}.txt", f"D: turn {i}".encode()), "participant": participant.pk}
             for i in range(4)]
    response = client_for(alice).post(URL, rows(*files, {}))  # the last row left empty
    assert response.status_code == 302
    assert sorted(Transcript.objects.values_list("title", flat=True)) == ["d0", "d1", "d2", "d3"]


def test_a_batch_saves_the_good_files_and_names_the_bad_ones(alice, participant):
    bad = [
        ("empty.txt", b"", "empty.txt: the file is empty."),
        ("junk.txt", bytes(range(256)) * 4, "junk.txt: the file contains NUL bytes"),
        ("slides.pptx", b"PK\x03\x04", "slides.pptx: the extension .pptx is not accepted"),
        ("bomb.docx", make_zip_bomb(), "bomb.docx: the part word/document.xml is compressed"),
        ("laughs.docx", replace_part(make_docx(["hi"]), "word/document.xml", BILLION_LAUGHS),
         "laughs.docx: the part word/document.xml declares a DTD or XML entities"),
        ("notzip.docx", b"plain text", "notzip.docx: the file is corrupt"),
        ("latin.txt", b"caf\xe9 \x81", "latin.txt: the text is neither UTF-8 nor Windows-1252"),
    ]
    data = rows({"file": upload("good.txt", b"D: fine"), "participant": participant.pk},
                *({"file": upload(name, content), "participant": participant.pk} for name, content, _ in bad))
    response = client_for(alice).post(URL, data)
    assert response.status_code == 400
    body = response.content.decode()
    for _, _, message in bad:
        assert message in body
    assert "Imported 1 transcript" in body
    assert list(Transcript.objects.values_list("title", flat=True)) == ["good"]
    assert TranscriptSource.objects.count() == TranscriptVersion.objects.count() == 1
    # the refused rows come back with their details, for a second try
    assert response.context["formset"].total_form_count() >= len(bad)


def test_it_refuses_a_file_over_the_size_limit_without_reading_it(alice, participant, settings):
    settings.MAX_UPLOAD_MB = 1
    response = client_for(alice).post(URL, rows({"file": upload("long.txt", b"a" * (1024 * 1024 + 1)),
                                                 "participant": participant.pk}))
    assert response.status_code == 400
    assert "long.txt: the file is 1.0 MB, over the 1 MB limit." in response.content.decode()
    assert not Transcript.objects.exists()


def test_it_requires_a_participant(alice, participant):
    before = counts()
    response = client_for(alice).post(URL, rows({"file": upload("d.txt", b"D: hi")}))
    assert response.status_code == 400
    body = response.content.decode()
    assert "d.txt: Choose a participant. Only the study’s owners add participants" in body
    assert counts() == before


def test_a_researcher_cannot_create_a_participant(alice, study):
    response = client_for(alice).post(URL, rows({"file": upload("d.txt", b"D: hi"), "new_code": "N1",
                                                 "new_sector": "ngo", "new_gender": "female"}))
    assert response.status_code == 400
    assert not Participant.objects.exists()


def test_an_owner_creates_a_participant_once_for_several_files(adam):
    new = {"new_code": "N1", "new_sector": "ngo", "new_gender": "female"}
    response = client_for(adam).post(URL, rows({"file": upload("a.txt", b"D: one"), **new},
                                               {"file": upload("b.txt", b"D: two"), **new}))
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert (participant.code, participant.full_name, participant.study.slug) == ("N1", "", "pasto")
    assert participant.transcripts.count() == 2


def test_a_refused_file_leaves_no_new_participant(adam):
    response = client_for(adam).post(URL, rows({"file": upload("e.txt", b""), "new_code": "N2",
                                                "new_sector": "ngo", "new_gender": "male"}))
    assert response.status_code == 400
    assert not Participant.objects.exists()


def test_it_refuses_an_existing_code_as_a_new_participant(adam, participant):
    response = client_for(adam).post(URL, rows({"file": upload("d.txt", b"D: hi"), "new_code": "D",
                                                "new_sector": "ngo", "new_gender": "male"}))
    assert response.status_code == 400
    assert "d.txt: A participant with the code D already exists" in response.content.decode()
    assert Participant.objects.count() == 1 and not Transcript.objects.exists()


def test_it_refuses_the_same_file_twice_for_one_participant(alice, participant):
    client = client_for(alice)
    client.post(URL, rows({"file": upload("d.txt", b"D: hi"), "participant": participant.pk}))
    response = client.post(URL, rows({"file": upload("copy.txt", b"D: hi"), "participant": participant.pk}))
    assert response.status_code == 400
    assert "copy.txt: this file was already imported for participant D" in response.content.decode()
    assert Transcript.objects.count() == 1


def test_it_refuses_a_row_with_both_a_file_and_text(alice, participant):
    response = client_for(alice).post(URL, rows({"file": upload("d.txt", b"D: hi"), "text": "D: too",
                                                 "participant": participant.pk}))
    assert response.status_code == 400
    assert "not both" in response.content.decode()


def test_it_asks_for_something_when_nothing_was_sent(alice, study):
    response = client_for(alice).post(URL, rows({}))
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()


def test_it_answers_a_tampered_form_with_400(alice, study):
    response = client_for(alice).post(URL, {"form-0-text": "D: hi"})
    assert response.status_code == 400
    assert not Transcript.objects.exists()


def test_it_shows_cue_times_beside_paragraphs(alice, participant):
    client = client_for(alice)
    client.post(URL, rows({"file": upload("d.vtt", VTT.encode()), "participant": participant.pk}))
    transcript = Transcript.objects.get()
    body = client.get(transcript.get_absolute_url()).content.decode()
    second = transcript.text.index("And who")
    assert f'data-o="{second}" data-cp="{second}" data-time="00:04">And who took part?</p>' in body
    assert 'data-time="01:02">D: With the youth office &amp; the gender work' in body


def test_it_forbids_reviewers(rita, participant):
    client = client_for(rita)
    assert client.get(URL).status_code == 403
    response = client.post(URL, rows({"file": upload("d.txt", b"D: hi"), "participant": participant.pk}))
    assert response.status_code == 403
    assert not Transcript.objects.exists()


def test_it_forbids_everyone_in_an_archived_study(alice, participant):
    Study.objects.filter(pk=participant.study_id).update(archived_at=timezone.now())
    response = client_for(alice).post(URL, rows({"file": upload("d.txt", b"D: hi"),
                                                 "participant": participant.pk}))
    assert response.status_code == 403
    assert not Transcript.objects.exists()


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, participant):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    response = client.post(URL, rows({"file": upload("d.txt", b"D: hi"), "participant": participant.pk}))
    assert response.status_code == 404
    assert not Transcript.objects.exists()


def test_it_refuses_a_participant_of_another_study(alice, participant, other_study):
    """The menu offers only the study's participants; another study's id sent by hand is a
    form error, and nothing is saved."""
    theirs = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    before = counts()
    response = client_for(alice).post(URL, rows({"file": upload("d.txt", b"D: hi"),
                                                 "participant": theirs.pk}))
    assert response.status_code == 400
    assert "d.txt: Select a valid choice" in response.content.decode()
    assert counts() == before


def test_it_offers_only_the_studys_participants(alice, participant, other_study):
    participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    body = client_for(alice).get(URL).content.decode()
    assert ">D</option>" in body and ">Z</option>" not in body


def test_a_new_code_taken_in_another_study_is_fine(adam, participant, other_study):
    participant_make(study=other_study, code="N1", sector="ngo", gender="male")
    response = client_for(adam).post(URL, rows({"file": upload("a.txt", b"D: one"), "new_code": "N1",
                                                "new_sector": "ngo", "new_gender": "female"}))
    assert response.status_code == 302
    assert Participant.objects.get(study=participant.study, code="N1").transcripts.count() == 1


def test_it_sends_anonymous_users_to_login(client, participant):
    response = client.post(URL, rows({"file": upload("d.txt", b"D: hi"), "participant": participant.pk}))
    assert response.status_code == 302
    assert not Transcript.objects.exists()


def test_the_study_page_links_to_it_for_those_who_may_import(alice, rita):
    page = reverse("transcripts:transcript-list", args=["pasto"])
    assert URL in client_for(alice).get(page).content.decode()
    assert URL not in client_for(rita).get(page).content.decode()


@pytest.mark.parametrize("count", [1, 8])
def test_it_runs_a_fixed_number_of_queries(alice, study, other_study, count, django_assert_num_queries):
    """Guards against an N+1 over rows: each row's participant menu querying participants."""
    for i in range(count):
        participant_make(study=study, code=f"P{i}", sector="ngo", gender="female")
        participant_make(study=other_study, code=f"Q{i}", sector="ngo", gender="female")
    client = client_for(alice)
    # user, membership with study, participants (once, for every row)
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert response.content.decode().count(">P0</option>") == 4  # three rows and the template


def _settings_in_subprocess(**env):
    import os
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; print(settings.MAX_UPLOAD_MB)"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True,
        env={**{k: v for k, v in os.environ.items() if k != "MAX_UPLOAD_MB"},
             "DJANGO_SETTINGS_MODULE": "pasto_coop.settings", **env},
    )


def test_the_size_limit_comes_from_the_environment():
    assert _settings_in_subprocess().stdout.strip() == "10"
    assert _settings_in_subprocess(MAX_UPLOAD_MB="3").stdout.strip() == "3"
    refused = _settings_in_subprocess(MAX_UPLOAD_MB="ten")
    assert refused.returncode != 0
    assert "MAX_UPLOAD_MB must be a whole number" in refused.stderr


def test_it_warns_when_the_same_interview_comes_again_in_another_format(alice, participant):
    """Issue 17 #11: a .docx and its .txt for one participant: other bytes, the same text."""
    client = client_for(alice)
    text = "D: Llegamos por la migración.\n\nI: ¿Y después?"
    docx = upload("d.docx", make_docx(text.split("\n\n")))
    client.post(URL, rows({"file": docx, "participant": participant.pk, "title": "First"}))
    response = client.post(URL, rows({"file": upload("d.txt", text.encode()), "participant": participant.pk}),
                           follow=True)
    assert response.status_code == 200
    assert Transcript.objects.count() == 2  # kept: the user decides
    body = response.content.decode()
    assert "d.txt: the same text was already imported for participant D, as “First”." in body


def test_it_does_not_warn_for_another_participants_same_text(adam, participant, study):
    other = participant_make(study=study, code="E", sector="ngo", gender="male")
    client = client_for(adam)
    client.post(URL, rows({"file": upload("d.txt", b"D: hi there"), "participant": participant.pk}))
    response = client.post(URL, rows({"file": upload("e.txt", b"D: hi there\n"), "participant": other.pk}),
                           follow=True)
    assert "the same text was already imported" not in response.content.decode()


def test_an_import_without_a_language_takes_the_studys(alice, participant, study):
    from interviews.importers import parse_pasted
    from interviews.services import transcript_import

    study.language = "es"
    study.save()
    transcript = transcript_import(study=study, parsed=parse_pasted("D: hola", max_bytes=1000), title="T",
                                   participant=participant)
    assert transcript.language == "es"
