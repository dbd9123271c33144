"""The site admins' study trash (studies.views.study_trash, study_restore)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studies.models import Study
from tests.conftest import client_for

URL = reverse("studies:trash")


def deleted(study, days_ago=1, by=None):
    study.deleted_at, study.deleted_by = timezone.now() - timedelta(days=days_ago), by
    study.save()
    return study


def restore_url(study):
    return reverse("studies:study-restore", args=[study.pk])


def test_it_lists_studies_deleted_within_30_days(sam, adam, study, other_study, django_user_model):
    deleted(study, by=adam)
    deleted(other_study, days_ago=31)
    Study.objects.create(name="Live study", slug="live")
    response = client_for(sam).get(URL)
    assert response.status_code == 200
    assert [s.slug for s in response.context["deleted"]] == ["pasto"]
    body = response.content.decode()
    assert "Pasto test study" in body and "adam" in body
    assert "Other study" not in body and "Live study" not in body


def test_a_site_admin_restores_a_study(sam, alice, study):
    deleted(study)
    response = client_for(sam).post(restore_url(study))
    assert response.status_code == 302
    study.refresh_from_db()
    assert (study.deleted_at, study.deleted_by) == (None, None)
    assert client_for(alice).get(reverse("study:members", args=["pasto"])).status_code == 200
    # Restoring gives the study back to its members, not to the admin.
    assert client_for(sam).get(reverse("study:members", args=["pasto"])).status_code == 404


def test_it_refuses_to_restore_after_30_days(sam, study):
    deleted(study, days_ago=31)
    response = client_for(sam).post(restore_url(study))
    assert response.status_code == 400
    assert "can no longer be restored" in response.content.decode()
    study.refresh_from_db()
    assert study.deleted_at is not None


def test_it_answers_404_for_a_live_or_missing_study(sam, study):
    assert client_for(sam).post(restore_url(study)).status_code == 404
    assert client_for(sam).post(reverse("studies:study-restore", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["alice", "rita", "steve", "otto"])
def test_it_forbids_everyone_but_site_admins(who, request, study):
    deleted(study)
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(restore_url(study)).status_code == 403
    study.refresh_from_db()
    assert study.deleted_at is not None


def test_it_sends_anonymous_users_to_login(client, study):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("extra", [0, 10])
def test_it_runs_a_fixed_number_of_queries(sam, adam, extra, django_assert_num_queries):
    """Guards against an N+1 over deleted studies (who deleted each)."""
    for i in range(extra + 1):
        Study.objects.create(name=f"Gone {i}", slug=f"g{i}", deleted_at=timezone.now(), deleted_by=adam)
    client = client_for(sam)
    # user, group permissions (none of the site admin's own: skipped), deleted studies with who
    # deleted them
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert len(response.context["deleted"]) == extra + 1
