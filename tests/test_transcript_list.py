"""The study's transcript list (transcripts:transcript-list, the study's landing page): each
transcript with its participant code, excerpt and theme counts and the share of its text coded;
only the study's own transcripts, for its members only."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import Theme
from coding.services import excerpt_create
from interviews.models import Transcript
from studies.models import Membership, Role, Study
from tests.conftest import client_for
from tests.participants import participant_make


def url(study):
    return reverse("transcripts:transcript-list", args=[study.slug])


def test_it_shows_counts_and_share_coded(alice, bob, transcript, themes):
    # text is 70 characters; two overlapping excerpts cover 0..20 -> 28%
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    excerpt_create(
        transcript=transcript, start=5, end=20, themes=[themes["gender"], themes["youth"]], coder=bob
    )
    response = client_for(alice).get(url(transcript.study))
    assert response.status_code == 200
    row = response.context["transcripts"][0]
    assert row.excerpt_count == 2
    assert row.theme_count == 2
    assert row.coverage == pytest.approx(20 / len(transcript.text))
    body = response.content.decode()
    assert f"{round(100 * 20 / len(transcript.text))}%" in body
    assert reverse("coding:transcript-coding", args=["pasto", transcript.pk]) in body


def test_the_share_and_the_date_are_written_the_spanish_way_in_spanish(alice, transcript, themes):
    transcript.interview_date = date(2009, 4, 8)
    transcript.save()
    excerpt_create(transcript=transcript, start=0, end=20, themes=[themes["youth"]], coder=alice)
    body = client_for(alice, HTTP_ACCEPT_LANGUAGE="es").get(url(transcript.study)).content.decode()
    assert f"{round(100 * 20 / len(transcript.text))}\u00a0%" in body
    assert "8 de abril de 2009" in body


def test_an_uncoded_transcript_shows_zeros(alice, transcript):
    (row,) = client_for(alice).get(url(transcript.study)).context["transcripts"]
    assert (row.excerpt_count, row.theme_count, row.coverage) == (0, 0, 0.0)


def test_it_lists_only_the_studys_own_transcripts(alice, otto, transcript, other_study):
    theirs = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    Transcript.objects.create(study=other_study, participant=theirs, title="Their interview", text="Hi")
    response = client_for(alice).get(url(transcript.study))
    assert [t.title for t in response.context["transcripts"]] == ["Interview D"]
    assert "Their interview" not in response.content.decode()
    response = client_for(otto).get(url(other_study))
    assert [t.title for t in response.context["transcripts"]] == ["Their interview"]


def test_it_lets_a_reviewer_read_without_import_links(rita, transcript):
    response = client_for(rita).get(url(transcript.study))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("interviews:transcript-upload", args=["pasto"]) not in body
    assert reverse("interviews:participant-list", args=["pasto"]) in body


def test_it_offers_import_to_researchers(alice, transcript):
    body = client_for(alice).get(url(transcript.study)).content.decode()
    assert reverse("interviews:transcript-upload", args=["pasto"]) in body


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, transcript):
    """A non-member learns nothing, not even that the study exists (otto owns another one)."""
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(transcript.study)).status_code == 404


def test_it_answers_404_for_a_study_in_the_trash(alice, transcript):
    Study.objects.filter(pk=transcript.study_id).update(deleted_at="2026-01-01T00:00Z")
    assert client_for(alice).get(url(transcript.study)).status_code == 404


def test_it_sends_anonymous_users_to_login(client, study):
    assert client.get(url(study)).status_code == 302


@pytest.mark.parametrize("count", [1, 6])
def test_it_runs_a_fixed_number_of_queries(alice, participant, themes, other_study, count,
                                            django_assert_num_queries):
    """Guards against an N+1 over transcripts (participant, counts or coverage per row) and
    against the other studies' transcripts and excerpts costing anything."""
    study = participant.study
    for i in range(count):
        t = Transcript.objects.create(study=study, participant=participant, title=f"T{i}",
                                      text="Some words here")
        excerpt_create(transcript=t, start=0, end=4, themes=[themes["youth"]], coder=alice)
        other = Study.objects.create(name=f"S{i}", slug=f"s{i}")
        Membership.objects.create(study=other, user=alice, role=Role.RESEARCHER)
        p = participant_make(study=other, code="X", sector="ngo", gender="male")
        ot = Transcript.objects.create(study=other, participant=p, title="Other", text="Other words")
        theme = Theme.objects.create(study=other, name="Other theme")
        excerpt_create(transcript=ot, start=0, end=5, themes=[theme], coder=alice)
    client = client_for(alice)
    # user, membership with study, transcripts with participants and lengths, excerpt spans,
    # distinct themes per transcript
    with django_assert_num_queries(5):
        response = client.get(url(study))
    assert len(response.context["transcripts"]) == count


def test_the_study_menu_follows_a_role_a_name_archiving_and_the_language_at_once(alice, study):
    """base.html's study menu is rendered once per worker under a key of what it shows."""
    client = client_for(alice)
    page = client.get(reverse("transcripts:transcript-list", args=[study.slug])).content.decode()
    trash = f'href="{reverse("audit:trash", args=[study.slug])}"'
    assert trash in page
    Membership.objects.filter(user=alice, study=study).update(role=Role.REVIEWER)
    page = client.get(reverse("transcripts:transcript-list", args=[study.slug])).content.decode()
    assert trash not in page and "Reviewer" in page
    Study.objects.filter(pk=study.pk).update(name="Pasto, renamed", archived_at=timezone.now())
    page = client.get(reverse("transcripts:transcript-list", args=[study.slug])).content.decode()
    assert "Pasto, renamed" in page and ">archived<" in page
    spanish = client_for(alice, HTTP_ACCEPT_LANGUAGE="es").get(
        reverse("transcripts:transcript-list", args=[study.slug])).content.decode()
    assert ">Transcripciones<" in spanish


def test_the_share_coded_is_the_union_of_the_spans_as_coverage_sweeps_it(alice, bob, transcript, themes):
    """The list's share is counted by the database: the same figure as interviews' `coverage`
    over the spans, whatever they nest, touch, repeat or overlap."""
    import random

    from interviews.models import coverage

    rng, spans = random.Random(5), []
    length = len(transcript.text)
    for start, end in [(0, 3), (0, 3), (3, 9), (2, 5), (10, 40), (12, 15), (39, 41), (60, length)]:
        spans.append((start, end))
    for _ in range(25):
        start = rng.randrange(0, length - 1)
        spans.append((start, rng.randint(start + 1, min(length, start + 12))))
    for start, end in spans:
        excerpt_create(transcript=transcript, start=start, end=end, themes=[themes["youth"]],
                       coder=rng.choice([alice, bob]))
    (row,) = client_for(alice).get(url(transcript.study)).context["transcripts"]
    assert row.excerpt_count == len(spans)
    assert row.coverage == pytest.approx(coverage(spans, length))
    assert 0 < row.coverage < 1
