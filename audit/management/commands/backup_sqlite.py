"""Copy the live SQLite database to a file, safely, while the app keeps serving.

Uses SQLite's online backup API, which copies a consistent snapshot even with WAL and writers
active, unlike copying the file. For PostgreSQL use pg_dump (README, "Backup and restore").
"""

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Back up the SQLite database to DEST with SQLite's online backup API."

    def add_arguments(self, parser):
        parser.add_argument("dest", help="file to write, e.g. backups/pasto-2026-11-25.sqlite3")

    def handle(self, dest, **options):
        if connection.vendor != "sqlite":
            raise CommandError("The database is not SQLite; back up PostgreSQL with pg_dump.")
        dest = Path(dest)
        if dest.exists():
            raise CommandError(f"{dest} exists; choose a new file so no backup is overwritten.")
        dest.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        target = sqlite3.connect(dest)
        try:
            connection.connection.backup(target)
            ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
        if ok != "ok":
            raise CommandError(f"The backup failed its integrity check: {ok}")
        self.stdout.write(f"Backed up to {dest} ({dest.stat().st_size:,} bytes, integrity ok).")
