"""Who may see and act on a job (built on studies.access)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from jobs.models import Job
from studies.access import get_in_study, require_rw


def get_job_for_user(request, slug, pk):
    """A job of the study `slug`, for any member; 404 for others and for another study's job.
    A site-level job (slug None: an import that makes a new study) is its starter's alone."""
    if slug is None:
        if not request.user.is_authenticated:
            raise Http404
        job = Job.objects.select_related("started_by").filter(pk=pk, study=None,
                                                              started_by=request.user).first()
        if job is None:
            raise Http404
        return job
    membership, job = get_in_study(request, slug, Job.objects.select_related("started_by"), pk=pk)
    job.study = membership.study
    return job


def get_job_for_user_rw(request, slug, pk):
    """As get_job_for_user, to cancel or retry: the member who started it, or an owner, while the
    study may be changed; 403 for other members (reviewers included)."""
    job = get_job_for_user(request, slug, pk)
    if slug is not None:
        membership = require_rw(request.membership)
        if job.started_by_id != request.user.pk and not membership.is_owner:
            raise PermissionDenied
    return job


def get_job_file_for_user(request, slug, pk):
    """A job's result file (an export): its starter's only, 403 for other members."""
    job = get_job_for_user(request, slug, pk)
    if job.started_by_id != request.user.pk:
        raise PermissionDenied
    if not job.result_file:
        raise Http404
    return job
