"""A study's jobs: the list, a job's page with its live progress bar (static/js/job_progress.js
polls job_status), cancel, retry and the download of what it made. The same views serve a
site-level job (an import that makes a new study) with study=None, for its starter only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import progress as live
from jobs.access import get_job_file_for_user, get_job_for_user, get_job_for_user_rw
from jobs.models import Job, JobStatus
from jobs.services import job_cancel, job_retry, jobs_recover
from studies.access import get_membership


def job_state(job):
    """What the page and its poll show: the row, or while it runs, the worker's live report."""
    state = {"status": job.status, "status_label": str(job.get_status_display()), "done": job.done,
             "total": job.total, "message": job.message, "error": job.error, "result_url": job.result_url,
             "active": job.is_active}
    if job.is_active and (now := live.live_get(job.pk)):
        state.update(done=now["done"], total=now["total"], message=now["message"])
    elif job.status == JobStatus.QUEUED:
        state["message"] = _("Waiting for a worker to start it.")
    return state


def _fresh(request, study, pk):
    job = get_job_for_user(request, study, pk)
    if job.status == "running" and jobs_recover(Job.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


@login_required
def job_list(request, study):
    """The study's jobs, newest first. Queries: the membership, the jobs with their starters."""
    membership = get_membership(request, study)
    jobs = list(Job.objects.for_job_list(membership.study))
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request, study=None, pk=None):
    job = _fresh(request, study, pk)
    if not job.is_active and job.started_by_id == request.user.pk:
        live.notice_clear(request.user.pk, job.pk)
    can_act = job.started_by_id == request.user.pk or (
        study is not None and request.membership.is_owner)
    return render(request, "jobs/job_detail.html", {
        "job": job, "state": job_state(job), "can_act": can_act and (
            study is None or request.membership.can_code),
    })


@login_required
def job_status(request, study=None, pk=None):
    """The job's state as JSON, for the progress bar's poll."""
    job = _fresh(request, study, pk)
    if not job.is_active and job.started_by_id == request.user.pk:
        live.notice_clear(request.user.pk, job.pk)
    return JsonResponse(job_state(job))


def _act(request, study, pk, action, done_message):
    job = get_job_for_user_rw(request, study, pk)
    try:
        job = action(job)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return render(request, "jobs/job_detail.html",
                      {"job": job, "state": job_state(job), "can_act": True}, status=400)
    messages.success(request, done_message)
    return redirect(job.get_absolute_url())


@login_required
@require_POST
def job_cancel_view(request, study=None, pk=None):
    return _act(request, study, pk, job_cancel, _("The job is being cancelled; nothing it did is kept."))


@login_required
@require_POST
def job_retry_view(request, study=None, pk=None):
    return _act(request, study, pk, job_retry, _("The job is queued again."))


@login_required
def job_download(request, study=None, pk=None):
    job = get_job_file_for_user(request, study, pk)
    name = (job.result or {}).get("filename") or job.result_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
