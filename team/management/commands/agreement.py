import csv
import json
from contextlib import nullcontext

from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studies.cli import TranslatedCommand
from studies.models import Study
from team.forms import AgreementForm
from team.reads import agreement_report, methods_paragraph, table


def _names(value):
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Inter-coder agreement of a study's coders, per theme and overall: percent agreement and "
        "Cohen's κ (two coders), Krippendorff's α (nominal), segment agreement; characters as units."
    )

    def add_arguments(self, parser):
        parser.add_argument("study", help=gettext_lazy("The study's short name (slug)."))
        parser.add_argument("--coders", required=True,
                            help=gettext_lazy("Usernames, comma-separated: A,B[,C…]."))
        parser.add_argument("--transcripts", default="",
                            help=gettext_lazy("Transcript ids, comma-separated (default: all)."))
        parser.add_argument("--themes", default="",
                            help=gettext_lazy("Theme ids or names, comma-separated "
                                              "(default: every theme used)."))
        parser.add_argument("--overlap", type=int, default=90,
                            help=gettext_lazy("Segment agreement: least overlap in percent (default 90)."))
        parser.add_argument("--format", choices=["json", "csv", "text"], default="text",
                            help=gettext_lazy("json and csv keep English column names, for scripts; text "
                                              "follows the language (default text)."))

    def handle(self, *args, study, coders, transcripts, themes, overlap, format, **options):
        found = Study.objects.live().filter(slug=study).first()
        if found is None:
            raise CommandError(_("No study %(slug)s.") % {"slug": study})
        form = AgreementForm(study=found)
        users = {u.get_username(): u for u in form.fields["coders"].queryset}
        unknown = [name for name in _names(coders) if name not in users]
        if unknown:
            raise CommandError(_("Not a coder of %(slug)s: %(names)s.")
                               % {"slug": study, "names": ", ".join(unknown)})
        theme_ids = []
        by_name = {}
        for theme in form.fields["themes"].queryset:
            by_name.setdefault(theme.name, []).append(theme.pk)
        for name in _names(themes):
            ids = [int(name)] if name.isdecimal() else by_name.get(name, [])
            if len(ids) != 1:
                raise CommandError(_("No single theme %(name)s in %(slug)s; give its id.")
                                   % {"name": repr(name), "slug": study})
            theme_ids += ids
        data = {"coders": [users[n].pk for n in _names(coders)], "transcripts": _names(transcripts),
                "themes": theme_ids, "overlap": overlap}
        form = AgreementForm(data, study=found)
        if not form.is_valid():
            raise CommandError(form.errors.as_text())
        report = agreement_report(found, **form.cleaned_data)
        # Scripts read the CSV columns and JSON keys by name: those stay English in every language.
        with translation.override("en") if format in ("csv", "json") else nullcontext():
            rows = table(report)
        if format == "csv":
            csv.writer(self.stdout).writerows(rows)
        elif format == "json":
            header = rows[0]
            self.stdout.write(json.dumps({
                "study": found.slug, "coders": [c.get_username() for c in report.coders],
                "transcripts": report.transcripts, "characters": report.characters, "overlap": report.overlap,
                "rows": [dict(zip(header, row, strict=True)) for row in rows[1:]],
                "methods": methods_paragraph(report),
            }, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                self.stdout.write("\t".join("—" if v is None else str(v) for v in row))
            self.stdout.write("")
            self.stdout.write(methods_paragraph(report))
