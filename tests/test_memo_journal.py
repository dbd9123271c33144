"""The study journal: links to each object type, accent-insensitive search, filters, sorting,
privacy, and a fixed number of queries."""

import pytest
from django.urls import reverse

from coding.services import excerpt_create
from memos.models import Memo
from memos.services import memo_create
from tests.conftest import client_for

URL = reverse("memos:journal", args=["pasto"])


def shown(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [m.title for m in response.context["page"]]


@pytest.fixture
def memos(study, alice, bob, transcript, themes, participant):
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    first = memo_create(study=study, author=alice, title="Migración juvenil", body="Los jóvenes se van.",
                        type="theory", themes=[themes["youth"]])
    second = memo_create(study=study, author=bob, title="Interview method", body="Ask about *gender*.",
                         type="method", transcripts=[transcript], participants=[participant],
                         excerpts=[excerpt], linked_memos=[first])
    third = memo_create(study=study, author=alice, title="Annotation", body="Check the wording",
                        spans=[(transcript, 0, 11)])
    secret = memo_create(study=study, author=bob, title="Bob's doubts", body="migración", private=True,
                         type="reflexive")
    return {"first": first, "second": second, "third": third, "secret": secret, "excerpt": excerpt}


def test_a_memo_links_to_each_object_type(memos, transcript, themes, participant):
    second, third = memos["second"], memos["third"]
    assert list(second.transcripts.all()) == [transcript]
    assert list(second.participants.all()) == [participant]
    assert list(second.excerpts.all()) == [memos["excerpt"]]
    assert list(second.linked_memos.all()) == [memos["first"]]
    assert list(memos["first"].linked_from.all()) == [second]
    assert list(memos["first"].themes.all()) == [themes["youth"]]
    span = third.spans.get()
    assert (span.transcript, span.start, span.end, span.quote) == (transcript, 0, 11, "Interviewer")


def test_it_lists_memos_newest_change_first(memos, alice):
    assert shown(client_for(alice)) == ["Annotation", "Interview method", "Migración juvenil"]


def test_search_ignores_accents_and_case(memos, alice):
    client = client_for(alice)
    assert shown(client, q="MIGRACION") == ["Migración juvenil"]
    assert shown(client, q="jovenes") == ["Migración juvenil"]  # in the body
    assert shown(client, q="gender ask") == ["Interview method"]  # every word


def test_it_filters_by_type_author_and_linked_object(memos, alice, bob, transcript, themes, participant):
    client = client_for(alice)
    assert shown(client, type="method") == ["Interview method"]
    assert shown(client, author=alice.pk) == ["Annotation", "Migración juvenil"]
    assert shown(client, theme=themes["youth"].pk) == ["Migración juvenil"]
    assert shown(client, participant=participant.pk) == ["Interview method"]
    assert shown(client, transcript=transcript.pk) == ["Interview method"]


def test_it_sorts(memos, alice):
    client = client_for(alice)
    assert shown(client, sort="title") == ["Annotation", "Interview method", "Migración juvenil"]
    assert shown(client, sort="created_at") == ["Migración juvenil", "Interview method", "Annotation"]


def test_a_private_memo_is_seen_by_its_author_only(memos, alice, bob, adam):
    assert "Bob's doubts" in shown(client_for(bob))
    assert "Bob's doubts" in shown(client_for(bob), q="migracion")
    for user in (alice, adam):
        assert "Bob's doubts" not in shown(client_for(user), q="migracion")
        response = client_for(user).get(reverse("memos:memo-detail", args=["pasto", memos["secret"].pk]))
        assert response.status_code == 404


def test_a_deleted_memo_is_not_listed(memos, alice):
    Memo.objects.filter(pk=memos["first"].pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert "Migración juvenil" not in shown(client_for(alice))


def test_a_bad_filter_is_ignored_not_an_error(memos, alice):
    assert len(shown(client_for(alice), theme="x", author="999999", sort="nonsense")) == 3


@pytest.mark.parametrize("count", [2, 20])
def test_it_runs_a_fixed_number_of_queries(study, alice, other_study, otto, transcript, themes, participant,
                                           count, django_assert_num_queries):
    """Guards against an N+1 over memos (author, links, spans per row) and against a cost that
    grows with the memos of other studies."""
    for i in range(count):
        memo_create(study=study, author=alice, title=f"M{i}", body="text", transcripts=[transcript],
                    themes=[themes["youth"]], participants=[participant], spans=[(transcript, 0, 11)])
        memo_create(study=other_study, author=otto, title=f"O{i}")
    client = client_for(alice)
    # user, membership with its study;
    # filter choices: authors, transcripts, themes, participants; the page: count, memos with
    # authors; prefetched transcripts, themes, participants, linked memos, spans with transcripts
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert len(response.context["page"]) == count
