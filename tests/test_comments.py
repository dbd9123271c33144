"""Reviewer comments: a reviewer comments on a theme report, an excerpt or a passage and
nothing else; researchers reply and resolve; comments are in the history."""

import pytest
from django.urls import reverse

from audit.models import Change
from coding.services import excerpt_create
from memos.models import Comment, Memo
from memos.services import comment_create
from studies.models import Study
from tests.conftest import client_for

CREATE = reverse("memos:comment-create", args=["pasto"])


@pytest.fixture
def excerpt(transcript, themes, alice):
    return excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)


def test_a_reviewer_comments_on_a_theme_report(rita, themes):
    client = client_for(rita)
    assert client.get(CREATE, {"theme": themes["youth"].pk}).status_code == 200
    response = client.post(CREATE, {"theme": themes["youth"].pk, "body": "Is this theme too broad?"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author, comment.theme) == (rita, themes["youth"])
    assert comment.body == "Is this theme too broad?"


def test_a_reviewer_comments_on_an_excerpt(rita, excerpt):
    client_for(rita).post(CREATE, {"excerpt": excerpt.pk, "body": "Cut too short"})
    assert Comment.objects.get().excerpt == excerpt


def test_a_reviewer_comments_on_a_passage_with_its_quote(rita, transcript):
    client_for(rita).post(CREATE, {"transcript": transcript.pk, "start": 0, "end": 11, "body": "Who?"})
    comment = Comment.objects.get()
    assert (comment.transcript, comment.start, comment.end) == (transcript, 0, 11)
    assert comment.quote == "Interviewer"


@pytest.mark.parametrize("data", [
    {"body": "On nothing"},
    {"transcript": "1", "start": "5", "end": "100000", "body": "Outside"},
    {"transcript": "1", "start": "5", "body": "No end"},
])
def test_a_comment_on_anything_else_is_refused(rita, transcript, data):
    data = {**data, "transcript": transcript.pk} if "transcript" in data else data
    assert client_for(rita).post(CREATE, data).status_code == 400
    assert not Comment.objects.exists()


def test_a_comment_on_another_studys_object_is_a_404(rita, otto, other_study):
    from coding.models import Theme

    theirs = Theme.objects.create(study=other_study, name="Theirs")
    assert client_for(rita).post(CREATE, {"theme": theirs.pk, "body": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_reviewer_is_refused_every_other_write(rita, alice, study, transcript, themes, excerpt):
    """Every write route of the memos app but commenting and replying answers 403."""
    thread = comment_create(study=study, author=alice, body="Open", theme=themes["youth"])
    memo = Memo.objects.create(study=study, author=alice, title="M")
    deleted = Memo.objects.create(study=study, author=alice, title="D", deleted_at="2026-01-01T00:00:00Z")
    client = client_for(rita)
    for url in [
        reverse("memos:memo-create", args=["pasto"]),
        reverse("memos:memo-update", args=["pasto", memo.pk]),
        reverse("memos:memo-delete", args=["pasto", memo.pk]),
        reverse("memos:memo-restore", args=["pasto", deleted.pk]),
        reverse("memos:comment-resolve", args=["pasto", thread.pk]),
    ]:
        assert client.post(url, {"title": "x", "type": "free", "body": "x"}).status_code == 403, url
    thread.refresh_from_db()
    assert thread.resolved_at is None
    assert Memo.objects.filter(title="M", deleted_at__isnull=True).exists()


def test_a_researcher_replies_and_resolves(rita, alice, themes, study):
    thread = comment_create(study=study, author=rita, body="Too broad?", theme=themes["youth"])
    client = client_for(alice)
    assert client.post(reverse("memos:comment-reply", args=["pasto", thread.pk]),
                       {"body": "Split planned"}).status_code == 302
    assert [r.body for r in thread.replies.all()] == ["Split planned"]
    listed = client.get(reverse("memos:comment-list", args=["pasto"]))
    assert [t.pk for t in listed.context["threads"]] == [thread.pk]
    assert client.post(reverse("memos:comment-resolve", args=["pasto", thread.pk])).status_code == 302
    thread.refresh_from_db()
    assert thread.resolved_at is not None and thread.resolved_by == alice
    assert list(client.get(reverse("memos:comment-list", args=["pasto"])).context["threads"]) == []
    resolved = client.get(reverse("memos:comment-list", args=["pasto"]), {"resolved": "1"})
    assert [t.pk for t in resolved.context["threads"]] == [thread.pk]


def test_an_empty_reply_is_refused(rita, alice, themes, study):
    thread = comment_create(study=study, author=rita, body="?", theme=themes["youth"])
    assert client_for(alice).post(reverse("memos:comment-reply", args=["pasto", thread.pk]),
                                  {"body": " "}).status_code == 400
    assert not thread.replies.exists()


def test_comments_are_in_the_history(rita, alice, themes, study):
    client_for(rita).post(CREATE, {"theme": themes["youth"].pk, "body": "Check"})
    thread = Comment.objects.get()
    client_for(alice).post(reverse("memos:comment-resolve", args=["pasto", thread.pk]))
    rows = Change.objects.filter(model="memos.comment", object_id=str(thread.pk)).order_by("at", "pk")
    assert [(c.action, c.user) for c in rows] == [("create", rita), ("update", alice)]
    assert "resolved_at" in rows[1].data


def test_nobody_comments_in_an_archived_study(rita, themes, study):
    Study.objects.filter(pk=study.pk).update(archived_at="2026-01-01T00:00:00Z")
    assert client_for(rita).post(CREATE, {"theme": themes["youth"].pk, "body": "x"}).status_code == 403


@pytest.mark.parametrize("count", [2, 12])
def test_the_comment_list_runs_a_fixed_number_of_queries(rita, alice, study, themes, transcript, count,
                                                         django_assert_num_queries):
    """Guards against an N+1 over threads (target, author, replies and their authors)."""
    for i in range(count):
        thread = comment_create(study=study, author=rita, body=f"c{i}", transcript=transcript,
                                start=0, end=11)
        comment_create(study=study, author=rita, body=f"t{i}", theme=themes["youth"])
        Comment.objects.create(study=study, parent=thread, author=alice, body="reply")
    client = client_for(alice)
    # user, membership with its study; threads with targets and authors; replies with their
    # authors
    with django_assert_num_queries(4):
        response = client.get(reverse("memos:comment-list", args=["pasto"]))
    assert len(response.context["threads"]) == 2 * count


def test_the_coding_page_sends_utf16_offsets_that_become_code_points(rita, participant):
    from interviews.models import Transcript

    transcript = Transcript.objects.create(study=participant.study, participant=participant, title="E",
                                           text="D: 🌱 la huerta crece.")
    response = client_for(rita).post(CREATE + f"?transcript={transcript.pk}&start_utf16=6&end_utf16=15",
                                     {"transcript": transcript.pk, "start_utf16": 6, "end_utf16": 15,
                                      "body": "Which garden?"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.start, comment.end, comment.quote) == (5, 14, "la huerta")


def test_a_comment_on_a_removed_excerpt_stays_on_its_passage(rita, alice, excerpt, study):
    from coding.services import excerpt_delete

    comment = comment_create(study=study, author=rita, body="Cut?", excerpt=excerpt)
    excerpt_delete(excerpt=excerpt, user=alice)
    comment.refresh_from_db()
    assert comment.excerpt is None
    assert (comment.transcript, comment.start, comment.end) == (excerpt.transcript, 35, 49)
    assert comment.quote == excerpt.transcript.text[35:49]
