"""A real `manage.py db_worker` killed (SIGKILL) in the middle of a job: the job's transaction
dies with it, so nothing it did is saved; the job is then marked failed, and its retry runs it
once, with nothing duplicated. Runs the worker and the setup as subprocesses on a database of
its own, which the test reads directly: a SQLite file, or, when the suite runs on PostgreSQL, a
PostgreSQL database beside the suite's."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")

SETUP = """
from django.contrib.auth import get_user_model
from jobs.services import job_start
from studies.models import Study
from tests.jobs_tasks import make_themes_task
user = get_user_model().objects.create_user("alice")
study = Study.objects.create(name="Killed", slug="killed")
job, _ = job_start(study=study, user=user, kind="test", title="Slow", task=make_themes_task, key="slow",
                   params={"count": 20, "sleep": 0.25})
print(job.pk)
"""

RETRY = """
from jobs.models import Job
from jobs.services import job_retry
job = Job.objects.get()
job.params["sleep"] = 0
Job.objects.filter(pk=job.pk).update(params=job.params)
job.refresh_from_db()
job_retry(job)
"""


@pytest.fixture
def database(tmp_path):
    """(DATABASE_URL for the subprocesses, a function running one SQL query and returning its row)."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.postgresql":
        path = tmp_path / "db.sqlite3"

        def sqlite_row(sql):
            with sqlite3.connect(path) as connection:
                return connection.execute(sql).fetchone()

        yield f"sqlite:///{path}", sqlite_row
        return
    import psycopg

    name = f"{default['NAME']}_worker_killed"
    server = {"host": default["HOST"], "port": default["PORT"] or 5432, "user": default["USER"],
              "password": default["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def postgres_row(sql):
        with psycopg.connect(dbname=name, **server) as connection:
            return connection.execute(sql).fetchone()

    auth = f"{server['user']}:{server['password']}@" if server["password"] else f"{server['user']}@"
    yield f"postgres://{auth}{server['host']}:{server['port']}/{name}", postgres_row
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(tmp_path, database):
    return os.environ | {
        "DATABASE_URL": database[0], "JOBS_CACHE_DIR": str(tmp_path / "cache"),
        "MEDIA_ROOT": str(tmp_path / "media"), "DEBUG": "true", "PYTHONPATH": str(settings.BASE_DIR),
    }


def manage(env, *args):
    return subprocess.run([sys.executable, MANAGE, *args], env=env, cwd=settings.BASE_DIR, check=True,
                          capture_output=True, text=True, timeout=180).stdout


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def kill_mid_job(env, row, job_id, worker_args):
    """Start a worker (`manage.py *worker_args`), let it run the job for 1.5 s (some of its work
    done, inside the job's open transaction), then SIGKILL it."""
    worker = subprocess.Popen([sys.executable, MANAGE, *worker_args], env=env, cwd=settings.BASE_DIR,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: row(f"SELECT status FROM jobs_job WHERE id={job_id}")[0] == "running")
        time.sleep(1.5)
        assert worker.poll() is None
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()


def test_a_killed_worker_leaves_nothing_and_its_job_is_failed_then_retried_once(env, database):
    row = database[1]
    manage(env, "migrate", "--noinput", "-v0")
    job_id = int(manage(env, "shell", "-v0", "-c", SETUP).strip())
    kill_mid_job(env, row, job_id, ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"])
    themes = "SELECT count(*) FROM coding_theme WHERE name LIKE 'Step %'"
    assert row(themes)[0] == 0  # the killed transaction saved nothing
    assert row(f"SELECT status FROM jobs_job WHERE id={job_id}")[0] == "running"

    out = manage(env, "jobs_recover")
    assert f"Job {job_id}" in out
    status, error = row(f"SELECT status, error FROM jobs_job WHERE id={job_id}")
    assert status == "failed" and "stopped" in error

    manage(env, "shell", "-v0", "-c", RETRY)
    manage(env, "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    assert row(f"SELECT status, attempts FROM jobs_job WHERE id={job_id}") == ("succeeded", 2)
    assert row(themes)[0] == 20  # once each: no duplicate from the killed attempt
    assert row("SELECT count(*) FROM jobs_job")[0] == 1


UPLOAD_SETUP = """
from django.contrib.auth import get_user_model
from interviews.importers import parse_file
from interviews.models import Participant
from interviews.tasks import transcript_upload_job_start
from studies.models import Membership, Study
user = get_user_model().objects.create_user("alice")
study = Study.objects.create(name="Killed", slug="killed")
Membership.objects.create(study=study, user=user, role="researcher")
person = Participant.objects.create(study=study, code="D")
rows = [{"parsed": parse_file(f"t{i}.txt", f"D: turn {i}".encode(), max_bytes=10**6), "title": f"t{i}",
         "participant": person, "new_participant": None, "interview_date": None, "language": "en"}
        for i in range(20)]
job, _ = transcript_upload_job_start(study=study, user=user, rows=rows)
print(job.pk)
"""

# The worker, with each file's import slowed down so that it can be killed mid-job.
SLOW_WORKER = """
import time
from django.core.management import call_command
from interviews import tasks
real = tasks.transcript_import
def slow(**kwargs):
    time.sleep(0.25)
    return real(**kwargs)
tasks.transcript_import = slow
call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
"""

UPLOAD_RETRY = """
from jobs.models import Job
from jobs.services import job_retry
job_retry(Job.objects.get())
"""


def test_a_killed_upload_job_imports_nothing_and_its_retry_imports_each_file_once(env, database):
    """The bulk transcript upload (interviews/tasks.py) on a real worker killed mid-way: no
    transcript of the killed attempt stays, and the retry (the same job, from the same bundle)
    imports each of the 20 files once."""
    row = database[1]
    manage(env, "migrate", "--noinput", "-v0")
    job_id = int(manage(env, "shell", "-v0", "-c", UPLOAD_SETUP).strip())
    kill_mid_job(env, row, job_id, ["shell", "-v0", "-c", SLOW_WORKER])
    transcripts = "SELECT count(*), count(DISTINCT title) FROM interviews_transcript"
    assert row(transcripts) == (0, 0)
    manage(env, "jobs_recover")
    assert row(f"SELECT status FROM jobs_job WHERE id={job_id}")[0] == "failed"
    manage(env, "shell", "-v0", "-c", UPLOAD_RETRY)
    manage(env, "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    assert row(f"SELECT status, attempts FROM jobs_job WHERE id={job_id}") == ("succeeded", 2)
    assert row(transcripts) == (20, 20)
    assert row("SELECT count(*) FROM interviews_transcriptsource")[0] == 20
