"""An excerpt's history and revert (audit.views.excerpt_history, excerpt_revert): members read
it, researchers and owners revert; another study's excerpt is a 404."""

import pytest
from django.urls import reverse

from audit.context import acting_as
from audit.models import Change
from coding.models import Theme
from coding.services import excerpt_create, excerpt_update
from interviews.models import Transcript
from tests.conftest import client_for
from tests.participants import participant_make

EXCERPT = "coding.codedexcerpt"


@pytest.fixture
def excerpt(alice, transcript, themes):
    with acting_as(alice):
        e = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice,
                           memo="first")
        return excerpt_update(
            excerpt=e, version=1, start=35, end=72, themes=[themes["gender"]], memo="second"
        )


@pytest.fixture
def foreign(other_study, otto):
    """An excerpt of another study, with its own history."""
    theme = Theme.objects.create(study=other_study, name="Elsewhere")
    p = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    t = Transcript.objects.create(study=other_study, participant=p, title="Z", text="Other words here.")
    with acting_as(otto):
        return excerpt_create(transcript=t, start=0, end=5, themes=[theme], coder=otto, memo="otto's")


def url(excerpt, slug="pasto"):
    return reverse("audit:excerpt-history", args=[slug, excerpt.pk])


def revert_url(excerpt, change, slug="pasto"):
    return reverse("audit:excerpt-revert", args=[slug, excerpt.pk, change.pk])


def test_it_lists_every_version(rita, excerpt):
    response = client_for(rita).get(url(excerpt))
    assert response.status_code == 200
    body = response.content.decode()
    assert "first" in body and "second" in body
    assert "Revert to this version" not in body  # reviewers change nothing


def test_it_offers_researchers_a_revert(bob, excerpt):
    assert "Revert to this version" in client_for(bob).get(url(excerpt)).content.decode()


def test_a_researcher_reverts_to_an_earlier_version(bob, excerpt, themes, study):
    changes = list(Change.objects.for_object(study, EXCERPT, excerpt.pk))
    first_version = changes[0]  # the create, which holds its themes
    response = client_for(bob).post(revert_url(excerpt, first_version))
    assert response.status_code == 302
    assert response["Location"] == url(excerpt)
    excerpt.refresh_from_db()
    assert (excerpt.start, excerpt.end, excerpt.memo) == (35, 49, "first")
    assert excerpt.quote == "With the youth"
    assert list(excerpt.themes.all()) == [themes["youth"]]


def test_it_refuses_a_change_of_another_excerpt(alice, excerpt, transcript, themes, study):
    other = excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    change = Change.objects.for_object(study, EXCERPT, other.pk).first()
    assert client_for(alice).post(revert_url(excerpt, change)).status_code == 404


def test_it_refuses_a_change_of_another_study(alice, excerpt, foreign, other_study):
    change = Change.objects.for_object(other_study, EXCERPT, foreign.pk).first()
    assert client_for(alice).post(revert_url(excerpt, change)).status_code == 404
    excerpt.refresh_from_db()
    assert excerpt.memo == "second"


def test_a_reviewer_cannot_revert(rita, excerpt, study):
    change = Change.objects.for_object(study, EXCERPT, excerpt.pk).first()
    assert client_for(rita).post(revert_url(excerpt, change)).status_code == 403
    excerpt.refresh_from_db()
    assert excerpt.memo == "second"


def test_nobody_reverts_in_an_archived_study(adam, excerpt, study):
    study.archived_at = "2026-01-01T00:00Z"
    study.save()
    change = Change.objects.for_object(study, EXCERPT, excerpt.pk).first()
    assert client_for(adam).post(revert_url(excerpt, change)).status_code == 403
    assert client_for(adam).get(url(excerpt)).status_code == 200


def test_it_only_reverts_on_post(alice, excerpt, study):
    change = Change.objects.for_object(study, EXCERPT, excerpt.pk).first()
    assert client_for(alice).get(revert_url(excerpt, change)).status_code == 405


@pytest.mark.parametrize("who", ["steve", "sam", "otto"])
def test_it_hides_the_history_from_non_members(who, request, excerpt, study):
    client = client_for(request.getfixturevalue(who))
    change = Change.objects.for_object(study, EXCERPT, excerpt.pk).first()
    assert client.get(url(excerpt)).status_code == 404
    assert client.post(revert_url(excerpt, change)).status_code == 404


def test_it_gives_404_for_another_studys_excerpt(alice, rita, foreign, other_study):
    """alice and rita are members of `study`: otto's excerpt, asked for through it, is a 404."""
    change = Change.objects.for_object(other_study, EXCERPT, foreign.pk).first()
    for user in (alice, rita):
        assert client_for(user).get(url(foreign)).status_code == 404
    assert client_for(alice).post(revert_url(foreign, change)).status_code == 404
    assert client_for(alice).get(url(foreign, "other")).status_code == 404  # not her study


def test_it_never_shows_another_studys_rows_with_the_same_object_id(rita, excerpt, study, other_study):
    """Object ids are per model, not per study: a log row of another study naming the same id
    (say, one written before a database was split) must not show."""
    Change.objects.create(study=other_study, action="update", model=EXCERPT, object_id=str(excerpt.pk),
                          object_repr="x", data={"memo": ["", "Leaked memo"]})
    assert "Leaked memo" not in client_for(rita).get(url(excerpt)).content.decode()


def test_a_merged_theme_keeps_its_name_in_the_history(rita, alice, excerpt, themes):
    """Issue 17 #9: a theme merged away showed as "?"."""
    from coding.services import theme_merge

    with acting_as(alice):
        theme_merge(source=themes["youth"], target=themes["gender"], user=alice)
    body = client_for(rita).get(url(excerpt)).content.decode()
    assert "?" not in body.split("<main", 1)[1].split("</main>")[0].replace("?page", "")
    assert themes["youth"].name in body
