"""Benchmark: a bulk transcript upload (interviews:transcript-upload) of 100 .txt files of about
20 KB each (2 MB in all), in the request and as a background job.

    .venv/bin/python bench/upload_job.py            # SQLite, in var/bench_upload_job.sqlite3

It rebuilds its database from scratch, makes one study with one participant and one
researcher, and posts the upload page through Django's test client three ways, each into an
empty study: with the job limits raised so that the request imports everything itself; with the
default limits, so that the request checks the files and queues a job, which a worker
(django-tasks-db's, in this process, as `db_worker --batch` runs it) then imports. It prints wall
and process CPU time of each part and the load average, since the machine is shared.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_upload_job.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasto_coop.settings")
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_tasks_db.management.commands.db_worker import Worker  # noqa: E402

from interviews.models import Participant, Transcript  # noqa: E402
from jobs.models import Job  # noqa: E402
from studies.models import Membership, Role, Study  # noqa: E402

FILES, WORDS = 100, 3000  # about 20 KB a file


def fresh_database():
    path = Path(settings.DATABASES["default"]["NAME"])
    path.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def post_data(participant, n):
    data = {"form-TOTAL_FORMS": str(FILES), "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "100"}
    for i in range(FILES):
        body = "\n".join(f"D: palabra {n} {i} {j} " + "migración juventud género " * 3
                         for j in range(WORDS // 12))
        data |= {f"form-{i}-file": SimpleUploadedFile(f"t{n}-{i}.txt", body.encode()),
                 f"form-{i}-participant": str(participant.pk), f"form-{i}-language": "es"}
    return data


def timed(action):
    t0, c0 = time.perf_counter(), time.process_time()
    result = action()
    return result, (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def main():
    fresh_database()
    user = get_user_model().objects.create_user("ana", password="bench-password-1")
    study = Study.objects.create(name="Upload bench", slug="bench", language="es")
    Membership.objects.create(study=study, user=user, role=Role.RESEARCHER)
    participant = Participant.objects.create(study=study, code="P1", consent_given=True)
    client = Client()
    client.force_login(user)
    url = reverse("interviews:transcript-upload", args=[study.slug])
    print("load average before: {:.1f} {:.1f} {:.1f} on {} cores".format(*os.getloadavg(), os.cpu_count()))
    default = dict(settings.JOBS_INLINE_LIMITS)

    settings.JOBS_INLINE_LIMITS = default | {"upload_files": 1000, "upload_bytes": 10**9}
    data = post_data(participant, 0)
    size = sum(f.size for k, f in data.items() if k.endswith("-file"))
    response, wall, cpu = timed(lambda: client.post(url, data))
    assert response.status_code == 302 and Transcript.objects.count() == FILES, response.status_code
    print(f"{FILES} files, {size / 1024 / 1024:.1f} MB")
    print(f"in the request:   request {wall:7.0f} ms wall, {cpu:7.0f} ms CPU")

    settings.JOBS_INLINE_LIMITS = default
    Transcript.objects.all().delete()
    response, wall, cpu = timed(lambda: client.post(url, post_data(participant, 1)))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="bench", excluded_queue_names=[])
    _none, job_wall, job_cpu = timed(worker.run)
    job.refresh_from_db()
    assert job.status == "succeeded" and Transcript.objects.count() == FILES, (job.status, job.error)
    print(f"as a job:         request {wall:7.0f} ms wall, {cpu:7.0f} ms CPU; "
          f"worker {job_wall:7.0f} ms wall, {job_cpu:7.0f} ms CPU")
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
