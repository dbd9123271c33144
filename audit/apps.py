from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("History")

    def ready(self):
        from audit import signals
        from audit.context import acting_as
        from jobs.services import job_context_register

        signals.connect()
        job_context_register(acting_as)  # a job's changes are its starter's
