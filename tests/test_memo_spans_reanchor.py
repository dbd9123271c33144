"""Memo and comment passages keep the quote invariant when a transcript's text changes: they
move with their words, or keep their old quote and are flagged for review."""

from coding.transcript_text import transcript_anonymise, transcript_text_update
from memos.models import Comment, MemoSpan
from memos.services import comment_create, memo_create


def test_spans_move_with_their_words(alice, rita, transcript, study):
    memo_create(study=study, author=alice, title="A", spans=[(transcript, 35, 49)])  # "With the youth"
    comment_create(study=study, author=rita, body="?", transcript=transcript, start=35, end=49)
    transcript_text_update(transcript=transcript, text="Interviewer: So, how did it start?\n\n" +
                           transcript.text.split("\n\n", 1)[1])
    transcript.refresh_from_db()
    for span in [MemoSpan.objects.get(), Comment.objects.get()]:
        assert not span.needs_review
        assert span.quote == transcript.text[span.start:span.end] == "With the youth"
        assert span.start == 39


def test_a_span_whose_words_changed_is_flagged_and_keeps_its_quote(alice, transcript, study):
    memo_create(study=study, author=alice, title="A", spans=[(transcript, 38, 49)])
    old_quote = transcript.text[38:49]
    new = transcript.text.replace("youth office", "young office")
    transcript_text_update(transcript=transcript, text=new)
    span = MemoSpan.objects.get()
    assert span.needs_review and span.review_reason == "text_changed"
    assert span.quote == old_quote


def test_anonymisation_rewrites_the_quote_too(alice, transcript, study):
    memo_create(study=study, author=alice, title="A", spans=[(transcript, 0, 11)])
    transcript_anonymise(transcripts=[transcript], name="Interviewer", pseudonym="Int")
    transcript.refresh_from_db()
    span = MemoSpan.objects.get()
    assert not span.needs_review
    assert span.quote == transcript.text[span.start:span.end] == "Int"
