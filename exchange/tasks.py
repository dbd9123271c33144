"""REFI-QDA work as background jobs (jobs app): a .qdpx import and a study's export. Each task
wraps the service the command line and the small-file pages call, with a progress callback."""

import hashlib
import tempfile

from django.core.files import File
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from exchange.qdpx_export import study_export
from exchange.qdpx_import import study_import
from exchange.qdpx_read import ExchangeError
from jobs.services import JobError, job_membership, job_start, run_job

STAGES = {"reading": gettext_lazy("Reading the file"), "sources": gettext_lazy("Importing the transcripts")}


def upload_key(upload, prefix):
    """The idempotency key of an upload: the same file twice is one job while the first runs."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"{prefix}:{digest.hexdigest()}"


def study_import_job_start(*, upload, user, name):
    """Queue the import of `upload` as a new study, a site-level job (it has no study yet)."""
    return job_start(
        study=None, user=user, kind="qdpx_import", task=study_import_task, upload=upload,
        key=upload_key(upload, "qdpx-import"), params={"name": name, "file_name": upload.name},
        title=_("Import %(file)s as a new study") % {"file": upload.name},
    )


def _study_import(job, progress):
    def report(stage, done, total):
        progress(done, total, STAGES.get(stage, stage))

    with job.upload.open("rb") as handle:
        try:
            result = study_import(handle, owner=job.started_by, name=job.params.get("name"),
                                  file_name=job.params.get("file_name", ""), progress=report)
        except ExchangeError as exc:
            raise JobError(f"{exc} {_('Nothing was imported.')}") from exc
    progress(1, 1, _("Saving"))  # cancelled now: the import rolls back with the job's transaction
    lines = [str(line) for line in result.lines()]
    return ({"lines": lines, "study": result.study.slug},
            reverse("transcripts:transcript-list", args=[result.study.slug]), lines[0])


@task()
def study_import_task(job_id):
    return run_job(job_id, _study_import)


def study_export_job_start(*, study, user):
    """Queue the .qdpx export of a large study; the file waits on the job's page."""
    # one export per user at a time: a double click, or a second click meanwhile, is the same job
    return job_start(study=study, user=user, kind="qdpx_export", task=study_export_task,
                     key=f"qdpx-export:{user.pk}",
                     title=_("Export %(study)s as .qdpx") % {"study": study.name})


def _study_export(job, progress):
    progress(0, None, _("Writing the file"))
    with tempfile.TemporaryFile() as archive:
        # Blind coding applies as the file is written: the member's own layer where blind.
        study_export(archive, study=job.study, membership=job_membership(job))
        progress(1, 1, _("Saving the file"))
        archive.seek(0)
        name = f"{job.study.slug}-{timezone.localdate():%Y-%m-%d}.qdpx"
        job.result_file.save(f"{job.pk}-{name}", File(archive), save=True)
    return {"filename": name}, reverse("jobs:job-download", args=[job.study.slug, job.pk])


@task()
def study_export_task(job_id):
    return run_job(job_id, _study_export, atomic=False)  # it writes a file only
