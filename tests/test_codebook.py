"""The codebook page: the theme tree with definitions, example quotes and counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import Theme
from coding.services import excerpt_create, theme_delete
from interviews.models import Participant, Transcript
from studies.models import Membership, Role, Study
from tests.codebook_state import other_study_objects
from tests.conftest import client_for

URL = reverse("coding:codebook", args=["pasto"])


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
    assert reverse("coding:transcript-coding", args=["pasto", transcript.pk]) in body
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
        assert reverse(f"coding:{name}", args=["pasto", youth]) in body
    assert reverse("coding:codebook-theme-create", args=["pasto"]) in body
    assert reverse("coding:codebook-import", args=["pasto"]) in body
    assert reverse("coding:codebook-copy", args=["pasto"]) in body


def test_it_lets_a_reviewer_read_without_controls(rita, coded):
    response = client_for(rita).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Youth" in body and "«youth office»" in body
    assert reverse("coding:theme-delete", args=["pasto", coded["youth"].pk]) not in body
    assert reverse("coding:codebook-theme-create", args=["pasto"]) not in body
    assert reverse("coding:codebook-import", args=["pasto"]) not in body
    assert reverse("coding:codebook-copy", args=["pasto"]) not in body
    assert reverse("coding:codebook-export-qdc", args=["pasto"]) in body


def test_an_archived_study_shows_its_codebook_without_controls(alice, study, coded):
    study.archived_at = timezone.now()
    study.save()
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    assert "«youth office»" in response.content.decode()
    assert reverse("coding:codebook-theme-create", args=["pasto"]) not in response.content.decode()
    assert reverse("coding:theme-update", args=["pasto", coded["youth"].pk]) not in response.content.decode()


def test_it_offers_undo_after_a_removal_but_not_to_reviewers(alice, rita, themes):
    deleted = theme_delete(theme=themes["gender"], user=alice, codings="remove")
    body = client_for(alice).get(URL, {"undo": deleted.pk}).content.decode()
    assert 'id="undo-banner"' in body
    assert reverse("coding:theme-restore", args=["pasto", deleted.pk]) in body
    body = client_for(rita).get(URL, {"undo": deleted.pk}).content.decode()
    assert 'id="undo-banner"' not in body
    assert reverse("coding:theme-restore", args=["pasto", deleted.pk]) not in body


def test_it_says_when_there_are_no_themes(alice):
    response = client_for(alice).get(URL)
    assert "No themes yet." in response.content.decode()
    assert reverse("coding:codebook-export-qdc", args=["pasto"]) not in response.content.decode()


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_hides_the_codebook_from_non_members(who, request, themes):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 404


def test_it_shows_only_the_studys_themes_counts_and_quotes(alice, coded, other_study, otto):
    theirs = other_study_objects(other_study, otto)
    response = client_for(alice).get(URL)
    assert [t.name for t, _ in response.context["rows"]] == ["Strategy themes", "Gender", "Youth"]
    assert [c["coder__username"] for c in response.context["coders"]] == ["alice", "bob"]
    body = response.content.decode()
    assert "Harbour" not in body and "«Their words»" not in body
    assert f"theme-{theirs['theme'].pk}" not in body
    # ...and the other study's page shows only its own.
    response = client_for(otto).get(reverse("coding:codebook", args=["other"]))
    assert [t.name for t, _ in response.context["rows"]] == ["Harbour", "Market"]
    assert [(c["coder__username"], c["excerpt_count"]) for c in response.context["coders"]] == [("otto", 1)]
    assert [e["excerpt_quote"] for e in response.context["rows"][0][0].examples] == ["Their words"]
    assert [d.name for d in response.context["removed"]] == ["Old"]


def test_it_lists_only_the_studys_removed_themes(alice, themes, other_study, otto):
    other_study_objects(other_study, otto)
    response = client_for(alice).get(URL)
    assert response.context["removed"] == []


def test_it_sends_anonymous_users_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _other_studies(django_user_model, size):
    """`size` more studies, each with its own coder, themes, many excerpts and a removed theme:
    none of it may reach the page, nor add a query."""
    for i in range(size):
        other = Study.objects.create(name=f"Elsewhere {i}", slug=f"elsewhere-{i}")
        coder = django_user_model.objects.create_user(username=f"coder{i}")
        Membership.objects.create(study=other, user=coder, role=Role.RESEARCHER)
        objects = other_study_objects(other, coder)
        for j in range(10 * size):
            excerpt_create(transcript=objects["transcript"], start=j % 5, end=j % 5 + 5,
                           themes=[objects["theme"], objects["spare"]], coder=coder)


@pytest.mark.parametrize("size", [1, 5])
def test_it_runs_a_fixed_number_of_queries(study, alice, bob, participant, size, django_user_model,
                                           django_assert_num_queries):
    """Guards against an N+1 over themes (counts, coder counts or example quotes per theme),
    over coders (one column each) and over studies (other studies' themes, excerpts, coders and
    removed themes grow with `size` but must not show)."""
    coders = [alice, bob][: min(size, 2)]
    for i in range(size):
        parent = Theme.objects.create(study=study, name=f"Parent {i}")
        child = Theme.objects.create(study=study, name=f"Child {i}", parent=parent)
        t = Transcript.objects.create(
            study=study, participant=participant, title=f"T{i}", text="Some words here, said twice"
        )
        for j, coder in enumerate(coders):
            excerpt_create(transcript=t, start=j, end=j + 4, themes=[parent, child], coder=coder)
    theme_delete(theme=Theme.objects.create(study=study, name="Gone"), user=alice, codings="remove")
    _other_studies(django_user_model, size)
    client = client_for(alice)
    # user, membership with study, themes, links counted per theme and coder, excerpts counted
    # per coder, example quotes, recently removed themes with who removed them
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert len(response.context["rows"]) == 2 * size
    assert [c["coder__username"] for c in response.context["coders"]] == [c.username for c in coders]
    assert [d.name for d in response.context["removed"]] == ["Gone"]
