"""The codebook page: the theme tree with definitions, example quotes and counts."""

import pytest
from django.urls import reverse

from coding.models import Theme
from coding.services import excerpt_create, theme_delete
from interviews.models import Participant, Transcript
from tests.conftest import client_for

URL = reverse("coding:codebook")


@pytest.fixture
def coded(alice, bob, transcript, themes):
    """alice codes two passages, bob one; Youth has all three, Gender one."""
    text = transcript.text
    start = text.index("youth office")
    excerpt_create(transcript=transcript, start=start, end=start + 12, themes=[themes["youth"]], coder=alice)
    start = text.index("gender work")
    excerpt_create(
        transcript=transcript,
        start=start,
        end=start + 11,
        themes=[themes["youth"], themes["gender"]],
        coder=alice,
    )
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=bob)
    return themes


def test_it_shows_the_tree_with_colours_and_definitions(alice, themes):
    Theme.objects.filter(pk=themes["youth"].pk).update(
        description="Young people.", inclusion_criteria="Names youth.", exclusion_criteria="Children only."
    )
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    rows = [(theme.name, depth) for theme, depth in response.context["rows"]]
    assert rows == [("Strategy themes", 0), ("Gender", 1), ("Youth", 1)]
    body = response.content.decode()
    for text in ["Young people.", "Names youth.", "Children only.", "#fd7e14", "Strategy theme ·"]:
        assert text in body


def test_it_counts_excerpts_per_theme_and_per_coder(alice, coded):
    response = client_for(alice).get(URL)
    coders = [c["coder__username"] for c in response.context["coders"]]
    assert coders == ["alice", "bob"]
    counts = {theme.name: (theme.excerpt_count, theme.coder_counts) for theme, _ in response.context["rows"]}
    assert counts == {"Strategy themes": (0, [0, 0]), "Youth": (3, [2, 1]), "Gender": (1, [1, 0])}
    assert [c["excerpt_count"] for c in response.context["coders"]] == [2, 1]


def test_it_shows_example_quotes_with_the_participant_code(alice, coded, transcript):
    response = client_for(alice).get(URL)
    youth = next(t for t, _ in response.context["rows"] if t.name == "Youth")
    assert [e["excerpt_quote"] for e in youth.examples] == ["youth office", "gender work"]
    body = response.content.decode()
    assert "«youth office»" in body
    assert reverse("coding:transcript-coding", args=[transcript.pk]) in body
    assert "Secret Realname" not in body and "secret@example.org" not in body


@pytest.mark.parametrize(
    "change",
    [{"consent_scope": "interview_only"}, {"consent_given": False}, {"consent_withdrawn_on": "2026-01-01"}],
)
def test_it_quotes_only_participants_who_agreed(alice, coded, participant, change):
    Participant.objects.filter(pk=participant.pk).update(**change)
    response = client_for(alice).get(URL)
    assert all(theme.examples == [] for theme, _ in response.context["rows"])
    assert "«youth office»" not in response.content.decode()


def test_it_gives_researchers_the_controls(alice, themes):
    body = client_for(alice).get(URL).content.decode()
    youth = themes["youth"].pk
    for name in ["theme-update", "theme-merge", "theme-delete", "theme-move"]:
        assert reverse(f"coding:{name}", args=[youth]) in body
    assert reverse("coding:codebook-theme-create") in body
    assert reverse("coding:codebook-import") in body


def test_it_lets_a_reviewer_read_without_controls(rita, coded):
    response = client_for(rita).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Youth" in body and "«youth office»" in body
    assert reverse("coding:theme-delete", args=[coded["youth"].pk]) not in body
    assert reverse("coding:codebook-theme-create") not in body
    assert reverse("coding:codebook-import") not in body
    assert reverse("coding:codebook-export-qdc") in body


def test_it_offers_undo_after_a_removal_but_not_to_reviewers(alice, rita, themes):
    deleted = theme_delete(theme=themes["gender"], user=alice, codings="remove")
    body = client_for(alice).get(URL, {"undo": deleted.pk}).content.decode()
    assert 'id="undo-banner"' in body
    assert reverse("coding:theme-restore", args=[deleted.pk]) in body
    body = client_for(rita).get(URL, {"undo": deleted.pk}).content.decode()
    assert 'id="undo-banner"' not in body
    assert reverse("coding:theme-restore", args=[deleted.pk]) not in body


def test_it_says_when_there_are_no_themes(alice, db):
    response = client_for(alice).get(URL)
    assert "No themes yet." in response.content.decode()
    assert reverse("coding:codebook-export-qdc") not in response.content.decode()


def test_it_forbids_a_stranger(steve, themes):
    assert client_for(steve).get(URL).status_code == 403


def test_it_sends_anonymous_users_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("size", [1, 5])
def test_it_runs_a_fixed_number_of_queries(alice, bob, participant, size, django_assert_num_queries):
    """Guards against an N+1 over themes (counts, coder counts or example quotes per theme) and
    over coders (one column each)."""
    coders = [alice, bob][: min(size, 2)]
    for i in range(size):
        parent = Theme.objects.create(name=f"Parent {i}")
        child = Theme.objects.create(name=f"Child {i}", parent=parent)
        t = Transcript.objects.create(
            participant=participant, title=f"T{i}", text="Some words here, said twice"
        )
        for j, coder in enumerate(coders):
            excerpt_create(transcript=t, start=j, end=j + 4, themes=[parent, child], coder=coder)
    theme_delete(theme=Theme.objects.create(name="Gone"), user=alice, codings="remove")
    client = client_for(alice)
    # session, user, user permissions, group permissions (cached for the request), themes,
    # links counted per theme and coder, excerpts counted per coder, example quotes,
    # recently removed themes with who removed them
    with django_assert_num_queries(9):
        response = client.get(URL)
    assert len(response.context["rows"]) == 2 * size
