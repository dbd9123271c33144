"""A job's page, its JSON status for the live progress bar, the study's job list, cancel and retry
through the pages, and the notice its starter sees when it ends."""

from django.urls import reverse

from coding.models import Theme
from jobs import progress as live
from jobs.models import Job
from jobs.services import job_start
from tests.conftest import client_for
from tests.jobs_tasks import make_themes_task


def start(study, user, key="k", **params):
    job, _ = job_start(study=study, user=user, kind="test", title="Make <b>themes</b>", task=make_themes_task,
                       key=key, params={"count": 3} | params)
    return job


def page(job):
    return reverse("jobs:job-detail", args=[job.study.slug, job.pk])


def test_it_shows_an_accessible_progress_bar_that_polls_the_status(study, alice):
    job = start(study, alice)
    body = client_for(alice).get(page(job)).content.decode()
    assert '<label for="job-progress"' in body and '<progress id="job-progress"' in body
    assert 'role="status" aria-live="polite"' in body
    assert f'data-status-url="{reverse("jobs:job-status", args=["pasto", job.pk])}"' in body
    assert 'data-active="true"' in body and "js/job_progress.js" in body
    assert "Make &lt;b&gt;themes&lt;/b&gt;" in body  # the title is text, never markup
    assert 'id="job-cancel"' in body and 'id="job-retry"' not in body
    assert "Waiting for a worker to start it." in body


def test_the_status_gives_the_workers_live_progress(study, alice):
    job = start(study, alice)
    Job.objects.filter(pk=job.pk).update(status="running")
    live.live_set(job.pk, 2, 5, "Importing the transcripts")
    state = client_for(alice).get(reverse("jobs:job-status", args=["pasto", job.pk])).json()
    assert (state["status"], state["done"], state["total"], state["message"]) == (
        "running", 2, 5, "Importing the transcripts")
    assert state["active"] is True


def test_a_finished_job_shows_its_report_and_link(study, alice, run_jobs):
    job = start(study, alice)
    run_jobs()
    response = client_for(alice).get(page(job))
    body = response.content.decode()
    assert response.context["state"]["status"] == "succeeded"
    assert 'data-active="false"' in body and "<li><bdi>3 themes</bdi></li>" in body
    assert 'id="job-cancel"' not in body and 'id="job-retry"' not in body


def test_its_starter_sees_a_notice_on_the_next_page_until_they_open_the_job(study, alice, bob, run_jobs):
    job = start(study, alice)
    run_jobs()
    home = client_for(alice).get(reverse("home")).content.decode()
    assert "Your job «Make &lt;b&gt;themes&lt;/b&gt;» has ended: Succeeded." in home
    assert f'href="{page(job)}"' in home
    assert "Your job" not in client_for(bob).get(reverse("home")).content.decode()
    client_for(alice).get(page(job))
    assert "Your job" not in client_for(alice).get(reverse("home")).content.decode()


def test_cancel_through_the_page_stops_a_queued_job(study, alice, run_jobs):
    job = start(study, alice)
    response = client_for(alice).post(reverse("jobs:job-cancel", args=["pasto", job.pk]))
    assert response.status_code == 302 and response["Location"] == page(job)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "cancelled" and not Theme.objects.filter(name__startswith="Step").exists()


def test_retry_through_the_page_runs_a_failed_job_again(study, alice, run_jobs):
    job = start(study, alice, fail_at=0)
    run_jobs()
    body = client_for(alice).get(page(job)).content.decode()
    assert "Step 0 failed." in body and 'id="job-retry"' in body
    Job.objects.filter(pk=job.pk).update(params={"count": 2})
    assert client_for(alice).post(reverse("jobs:job-retry", args=["pasto", job.pk])).status_code == 302
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and Theme.objects.filter(name__startswith="Step").count() == 2


def test_another_researcher_may_watch_but_not_cancel(study, alice, bob):
    job = start(study, alice)
    body = client_for(bob).get(page(job)).content.decode()
    assert 'id="job-cancel"' not in body
    assert client_for(bob).post(reverse("jobs:job-cancel", args=["pasto", job.pk])).status_code == 403


def test_a_job_whose_worker_died_shows_as_failed(study, alice):
    job = start(study, alice)
    # a worker on another machine, silent since 2020
    Job.objects.filter(pk=job.pk).update(status="running", worker="far:1", started_at="2020-01-01T00:00Z")
    state = client_for(alice).get(reverse("jobs:job-status", args=["pasto", job.pk])).json()
    assert state["status"] == "failed" and "stopped" in state["error"]


def test_the_list_costs_six_queries_whatever_the_number_of_jobs(study, alice, bob, django_assert_num_queries):
    """Guards against an N+1 on each job's starter."""
    for i in range(5):
        start(study, alice if i % 2 else bob, key=f"k{i}")
    client = client_for(alice)
    client.get(reverse("home"))
    # the user, the membership, the jobs with their starters (the session comes from its
    # cache; the menu's permission check is free for a user known to hold none)
    with django_assert_num_queries(3):
        response = client.get(reverse("jobs:job-list", args=["pasto"]))
    assert len(response.context["jobs"]) == 5
    assert response.content.decode().count("Make &lt;b&gt;themes&lt;/b&gt;") == 5
