"""Undoing a theme delete or merge: the theme, its place, sub-themes and codings come back."""

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedExcerpt, DeletedTheme, Theme
from coding.services import excerpt_create, excerpt_delete, theme_delete, theme_merge
from tests.codebook_state import codebook_state, other_study_objects
from tests.conftest import client_for


@pytest.fixture
def book(study, alice, bob, transcript, themes):
    parent = themes["parent"]
    Theme.objects.filter(pk=themes["youth"].pk).update(order=0)
    Theme.objects.filter(pk=themes["gender"].pk).update(order=1)
    doomed = Theme.objects.create(study=study,
        name="Doomed",
        parent=parent,
        order=2,
        kind="strategy",
        colour="#abcdef",
        description="D",
        inclusion_criteria="I",
        exclusion_criteria="E",
    )
    sub = Theme.objects.create(study=study, name="Sub", parent=doomed, order=0)
    Theme.objects.create(study=study, name="Last", parent=parent, order=3)
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
    return client_for(user).post(reverse("coding:theme-restore", args=["pasto", deleted.pk]))


@pytest.mark.parametrize("how", ["move", "remove", "merge"])
def test_undo_restores_the_codebook_exactly(alice, book, how):
    before = codebook_state()
    if how == "merge":
        deleted = theme_merge(source=book["doomed"], target=book["youth"], user=alice)
    else:
        deleted = theme_delete(
            theme=book["doomed"], user=alice, codings=how, target=book["youth"] if how == "move" else None
        )
    assert codebook_state() != before
    response = restore(alice, deleted)
    assert response.status_code == 302
    assert response["Location"] == reverse("coding:codebook", args=["pasto"]) + f"#theme-{book['doomed'].pk}"
    assert codebook_state() == before
    assert not DeletedTheme.objects.exists()
    assert not DeletedExcerpt.objects.exists()


def test_a_removed_excerpt_comes_back_with_its_id_and_creation_time(alice, book):
    only = CodedExcerpt.objects.get(pk=book["only"].pk)
    deleted = theme_delete(theme=book["doomed"], user=alice, codings="remove")
    assert not CodedExcerpt.objects.filter(pk=only.pk).exists()
    restore(alice, deleted)
    back = CodedExcerpt.objects.get(pk=only.pk)
    assert (back.created_at, back.memo, back.coder_id, back.quote) == (
        only.created_at,
        "m1",
        only.coder_id,
        only.quote,
    )
    assert [t.pk for t in back.themes.all()] == [book["doomed"].pk]


def test_it_says_what_changed_meanwhile_and_restores_the_rest(study, alice, book):
    deleted = theme_delete(theme=book["doomed"], user=alice, codings="move", target=book["youth"])
    excerpt_delete(excerpt=CodedExcerpt.objects.get(pk=book["shared"].pk), user=alice)
    other = Theme.objects.create(study=study, name="Elsewhere")
    Theme.objects.filter(pk=book["sub"].pk).update(parent=other)
    response = client_for(alice).post(reverse("coding:theme-restore", args=["pasto", deleted.pk]),
                                      follow=True)
    body = response.content.decode()
    assert "1 excerpts coded with it were removed since" in body
    assert "1 of its sub-themes were moved since" in body
    doomed = Theme.objects.get(pk=book["doomed"].pk)
    assert sorted(e.pk for e in doomed.excerpts.all()) == sorted([book["only"].pk, book["moved"].pk])
    assert Theme.objects.get(pk=book["sub"].pk).parent == other


def test_it_refuses_when_the_parent_was_removed_since(alice, book):
    deleted = theme_delete(theme=book["doomed"], user=alice, codings="remove")
    Theme.objects.filter(parent=book["parent"]).delete()
    theme_delete(theme=book["parent"], user=alice, codings="remove")
    before = codebook_state()
    response = restore(alice, deleted)
    assert response.status_code == 400
    assert "restore that one first" in response.content.decode()
    assert codebook_state() == before
    assert DeletedTheme.objects.filter(pk=deleted.pk).exists()


def test_it_refuses_when_its_name_was_taken_since(study, alice, book):
    deleted = theme_delete(theme=book["doomed"], user=alice, codings="remove")
    Theme.objects.create(study=study, name="Doomed", parent=book["parent"])
    before = codebook_state()
    response = restore(alice, deleted)
    assert response.status_code == 400
    assert "now sits in its place" in response.content.decode()
    assert codebook_state() == before


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_manage_themes(who, status, request, alice, book):
    deleted = theme_delete(theme=book["doomed"], user=alice, codings="remove")
    assert restore(request.getfixturevalue(who), deleted).status_code == status
    assert not Theme.objects.filter(pk=book["doomed"].pk).exists()


def test_it_sends_anonymous_users_to_login(client, alice, book):
    deleted = theme_delete(theme=book["doomed"], user=alice, codings="remove")
    assert client.post(reverse("coding:theme-restore", args=["pasto", deleted.pk])).status_code == 302
    assert DeletedTheme.objects.filter(pk=deleted.pk).exists()


def test_it_only_accepts_post(alice, book):
    deleted = theme_delete(theme=book["doomed"], user=alice, codings="remove")
    restore_url = reverse("coding:theme-restore", args=["pasto", deleted.pk])
    assert client_for(alice).get(restore_url).status_code == 405


def test_it_answers_404_for_a_missing_removal(alice):
    assert client_for(alice).post("/studies/pasto/coding/codebook/removed/999999/restore/").status_code == 404


def test_it_answers_404_for_a_removal_of_another_study(alice, book, other_study, otto):
    theirs = other_study_objects(other_study, otto)["deleted_theme"]
    restore_url = reverse("coding:theme-restore", args=["pasto", theirs.pk])
    assert client_for(alice).post(restore_url).status_code == 404
    assert DeletedTheme.objects.filter(pk=theirs.pk).exists()
    assert not Theme.objects.filter(pk=theirs.original_id).exists()
