from django.core.management.base import BaseCommand

from jobs.services import jobs_recover


class Command(BaseCommand):
    help = ("Mark failed the running jobs whose worker died (its process is gone, or it has not "
            "reported for JOBS_STALE_SECONDS); their work rolled back, and each can be retried. "
            "make run runs it before starting a worker; job pages and workers check too.")

    def handle(self, *args, **options):
        for job in jobs_recover():
            self.stdout.write(f"Job {job.pk} ({job.kind}) marked failed: its worker {job.worker} stopped.")
