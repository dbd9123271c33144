"""The README's PostgreSQL backup, run for real: pg_dump of the database holds every excerpt,
and pg_restore can read the dump back."""

import shutil
import subprocess

import pytest
from django.db import connection

from coding.services import excerpt_create

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL backup; SQLite has backup_sqlite"
    ),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
    pytest.mark.django_db(transaction=True),  # pg_dump sees only committed rows
]


def test_pg_dump_and_pg_restore_keep_every_excerpt(alice, transcript, themes, tmp_path):
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    db = connection.settings_dict
    dump = tmp_path / "pasto.dump"
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    env = {"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
    subprocess.run(["pg_dump", "-Fc", *args, "-f", str(dump), db["NAME"]], check=True, env=env)
    sql = subprocess.run(["pg_restore", "-f", "-", "--data-only", "-t", "coding_codedexcerpt", str(dump)],
                         check=True, env=env, capture_output=True, text=True).stdout
    assert "With the youth" in sql
