import pytest
from django.urls import reverse

from audit.context import acting_as
from audit.models import Change
from coding.services import excerpt_create, excerpt_update
from tests.conftest import client_for


@pytest.fixture
def excerpt(alice, transcript, themes):
    with acting_as(alice):
        e = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice,
                           memo="first")
        return excerpt_update(
            excerpt=e, version=1, start=35, end=72, themes=[themes["gender"]], memo="second"
        )


def url(excerpt):
    return reverse("audit:excerpt-history", args=[excerpt.pk])


def test_it_lists_every_version(rita, excerpt):
    response = client_for(rita).get(url(excerpt))
    assert response.status_code == 200
    body = response.content.decode()
    assert "first" in body and "second" in body
    assert "Revert to this version" not in body  # reviewers change nothing


def test_a_researcher_reverts_to_an_earlier_version(bob, excerpt, themes):
    changes = list(Change.objects.for_object("coding.codedexcerpt", excerpt.pk))
    first_version = changes[1]  # the create, then its themes
    response = client_for(bob).post(reverse("audit:excerpt-revert", args=[excerpt.pk, first_version.pk]))
    assert response.status_code == 302
    excerpt.refresh_from_db()
    assert (excerpt.start, excerpt.end, excerpt.memo) == (35, 49, "first")
    assert excerpt.quote == "With the youth"
    assert list(excerpt.themes.all()) == [themes["youth"]]


def test_it_refuses_a_change_of_another_object(alice, excerpt, transcript, themes):
    other = excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    foreign = Change.objects.for_object("coding.codedexcerpt", other.pk).first()
    response = client_for(alice).post(reverse("audit:excerpt-revert", args=[excerpt.pk, foreign.pk]))
    assert response.status_code == 403


def test_a_reviewer_cannot_revert(rita, excerpt):
    change = Change.objects.for_object("coding.codedexcerpt", excerpt.pk).first()
    response = client_for(rita).post(reverse("audit:excerpt-revert", args=[excerpt.pk, change.pk]))
    assert response.status_code == 403
    excerpt.refresh_from_db()
    assert excerpt.memo == "second"


def test_it_forbids_a_stranger(steve, excerpt):
    assert client_for(steve).get(url(excerpt)).status_code == 403
