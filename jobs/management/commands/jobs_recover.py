from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.services import jobs_recover
from studies.cli import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Mark failed the running jobs whose worker died (its process is gone, or it has not "
        "reported for JOBS_STALE_SECONDS); their work rolled back, and each can be retried. "
        "make run runs it before starting a worker; job pages and workers check too."
    )

    def handle(self, *args, **options):
        for job in jobs_recover():
            self.stdout.write(_("Job %(id)s (%(kind)s) marked failed: its worker %(worker)s stopped.")
                              % {"id": job.pk, "kind": job.kind, "worker": job.worker})
