"""Agreement as a background job (team:agreement-job, team/tasks.py): the page offers it for the
options chosen (a whole study when no transcript is chosen), a worker computes it with progress,
and the agreement page and its CSV/XLSX exports show what it computed (?job=<id>)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from jobs.models import Job
from tests.conftest import client_for
from tests.test_agreement_page import coded, url  # noqa: F401 (coded is a fixture)


def start(client, study, **data):
    return client.post(reverse("team:agreement-job", args=[study.slug]), data)


def test_the_page_offers_the_background_without_computing(coded, alice, bob, rita, study, monkeypatch):  # noqa: F811
    from team import views

    monkeypatch.setattr(views, "agreement_report", lambda *a, **k: pytest.fail("computed in the request"))
    response = client_for(rita).get(url(study, coders=[alice.pk, bob.pk], background="1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="agreement-job-form"' in body and reverse("team:agreement-job", args=[study.slug]) in body
    assert f'name="coders" value="{alice.pk}"' in body and 'name="background"' not in body.split(
        'id="agreement-job-form"')[1].split("</form>")[0]


def test_a_whole_study_is_computed_by_a_worker_and_shown_on_the_page(coded, alice, bob, rita, study,  # noqa: F811
                                                                        run_jobs, progress_reports):
    client = client_for(rita)  # a reviewer may read agreement, so may compute it
    response = start(client, study, coders=[alice.pk, bob.pk])
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.status, job.started_by) == ("agreement", "queued", rita)
    assert job.params == {"coders": sorted([alice.pk, bob.pk]), "transcripts": [], "themes": [],
                          "overlap": 90, "language": "en"}
    assert "over the whole study" in job.title
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.message == "Agreement computed over 1 transcript."
    assert [r for r in progress_reports if r[1] == 3] == [(0, 3, "Reading the transcripts and assignments"),
                                                 (1, 3, "Reading the codings"), (2, 3, "Computing agreement")]
    assert job.result_url == url(study) + f"?job={job.pk}"

    direct = client.get(url(study, coders=[alice.pk, bob.pk]))
    page = client.get(job.result_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert direct.context["paragraph"] == job.result["paragraph"] and escape(job.result["paragraph"]) in body
    assert "Youth" in body and "Gender" in body and 'id="agreement-job"' in body

    def csv_rows(response):
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    csv_url = reverse("team:agreement-csv", args=[study.slug])
    assert csv_rows(client.get(csv_url + f"?job={job.pk}")) == csv_rows(
        client.get(csv_url, {"coders": [alice.pk, bob.pk]}))
    book = load_workbook(io.BytesIO(client.get(reverse("team:agreement-xlsx", args=[study.slug])
                                               + f"?job={job.pk}").content))
    values = [row for row in book.active.iter_rows(values_only=True)]
    assert values[-1][0] == job.result["paragraph"] and values[1][0] in {"Youth", "Gender"}


def test_the_same_question_twice_while_it_runs_is_one_job(coded, alice, bob, study):  # noqa: F811
    client = client_for(alice)
    first, second = (start(client, study, coders=[alice.pk, bob.pk]) for _ in range(2))
    assert Job.objects.count() == 1 and first["Location"] == second["Location"]


def test_it_refuses_a_single_coder(coded, alice, study):  # noqa: F811
    response = start(client_for(alice), study, coders=[alice.pk])
    assert response.status_code == 400 and "at least two coders" in response.content.decode()
    assert not Job.objects.exists()


def test_an_unfinished_job_sends_the_page_to_its_progress(coded, alice, bob, study):  # noqa: F811
    start(client_for(alice), study, coders=[alice.pk, bob.pk])
    job = Job.objects.get()
    response = client_for(alice).get(url(study) + f"?job={job.pk}")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert client_for(alice).get(reverse("team:agreement-csv", args=[study.slug])
                                 + f"?job={job.pk}").status_code == 404


def test_another_kind_of_job_or_another_studys_is_a_404(coded, alice, bob, study, otto, other_study):  # noqa: F811
    from jobs.services import job_start
    from tests.jobs_tasks import make_themes_task

    other, _ = job_start(study=study, user=alice, kind="test", title="Themes", task=make_themes_task, key="t",
                         params={"count": 1})
    assert client_for(alice).get(url(study) + f"?job={other.pk}").status_code == 404
    start(client_for(alice), study, coders=[alice.pk, bob.pk])
    mine = Job.objects.get(kind="agreement")
    assert client_for(otto).get(url(other_study) + f"?job={mine.pk}").status_code == 404
    assert client_for(alice).get(url(study) + "?job=x").status_code == 404


def test_a_coder_removed_meanwhile_fails_the_job_with_a_message(coded, alice, bob, study, run_jobs):  # noqa: F811
    start(client_for(alice), study, coders=[alice.pk, bob.pk])
    bob.memberships.filter(study=study).delete()
    run_jobs()
    job = Job.objects.get()
    assert job.status == "failed" and "removed meanwhile" in job.error
