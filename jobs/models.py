"""A background job: long work (an import, a merge, an auto-coding) that runs in a worker
(`manage.py db_worker`) instead of the request, with its progress, result and errors.

The row is written only outside the job's own transaction (when it is queued, starts and ends),
so the job's work can be one transaction and still be watched: live progress, the worker's
heartbeat and a cancel request travel through the cache (jobs.progress), which needs no lock
on the database that the job's transaction holds."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from studies.models import Study


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
DONE = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobQuerySet(models.QuerySet):
    def for_job_list(self, study):
        """The study's jobs page: newest first, with who started each. One query."""
        return self.filter(study=study).select_related("started_by").order_by("-created_at")[:50]


class Job(models.Model):
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="jobs", null=True, blank=True,
        verbose_name=_("study"),
        help_text=_("Empty only for a site-level import until it has made its study."),
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs",
                                   verbose_name=_("started by"))
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    task_path = models.CharField(_("task"), max_length=200, help_text=_("The task that does the work."))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    upload = models.FileField(_("uploaded file"), upload_to="jobs/uploads/", blank=True)
    # The same upload (or the same operation) twice while the first is queued or running is one job.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    result_url = models.CharField(_("result link"), max_length=300, blank=True)
    result_file = models.FileField(_("result file"), upload_to="jobs/results/", blank=True)
    error = models.TextField(_("error"), blank=True)
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True,
                              help_text=_("host:pid of the worker running it"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "idempotency_key"], condition=Q(status__in=ACTIVE) & Q(study__isnull=False),
                name="job_one_active_per_key",
            ),
            models.UniqueConstraint(
                fields=["started_by", "idempotency_key"],
                condition=Q(status__in=ACTIVE) & Q(study__isnull=True),
                name="job_one_active_site_job_per_key",
            ),
            models.CheckConstraint(condition=Q(total__isnull=True) | Q(done__lte=models.F("total")),
                                   name="job_done_within_total"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.study_id is None:
            return reverse("site-jobs:job-detail", args=[self.pk])
        return reverse("jobs:job-detail", args=[self.study.slug, self.pk])

    @property
    def is_active(self):
        return self.status in ACTIVE
