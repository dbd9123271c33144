import pytest
from django.urls import reverse

from coding.models import Theme
from tests.conftest import client_for

URL = reverse("coding:theme-create")
JSON = {"HTTP_ACCEPT": "application/json"}


def test_it_creates_a_theme_with_a_colour(alice, db):
    response = client_for(alice).post(URL, {"name": "  Trust "}, **JSON)
    assert response.status_code == 201
    theme = Theme.objects.get()
    assert theme.name == "Trust"
    assert response.json()["theme"] == {"id": theme.pk, "name": "Trust", "colour": theme.colour,
                                        "parent": None, "codable": True}
    assert theme.colour.startswith("#") and len(theme.colour) == 7


def test_it_creates_a_sub_theme(alice, themes):
    response = client_for(alice).post(URL, {"name": "Rural youth", "parent": themes["youth"].pk})
    assert response.status_code == 201
    assert Theme.objects.get(name="Rural youth").parent == themes["youth"]


@pytest.mark.parametrize("data", [{"name": ""}, {"name": "x" * 121}, {"name": "Ok", "colour": "red"},
                                  {"name": "Ok", "parent": 999999}])
def test_it_rejects_bad_input(alice, db, data):
    response = client_for(alice).post(URL, data, **JSON)
    assert response.status_code == 400
    assert not Theme.objects.exists()


def test_it_rejects_a_duplicate_name(alice, themes):
    response = client_for(alice).post(URL, {"name": "Strategy themes"}, **JSON)
    assert response.status_code == 400
    assert "already exists" in str(response.json()["errors"])
    assert Theme.objects.filter(name="Strategy themes").count() == 1


@pytest.mark.parametrize("who", ["rita", "steve"])
def test_it_forbids_users_who_cannot_manage_themes(who, request):
    response = client_for(request.getfixturevalue(who)).post(URL, {"name": "Trust"})
    assert response.status_code == 403
    assert not Theme.objects.exists()
