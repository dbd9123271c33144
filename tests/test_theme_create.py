import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding.models import Theme
from coding.services import theme_create
from tests.codebook_state import other_study_objects
from tests.conftest import client_for

URL = reverse("coding:theme-create", args=["pasto"])
JSON = {"HTTP_ACCEPT": "application/json"}


def test_it_creates_a_theme_with_a_colour(alice, study):
    response = client_for(alice).post(URL, {"name": "  Trust "}, **JSON)
    assert response.status_code == 201
    theme = Theme.objects.get()
    assert (theme.name, theme.study) == ("Trust", study)
    assert response.json()["theme"] == {"id": theme.pk, "name": "Trust", "colour": theme.colour,
                                        "parent": None, "codable": True}
    assert theme.colour.startswith("#") and len(theme.colour) == 7


def test_it_creates_a_sub_theme(alice, themes):
    response = client_for(alice).post(URL, {"name": "Rural youth", "parent": themes["youth"].pk})
    assert response.status_code == 201
    assert Theme.objects.get(name="Rural youth").parent == themes["youth"]


@pytest.mark.parametrize("data", [{"name": ""}, {"name": "x" * 121}, {"name": "Ok", "colour": "red"},
                                  {"name": "Ok", "parent": 999999}])
def test_it_rejects_bad_input(alice, data):
    response = client_for(alice).post(URL, data, **JSON)
    assert response.status_code == 400
    assert not Theme.objects.exists()


def test_it_rejects_a_duplicate_name(alice, themes):
    response = client_for(alice).post(URL, {"name": "Strategy themes"}, **JSON)
    assert response.status_code == 400
    assert "already exists" in str(response.json()["errors"])
    assert Theme.objects.filter(name="Strategy themes").count() == 1


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_manage_themes_here(who, status, request, study):
    response = client_for(request.getfixturevalue(who)).post(URL, {"name": "Trust"})
    assert response.status_code == status
    assert not Theme.objects.exists()


def test_it_refuses_a_parent_of_another_study(alice, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    response = client_for(alice).post(URL, {"name": "Trust", "parent": theirs.pk}, **JSON)
    assert response.status_code == 400
    assert not Theme.objects.filter(name="Trust").exists()


def test_the_same_name_may_exist_in_another_study(alice, other_study, otto, themes):
    other_study_objects(other_study, otto)
    response = client_for(alice).post(URL, {"name": "Harbour"}, **JSON)
    assert response.status_code == 201
    assert Theme.objects.filter(name="Harbour").count() == 2


def test_the_service_refuses_a_parent_of_another_study(study, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    with pytest.raises(ValidationError) as refused:
        theme_create(study=study, name="Trust", colour="#123456", parent=theirs)
    assert refused.value.error_dict["parent"][0].code == "theme_other_study"
