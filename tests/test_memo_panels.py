"""Each transcript, theme and participant has a memo panel with "Write a memo here"; the coding
page's side tab fetches the same partial."""

import pytest
from django.urls import reverse

from memos.services import comment_create, memo_create
from tests.conftest import client_for


@pytest.fixture
def memos(study, alice, bob, transcript, themes, participant):
    return {
        "on_transcript": memo_create(study=study, author=alice, title="T memo", transcripts=[transcript]),
        "on_span": memo_create(study=study, author=alice, title="Span memo", spans=[(transcript, 0, 11)]),
        "on_theme": memo_create(study=study, author=alice, title="Theme memo", themes=[themes["youth"]]),
        "on_participant": memo_create(study=study, author=alice, title="P memo",
                                      participants=[participant]),
        "private": memo_create(study=study, author=bob, title="Bob only", private=True,
                               transcripts=[transcript], themes=[themes["youth"]],
                               participants=[participant]),
    }


def titles(client, name, pk, **params):
    response = client.get(reverse(f"memos:{name}", args=["pasto", pk]), params)
    assert response.status_code == 200
    return sorted(m.title for m in response.context["memos"]), response


def test_each_panel_lists_its_memos(memos, alice, transcript, themes, participant):
    client = client_for(alice)
    assert titles(client, "transcript-memos", transcript.pk)[0] == ["Span memo", "T memo"]
    assert titles(client, "theme-memos", themes["youth"].pk)[0] == ["Theme memo"]
    assert titles(client, "participant-memos", participant.pk)[0] == ["P memo"]


def test_private_memos_show_to_their_author_only(memos, bob, transcript, themes, participant):
    client = client_for(bob)
    assert "Bob only" in titles(client, "transcript-memos", transcript.pk)[0]
    assert "Bob only" in titles(client, "theme-memos", themes["youth"].pk)[0]
    assert "Bob only" in titles(client, "participant-memos", participant.pk)[0]


def test_the_fragment_is_the_panel_alone_with_write_here(memos, alice, transcript):
    _titles, response = titles(client_for(alice), "transcript-memos", transcript.pk, fragment=1)
    html = response.content.decode()
    assert "<html" not in html and 'id="memo-panel"' in html
    assert f"?transcript={transcript.pk}" in html  # "Write a memo here"


def test_reviewers_read_panels_without_write_here(memos, rita, transcript, study):
    comment_create(study=study, author=rita, body="Unclear", transcript=transcript, start=0, end=11)
    _titles, response = titles(client_for(rita), "transcript-memos", transcript.pk)
    assert "Write a memo here" not in response.content.decode()
    assert [c.body for c in response.context["comments"]] == ["Unclear"]


def test_a_panel_of_another_studys_object_is_a_404(alice, otto, other_study, memos):
    from interviews.models import Participant

    p = Participant.objects.create(study=other_study, code="Z")
    assert client_for(alice).get(reverse("memos:participant-memos", args=["pasto", p.pk])).status_code == 404


@pytest.mark.parametrize("count", [2, 15])
def test_the_transcript_panel_runs_a_fixed_number_of_queries(study, alice, transcript, count,
                                                             django_assert_num_queries):
    """Guards against an N+1 over the panel's memos (author, spans) or comments (replies)."""
    for i in range(count):
        memo_create(study=study, author=alice, title=f"M{i}", transcripts=[transcript],
                    spans=[(transcript, 0, 11)])
        comment_create(study=study, author=alice, body=f"c{i}", transcript=transcript, start=0, end=11)
    client = client_for(alice)
    # user, transcript with the membership; memos with authors, their spans; comment threads,
    # their replies
    with django_assert_num_queries(6):
        response = client.get(reverse("memos:transcript-memos", args=["pasto", transcript.pk]))
    assert len(response.context["memos"]) == count
