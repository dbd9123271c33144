"""Every write to a Job: job_start (queue it, once per idempotency key), job_progress (report
and check for cancellation, from inside the work), job_finish, job_fail, job_cancel, job_retry;
run_job runs one in a worker, and jobs_recover marks jobs whose worker died."""

import logging
import os
import socket
import time
from contextlib import ExitStack, nullcontext

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs import progress as live
from jobs.models import ACTIVE, Job, JobStatus
from studies.models import Membership

logger = logging.getLogger(__name__)

WORKER_DIED = gettext_lazy("The worker running this job stopped before it finished. Nothing was saved; "
                           "retry it.")


# Context managers each job runs inside, given its starter: apps above register theirs (audit
# credits the job's changes to the user who started it), so this app imports none of them.
JOB_CONTEXTS = []


def job_context_register(factory):
    JOB_CONTEXTS.append(factory)


class JobCancelled(Exception):
    """Raised by job_progress inside the work when someone asked to cancel the job: the work's
    transaction rolls back, so a cancelled job leaves nothing behind."""


class JobError(Exception):
    """A failure to show as it is (bad input, a refused operation); anything else is logged and
    shown as an unexpected error."""


def job_membership(job):
    """The membership of the job's starter in its study, with the study (for blind coding as the
    job writes its file); JobError when they have left the study meanwhile."""
    membership = (Membership.objects.select_related("study")
                  .filter(study=job.study, user=job.started_by).first())
    if membership is None:
        raise JobError(_("You are no longer a member of this study."))
    return membership


def _worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def _enqueue(job):
    """Hand the job to the task backend; if the backend refuses (its Redis is down, say), the
    job is marked failed at once, so its page says so instead of waiting for ever."""
    try:
        result = import_string(job.task_path).enqueue(job.pk)
    except Exception:
        logger.exception("Job %s (%s) could not be queued", job.pk, job.kind)
        job_fail(job, _("The job could not be queued (the task backend refused it). Nothing was done; "
                        "retry it later."))
        return
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.task_result_id = str(result.id)


def job_start(*, study, user, kind, title, task, key, params=None, upload=None):
    """Queue `task` (a django-tasks Task taking the job id) as a new job; return (job, created).

    The same `key` (a hash of the upload, or of the operation and its objects) while a job with
    it is still queued or running returns that job instead, so a double submit or a reload
    queues nothing twice. The database holds the rule too (job_one_active_per_key)."""
    active = Job.objects.filter(idempotency_key=key, status__in=ACTIVE)
    active = active.filter(study=study) if study is not None else active.filter(study=None, started_by=user)
    if (existing := active.first()) is not None:
        return existing, False
    job = Job(study=study, started_by=user, kind=kind, title=str(title)[:300], task_path=task.module_path,
              params=(params or {}) | {"language": translation.get_language() or settings.LANGUAGE_CODE}
              | ({"upload": True} if upload is not None else {}),
              idempotency_key=key)
    if upload is not None:
        job.upload.save(os.path.basename(upload.name) or "upload", upload, save=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        if job.upload:
            job.upload.delete(save=False)
        return active.get(), False
    _enqueue(job)
    return job, True


def job_progress(job, done, total=None, message=""):
    """Report how far the work is (from inside it, any number of times) and raise JobCancelled
    if the job is to stop. Costs one cache write and one cache read, no database query."""
    if live.cancel_requested(job.pk):
        raise JobCancelled
    live.live_set(job.pk, done, total, message)


def _notify(job):
    live.notice_add(job.started_by_id, {"id": job.pk, "title": job.title, "status": job.status,
                                        "status_label": str(job.get_status_display()),
                                        "url": job.get_absolute_url()})


def _end(job, status, **fields):
    state = live.live_get(job.pk) or {}
    job.status, job.finished_at = status, timezone.now()
    job.done = fields.pop("done", state.get("done", job.done)) or 0
    job.total = fields.pop("total", state.get("total", job.total))
    if job.total is not None:
        job.done = min(job.done, job.total)
    job.message = str(fields.pop("message", state.get("message", job.message)))[:300]
    for name, value in fields.items():
        setattr(job, name, value)
    # only what ending changes: a concurrent write (the task result id) is not overwritten
    job.save(update_fields=["status", "finished_at", "done", "total", "message", "upload", *fields])

    def ended():
        live.live_clear(job.pk)
        _notify(job)

    transaction.on_commit(ended)  # at once, or when the work's transaction commits
    return job


def job_finish(job, *, result=None, url="", message=""):
    """Mark the job succeeded with its result (a JSON report) and a link to what it made."""
    if job.upload:  # done: an upload is kept only while a retry may need it
        storage, name = job.upload.storage, job.upload.name
        job.upload = ""
        transaction.on_commit(lambda: storage.delete(name))
    total = (live.live_get(job.pk) or {}).get("total")
    return _end(job, JobStatus.SUCCEEDED, result=result, result_url=url, error="",
                done=total or 1, total=total or 1, message=message or _("Done."))


def job_fail(job, error):
    return _end(job, JobStatus.FAILED, error=str(error))


def job_cancel(job):
    """Cancel a queued job at once; ask a running one to stop (its worker rolls the work back
    at its next progress report and marks it cancelled). Refuses a job that has ended."""
    if job.status == JobStatus.QUEUED:
        if Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(status=JobStatus.CANCELLED):
            job.refresh_from_db()
            return _end(job, JobStatus.CANCELLED, message=_("Cancelled before it started."))
        job.refresh_from_db()
    if job.status == JobStatus.RUNNING:
        live.cancel_request(job.pk)
        return job
    raise ValidationError(_("This job has already ended."), code="job_ended")


def job_retry(job):
    """Queue a failed or cancelled job again, as the same job (same idempotency key): the
    failed attempt saved nothing, so the retry cannot duplicate anything."""
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise ValidationError(_("Only a failed or cancelled job can be retried."), code="job_not_retryable")
    if job.params.get("upload") and not job.upload:
        raise ValidationError(_("The uploaded file of this job is gone; start it again from the form."),
                              code="job_upload_gone")
    live.live_clear(job.pk)
    try:
        with transaction.atomic():
            updated = Job.objects.filter(pk=job.pk, status=job.status).update(
                status=JobStatus.QUEUED, done=0, total=None, message="", error="", result=None,
                result_url="", worker="", started_at=None, finished_at=None,
            )
    except IntegrityError:
        raise ValidationError(_("The same work is already queued or running."),
                              code="job_duplicate") from None
    if not updated:
        raise ValidationError(_("This job changed meanwhile; reload the page."), code="job_changed")
    job.refresh_from_db()
    _enqueue(job)
    return job


def run_job(job_id, work, *, atomic=True):
    """Run a queued job in this worker: `work(job, progress)` does it and returns (result,
    url[, message]); progress(done, total, message) is job_progress for this job. A job not
    queued (cancelled meanwhile, or delivered twice) is left alone.

    With `atomic`, the work and the job's "succeeded" are one transaction: a failure or a
    cancellation leaves nothing, and no worker can die between saving the work and recording
    it (which would leave a job that looks failed but whose retry would do the work twice).
    Work that only reads and writes a file (an export) passes atomic=False, so that on SQLite
    it does not hold the write lock."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=_worker_name(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    job = Job.objects.select_related("study", "started_by").get(pk=job_id)
    with translation.override(job.params.get("language")), ExitStack() as stack:
        for factory in JOB_CONTEXTS:
            stack.enter_context(factory(job.started_by))
        return _run(job, work, atomic)


def _run(job, work, atomic):
    live.live_set(job.pk, 0, None, _("Starting…"))
    try:
        with transaction.atomic() if atomic else nullcontext():
            result, url, *message = work(
                job, lambda done, total=None, message="": job_progress(job, done, total, message))
            job_finish(job, result=result, url=url, message=message[0] if message else "")
    except JobCancelled:
        _end(job, JobStatus.CANCELLED, message=_("Cancelled; nothing was saved."))
    except JobError as exc:
        job_fail(job, exc)
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job_fail(job, _("An unexpected error stopped the job (%(error)s). Nothing was saved.")
                 % {"error": type(exc).__name__})
    return job.status


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandoned(job, now):
    host, _sep, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _pid_alive(int(pid))
    state = live.live_get(job.pk)
    seen = state["at"] if state else job.started_at.timestamp()
    return now - seen > settings.JOBS_STALE_SECONDS


def jobs_recover(jobs=None):
    """Mark failed the running jobs whose worker died (killed, or its machine lost): on this
    machine, its process is gone; elsewhere, it has not reported for JOBS_STALE_SECONDS. Their
    work rolled back with the worker's transaction, so a retry starts clean. Returns them."""
    now = time.time()
    running = (jobs if jobs is not None else Job.objects.all()).filter(status=JobStatus.RUNNING)
    failed = []
    for job in running.select_related("study"):
        if _abandoned(job, now):
            if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker).update(
                status=JobStatus.FAILED, error=str(WORKER_DIED), finished_at=timezone.now()
            ):
                job.refresh_from_db()
                _notify(job)
                failed.append(job)
    return failed
