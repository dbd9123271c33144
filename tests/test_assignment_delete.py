"""Owners remove an assignment; its coder's excerpts stay."""

from django.urls import reverse

from coding.models import CodedExcerpt
from coding.services import excerpt_create
from team.models import Assignment
from tests.conftest import client_for


def test_an_owner_removes_an_assignment_and_the_excerpts_stay(study, transcript, alice, adam, themes):
    excerpt_create(transcript=transcript, start=0, end=5, themes=[themes["youth"]], coder=alice)
    assignment = Assignment.objects.create(study=study, transcript=transcript, coder=alice)
    url = reverse("team:assignment-delete", args=[study.slug, assignment.pk])
    assert client_for(alice).post(url).status_code == 403
    assert client_for(adam).post(url).status_code == 302
    assert not Assignment.objects.exists()
    assert CodedExcerpt.objects.count() == 1
