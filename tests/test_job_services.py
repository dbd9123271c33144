"""The job services: a job runs once per idempotency key, reports progress, and leaves nothing
behind when it fails or is cancelled; a retry runs it again as the same job."""

import os
import socket

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coding.models import Theme
from jobs import progress as live
from jobs.models import Job
from jobs.services import JobCancelled, job_cancel, job_progress, job_retry, job_start, jobs_recover
from tests.jobs_tasks import make_themes_task


def start(study, user, key="k", **params):
    return job_start(study=study, user=user, kind="test", title="Make themes", task=make_themes_task, key=key,
                     params={"count": 3} | params)


def test_it_queues_a_job_on_the_database_backend(study, alice):
    job, created = start(study, alice)
    assert created and job.status == "queued" and job.started_by == alice and job.study == study
    result = DBTaskResult.objects.get()
    assert job.task_result_id == str(result.id)
    assert result.task_path == "tests.jobs_tasks.make_themes_task"
    assert result.args_kwargs["args"] == [job.pk]


def test_a_job_the_backend_refuses_is_failed_at_once(study, alice, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("no Redis")

    monkeypatch.setattr(type(make_themes_task), "enqueue", refuse)
    job, created = start(study, alice)
    job.refresh_from_db()
    assert created and job.status == "failed" and "could not be queued" in job.error


def test_the_same_key_while_queued_is_the_same_job(study, alice, bob):
    first, _ = start(study, alice)
    again, created = start(study, bob)
    assert (again, created) == (first, False)
    assert Job.objects.count() == DBTaskResult.objects.count() == 1


def test_the_same_key_in_another_study_is_another_job(study, other_study, alice, otto):
    start(study, alice)
    _job, created = start(other_study, otto)
    assert created and Job.objects.count() == 2


def test_it_runs_and_records_the_result(study, alice, run_jobs):
    job, _ = start(study, alice)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert (job.done, job.total, job.message) == (3, 3, "3 themes made")
    assert job.result == {"lines": ["3 themes"]} and job.attempts == 1 and job.finished_at
    assert Theme.objects.filter(study=study, name__startswith="Step").count() == 3
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert live.notices(alice.pk)[0]["id"] == job.pk


def test_the_work_and_its_success_are_one_transaction(study, alice, run_jobs, monkeypatch):
    """A worker that fails (or dies) while recording the success keeps none of the work: a job
    never looks failed while its work is saved, so its retry cannot do it twice."""
    job, _ = start(study, alice)
    real_save = Job.save

    def save_fails_on_success(self, *args, **kwargs):
        if self.status == "succeeded":
            raise RuntimeError("the worker died here")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Job, "save", save_fails_on_success)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed"
    assert not Theme.objects.filter(name__startswith="Step").exists()


def test_a_failing_job_leaves_nothing_and_says_why(study, alice, run_jobs):
    job, _ = start(study, alice, fail_at=1)
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "Step 1 failed.")
    assert not Theme.objects.filter(name__startswith="Step").exists()


def test_an_unexpected_error_is_logged_not_shown(study, alice, run_jobs, caplog):
    job, _ = start(study, alice, crash_at=0)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and "RuntimeError" in job.error and "boom" not in job.error
    assert "boom" in caplog.text
    assert not Theme.objects.filter(name__startswith="Step").exists()


def test_a_queued_job_cancelled_never_runs(study, alice, run_jobs):
    job, _ = start(study, alice)
    job_cancel(job)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "cancelled" and not Theme.objects.filter(name__startswith="Step").exists()


def test_a_running_job_asked_to_cancel_stops_at_its_next_report(study, alice):
    job, _ = start(study, alice)
    Job.objects.filter(pk=job.pk).update(status="running")  # as a worker has claimed it
    job.refresh_from_db()
    job_cancel(job)
    with pytest.raises(JobCancelled):
        job_progress(job, 1, 3)


def test_cancel_reaches_the_work_at_its_next_progress_report(study, alice, run_jobs, monkeypatch):
    job, _ = start(study, alice)
    calls = []
    real = live.live_set

    def cancel_after_first(job_id, done, total, message):
        real(job_id, done, total, message)
        calls.append(done)
        if done == 1:
            live.cancel_request(job_id)

    monkeypatch.setattr(live, "live_set", cancel_after_first)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "cancelled" and calls[-1] == 1
    assert not Theme.objects.filter(name__startswith="Step").exists()  # step 0 and 1 rolled back


def test_an_ended_job_cannot_be_cancelled(study, alice, run_jobs):
    job, _ = start(study, alice)
    run_jobs()
    job.refresh_from_db()
    with pytest.raises(ValidationError):
        job_cancel(job)


def test_a_retry_runs_the_same_job_again_without_duplicates(study, alice, run_jobs):
    job, _ = start(study, alice, fail_at=2)
    run_jobs()
    job.refresh_from_db()
    job.params["fail_at"] = None  # what changed between the attempts (say, a database back up)
    Job.objects.filter(pk=job.pk).update(params=job.params)
    job.refresh_from_db()
    job_retry(job)
    assert job.status == "queued" and job.error == ""
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("succeeded", 2)
    assert Theme.objects.filter(name__startswith="Step").count() == 3
    assert Job.objects.count() == 1


def test_only_failed_or_cancelled_jobs_are_retried(study, alice):
    job, _ = start(study, alice)
    with pytest.raises(ValidationError, match="Only a failed"):
        job_retry(job)


def test_a_retry_is_refused_while_the_same_work_is_queued_again(study, alice, run_jobs):
    job, _ = start(study, alice, fail_at=0)
    run_jobs()
    job.refresh_from_db()
    start(study, alice)  # the same key, queued anew from the form
    with pytest.raises(ValidationError, match="already queued"):
        job_retry(job)


def test_recover_fails_a_running_job_whose_worker_process_is_gone(study, alice):
    job, _ = start(study, alice)
    Job.objects.filter(pk=job.pk).update(status="running", worker=f"{socket.gethostname()}:999999999")
    alive, _ = start(study, alice, key="other")
    Job.objects.filter(pk=alive.pk).update(status="running", worker=f"{socket.gethostname()}:{os.getpid()}")
    assert [j.pk for j in jobs_recover()] == [job.pk]
    job.refresh_from_db()
    assert job.status == "failed" and "worker" in job.error
    alive.refresh_from_db()
    assert alive.status == "running"


def test_recover_fails_a_job_on_another_machine_only_once_it_is_silent(study, alice, settings):
    settings.JOBS_STALE_SECONDS = 60
    job, _ = start(study, alice)
    Job.objects.filter(pk=job.pk).update(status="running", worker="elsewhere:12", started_at=timezone.now())
    assert jobs_recover() == []
    live.live_set(job.pk, 1, 3, "")
    cached = live.live_get(job.pk)
    live._cache().set(f"job:{job.pk}:live", cached | {"at": cached["at"] - 61})
    assert [j.pk for j in jobs_recover()] == [job.pk]
