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


def test_a_killed_worker_leaves_nothing_and_its_job_is_failed_then_retried_once(env, database):
    row = database[1]
    manage(env, "migrate", "--noinput", "-v0")
    job_id = int(manage(env, "shell", "-v0", "-c", SETUP).strip())
    worker = subprocess.Popen(
        [sys.executable, MANAGE, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: row(f"SELECT status FROM jobs_job WHERE id={job_id}")[0] == "running")
        time.sleep(1.5)  # a few themes made, inside the job's open transaction
        assert worker.poll() is None
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
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
