"""The database refuses memo and comment links between studies (memos/migrations/0002), even
when a code path skips the services' checks."""

import pytest
from django.db import IntegrityError, transaction

from coding.models import Theme
from interviews.models import Transcript
from memos.models import Comment, Memo, MemoSpan
from tests.participants import participant_make


@pytest.fixture
def there(other_study, otto):
    participant = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    transcript = Transcript.objects.create(study=other_study, participant=participant, title="Z",
                                           text="Elsewhere entirely.")
    theme = Theme.objects.create(study=other_study, name="Elsewhere")
    memo = Memo.objects.create(study=other_study, author=otto, title="Theirs")
    return {"participant": participant, "transcript": transcript, "theme": theme, "memo": memo}


@pytest.fixture
def memo(study, alice):
    return Memo.objects.create(study=study, author=alice, title="Mine")


def refused(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_a_memo_cannot_link_another_studys_objects(memo, there):
    refused(lambda: memo.transcripts.add(there["transcript"]))
    refused(lambda: memo.themes.add(there["theme"]))
    refused(lambda: memo.participants.add(there["participant"]))
    refused(lambda: memo.linked_memos.add(there["memo"]))
    assert not memo.transcripts.exists() and not memo.linked_memos.exists()


def test_a_passage_cannot_lie_in_another_studys_transcript(study, memo, there):
    refused(lambda: MemoSpan.objects.create(study=study, memo=memo, transcript=there["transcript"], start=0,
                                            end=9, quote="Elsewhere"))


def test_a_comment_cannot_be_on_another_studys_theme(study, alice, there, themes):
    refused(lambda: Comment.objects.create(study=study, author=alice, theme=there["theme"], body="x"))
    comment = Comment.objects.create(study=study, author=alice, theme=themes["youth"], body="x")
    refused(lambda: Comment.objects.filter(pk=comment.pk).update(theme=there["theme"]))
