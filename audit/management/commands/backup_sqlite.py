"""Copy the live SQLite database to a file, safely, while the app keeps serving.

Uses SQLite's online backup API, which copies a consistent snapshot even with WAL and writers
active, unlike copying the file. For PostgreSQL use pg_dump (README, "Backup and restore").
"""

import sqlite3
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studies.cli import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("Back up the SQLite database to DEST with SQLite's online backup API.")

    def add_arguments(self, parser):
        parser.add_argument("dest", help=gettext_lazy("file to write, e.g. backups/pasto-2026-11-25.sqlite3"))

    def handle(self, dest, **options):
        if connection.vendor != "sqlite":
            raise CommandError(_("The database is not SQLite; back up PostgreSQL with pg_dump."))
        dest = Path(dest)
        if dest.exists():
            raise CommandError(_("%(dest)s exists; choose a new file so no backup is overwritten.")
                               % {"dest": dest})
        dest.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        target = sqlite3.connect(dest)
        try:
            connection.connection.backup(target)
            ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
        if ok != "ok":
            raise CommandError(_("The backup failed its integrity check: %(result)s") % {"result": ok})
        self.stdout.write(_("Backed up to %(dest)s (%(size)s bytes, integrity ok).") % {
            "dest": dest, "size": number_format(dest.stat().st_size, force_grouping=True)})
