"""Annotations on the coding page: a comment pinned to a passage without coding it, read back
in UTF-16 offsets for the margin; private ones stay their author's."""

import json

from django.urls import reverse

from coding.models import CodedExcerpt
from interviews.models import Transcript
from memos.models import Memo
from memos.services import memo_create
from tests.conftest import client_for


def annotate(user, transcript, **data):
    return client_for(user).post(reverse("memos:transcript-annotate", args=["pasto", transcript.pk]), data)


def annotations(user, transcript):
    response = client_for(user).get(reverse("memos:transcript-annotations", args=["pasto", transcript.pk]))
    assert response.status_code == 200
    return response.json()["annotations"]


def test_it_annotates_a_passage_without_coding_it(alice, transcript):
    response = annotate(alice, transcript, start_utf16=0, end_utf16=11, body="Check the question wording",
                        text_version=transcript.text_version)
    assert response.status_code == 201
    memo = Memo.objects.get()
    span = memo.spans.get()
    assert (span.start, span.end, span.quote, memo.title) == (0, 11, "Interviewer", "Interviewer")
    assert memo.body == "Check the question wording" and memo.author == alice
    assert not CodedExcerpt.objects.exists()
    assert annotations(alice, transcript) == [response.json()["annotation"]]


def test_offsets_are_utf16_both_ways(alice, participant):
    transcript = Transcript.objects.create(study=participant.study, participant=participant, title="Emoji",
                                           text="D: 🌱 la huerta crece.")
    # "la huerta" is code points 5..14, UTF-16 units 6..15 (the emoji takes two)
    annotate(alice, transcript, start_utf16=6, end_utf16=15, body="plants")
    span = Memo.objects.get().spans.get()
    assert (span.start, span.end, span.quote) == (5, 14, "la huerta")
    assert [(a["s"], a["e"]) for a in annotations(alice, transcript)] == [(6, 15)]


def test_it_refuses_bad_passages_and_saves_nothing(alice, transcript):
    assert annotate(alice, transcript, start_utf16=5, end_utf16=999, body="x").status_code == 400
    assert annotate(alice, transcript, start_utf16=12, end_utf16=13, body="x").status_code == 400  # a space
    assert annotate(alice, transcript, start_utf16=0, end_utf16=11, body="").status_code == 400
    stale = annotate(alice, transcript, start_utf16=0, end_utf16=11, body="x",
                     text_version=transcript.text_version + 1)
    assert stale.status_code == 409
    assert not Memo.objects.exists()


def test_reviewers_cannot_annotate(rita, transcript):
    assert annotate(rita, transcript, start_utf16=0, end_utf16=11, body="x").status_code == 403
    assert not Memo.objects.exists()


def test_private_annotations_are_their_authors(alice, bob, study, transcript):
    memo_create(study=study, author=bob, title="Mine", private=True, spans=[(transcript, 0, 11)])
    assert annotations(alice, transcript) == []
    assert [a["title"] for a in annotations(bob, transcript)] == ["Mine"]


def test_annotation_text_is_plain_in_the_json(alice, study, transcript):
    memo_create(study=study, author=alice, title="<b>T</b>", body="<script>x()</script>*hi*",
                spans=[(transcript, 0, 11)])
    row = annotations(alice, transcript)[0]
    assert row["text"] == "hi" and row["title"] == "<b>T</b>"  # drawn with textContent
    assert "script" not in json.dumps(row)
