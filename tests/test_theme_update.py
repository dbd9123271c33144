"""Editing a theme: rename, recolour, redefine, move under another parent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding.models import Theme
from coding.services import theme_update
from tests.codebook_state import other_study_objects
from tests.conftest import client_for


def url(theme):
    return reverse("coding:theme-update", args=["pasto", theme.pk])


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


def test_it_moves_a_theme_under_another_parent_last(study, alice, themes):
    other = Theme.objects.create(study=study, name="Analytic themes")
    Theme.objects.create(study=study, name="Existing child", parent=other, order=4)
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


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_change_themes(who, status, request, themes):
    client = client_for(request.getfixturevalue(who))
    youth = themes["youth"]
    assert client.get(url(youth)).status_code == status
    assert client.post(url(youth), data(youth, name="Changed")).status_code == status
    youth.refresh_from_db()
    assert youth.name == "Youth"


def test_it_sends_anonymous_users_to_login(client, themes):
    assert client.get(url(themes["youth"])).status_code == 302


def test_it_answers_404_for_a_missing_theme(alice):
    assert client_for(alice).get("/studies/pasto/coding/codebook/themes/999999/edit/").status_code == 404


def test_it_answers_404_for_a_theme_of_another_study(alice, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    client = client_for(alice)
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs), data(theirs, name="Renamed")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Harbour"


def test_it_offers_and_accepts_only_parents_of_the_study(alice, other_study, otto, themes):
    theirs = other_study_objects(other_study, otto)["theme"]
    youth = themes["youth"]
    form = client_for(alice).get(url(youth)).context["form"]
    choices = [value for value, _label in form.fields["parent"].choices]
    assert theirs.pk not in choices
    response = client_for(alice).post(url(youth), data(youth, parent=theirs.pk))
    assert response.status_code == 400
    youth.refresh_from_db()
    assert youth.parent == themes["parent"]


def test_the_service_refuses_a_parent_of_another_study(other_study, otto, themes):
    theirs = other_study_objects(other_study, otto)["theme"]
    youth = themes["youth"]
    with pytest.raises(ValidationError) as refused:
        theme_update(theme=youth, name="Youth", parent=theirs, kind=youth.kind, colour=youth.colour,
                     description="", inclusion_criteria="", exclusion_criteria="")
    assert refused.value.error_dict["parent"][0].code == "theme_other_study"
    youth.refresh_from_db()
    assert youth.parent == themes["parent"]


def test_the_model_refuses_a_parent_of_another_study(other_study, otto, themes):
    theirs = other_study_objects(other_study, otto)["theme"]
    youth = themes["youth"]
    youth.parent = theirs
    with pytest.raises(ValidationError) as refused:
        youth.full_clean()
    assert refused.value.error_dict["parent"][0].code == "theme_other_study"


def test_a_theme_can_be_made_grouping_only(alice, themes):
    parent = themes["parent"]
    response = client_for(alice).post(reverse("coding:theme-update", args=["pasto", parent.pk]), {
        "name": parent.name, "kind": parent.kind, "colour": parent.colour, "parent": ""})
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.is_codable is False  # the box left unticked
