import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from interviews.models import Transcript
from tests.conftest import client_for


def url(transcript, **query):
    base = reverse("coding:transcript-coding", args=[transcript.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_shows_turns_as_paragraphs_with_highlights(alice, transcript, themes):
    excerpt = excerpt_create(
        transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice
    )
    response = client_for(alice).get(url(transcript))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<p class="turn"') == 2
    assert f'data-x="{excerpt.pk}"' in body
    assert "#fd7e14" in body
    assert "«With the youth»" in body  # the quote, in the side panel
    assert 'id="picker"' in body


def test_it_keeps_each_paragraph_identical_to_the_stored_line(alice, participant, themes):
    text = "Ana: «migración» & <b>1 < 2</b>\n\nD: 😀 a\u0301 مرحبا end"
    transcript = Transcript.objects.create(participant=participant, title="T", text=text)
    excerpt_create(transcript=transcript, start=5, end=16, themes=[themes["youth"]], coder=alice)
    body = client_for(alice).get(url(transcript)).content.decode()
    assert "&lt;b&gt;1 &lt; 2&lt;/b&gt;" in body
    assert "<b>1" not in body
    # the second paragraph starts after "\n\n"; its UTF-16 offset equals its code-point offset
    assert f'data-o="{text.index("D:")}" data-cp="{text.index("D:")}"' in body


def test_it_marks_overlaps_with_one_underline_per_excerpt(alice, bob, transcript, themes):
    excerpt_create(transcript=transcript, start=36, end=50, themes=[themes["youth"]], coder=alice)
    excerpt_create(transcript=transcript, start=40, end=60, themes=[themes["gender"]], coder=bob)
    body = client_for(alice).get(url(transcript)).content.decode()
    assert "inset 0 -3px 0 #fd7e14,inset 0 -6px 0 #e64980" in body


def test_it_shows_one_coder_layer(alice, bob, transcript, themes):
    mine = excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    theirs = excerpt_create(transcript=transcript, start=36, end=50, themes=[themes["youth"]], coder=bob)
    client = client_for(alice)

    def shown(**query):
        return [e["id"] for e in client.get(url(transcript, **query)).context["excerpts"]]

    assert shown(coder="mine") == [mine.pk]
    assert shown(coder=bob.pk) == [theirs.pk]
    assert shown() == [mine.pk, theirs.pk]


def test_it_shows_reviewers_no_coding_controls(rita, alice, transcript, themes):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    response = client_for(rita).get(url(transcript))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="picker"' not in body
    assert "excerpt-edit" not in body
    assert "data-create-url" not in body


def test_it_forbids_a_stranger(steve, transcript):
    assert client_for(steve).get(url(transcript)).status_code == 403


def test_it_sends_anonymous_users_to_login(client, transcript):
    response = client.get(url(transcript))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_a_missing_transcript(alice):
    assert client_for(alice).get("/coding/transcripts/999999/").status_code == 404


@pytest.mark.parametrize("count", [2, 40])
def test_its_query_count_does_not_grow_with_excerpts(alice, transcript, themes, count,
                                                     django_assert_num_queries):
    """Guards against an N+1 over excerpts: their coder or their themes fetched one by one."""
    extra = [Theme.objects.create(name=f"T{i}", parent=themes["parent"]) for i in range(5)]
    for i in range(count):
        start = i % 30
        excerpt_create(
            transcript=transcript, start=start, end=start + 10,
            themes=[themes["youth"], extra[i % 5]], coder=alice,
        )
    client = client_for(alice)
    # session, user, user permissions, group permissions, transcript with participant,
    # themes for the picker, excerpts with coder names, excerpt-theme links, coders for the
    # layer menu
    with django_assert_num_queries(9):
        response = client.get(url(transcript))
    assert len(response.context["excerpts"]) == count
    assert CodedExcerpt.objects.count() == count
