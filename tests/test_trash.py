"""A study's trash (audit.views.trash): its removed excerpts and themes, each with a restore
button pointing at coding's restore routes; nothing of another study."""

import pytest
from django.urls import reverse

from coding.models import Theme
from coding.services import excerpt_create, excerpt_delete, theme_delete
from interviews.models import Transcript
from studies.models import Role, Study
from tests.conftest import client_for
from tests.participants import participant_make

URL = reverse("audit:trash", args=["pasto"])


def removed_elsewhere(study, user, n=1):
    """`n` removed excerpts and themes in `study`."""
    theme = Theme.objects.create(study=study, name="Kept")
    p = participant_make(study=study, code="Z", sector="ngo", gender="male")
    t = Transcript.objects.create(study=study, participant=p, title="Elsewhere", text="Secret other words.")
    for i in range(n):
        e = excerpt_create(transcript=t, start=0, end=6, themes=[theme], coder=user)
        excerpt_delete(excerpt=e, user=user)
        theme_delete(theme=Theme.objects.create(study=study, name=f"Other old {i}"), user=user,
                     codings="remove")


def test_it_lists_removed_excerpts_with_a_restore_button(alice, transcript, themes):
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    deleted = excerpt_delete(excerpt=excerpt, user=alice)
    body = client_for(alice).get(URL).content.decode()
    assert "With the youth" in body
    assert reverse("coding:excerpt-restore", args=["pasto", deleted.pk]) in body
    assert reverse("coding:transcript-coding", args=["pasto", transcript.pk]) in body


def test_it_lists_removed_themes_with_a_restore_button(alice, study):
    deleted = theme_delete(theme=Theme.objects.create(study=study, name="Old idea"), user=alice,
                           codings="remove")
    body = client_for(alice).get(URL).content.decode()
    assert "Old idea" in body
    assert reverse("coding:theme-restore", args=["pasto", deleted.pk]) in body


def test_it_shows_nothing_of_another_study(alice, adam, study, other_study, otto):
    removed_elsewhere(other_study, otto)
    for user in (alice, adam):
        body = client_for(user).get(URL).content.decode()
        assert "Secret" not in body and "Other old" not in body
        assert "The trash is empty." in body and "No removed themes." in body
    other = client_for(otto).get(reverse("audit:trash", args=["other"])).content.decode()
    assert "Secret" in other and "Other old 0" in other


def test_it_forbids_reviewers(rita):
    assert client_for(rita).get(URL).status_code == 403


def test_it_forbids_everyone_in_an_archived_study(adam, study):
    """Nothing can be restored in an archived study, so its trash has nothing to offer."""
    study.archived_at = "2026-01-01T00:00Z"
    study.save()
    assert client_for(adam).get(URL).status_code == 403


@pytest.mark.parametrize("who", ["steve", "sam", "otto"])
def test_it_hides_the_trash_from_non_members(who, request, study):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 404


@pytest.mark.parametrize("count", [1, 12])
@pytest.mark.parametrize("studies", [1, 3])
def test_it_runs_a_fixed_number_of_queries(alice, transcript, themes, count, studies,
                                           django_assert_num_queries):
    """Guards against an N+1 over removed excerpts or themes (transcript or remover fetched one
    by one), or over studies."""
    for s in range(studies - 1):
        other = Study.objects.create(name=f"S{s}", slug=f"s{s}")
        other.memberships.create(user=alice, role=Role.RESEARCHER)
        removed_elsewhere(other, alice, n=2)
    for i in range(count):
        e = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
        excerpt_delete(excerpt=e, user=alice)
        theme_delete(theme=Theme.objects.create(study=transcript.study, name=f"Old {i}"), user=alice,
                     codings="remove")
    client = client_for(alice)
    # user, membership with its study, count, page with transcripts and removers, removed
    # themes with removers
    with django_assert_num_queries(5):
        client.get(URL)


def test_the_owner_who_is_site_admin_reads_the_trash_and_restores(adam, alice, transcript, themes):
    """Issue 17 #10: the admin was refused the trash (403, "ask an admin"). The old Admin role is
    now an owner (and site admin): the trash is theirs to read and restore from."""
    from coding.models import CodedExcerpt

    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    deleted = excerpt_delete(excerpt=excerpt, user=alice)
    client = client_for(adam)
    response = client.get(URL)
    assert response.status_code == 200
    restore = reverse("coding:excerpt-restore", args=["pasto", deleted.pk])
    assert f'action="{restore}"' in response.content.decode()
    assert client.post(restore).status_code == 302
    assert CodedExcerpt.objects.filter(transcript=transcript, start=35, end=49).exists()


def test_the_refusal_names_who_to_ask_not_an_admin(rita):
    body = client_for(rita).get(URL).content.decode()
    assert "Ask the study's owner" in body and "Ask an admin" not in body
