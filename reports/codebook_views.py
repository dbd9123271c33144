"""The codebook report: every theme of the study with its definition, criteria, counts and
quotes, on screen and as DOCX. Every member of the study reads it (studies.access.get_membership);
quotes follow reports.queries' consent rules.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from coding.models import ALL_CODERS, seen_layer
from reports import exports
from reports.cards import quote_blocks
from reports.layers import layer_label
from reports.queries import ThemeTree, codebook_quotes, left_out, overview_for, quote_rows
from studies.access import get_membership


class CodebookReportForm(forms.Form):
    quotes = forms.ChoiceField(required=False, choices=[
        ("some", _("a few per theme")), ("all", _("every quote")), ("none", _("none"))])

    def clean_quotes(self):
        return self.cleaned_data["quotes"] or "some"


def _codebook_report(request, slug):
    """Every theme of the study in codebook order, each with its definition, criteria, counts
    (the overview's: excerpts with its sub-themes, each once, and participants, consent
    applied) and its quotes (coded directly with it), and the report header."""
    membership = get_membership(request, slug)
    study, layer = membership.study, seen_layer(membership, ALL_CODERS)  # blind coding: own layer
    form = CodebookReportForm(request.GET)
    if not form.is_valid():
        return study, form, None
    choice = form.cleaned_data["quotes"]
    overview = overview_for(study, layer)  # the overview page's default layer
    tree = ThemeTree(study)
    quotes = {}
    if choice != "none":
        for row in quote_rows(study, codebook_quotes(study, tree, every=choice == "all", layer=layer),
                              tree=tree):
            quotes.setdefault(row.group_theme, []).append(row)
    header = {"study": study.name, "date": timezone.now(), "user": request.user.get_username(),
              "filters": str(dict(form.fields["quotes"].choices)[choice]),
              "coders": layer_label(ALL_CODERS), "left_out": left_out(study).sentence()}
    sections = [{"theme": row.theme, "depth": row.depth, "path": tree.ancestors(row.theme.pk),
                 "counts": row.total, "quotes": quotes.get(row.theme.pk, [])} for row in overview]
    return study, form, {"header": header, "sections": sections, "choice": choice}


@login_required
def codebook_report(request, study):
    study, form, report = _codebook_report(request, study)
    if report is None:
        return render(request, "reports/codebook_report.html", {"form": form}, status=400)
    for section in report["sections"]:
        section["html"] = mark_safe("".join(quote_blocks(study, section["quotes"])))  # noqa: S308
    return render(request, "reports/codebook_report.html", {"form": form, **report})


@login_required
def codebook_report_docx(request, study):
    study, form, report = _codebook_report(request, study)
    if report is None:
        return HttpResponse(str(form.errors.as_text()), status=400, content_type="text/plain; charset=utf-8")
    meta = exports.Meta(title=study.name, author=request.user.get_username(), created=timezone.now(),
                        header=report["header"])
    response = HttpResponse(exports.codebook_report_docx(report["sections"], meta), content_type=exports.DOCX)
    response["Content-Disposition"] = f'attachment; filename="codebook-report-{study.slug}.docx"'
    return response
