import pytest
from django.urls import reverse

from coding.services import excerpt_create
from interviews.models import Transcript
from tests.conftest import client_for

URL = reverse("interviews:transcript-list")


def test_it_shows_counts_and_share_coded(alice, bob, transcript, themes):
    # text is 70 characters; two overlapping excerpts cover 0..20 -> 28%
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    excerpt_create(
        transcript=transcript, start=5, end=20, themes=[themes["gender"], themes["youth"]], coder=bob
    )
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    row = response.context["transcripts"][0]
    assert row.excerpt_count == 2
    assert row.theme_count == 2
    assert row.coverage == pytest.approx(20 / len(transcript.text))
    assert f"{round(100 * 20 / len(transcript.text))}%" in response.content.decode()


def test_it_lets_a_reviewer_read(rita, transcript):
    assert client_for(rita).get(URL).status_code == 200


def test_it_forbids_a_stranger(steve, transcript):
    assert client_for(steve).get(URL).status_code == 403


def test_it_sends_anonymous_users_to_login(db, client):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("count", [1, 6])
def test_it_runs_a_fixed_number_of_queries(alice, participant, themes, count,
                                            django_assert_num_queries):
    """Guards against an N+1 over transcripts (participant, counts or coverage per row)."""
    for i in range(count):
        t = Transcript.objects.create(participant=participant, title=f"T{i}", text="Some words here")
        excerpt_create(transcript=t, start=0, end=4, themes=[themes["youth"]], coder=alice)
    client = client_for(alice)
    # session, user, user permissions, group permissions (cached for the request),
    # transcripts annotated with counts, excerpt spans
    with django_assert_num_queries(6):
        client.get(URL)
