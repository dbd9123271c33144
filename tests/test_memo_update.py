"""Editing a memo: words, type, links, privacy; who may."""

from django.urls import reverse

from memos.services import memo_create
from tests.conftest import client_for


def url(memo):
    return reverse("memos:memo-update", args=["pasto", memo.pk])


def test_it_changes_words_and_links(alice, bob, study, themes, transcript):
    memo = memo_create(study=study, author=alice, title="Old", body="old", themes=[themes["youth"]])
    response = client_for(bob).post(url(memo), {"title": "New", "body": "new words", "type": "method",
                                                "themes": [themes["gender"].pk],
                                                "transcripts": [transcript.pk]})
    assert response.status_code == 302
    memo.refresh_from_db()
    assert (memo.title, memo.body, memo.type) == ("New", "new words", "method")
    assert list(memo.themes.all()) == [themes["gender"]]
    assert list(memo.transcripts.all()) == [transcript]


def test_a_memo_cannot_link_to_itself(alice, study):
    memo = memo_create(study=study, author=alice, title="Self")
    response = client_for(alice).post(url(memo), {"title": "Self", "type": "free", "linked_memos": [memo.pk]})
    assert response.status_code == 400
    assert not memo.linked_memos.exists()


def test_only_the_author_makes_a_memo_private(alice, bob, study):
    memo = memo_create(study=study, author=alice, title="Shared")
    response = client_for(bob).post(url(memo), {"title": "Shared", "type": "free", "private": "on"})
    assert response.status_code == 400
    memo.refresh_from_db()
    assert not memo.private


def test_a_private_memo_cannot_be_edited_by_others(alice, bob, adam, study):
    memo = memo_create(study=study, author=alice, title="Mine", private=True)
    for user in (bob, adam):
        assert client_for(user).get(url(memo)).status_code == 404
        assert client_for(user).post(url(memo), {"title": "Theirs", "type": "free"}).status_code == 404
    memo.refresh_from_db()
    assert memo.title == "Mine"


def test_it_forbids_reviewers(alice, rita, study):
    memo = memo_create(study=study, author=alice, title="Shared")
    assert client_for(rita).post(url(memo), {"title": "X", "type": "free"}).status_code == 403
    memo.refresh_from_db()
    assert memo.title == "Shared"
