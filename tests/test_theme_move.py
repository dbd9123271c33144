"""Reordering themes and moving one under another parent at a chosen place."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding.models import Theme
from coding.services import theme_move
from tests.codebook_state import other_study_objects
from tests.conftest import client_for


@pytest.fixture
def tree(study):
    """Top: A (children a1, a2, a3) and B."""
    a = Theme.objects.create(study=study, name="A", order=0)
    b = Theme.objects.create(study=study, name="B", order=1)
    kids = [Theme.objects.create(study=study, name=f"a{i + 1}", parent=a, order=i) for i in range(3)]
    return {"A": a, "B": b, "a1": kids[0], "a2": kids[1], "a3": kids[2]}


def url(theme):
    return reverse("coding:theme-move", args=["pasto", theme.pk])


def order_under(parent):
    return list(Theme.objects.filter(parent=parent).order_by("order").values_list("name", "order"))


def test_it_moves_a_theme_up_and_down(alice, tree):
    client = client_for(alice)
    response = client.post(url(tree["a3"]), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#theme-{tree['a3'].pk}")
    assert order_under(tree["A"]) == [("a1", 0), ("a3", 1), ("a2", 2)]
    client.post(url(tree["a1"]), {"direction": "down"})
    assert order_under(tree["A"]) == [("a3", 0), ("a1", 1), ("a2", 2)]


def test_moving_the_first_up_changes_nothing(alice, tree):
    assert client_for(alice).post(url(tree["a1"]), {"direction": "up"}).status_code == 302
    assert order_under(tree["A"]) == [("a1", 0), ("a2", 1), ("a3", 2)]


def test_it_moves_a_theme_under_another_parent_at_a_position(alice, tree):
    response = client_for(alice).post(url(tree["B"]), {"parent": tree["A"].pk, "position": 1})
    assert response.status_code == 302
    assert order_under(tree["A"]) == [("a1", 0), ("B", 1), ("a2", 2), ("a3", 3)]
    assert order_under(None) == [("A", 0)]


def test_it_moves_a_sub_theme_to_the_top_level(alice, tree):
    client_for(alice).post(url(tree["a2"]), {"parent": "", "position": 0})
    assert order_under(None) == [("a2", 0), ("A", 1), ("B", 2)]
    assert order_under(tree["A"]) == [("a1", 0), ("a3", 1)]


def test_it_refuses_to_move_a_theme_under_its_own_sub_theme(alice, tree):
    response = client_for(alice).post(url(tree["A"]), {"parent": tree["a1"].pk, "position": 0})
    assert response.status_code == 400
    assert "cannot sit under itself" in response.content.decode()
    tree["A"].refresh_from_db()
    assert tree["A"].parent is None


def test_it_refuses_a_name_taken_under_the_new_parent(study, alice, tree):
    Theme.objects.create(study=study, name="B", parent=tree["A"], order=9)
    response = client_for(alice).post(url(tree["B"]), {"parent": tree["A"].pk, "position": 0})
    assert response.status_code == 400
    tree["B"].refresh_from_db()
    assert tree["B"].parent is None


@pytest.mark.parametrize(
    "bad", [{}, {"direction": "sideways"}, {"position": -1}, {"parent": 999999, "position": 0}]
)
def test_it_rejects_bad_input(alice, tree, bad):
    response = client_for(alice).post(url(tree["a2"]), bad)
    assert response.status_code == 400
    assert order_under(tree["A"]) == [("a1", 0), ("a2", 1), ("a3", 2)]


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_change_themes(who, status, request, tree):
    response = client_for(request.getfixturevalue(who)).post(url(tree["a3"]), {"direction": "up"})
    assert response.status_code == status
    assert order_under(tree["A"]) == [("a1", 0), ("a2", 1), ("a3", 2)]


def test_it_sends_anonymous_users_to_login(client, tree):
    assert client.post(url(tree["a3"]), {"direction": "up"}).status_code == 302
    assert order_under(tree["A"]) == [("a1", 0), ("a2", 1), ("a3", 2)]


def test_it_only_accepts_post(alice, tree):
    assert client_for(alice).get(url(tree["a3"])).status_code == 405


def test_it_answers_404_for_a_theme_of_another_study(alice, tree, other_study, otto):
    theirs = other_study_objects(other_study, otto)
    before = list(Theme.objects.filter(study=other_study).values_list("pk", "parent_id", "order"))
    assert client_for(alice).post(url(theirs["spare"]), {"direction": "up"}).status_code == 404
    assert list(Theme.objects.filter(study=other_study).values_list("pk", "parent_id", "order")) == before


def test_it_refuses_a_parent_of_another_study(alice, tree, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    response = client_for(alice).post(url(tree["B"]), {"parent": theirs.pk, "position": 0})
    assert response.status_code == 400
    assert Theme.objects.get(pk=tree["B"].pk).parent is None
    assert not theirs.children.exists()


def test_the_service_refuses_a_parent_of_another_study(tree, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    with pytest.raises(ValidationError) as refused:
        theme_move(theme=tree["B"], parent=theirs, position=0)
    assert refused.value.error_dict["parent"][0].code == "theme_other_study"
    assert Theme.objects.get(pk=tree["B"].pk).parent is None
