from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _recover(sender, **kwargs):
    from jobs.services import jobs_recover

    jobs_recover()


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from django_tasks.signals import task_started

        # Whenever a worker starts a task, it first fails the jobs of workers that died (one
        # query when there are none), so a killed worker's job does not stay "running".
        task_started.connect(_recover, dispatch_uid="jobs_recover")
