import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from interviews.models import Transcript
from studies.models import Membership, Role
from tests.codebook_state import other_study_objects
from tests.conftest import client_for


def url(transcript, **query):
    base = reverse("coding:transcript-coding", args=[transcript.study.slug, transcript.pk])
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
    transcript = Transcript.objects.create(study=participant.study, participant=participant, title="T",
                                           text=text)
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


def test_it_hides_the_page_from_a_stranger(steve, transcript):
    assert client_for(steve).get(url(transcript)).status_code == 404


def test_it_hides_a_transcript_from_members_of_another_study(otto, transcript):
    assert client_for(otto).get(url(transcript)).status_code == 404


def test_it_answers_404_for_a_transcript_of_another_study(alice, other_study, otto):
    theirs = other_study_objects(other_study, otto)["transcript"]
    response = client_for(alice).get(reverse("coding:transcript-coding", args=["pasto", theirs.pk]))
    assert response.status_code == 404
    # ... and under its own study's address too, since alice is no member of it.
    assert client_for(alice).get(url(theirs)).status_code == 404


def test_it_shows_only_the_studys_themes_in_the_picker(alice, other_study, otto, transcript, themes):
    theirs = other_study_objects(other_study, otto)
    body = client_for(alice).get(url(transcript)).content.decode()
    assert f'value="{themes["youth"].pk}"' in body
    assert f'value="{theirs["theme"].pk}"' not in body
    assert "Harbour" not in body


def test_a_researcher_elsewhere_is_only_a_reader_here(rita, other_study, transcript, themes):
    """rita reviews `study` and codes in `other_study`: the coding controls follow the study."""
    Membership.objects.create(study=other_study, user=rita, role=Role.RESEARCHER)
    theirs = other_study_objects(other_study, rita)["transcript"]
    client = client_for(rita)
    assert 'id="picker"' not in client.get(url(transcript)).content.decode()
    assert 'id="picker"' in client.get(url(theirs)).content.decode()


def test_it_sends_anonymous_users_to_login(client, transcript):
    response = client.get(url(transcript))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_a_missing_transcript(study, alice):
    assert client_for(alice).get("/studies/pasto/coding/transcripts/999999/").status_code == 404


@pytest.mark.parametrize("count", [2, 40])
def test_its_query_count_does_not_grow_with_excerpts(alice, study, other_study, otto, transcript, themes,
                                                     count, django_assert_num_queries):
    """Guards against an N+1 over excerpts: their coder or their themes fetched one by one; and
    against reading other studies: their excerpts and themes grow with `count` too."""
    extra = [Theme.objects.create(study=study, name=f"T{i}", parent=themes["parent"]) for i in range(5)]
    theirs = other_study_objects(other_study, otto)
    for i in range(count):
        Theme.objects.create(study=other_study, name=f"Their {i}")
        excerpt_create(transcript=theirs["transcript"], start=0, end=5, themes=[theirs["theme"]], coder=otto)
    for i in range(count):
        start = i % 30
        excerpt_create(
            transcript=transcript, start=start, end=start + 10,
            themes=[themes["youth"], extra[i % 5]], coder=alice,
        )
    client = client_for(alice)
    page = url(transcript)
    # session, user, membership with study, transcript with participant, themes for the
    # picker, excerpts with coder names, excerpt-theme links, user and group permissions
    # (base.html's menu), coders for the layer menu
    with django_assert_num_queries(10):
        response = client.get(page)
    assert len(response.context["excerpts"]) == count
    assert CodedExcerpt.objects.filter(study=study).count() == count
