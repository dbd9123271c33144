"""Deleting a theme, only after an explicit choice of what happens to its codings."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedExcerpt, DeletedTheme, Theme
from coding.services import excerpt_create, theme_delete
from tests.codebook_state import codebook_state, other_study_objects, themes_of
from tests.conftest import client_for


@pytest.fixture
def book(study, alice, transcript, themes):
    """Under "Strategy themes": Youth, Gender, Doomed (sub-themes d1, d2), Last.
    only: coded with Doomed alone; shared: Doomed and Youth; other: Gender alone."""
    parent = themes["parent"]
    Theme.objects.filter(pk=themes["youth"].pk).update(order=0)
    Theme.objects.filter(pk=themes["gender"].pk).update(order=1)
    doomed = Theme.objects.create(study=study, name="Doomed", parent=parent, order=2, description="To go")
    d1 = Theme.objects.create(study=study, name="d1", parent=doomed, order=0)
    d2 = Theme.objects.create(study=study, name="d2", parent=doomed, order=1)
    last = Theme.objects.create(study=study, name="Last", parent=parent, order=3)
    text = transcript.text
    only = excerpt_create(
        transcript=transcript, start=0, end=11, themes=[doomed], coder=alice, memo="keep me"
    )
    shared = excerpt_create(
        transcript=transcript,
        start=text.index("youth"),
        end=text.index("youth") + 5,
        themes=[doomed, themes["youth"]],
        coder=alice,
    )
    other = excerpt_create(transcript=transcript, start=12, end=15, themes=[themes["gender"]], coder=alice)
    return {
        **themes,
        "doomed": doomed,
        "d1": d1,
        "d2": d2,
        "last": last,
        "only": only,
        "shared": shared,
        "other": other,
    }


def url(theme):
    return reverse("coding:theme-delete", args=["pasto", theme.pk])


def under(parent):
    return list(Theme.objects.filter(parent=parent).order_by("order").values_list("name", "order"))


def test_it_shows_what_a_delete_will_do(alice, book):
    response = client_for(alice).get(url(book["doomed"]))
    assert response.status_code == 200
    assert response.context["counts"] == {"codings": 2, "only": 1}
    body = response.content.decode()
    assert 'id="children-note"' in body and "«<bdi>d1</bdi>»" in body and "«<bdi>d2</bdi>»" in body
    assert "move up one level" in body
    assert 'name="codings"' in body


def test_it_requires_an_explicit_choice_for_the_codings(alice, book):
    before = codebook_state()
    response = client_for(alice).post(url(book["doomed"]), {})
    assert response.status_code == 400
    assert "Choose what happens to its codings." in response.content.decode()
    assert codebook_state() == before


def test_moving_codings_requires_a_target(alice, book):
    before = codebook_state()
    response = client_for(alice).post(url(book["doomed"]), {"codings": "move"})
    assert response.status_code == 400
    assert response.context["form"].errors["target"]
    assert codebook_state() == before


def test_it_moves_the_codings_to_another_theme(alice, book):
    response = client_for(alice).post(url(book["doomed"]), {"codings": "move", "target": book["youth"].pk})
    deleted = DeletedTheme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coding:codebook", args=["pasto"]) + f"?undo={deleted.pk}"
    assert not Theme.objects.filter(name="Doomed").exists()
    assert themes_of(book["only"]) == ["Youth"]
    assert themes_of(book["shared"]) == ["Youth"]
    assert themes_of(book["other"]) == ["Gender"]
    assert CodedExcerpt.objects.count() == 3
    assert (deleted.action, deleted.snapshot["codings"]) == ("deleted", "move")


def test_it_removes_the_codings_and_an_excerpt_left_without_themes(alice, book):
    response = client_for(alice).post(url(book["doomed"]), {"codings": "remove"})
    assert response.status_code == 302
    assert themes_of(book["shared"]) == ["Youth"]
    assert not CodedExcerpt.objects.filter(pk=book["only"].pk).exists()
    removed = DeletedExcerpt.objects.get()
    assert removed.original_id == book["only"].pk
    assert removed.snapshot["themes"] == [book["doomed"].pk]
    assert removed.deleted_by == alice
    assert not CodedExcerpt.objects.filter(themes=None).exists()


def test_its_sub_themes_move_up_into_its_place(alice, book):
    client_for(alice).post(url(book["doomed"]), {"codings": "remove"})
    assert under(book["parent"]) == [("Youth", 0), ("Gender", 1), ("d1", 2), ("d2", 3), ("Last", 4)]


def test_a_theme_without_codings_needs_no_choice(alice, book):
    response = client_for(alice).post(url(book["last"]), {})
    assert response.status_code == 302
    assert not Theme.objects.filter(name="Last").exists()


def test_a_same_named_sub_theme_may_take_its_place(alice, book):
    Theme.objects.filter(pk=book["d1"].pk).update(name="Doomed")
    before = codebook_state()
    client = client_for(alice)
    assert client.post(url(book["doomed"]), {"codings": "remove"}).status_code == 302
    assert ("Doomed", 2) in under(book["parent"])
    restore_url = reverse("coding:theme-restore", args=["pasto", DeletedTheme.objects.get().pk])
    assert client.post(restore_url).status_code == 302
    assert codebook_state() == before


def test_it_refuses_when_a_sub_theme_would_clash_with_a_sibling(study, alice, book):
    Theme.objects.create(study=study, name="d2", parent=book["parent"], order=9)
    before = codebook_state()
    response = client_for(alice).post(url(book["doomed"]), {"codings": "remove"})
    assert response.status_code == 400
    assert "«<bdi>d2</bdi>»" in response.content.decode()
    assert codebook_state() == before
    assert not DeletedExcerpt.objects.exists()


@pytest.mark.parametrize("bad", [{"codings": "burn"}, {"codings": "move", "target": 999999}])
def test_it_rejects_bad_input(alice, book, bad):
    before = codebook_state()
    assert client_for(alice).post(url(book["doomed"]), bad).status_code == 400
    assert codebook_state() == before


def test_the_target_cannot_be_the_theme_itself(alice, book):
    response = client_for(alice).post(url(book["doomed"]), {"codings": "move", "target": book["doomed"].pk})
    assert response.status_code == 400
    assert Theme.objects.filter(pk=book["doomed"].pk).exists()


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_delete_themes(who, status, request, book):
    before = codebook_state()
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(book["doomed"])).status_code == status
    assert client.post(url(book["doomed"]), {"codings": "remove"}).status_code == status
    assert codebook_state() == before


def test_it_sends_anonymous_users_to_login(client, book):
    assert client.post(url(book["doomed"]), {"codings": "remove"}).status_code == 302
    assert Theme.objects.filter(pk=book["doomed"].pk).exists()


def test_it_answers_404_for_a_missing_theme(alice):
    assert client_for(alice).get("/studies/pasto/coding/codebook/themes/999999/delete/").status_code == 404


def test_it_answers_404_for_a_theme_of_another_study(alice, book, other_study, otto):
    theirs = other_study_objects(other_study, otto)["spare"]
    client = client_for(alice)
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs), {"codings": "remove"}).status_code == 404
    assert Theme.objects.filter(pk=theirs.pk).exists()


def test_it_refuses_to_move_codings_to_a_theme_of_another_study(alice, book, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    response = client_for(alice).post(url(book["doomed"]), {"codings": "move", "target": theirs.pk})
    assert response.status_code == 400
    assert Theme.objects.filter(pk=book["doomed"].pk).exists()
    with pytest.raises(ValidationError) as refused:
        theme_delete(theme=book["doomed"], user=alice, codings="move", target=theirs)
    assert refused.value.error_dict["target"][0].code == "theme_other_study"
    assert Theme.objects.filter(pk=book["doomed"].pk).exists()
    assert not DeletedTheme.objects.filter(study=book["doomed"].study).exists()
