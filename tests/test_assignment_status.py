"""A coder sets the status of their own assignment; nobody else can."""

import pytest
from django.urls import reverse

from team.models import Assignment
from tests.conftest import client_for


@pytest.fixture
def assignment(study, transcript, alice):
    return Assignment.objects.create(study=study, transcript=transcript, coder=alice)


def url(assignment):
    return reverse("team:assignment-status", args=[assignment.study.slug, assignment.pk])


def test_the_coder_sets_the_status(assignment, alice):
    response = client_for(alice).post(url(assignment), {"status": "done"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "done"


def test_it_rejects_an_unknown_status(assignment, alice):
    assert client_for(alice).post(url(assignment), {"status": "finished"}).status_code == 400
    assignment.refresh_from_db()
    assert assignment.status == "todo"


@pytest.mark.parametrize("who", ["bob", "adam", "rita"])
def test_no_one_else_sets_it(assignment, who, request):
    user = request.getfixturevalue(who)
    assert client_for(user).post(url(assignment), {"status": "done"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.status == "todo"
