import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coding.services import excerpt_create

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup; PostgreSQL uses pg_dump"),
    # committed rows, as in real use: a backup cannot read the test's own open write transaction
    pytest.mark.django_db(transaction=True),
]


def test_it_copies_every_row(alice, transcript, themes, tmp_path):
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    dest = tmp_path / "backup.sqlite3"
    call_command("backup_sqlite", str(dest))
    copy = sqlite3.connect(dest)
    assert copy.execute("select quote from coding_codedexcerpt").fetchall() == [("With the youth",)]
    assert copy.execute("select text from interviews_transcript").fetchone()[0] == transcript.text
    copy.close()


def test_it_never_overwrites_a_backup(db, tmp_path):
    dest = tmp_path / "backup.sqlite3"
    dest.write_text("older backup")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup_sqlite", str(dest))
    assert dest.read_text() == "older backup"
