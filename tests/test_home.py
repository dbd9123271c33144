import pytest
from django.urls import reverse

from coding.services import excerpt_create
from tests.conftest import client_for

URL = reverse("home")


def test_it_sends_anonymous_users_to_login(db, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_study_to_a_researcher(alice, transcript, themes):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Interview D" in body
    assert "RET" in body
    assert "select a passage" in body
    youth = [t for t, _ in response.context["themes"] if t.name == "Youth"][0]
    assert youth.excerpt_count == 1


def test_it_tells_a_reviewer_they_can_read(rita, transcript):
    body = client_for(rita).get(URL).content.decode()
    assert "Reviewer" in body
    assert "Interview D" in body
    assert "select a passage" not in body


def test_it_shows_a_stranger_only_how_to_get_a_role(steve, transcript):
    response = client_for(steve).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "no role yet" in body
    assert "Interview D" not in body
    assert "RET" not in body


def test_it_links_admins_to_participant_records(adam):
    body = client_for(adam).get(URL).content.decode()
    assert reverse("admin:interviews_participant_changelist") in body


@pytest.mark.parametrize("extra_themes", [1, 12])
def test_it_runs_a_fixed_number_of_queries(alice, participant, themes, extra_themes,
                                            django_assert_num_queries):
    """Guards against an N+1 over themes (excerpt counts) or participants (transcript counts)."""
    from coding.models import Theme

    for i in range(extra_themes):
        Theme.objects.create(name=f"Extra {i}", parent=themes["parent"])
    client = client_for(alice)
    # session, user, user groups (role names), user permissions, group permissions,
    # themes with excerpt counts, participants with transcript counts, transcripts
    with django_assert_num_queries(8):
        client.get(URL)
