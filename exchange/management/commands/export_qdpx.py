import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.qdpx_export import study_export, withheld_participants
from studies.models import Study
from studies.signals import study_event


class Command(BaseCommand):
    help = (
        "Write one study to a REFI-QDA project file (.qdpx): a backup that import_qdpx "
        "restores as a new study, and that ATLAS.ti, MAXQDA, NVivo and QualCoder can open."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the .qdpx file.")
        parser.add_argument("--study", required=True, help="The study's short name (slug).")
        parser.add_argument("--include-withdrawn", action="store_true",
                            help="Include participants without consent (withdrawn, or never given) "
                                 "with their transcripts; recorded in the study's history.")

    def handle(self, *args, path, study, **options):
        found = Study.objects.filter(slug=study).first()
        if found is None:
            raise CommandError(f"No study {study}.")
        target = Path(path)
        if not target.parent.is_dir():
            raise CommandError(f"No folder {target.parent} to write {target.name} into.")
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
        self.stdout.write(
            f"Wrote {target}: {counts['participants']} participants, {counts['transcripts']} "
            f"transcripts, {counts['themes']} themes, {counts['excerpts']} excerpts "
            f"({counts['codings']} codings), {counts['coders']} coders, {counts['memos']} memos."
        )
        if summary.replaced_characters:
            self.stdout.write(f"{summary.replaced_characters} characters XML cannot hold were "
                              "replaced by U+FFFD.")
        if summary.withheld:
            self.stdout.write(f"Left out for consent (withdrawn, or never given): {len(summary.withheld)} "
                              f"participant(s), {', '.join(summary.withheld)}; --include-withdrawn "
                              "includes them.")
        self.stdout.write("Not in the file: " + " ".join(str(item) for item in summary.left_out))

    def progress(self, stage, done, total):
        if done % 100 == 0:
            self.stderr.write(f"  {stage}: {done}", style_func=str)
