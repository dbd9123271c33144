import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedExcerpt
from coding.services import excerpt_create, excerpt_delete
from tests.codebook_state import other_study_objects
from tests.conftest import client_for


@pytest.fixture
def deleted(alice, transcript, themes):
    excerpt = excerpt_create(transcript=transcript, start=35, end=49,
                             themes=[themes["youth"], themes["gender"]], coder=alice, memo="m")
    return excerpt_delete(excerpt=excerpt, user=alice)


def url(deleted):
    return reverse("coding:excerpt-restore", args=["pasto", deleted.pk])


def test_it_restores_the_excerpt_exactly(alice, bob, deleted, themes):
    snapshot = deleted.snapshot
    response = client_for(bob).post(url(deleted))
    assert response.status_code == 302
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.pk == deleted.original_id
    assert (excerpt.start, excerpt.end, excerpt.quote, excerpt.memo) == (35, 49, "With the youth", "m")
    assert excerpt.coder == alice  # still alice's coding, whoever pressed undo
    assert set(excerpt.themes.all()) == {themes["youth"], themes["gender"]}
    assert excerpt.created_at.isoformat() == snapshot["created_at"]
    assert not excerpt.needs_review
    assert not DeletedExcerpt.objects.exists()


def test_it_flags_for_review_when_the_text_changed_meanwhile(alice, deleted, transcript):
    transcript.text = transcript.text.replace("youth", "young")
    transcript.save()
    assert client_for(alice).post(url(deleted)).status_code == 302
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.needs_review
    assert excerpt.review_reason == "text_changed"
    assert excerpt.quote == "With the youth"  # the old quote stays, for the reviewer to compare


def test_it_refuses_when_every_theme_is_gone(alice, deleted, themes):
    themes["youth"].delete()
    themes["gender"].delete()
    response = client_for(alice).post(url(deleted), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "cannot be restored" in str(response.json()["errors"])
    assert not CodedExcerpt.objects.exists()
    assert DeletedExcerpt.objects.count() == 1


def test_a_second_undo_finds_nothing(alice, deleted):
    client = client_for(alice)
    assert client.post(url(deleted)).status_code == 302
    assert client.post(url(deleted)).status_code == 404
    assert CodedExcerpt.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_code_here(who, status, request, deleted):
    assert client_for(request.getfixturevalue(who)).post(url(deleted)).status_code == status
    assert not CodedExcerpt.objects.exists()


def test_it_answers_404_for_a_removal_of_another_study(alice, other_study, otto):
    theirs = other_study_objects(other_study, otto)["deleted_excerpt"]
    assert client_for(alice).post(url(theirs), HTTP_ACCEPT="application/json").status_code == 404
    assert DeletedExcerpt.objects.filter(pk=theirs.pk).exists()
    assert not CodedExcerpt.objects.filter(pk=theirs.original_id).exists()


def test_it_keeps_the_order_the_themes_were_chosen_in(alice, transcript, themes):
    """The first-chosen theme gives the colour: Gender here, though Youth has the lower id."""
    excerpt = excerpt_create(transcript=transcript, start=35, end=49,
                             themes=[themes["gender"], themes["youth"]], coder=alice)
    deleted = excerpt_delete(excerpt=excerpt, user=alice)
    response = client_for(alice).post(url(deleted), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["excerpt"]["t"] == [themes["gender"].pk, themes["youth"].pk]
