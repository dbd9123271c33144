import os
import tempfile
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from exchange.qdpx_export import study_export, withheld_participants
from studies.cli import TranslatedCommand
from studies.models import Study
from studies.signals import study_event


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Write one study to a REFI-QDA project file (.qdpx): a backup that import_qdpx "
        "restores as a new study, and that ATLAS.ti, MAXQDA, NVivo and QualCoder can open."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext_lazy("Where to write the .qdpx file."))
        parser.add_argument("--study", required=True, help=gettext_lazy("The study's short name (slug)."))
        parser.add_argument("--include-withdrawn", action="store_true",
                            help=gettext_lazy("Include participants without consent (withdrawn, or never "
                                              "given) with their transcripts; recorded in the study's "
                                              "history."))

    def handle(self, *args, path, study, **options):
        found = Study.objects.filter(slug=study).first()
        if found is None:
            raise CommandError(_("No study %(slug)s.") % {"slug": study})
        target = Path(path)
        if not target.parent.is_dir():
            raise CommandError(_("No folder %(folder)s to write %(name)s into.")
                               % {"folder": target.parent, "name": target.name})
        progress = self.progress if options["verbosity"] >= 1 else None
        # Written next to the target, then renamed: a failed export never leaves half a file.
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                summary = study_export(out, study=found, progress=progress,
                                       include_withdrawn=options["include_withdrawn"])
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        if options["include_withdrawn"]:
            study_event.send(sender=Command, study=found, user=None, event="qdpx_export_with_withdrawn",
                             data={"participants": withheld_participants(found),
                                   "transcripts": summary.counts["transcripts"]})
        counts = summary.counts
        self.stdout.write(_(
            "Wrote %(path)s: %(participants)d participants, %(transcripts)d transcripts, %(themes)d "
            "themes, %(excerpts)d excerpts (%(codings)d codings), %(coders)d coders, %(memos)d memos."
        ) % {"path": target, **counts})
        if summary.replaced_characters:
            self.stdout.write(ngettext(
                "%(count)d character XML cannot hold was replaced by U+FFFD.",
                "%(count)d characters XML cannot hold were replaced by U+FFFD.",
                summary.replaced_characters,
            ) % {"count": summary.replaced_characters})
        if summary.withheld:
            self.stdout.write(ngettext(
                "Left out for consent (withdrawn, or never given): %(count)d participant, %(codes)s; "
                "--include-withdrawn includes them.",
                "Left out for consent (withdrawn, or never given): %(count)d participants, %(codes)s; "
                "--include-withdrawn includes them.",
                len(summary.withheld),
            ) % {"count": len(summary.withheld), "codes": ", ".join(summary.withheld)})
        self.stdout.write(_("Not in the file: %(items)s")
                          % {"items": " ".join(str(item) for item in summary.left_out)})

    def progress(self, stage, done, total):
        if done % 100 == 0:
            self.stderr.write(f"  {stage}: {done}", style_func=str)
