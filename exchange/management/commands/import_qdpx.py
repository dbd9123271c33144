from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exchange.qdpx_import import study_import
from exchange.qdpx_read import ExchangeError
from studies.cli import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Import a REFI-QDA project (.qdpx) or codebook (.qdc) as a new study, in one transaction; "
        "it restores a study that export_qdpx wrote. Prints the new study's short name and what "
        "was imported, skipped or could not be mapped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext_lazy("The .qdpx, .qde or .qdc file."))
        parser.add_argument(
            "--owner", required=True,
            help=gettext_lazy("Username of the new study's owner, who is also credited with the new "
                              "transcripts and with codings the file gives no coder."),
        )
        parser.add_argument("--name",
                            help=gettext_lazy("The new study's name (default: the project's name)."))

    def handle(self, *args, path, owner, name=None, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": source})
        importer = get_user_model().objects.filter(username=owner, is_active=True).first()
        if importer is None:
            raise CommandError(_("No user %(username)s.") % {"username": owner})
        progress = self.progress if options["verbosity"] >= 1 else None
        try:
            with source.open("rb") as handle:
                report = study_import(handle, owner=importer, name=name, file_name=source.name,
                                      progress=progress)
        except ExchangeError as exc:
            raise CommandError(_("%(name)s: %(error)s Nothing was imported.")
                               % {"name": source.name, "error": exc}) from None
        for line in report.lines():
            self.stdout.write(line)

    def progress(self, stage, done, total):
        """Large imports report every 5% of the sources (and every 100 sources while reading)."""
        step = max(1, total // 20) if total else 100
        if done % step == 0 or done == total:
            of = f"/{total} ({100 * done // total}%)" if total else ""
            self.stderr.write(f"  {stage}: {done}{of}", style_func=str)
