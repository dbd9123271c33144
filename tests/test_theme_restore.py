"""Undoing a theme delete or merge: the theme, its place, sub-themes and codings come back."""

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedExcerpt, DeletedTheme, Theme
from coding.services import excerpt_create, excerpt_delete, theme_delete, theme_merge
from tests.codebook_state import codebook_state
from tests.conftest import client_for


@pytest.fixture
def study(alice, bob, transcript, themes):
    parent = themes["parent"]
    Theme.objects.filter(pk=themes["youth"].pk).update(order=0)
    Theme.objects.filter(pk=themes["gender"].pk).update(order=1)
    doomed = Theme.objects.create(
        name="Doomed",
        parent=parent,
        order=2,
        kind="strategy",
        colour="#abcdef",
        description="D",
        inclusion_criteria="I",
        exclusion_criteria="E",
    )
    sub = Theme.objects.create(name="Sub", parent=doomed, order=0)
    Theme.objects.create(name="Last", parent=parent, order=3)
    text = transcript.text
    e = {
        "only": excerpt_create(transcript=transcript, start=0, end=11, themes=[doomed], coder=bob, memo="m1"),
        "shared": excerpt_create(
            transcript=transcript,
            start=text.index("youth"),
            end=text.index("youth") + 5,
            themes=[doomed, themes["youth"]],
            coder=alice,
        ),
        "moved": excerpt_create(
            transcript=transcript, start=12, end=15, themes=[doomed, themes["gender"]], coder=alice
        ),
    }
    return {**themes, **e, "doomed": doomed, "sub": sub}


def restore(user, deleted):
    return client_for(user).post(reverse("coding:theme-restore", args=[deleted.pk]))


@pytest.mark.parametrize("how", ["move", "remove", "merge"])
def test_undo_restores_the_codebook_exactly(alice, study, how):
    before = codebook_state()
    if how == "merge":
        deleted = theme_merge(source=study["doomed"], target=study["youth"], user=alice)
    else:
        deleted = theme_delete(
            theme=study["doomed"], user=alice, codings=how, target=study["youth"] if how == "move" else None
        )
    assert codebook_state() != before
    response = restore(alice, deleted)
    assert response.status_code == 302
    assert response["Location"] == reverse("coding:codebook") + f"#theme-{study['doomed'].pk}"
    assert codebook_state() == before
    assert not DeletedTheme.objects.exists()
    assert not DeletedExcerpt.objects.exists()


def test_a_removed_excerpt_comes_back_with_its_id_and_creation_time(alice, study):
    only = CodedExcerpt.objects.get(pk=study["only"].pk)
    deleted = theme_delete(theme=study["doomed"], user=alice, codings="remove")
    assert not CodedExcerpt.objects.filter(pk=only.pk).exists()
    restore(alice, deleted)
    back = CodedExcerpt.objects.get(pk=only.pk)
    assert (back.created_at, back.memo, back.coder_id, back.quote) == (
        only.created_at,
        "m1",
        only.coder_id,
        only.quote,
    )
    assert [t.pk for t in back.themes.all()] == [study["doomed"].pk]


def test_it_says_what_changed_meanwhile_and_restores_the_rest(alice, study):
    deleted = theme_delete(theme=study["doomed"], user=alice, codings="move", target=study["youth"])
    excerpt_delete(excerpt=CodedExcerpt.objects.get(pk=study["shared"].pk), user=alice)
    other = Theme.objects.create(name="Elsewhere")
    Theme.objects.filter(pk=study["sub"].pk).update(parent=other)
    response = client_for(alice).post(reverse("coding:theme-restore", args=[deleted.pk]), follow=True)
    body = response.content.decode()
    assert "1 excerpts coded with it were removed since" in body
    assert "1 of its sub-themes were moved since" in body
    doomed = Theme.objects.get(pk=study["doomed"].pk)
    assert sorted(e.pk for e in doomed.excerpts.all()) == sorted([study["only"].pk, study["moved"].pk])
    assert Theme.objects.get(pk=study["sub"].pk).parent == other


def test_it_refuses_when_the_parent_was_removed_since(alice, study):
    deleted = theme_delete(theme=study["doomed"], user=alice, codings="remove")
    Theme.objects.filter(parent=study["parent"]).delete()
    theme_delete(theme=study["parent"], user=alice, codings="remove")
    before = codebook_state()
    response = restore(alice, deleted)
    assert response.status_code == 400
    assert "restore that one first" in response.content.decode()
    assert codebook_state() == before
    assert DeletedTheme.objects.filter(pk=deleted.pk).exists()


def test_it_refuses_when_its_name_was_taken_since(alice, study):
    deleted = theme_delete(theme=study["doomed"], user=alice, codings="remove")
    Theme.objects.create(name="Doomed", parent=study["parent"])
    before = codebook_state()
    response = restore(alice, deleted)
    assert response.status_code == 400
    assert "now sits in its place" in response.content.decode()
    assert codebook_state() == before


@pytest.mark.parametrize("who", ["rita", "steve"])
def test_it_forbids_users_who_cannot_manage_themes(who, request, alice, study):
    deleted = theme_delete(theme=study["doomed"], user=alice, codings="remove")
    assert restore(request.getfixturevalue(who), deleted).status_code == 403
    assert not Theme.objects.filter(pk=study["doomed"].pk).exists()


def test_it_sends_anonymous_users_to_login(client, alice, study):
    deleted = theme_delete(theme=study["doomed"], user=alice, codings="remove")
    assert client.post(reverse("coding:theme-restore", args=[deleted.pk])).status_code == 302
    assert DeletedTheme.objects.filter(pk=deleted.pk).exists()


def test_it_only_accepts_post(alice, study):
    deleted = theme_delete(theme=study["doomed"], user=alice, codings="remove")
    assert client_for(alice).get(reverse("coding:theme-restore", args=[deleted.pk])).status_code == 405


def test_it_answers_404_for_a_missing_removal(alice, db):
    assert client_for(alice).post("/coding/codebook/removed/999999/restore/").status_code == 404
