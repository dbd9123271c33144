"""The progress page: each coder's assigned transcripts with status, excerpt count and share of
text coded."""

import pytest
from django.urls import reverse

from coding.services import excerpt_create
from interviews.models import Transcript
from team.models import Assignment
from tests.conftest import client_for


def url(study):
    return reverse("team:progress", args=[study.slug])


@pytest.fixture
def assigned(study, transcript, alice, bob, adam, themes):
    """alice and bob both assigned the transcript; alice coded 14 of its 75 characters."""
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    excerpt_create(transcript=transcript, start=40, end=45, themes=[themes["gender"]], coder=alice)
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["gender"]], coder=adam)
    return [Assignment.objects.create(study=study, transcript=transcript, coder=user, assigned_by=adam)
            for user in (alice, bob)]


def test_it_shows_each_coders_status_excerpts_and_coverage(assigned, rita, transcript):
    alice_row, bob_row = assigned
    alice_row.status = "in_progress"
    alice_row.save()
    response = client_for(rita).get(url(transcript.study))
    assert response.status_code == 200
    rows = {a.coder.username: a for a in response.context["assignments"]}
    assert (rows["alice"].excerpt_count, rows["alice"].status) == (2, "in_progress")
    assert rows["alice"].coverage == pytest.approx(14 / len(transcript.text))
    # adam's excerpt is not bob's
    assert (rows["bob"].excerpt_count, rows["bob"].coverage) == (0, 0.0)
    assert "In progress" in response.content.decode()


def test_only_owners_get_the_assignment_form(assigned, alice, adam, study):
    assert client_for(alice).get(url(study)).context["form"] is None
    assert client_for(adam).get(url(study)).context["form"] is not None


def test_the_coder_gets_a_status_picker_for_their_own_rows_only(assigned, alice, study):
    html = client_for(alice).get(url(study)).content.decode()
    assert reverse("team:assignment-status", args=[study.slug, assigned[0].pk]) in html
    assert reverse("team:assignment-status", args=[study.slug, assigned[1].pk]) not in html


def test_it_reads_a_constant_number_of_queries(assigned, study, participant, alice, bob, themes,
                                               django_assert_num_queries):
    """Guards against an N+1 per assignment (its transcript, participant, coder or excerpts)."""
    for n in range(5):
        t = Transcript.objects.create(study=study, participant=participant, title=f"T{n}", text="word " * 40)
        excerpt_create(transcript=t, start=0, end=4, themes=[themes["youth"]], coder=bob)
        for user in (alice, bob):
            Assignment.objects.create(study=study, transcript=t, coder=user)
    client = client_for(alice)
    # user, membership with study, the assignments with transcripts and coders, the excerpt
    # spans
    with django_assert_num_queries(4):
        response = client.get(url(study))
    assert len(response.context["assignments"]) == 12
