"""User text holding a bidirectional override (U+202E) is isolated where it is shown inline, so it
cannot reorder what follows it: <bdi> in pages, Unicode isolates in import messages."""

import pytest
from django.urls import reverse

from coding.models import Theme
from interviews.importers import ImportRefused, parse_file
from interviews.models import Participant, Transcript
from tests.conftest import client_for

RLO = "\u202e"
TITLE = f"Interview {RLO}fdp.exe"
CODE = f"P{RLO}9"
THEME = f"Youth {RLO}olleh"


@pytest.fixture
def hostile(study):
    participant = Participant.objects.create(study=study, code=CODE)
    transcript = Transcript.objects.create(study=study, participant=participant, title=TITLE, text="D: hi")
    return {"transcript": transcript, "theme": Theme.objects.create(study=study, name=THEME)}


def test_the_transcript_list_isolates_titles_and_codes(alice, hostile):
    body = client_for(alice).get(reverse("transcripts:transcript-list", args=["pasto"])).content.decode()
    assert f"<bdi>{TITLE}</bdi>" in body
    assert f"<bdi>{CODE}</bdi>" in body


def test_the_coding_page_isolates_title_code_and_theme_names(alice, hostile):
    url = reverse("coding:transcript-coding", args=["pasto", hostile["transcript"].pk])
    body = client_for(alice).get(url).content.decode()
    for text in (TITLE, CODE, THEME):
        assert f"<bdi>{text}</bdi>" in body


def test_the_theme_report_isolates_the_theme_name(alice, hostile):
    body = client_for(alice).get(reverse("reports:theme-report", args=["pasto", hostile["theme"].pk])).content
    assert f"<h1 class=\"h3\"><bdi>{THEME}</bdi></h1>" in body.decode()


def test_an_import_message_isolates_a_file_name_with_an_override():
    with pytest.raises(ImportRefused) as info:
        parse_file(f"{RLO}fdp.txt", b"", max_bytes=1000)
    assert info.value.message == f"\u2068{RLO}fdp.txt\u2069: the file is empty."
