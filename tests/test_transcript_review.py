"""The review page (transcripts:transcript-review): excerpts flagged after a text change, old
quote beside the text at their place now; and accepting an excerpt's new words."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from coding.transcript_text import transcript_text_update
from interviews.models import Transcript
from studies.models import Study
from tests.conftest import client_for

TEXT = "D: With the youth office and the gender work.\n\nD: That came later, in the municipality."


@pytest.fixture
def flagged(participant, alice, themes):
    transcript = Transcript.objects.create(study=participant.study, participant=participant,
                                           title="Interview D", text=TEXT)
    changed = excerpt_create(transcript=transcript, start=12, end=24, themes=[themes["youth"]],
                             coder=alice)
    deleted = excerpt_create(transcript=transcript, start=TEXT.index("That"),
                             end=TEXT.index("That") + 15, themes=[themes["gender"]], coder=alice)
    kept = excerpt_create(transcript=transcript, start=TEXT.index("gender"),
                          end=TEXT.index("gender") + 6, themes=[themes["gender"]], coder=alice)
    new = TEXT.replace("youth office", "young people's office").replace("That came later, in", "in")
    transcript_text_update(transcript=transcript, text=new, user=alice)
    return transcript, changed, deleted, kept


def url(transcript, slug="pasto"):
    return reverse("transcripts:transcript-review", args=[slug, transcript.pk])


def test_it_lists_flagged_excerpts_with_old_and_new_words(alice, flagged):
    transcript, changed, deleted, kept = flagged
    response = client_for(alice).get(url(transcript))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="review-{changed.pk}"' in body and f'id="review-{deleted.pk}"' in body
    assert f'id="review-{kept.pk}"' not in body
    assert "<del>youth</del> office" in body
    assert "<ins>young people&#x27;s</ins> office" in body
    assert "<del>That came later</del>" in body
    assert "The quoted text was deleted" in body
    assert "Accept new words" in body
    assert "Secret Realname" not in body  # pseudonyms only


def test_the_transcript_page_links_to_it_with_the_count(alice, flagged):
    transcript = flagged[0]
    body = client_for(alice).get(transcript.get_absolute_url()).content.decode()
    assert url(transcript) in body
    assert "2 excerpts need review" in body


def test_a_reviewer_reads_it_without_actions(rita, flagged):
    transcript = flagged[0]
    response = client_for(rita).get(url(transcript))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<del>youth</del> office" in body
    assert "Accept new words" not in body and "Correct the text" not in body


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, flagged):
    assert client_for(request.getfixturevalue(who)).get(url(flagged[0])).status_code == 404


def test_it_answers_404_for_another_studys_transcript(otto, flagged, other_study):
    """otto owns `other`: pasto's transcript id under his study's address is a 404."""
    response = client_for(otto).get(url(flagged[0], slug=other_study.slug))
    assert response.status_code == 404
    assert b"young people" not in response.content


def test_it_sends_anonymous_users_to_login(client, flagged):
    assert client.get(url(flagged[0])).status_code == 302


def test_it_answers_404_for_a_missing_transcript(alice, db):
    response = client_for(alice).get(reverse("transcripts:transcript-review", args=["pasto", 99999]))
    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 6])
def test_it_runs_a_fixed_number_of_queries(alice, participant, themes, count, django_assert_num_queries):
    """Guards against an N+1 over flagged excerpts: their coder or themes fetched one by one."""
    transcript = Transcript.objects.create(study=participant.study, participant=participant, title="T",
                                           text="word " * 40 + "end")
    extra = [Theme.objects.create(study=participant.study, name=f"T{i}", parent=themes["parent"])
             for i in range(3)]
    for i in range(count):
        excerpt_create(transcript=transcript, start=i * 5, end=i * 5 + 4,
                       themes=[themes["youth"], extra[i % 3]], coder=alice)
    transcript_text_update(transcript=transcript, text="WORD " * 40 + "end", user=alice)
    assert CodedExcerpt.objects.filter(needs_review=True).count() == count
    client = client_for(alice)
    # user, transcript with participant, study and the user's membership (one query),
    # flagged excerpts with coders, their themes
    with django_assert_num_queries(4):
        response = client.get(url(transcript))
    assert len(response.context["rows"]) == count


# ----- accepting an excerpt's new words -----

def accept_url(excerpt, slug="pasto"):
    return reverse("transcripts:excerpt-review-accept", args=[slug, excerpt.pk])


def test_a_researcher_accepts_the_new_words(bob, flagged):
    transcript, changed, _, _ = flagged
    changed.refresh_from_db()
    response = client_for(bob).post(accept_url(changed), {"version": changed.version})
    assert response.status_code == 302
    assert response["Location"] == url(transcript)
    changed.refresh_from_db()
    transcript.refresh_from_db()
    assert not changed.needs_review and changed.review_reason == ""
    assert changed.quote == "young people's office" == transcript.text[changed.start : changed.end]


def test_it_refuses_to_accept_a_deleted_excerpt(alice, flagged):
    _, _, deleted, _ = flagged
    deleted.refresh_from_db()
    response = client_for(alice).post(accept_url(deleted), {"version": deleted.version}, follow=True)
    assert "were deleted" in response.content.decode()
    deleted.refresh_from_db()
    assert deleted.needs_review and deleted.quote == "That came later"


def test_it_refuses_a_stale_version(alice, flagged):
    _, changed, _, _ = flagged
    response = client_for(alice).post(accept_url(changed), {"version": 1}, follow=True)
    assert "Someone changed this excerpt" in response.content.decode()
    changed.refresh_from_db()
    assert changed.needs_review


def test_it_refuses_a_missing_version_with_a_message(alice, flagged):
    _, changed, _, _ = flagged
    response = client_for(alice).post(accept_url(changed), {}, follow=True)
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()


@pytest.mark.parametrize("who, status", [("rita", 403), ("steve", 404), ("otto", 404)])
def test_accepting_is_refused_to_users_who_cannot_code_here(who, status, request, flagged):
    _, changed, _, _ = flagged
    changed.refresh_from_db()
    client = client_for(request.getfixturevalue(who))
    response = client.post(accept_url(changed), {"version": changed.version})
    assert response.status_code == status
    changed.refresh_from_db()
    assert changed.needs_review


def test_accepting_through_another_study_is_a_404(otto, flagged, other_study):
    """otto codes in `other`; pasto's excerpt id under his study's address is not found."""
    _, changed, _, _ = flagged
    changed.refresh_from_db()
    response = client_for(otto).post(accept_url(changed, slug=other_study.slug), {"version": changed.version})
    assert response.status_code == 404
    changed.refresh_from_db()
    assert changed.needs_review


def test_accepting_is_refused_in_an_archived_study(alice, flagged):
    _, changed, _, _ = flagged
    changed.refresh_from_db()
    Study.objects.filter(slug="pasto").update(archived_at=timezone.now())
    assert client_for(alice).post(accept_url(changed), {"version": changed.version}).status_code == 403
    changed.refresh_from_db()
    assert changed.needs_review


def test_accepting_sends_anonymous_users_to_login(client, flagged):
    _, changed, _, _ = flagged
    assert client.post(accept_url(changed), {"version": 2}).status_code == 302
    changed.refresh_from_db()
    assert changed.needs_review


def test_accepting_only_takes_post(alice, flagged):
    assert client_for(alice).get(accept_url(flagged[1])).status_code == 405
