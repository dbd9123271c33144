"""Bulk import: `manage.py import_transcripts --study SLUG PATH... [--csv MAP] [--dry-run]`.

Each file is parsed and saved in its own transaction through the same service as the upload
page, so a bad file is reported and skipped while the good ones are kept; an interrupted run
leaves only whole transcripts, and running it again skips the files already imported.
"""

import argparse
import csv
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from interviews.attributes import parse_value
from interviews.importers import MB, ImportRefused, check_size, parse_file
from interviews.models import Attribute, AttributeTarget, Participant
from interviews.services import duplicate_warning, transcript_import
from studies.cli import TranslatedCommand
from studies.models import Study

REQUIRED_COLUMNS = {"file", "participant"}


@dataclass
class Report:
    imported: list = field(default_factory=list)  # (path, transcript)
    skipped: list = field(default_factory=list)  # (path, message): already imported
    refused: list = field(default_factory=list)  # messages naming the file
    warnings: list = field(default_factory=list)  # imported, but the same text was there already
    new_participants: set = field(default_factory=set)
    words: int = 0


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Import transcripts (.txt, .docx, .vtt, .srt, .pdf) from files or folders. A CSV maps file "
        "names to participants: columns file and participant, optionally title, interview_date "
        "(YYYY-MM-DD), language, and columns named as the study's participant attributes (such as "
        "Sector or Gender) to create a participant with those values."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help=gettext_lazy("Files or folders (read recursively)."))
        parser.add_argument("--study", required=True,
                            help=gettext_lazy("Short name (slug) of the study the transcripts belong to."))
        parser.add_argument("--csv", dest="mapping",
                            help=gettext_lazy("CSV mapping file names to participants."))
        parser.add_argument("--participant", help=gettext_lazy("Participant code for files not in the CSV."))
        parser.add_argument("--language",
                            help=gettext_lazy("Language for rows that give none (default: the study's)."))
        parser.add_argument("--user", help=gettext_lazy("Username recorded as the importer."))
        parser.add_argument("--dry-run", action="store_true",
                            help=gettext_lazy("Parse and check everything, then save nothing."))
        parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                            help=gettext_lazy("Show a progress bar (default: when stderr is a terminal)."))

    def handle(self, *args, **options):
        started = time.perf_counter()
        self.study = self._study(options["study"])
        mapping_path = Path(options["mapping"]).resolve() if options["mapping"] else None
        mapping = self._mapping_read(mapping_path) if mapping_path else {}
        # Any row that gives attribute values may describe a new participant; files are imported
        # in path order, not CSV order.
        self.attributes = {a.name.casefold(): a for a in Attribute.objects.visible(
            self.study, AttributeTarget.PARTICIPANT, identifying=True)}
        self.new_participants = {}
        for row in mapping.values():
            given = {self.attributes[k]: v for k, v in row.items() if k in self.attributes and v}
            if row.get("participant") and given:
                self.new_participants.setdefault(row["participant"], given)
        report = Report()
        files = self._files_collect(options["paths"], mapping_path, report)
        user = self._user(options["user"])
        show_progress = options["progress"]
        if show_progress is None:
            show_progress = hasattr(self.stderr._out, "isatty") and self.stderr._out.isatty()
        used_keys = set()
        # Each file is its own transaction; a dry run wraps them all in one that is rolled back,
        # so everything is checked exactly as for real (constraints included).
        with transaction.atomic() if options["dry_run"] else nullcontext():
            for done, (path, keys) in enumerate(files, start=1):
                row = next((mapping[k] for k in keys if k in mapping), {})
                used_keys.update(k for k in keys if k in mapping)
                self._import_one(path, row, options, user, report)
                if show_progress:
                    self._progress(done, len(files), path.name)
            if options["dry_run"]:
                transaction.set_rollback(True)
        if show_progress and files:
            self.stderr.write("")
        unused = sorted(set(mapping) - used_keys)
        self._summary(report, unused, options["dry_run"], time.perf_counter() - started)
        if report.refused:
            raise CommandError(ngettext("%(count)d file refused; see above.",
                                        "%(count)d files refused; see above.",
                                        len(report.refused)) % {"count": len(report.refused)})

    # ----- input -----

    def _mapping_read(self, path):
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                columns = {c.strip().lower() for c in reader.fieldnames or []}
                if not REQUIRED_COLUMNS <= columns:
                    raise CommandError(
                        _("%(name)s: the CSV needs the columns file and participant; it has %(columns)s.")
                        % {"name": path.name, "columns": ", ".join(sorted(columns)) or _("none")}
                    )
                rows = {}
                for row in reader:
                    row = {(k or "").strip().casefold(): (v or "").strip() for k, v in row.items()}
                    if row.get("file"):
                        rows[row["file"].replace("\\", "/")] = row
                return rows
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(_("%(name)s: cannot read the CSV (%(error)s).")
                               % {"name": path.name, "error": exc}) from None

    def _files_collect(self, paths, mapping_path, report):
        """[(path, keys a CSV row may use for it: its path under the folder, then its name)]."""
        files = []
        for given in paths:
            root = Path(given)
            if root.is_file():
                files.append((root, [root.name]))
            elif root.is_dir():
                for path in sorted(root.rglob("*")):
                    relative = path.relative_to(root)
                    if not path.is_file() or path.resolve() == mapping_path:
                        continue
                    if any(part.startswith(".") for part in relative.parts):
                        continue  # .DS_Store, .git and the like
                    files.append((path, [relative.as_posix(), path.name]))
            else:
                report.refused.append(_("%(path)s: no such file or folder.") % {"path": given})
        return files

    def _study(self, slug):
        study = Study.objects.live().filter(slug=slug).first()
        if study is None:
            raise CommandError(_("No study with the short name %(slug)s.") % {"slug": repr(slug)})
        if study.is_archived:
            raise CommandError(_("The study %(slug)s is archived: it cannot take new transcripts.")
                               % {"slug": repr(slug)})
        return study

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No user named %(username)s.") % {"username": repr(username)}) from None

    # ----- one file -----

    def _import_one(self, path, row, options, user, report):
        max_bytes = settings.MAX_UPLOAD_MB * MB
        try:
            check_size(path.name, path.stat().st_size, max_bytes)
            parsed = parse_file(path.name, path.read_bytes(), max_bytes=max_bytes)
            kwargs = self._participant(path, row, options)
            language = row.get("language") or options["language"] or self.study.language
            transcript = transcript_import(
                study=self.study, parsed=parsed, title=row.get("title") or parsed.title, user=user,
                interview_date=self._date(path, row), language=language, **kwargs,
            )
        except ImportRefused as exc:
            report.refused.append(exc.message)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "duplicate":
                report.skipped.append(exc.messages[0])
            else:
                report.refused.extend(_named(path, message) for message in _messages(exc))
        except OSError as exc:
            report.refused.append(_("%(name)s: cannot read the file (%(error)s).")
                                  % {"name": path.name, "error": exc.strerror})
        else:
            report.imported.append((path, transcript))
            if warning := duplicate_warning(transcript):
                report.warnings.append(str(warning))
            report.words += len(transcript.text.split())
            if kwargs.get("new_participant"):
                report.new_participants.add(transcript.participant.code)

    def _participant(self, path, row, options):
        code = row.get("participant") or options["participant"]
        if not code:
            raise ValidationError(
                _("no participant: add the file to the CSV or pass --participant."), code="no_participant"
            )
        participant = Participant.objects.filter(study=self.study, code=code).first()
        if participant:
            return {"participant": participant}
        if code not in self.new_participants:
            raise ValidationError(
                _("participant %(code)s does not exist; give some of its attributes in the CSV (a "
                  "column named as the attribute, such as Sector) to create it.") % {"code": code},
                code="no_participant",
            )
        given = self.new_participants[code].items()
        values = {attribute: parse_value(attribute, raw) for attribute, raw in given}
        return {"new_participant": {"code": code, "attribute_values": values}}

    def _date(self, path, row):
        value = row.get("interview_date")
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("the interview date %(value)s is not YYYY-MM-DD.")
                                  % {"value": repr(value)}, code="bad_date") from None

    # ----- output -----

    def _progress(self, done, total, name, width=30):
        filled = width * done // total
        bar = "#" * filled + "." * (width - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {name[:40]:<40}", ending="")
        self.stderr.flush()

    def _summary(self, report, unused, dry_run, seconds):
        participants = {t.participant.code for _p, t in report.imported}
        figures = {
            "transcripts": _count(ngettext("%(count)s transcript", "%(count)s transcripts",
                                           len(report.imported)), len(report.imported)),
            "words": _count(ngettext("%(count)s word", "%(count)s words", report.words), report.words),
            "participants": _count(ngettext("%(count)s participant", "%(count)s participants",
                                            len(participants)), len(participants)),
            "new": len(report.new_participants),
            "seconds": number_format(seconds, decimal_pos=1),
        }
        if dry_run:
            line = _("Would import %(transcripts)s, %(words)s, for %(participants)s (%(new)d new), "
                     "in %(seconds)s s.")
        else:
            line = _("Imported %(transcripts)s, %(words)s, for %(participants)s (%(new)d new), "
                     "in %(seconds)s s.")
        self.stdout.write(line % figures)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))
        sections = [
            (report.warnings, ngettext("Warnings for %(count)d file:", "Warnings for %(count)d files:",
                                       len(report.warnings))),
            (report.skipped, ngettext("Skipped %(count)d file already imported:",
                                      "Skipped %(count)d files already imported:", len(report.skipped))),
            (unused, ngettext("The CSV names %(count)d file that was not found:",
                              "The CSV names %(count)d files that were not found:", len(unused))),
            (report.refused, ngettext("Refused %(count)d file:", "Refused %(count)d files:",
                                      len(report.refused))),
        ]
        for messages, heading in sections:
            if messages:
                self.stdout.write(heading % {"count": len(messages)})
                for message in messages:
                    self.stdout.write(f"  {message}")


def _count(label, number):
    """'1,234 words' / '1.234 palabras': a counted label with the number grouped for the language."""
    return label % {"count": number_format(number, force_grouping=True)}


def _messages(exc):
    """A ValidationError's messages, each with its field's name when it has one."""
    if not hasattr(exc, "error_dict"):
        return exc.messages
    return [m if f == "__all__" else f"{f}: {m}" for f, ms in exc.message_dict.items() for m in ms]


def _named(path, message):
    message = str(message)
    return message if message.startswith(f"{path.name}: ") else f"{path.name}: {message}"
