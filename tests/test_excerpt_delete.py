import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, DeletedExcerpt
from coding.services import excerpt_create
from tests.codebook_state import other_study_objects
from tests.conftest import client_for


@pytest.fixture
def excerpt(alice, transcript, themes):
    return excerpt_create(transcript=transcript, start=35, end=49,
                          themes=[themes["youth"], themes["gender"]], coder=alice, memo="m")


def url(excerpt):
    return reverse("coding:excerpt-delete", args=["pasto", excerpt.pk])


def test_it_removes_the_excerpt_and_keeps_it_for_undo(alice, excerpt, themes):
    response = client_for(alice).post(url(excerpt))
    deleted = DeletedExcerpt.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?undo={deleted.pk}")
    assert not CodedExcerpt.objects.exists()
    assert deleted.original_id == excerpt.pk
    assert deleted.snapshot["quote"] == "With the youth"
    assert deleted.snapshot["themes"] == sorted([themes["youth"].pk, themes["gender"].pk])
    assert deleted.deleted_by == alice


def test_the_page_offers_undo_after_removal(alice, excerpt):
    client = client_for(alice)
    response = client.post(url(excerpt), follow=True)
    body = response.content.decode()
    assert 'id="undo-banner"' in body
    deleted = DeletedExcerpt.objects.get()
    assert reverse("coding:excerpt-restore", args=["pasto", deleted.pk]) in body


def test_a_co_coder_may_remove_it(bob, excerpt):
    assert client_for(bob).post(url(excerpt)).status_code == 302
    assert not CodedExcerpt.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_code_here(who, status, request, excerpt):
    response = client_for(request.getfixturevalue(who)).post(url(excerpt))
    assert response.status_code == status
    assert CodedExcerpt.objects.count() == 1
    assert not DeletedExcerpt.objects.exists()


def test_it_answers_404_for_a_missing_excerpt(alice, db):
    assert client_for(alice).post("/studies/pasto/coding/excerpts/999999/delete/").status_code == 404


def test_it_answers_404_for_an_excerpt_of_another_study(alice, other_study, otto):
    theirs = other_study_objects(other_study, otto)["excerpt"]
    response = client_for(alice).post(url(theirs), HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert CodedExcerpt.objects.filter(pk=theirs.pk).exists()


def test_it_only_accepts_post(alice, excerpt):
    assert client_for(alice).get(url(excerpt)).status_code == 405


def test_it_answers_json_with_the_undo_address(alice, excerpt):
    excerpt_id = excerpt.pk
    response = client_for(alice).post(url(excerpt), HTTP_ACCEPT="application/json")
    deleted = DeletedExcerpt.objects.get()
    assert response.status_code == 200
    assert response.json() == {"deleted": deleted.pk, "excerpt_id": excerpt_id,
                               "undo": reverse("coding:excerpt-restore", args=["pasto", deleted.pk])}
