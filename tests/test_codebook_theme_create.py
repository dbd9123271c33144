"""Creating a theme from the codebook page (the full form, not the coding page's quick one)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import Theme
from tests.codebook_state import other_study_objects
from tests.conftest import client_for

URL = reverse("coding:codebook-theme-create", args=["pasto"])


def data(**extra):
    return {
        "name": "Trust",
        "kind": "analytic",
        "colour": "#123abc",
        "description": "",
        "inclusion_criteria": "",
        "exclusion_criteria": "",
        "parent": "",
        **extra,
    }


def test_it_shows_the_form_with_a_palette_colour(alice, themes):
    response = client_for(alice).get(URL, {"parent": themes["parent"].pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["colour"].startswith("#")
    assert str(form.initial["parent"]) == str(themes["parent"].pk)


def test_it_creates_a_theme_last_among_its_siblings(alice, themes):
    response = client_for(alice).post(
        URL,
        data(
            name="  Rural youth ",
            parent=themes["parent"].pk,
            kind="strategy",
            description="Young people\r\nin the countryside.  ",
            inclusion_criteria="Rural areas.",
        ),
    )
    theme = Theme.objects.get(name="Rural youth")
    assert response.status_code == 302
    assert response["Location"] == reverse("coding:codebook", args=["pasto"]) + f"#theme-{theme.pk}"
    assert theme.parent == themes["parent"]
    assert theme.order == 1  # Youth and Gender both have order 0
    assert (theme.kind, theme.colour) == ("strategy", "#123abc")
    assert theme.description == "Young people\nin the countryside."
    assert theme.inclusion_criteria == "Rural areas."


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"name": "x" * 121},
        {"colour": "red"},
        {"kind": "mystery"},
        {"parent": 999999},
        {"name": "Youth", "parent": "PARENT"},
    ],
)
def test_it_rejects_bad_input_and_saves_nothing(alice, themes, bad):
    if bad.get("parent") == "PARENT":
        bad["parent"] = themes["parent"].pk
    response = client_for(alice).post(URL, data(**bad))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert Theme.objects.count() == 3


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_add_themes(who, status, request, study):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == status
    assert client.post(URL, data()).status_code == status
    assert not Theme.objects.exists()


def test_it_sends_anonymous_users_to_login(client, study):
    assert client.post(URL, data()).status_code == 302
    assert not Theme.objects.exists()


def test_it_creates_the_theme_in_the_study_and_refuses_a_parent_of_another(alice, study, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    client = client_for(alice)
    assert client.post(URL, data(parent=theirs.pk)).status_code == 400
    assert not Theme.objects.filter(name="Trust").exists()
    assert client.post(URL, data()).status_code == 302
    assert Theme.objects.get(name="Trust").study == study


def test_it_forbids_writes_in_an_archived_study(alice, study):
    study.archived_at = timezone.now()
    study.save()
    assert client_for(alice).post(URL, data()).status_code == 403
    assert not Theme.objects.exists()
