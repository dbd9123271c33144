"""Editing a theme: rename, recolour, redefine, move under another parent."""

import pytest
from django.urls import reverse

from coding.models import Theme
from tests.conftest import client_for


def url(theme):
    return reverse("coding:theme-update", args=[theme.pk])


def data(theme, **extra):
    fields = {
        "name": theme.name,
        "parent": theme.parent_id or "",
        "kind": theme.kind,
        "colour": theme.colour,
        "description": theme.description,
        "inclusion_criteria": theme.inclusion_criteria,
        "exclusion_criteria": theme.exclusion_criteria,
    }
    return {**fields, **extra}


def test_it_shows_the_form_without_the_theme_or_its_sub_themes_as_parents(alice, themes):
    response = client_for(alice).get(url(themes["parent"]))
    assert response.status_code == 200
    choices = [value for value, _label in response.context["form"].fields["parent"].choices]
    assert choices == [""]  # the other two themes sit below it


def test_it_renames_recolours_and_redefines(alice, themes):
    youth = themes["youth"]
    response = client_for(alice).post(
        url(youth), data(youth, name="Young people", colour="#00ff00", exclusion_criteria="Children.")
    )
    assert response.status_code == 302
    youth.refresh_from_db()
    assert (youth.name, youth.colour, youth.exclusion_criteria) == ("Young people", "#00ff00", "Children.")
    assert youth.parent == themes["parent"]


def test_it_moves_a_theme_under_another_parent_last(alice, themes):
    other = Theme.objects.create(name="Analytic themes")
    Theme.objects.create(name="Existing child", parent=other, order=4)
    gender = themes["gender"]
    response = client_for(alice).post(url(gender), data(gender, parent=other.pk))
    assert response.status_code == 302
    gender.refresh_from_db()
    assert gender.parent == other
    assert gender.order == 5


def test_it_refuses_a_parent_below_the_theme(alice, themes):
    parent = themes["parent"]
    response = client_for(alice).post(url(parent), data(parent, parent=themes["youth"].pk))
    assert response.status_code == 400
    parent.refresh_from_db()
    assert parent.parent is None


def test_it_refuses_a_name_taken_under_the_same_parent(alice, themes):
    gender = themes["gender"]
    response = client_for(alice).post(url(gender), data(gender, name="Youth"))
    assert response.status_code == 400
    assert "already sits under that parent" in response.content.decode()
    gender.refresh_from_db()
    assert gender.name == "Gender"


@pytest.mark.parametrize("who", ["rita", "steve"])
def test_it_forbids_users_who_cannot_change_themes(who, request, themes):
    client = client_for(request.getfixturevalue(who))
    youth = themes["youth"]
    assert client.get(url(youth)).status_code == 403
    assert client.post(url(youth), data(youth, name="Changed")).status_code == 403
    youth.refresh_from_db()
    assert youth.name == "Youth"


def test_it_sends_anonymous_users_to_login(client, themes):
    assert client.get(url(themes["youth"])).status_code == 302


def test_it_answers_404_for_a_missing_theme(alice, db):
    assert client_for(alice).get("/coding/codebook/themes/999999/edit/").status_code == 404


def test_a_theme_can_be_made_grouping_only(alice, themes):
    parent = themes["parent"]
    response = client_for(alice).post(reverse("coding:theme-update", args=[parent.pk]), {
        "name": parent.name, "kind": parent.kind, "colour": parent.colour, "parent": ""})
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.is_codable is False  # the box left unticked
