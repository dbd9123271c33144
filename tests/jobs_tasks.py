"""A test-only job: it adds `count` themes named "Step i" one at a time, reporting progress after
each (and sleeping `sleep` seconds, for the worker-kill test); run_job makes it one transaction.
With `fail_at` or `crash_at` it raises at that step. Anything partial it left would show as
themes."""

import time

from django_tasks import task

from coding.models import Theme
from jobs.services import JobError, run_job


def _make_themes(job, progress):
    count = job.params["count"]
    for i in range(count):
        Theme.objects.create(study=job.study, name=f"Step {i}")
        if i == job.params.get("fail_at"):
            raise JobError(f"Step {i} failed.")
        if job.params.get("crash_at") == i:
            raise RuntimeError("boom")
        progress(i + 1, count, f"Step {i}")
        time.sleep(job.params.get("sleep", 0))
    return {"lines": [f"{count} themes"]}, "", f"{count} themes made"


@task()
def make_themes_task(job_id):
    return run_job(job_id, _make_themes)
