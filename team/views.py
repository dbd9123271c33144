"""Team coding pages: assignments and progress, and inter-coder agreement with its exports.

Every member reads the progress and agreement pages; owners assign transcripts and remove
assignments; only an assignment's coder sets its status (team/access.py)."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from studies.access import get_membership, get_membership_manage
from team.access import get_assignment_for_coder, get_assignment_for_owner
from team.forms import AgreementForm, AssignmentForm, StatusForm
from team.reads import agreement_report, methods_paragraph, progress_rows, table
from team.services import assignments_create

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"  # so that spreadsheet programs read the CSV as UTF-8
# A cell a spreadsheet would run as a formula (a theme or user named "=HYPERLINK(…)") is written
# as text: in CSV behind an apostrophe, in XLSX as a string cell (as reports/exports.py does).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formula(value):
    return isinstance(value, str) and value.startswith(FORMULA_START)


@login_required
def progress(request, study):
    """Who codes which transcript: status, excerpt count and share of text coded per coder and
    transcript; owners assign here, coders set their status."""
    membership = get_membership(request, study)
    form = AssignmentForm(study=membership.study) if membership.can_manage else None
    return _progress_page(request, membership, form)


def _progress_page(request, membership, form, status=200):
    ctx = {"assignments": progress_rows(membership.study), "form": form,
           "statuses": StatusForm.base_fields["status"].choices}
    return render(request, "team/progress.html", ctx, status=status)


@login_required
@require_POST
def assignment_create_view(request, study):
    membership = get_membership_manage(request, study)
    form = AssignmentForm(request.POST, study=membership.study)
    if form.is_valid():
        try:
            created = assignments_create(study=membership.study, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, ngettext("%(n)s assignment made.", "%(n)s assignments made.",
                                               len(created)) % {"n": len(created)})
            return redirect("team:progress", study)
    return _progress_page(request, membership, form, status=400)


@login_required
@require_POST
def assignment_status_view(request, study, pk):
    assignment = get_assignment_for_coder(request, study, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose to do, in progress or done."), status=400,
                            content_type="text/plain; charset=utf-8")
    assignment.status = form.cleaned_data["status"]
    assignment.save(update_fields=["status", "updated_at"])
    messages.success(request, _("Status saved."))
    return redirect("team:progress", study)


@login_required
@require_POST
def assignment_delete_view(request, study, pk):
    get_assignment_for_owner(request, study, pk).delete()
    messages.success(request, _("Assignment removed."))
    return redirect("team:progress", study)


def _agreement_for(request, study):
    """(form, report or None): the report when coders were asked for and the form is valid."""
    membership = get_membership(request, study)
    asked = "coders" in request.GET
    data = request.GET.copy()
    data.setdefault("overlap", "90")
    form = AgreementForm(data if asked else None, study=membership.study)
    if not asked or not form.is_valid():
        return form, None
    return form, agreement_report(membership.study, **form.cleaned_data)


@login_required
def agreement(request, study):
    """Inter-coder agreement per theme and overall, with a methods paragraph."""
    form, report = _agreement_for(request, study)
    ctx = {"form": form, "report": report, "query": request.GET.urlencode(),
           "paragraph": methods_paragraph(report) if report else ""}
    return render(request, "team/agreement.html", ctx, status=400 if form.is_bound and not report else 200)


def _export(request, study, build, content_type, extension):
    form, report = _agreement_for(request, study)
    if report is None:
        errors = form.errors.as_text() if form.is_bound else _("Choose at least two coders.")
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(build(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="agreement-{study}.{extension}"'
    return response


def agreement_csv_bytes(report):
    out = io.StringIO()
    out.write(BOM)
    csv.writer(out).writerows([["'" + v if _formula(v) else v for v in row] for row in table(report)])
    return out.getvalue().encode("utf-8")


def agreement_xlsx_bytes(report):
    book = Workbook()
    sheet = book.active
    sheet.title = _("Agreement")[:31]
    for row in table(report):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if _formula(cell.value):
                cell.data_type = "s"  # openpyxl takes a leading = for a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([])
    sheet.append([methods_paragraph(report)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
def agreement_csv(request, study):
    return _export(request, study, agreement_csv_bytes, "text/csv; charset=utf-8", "csv")


@login_required
def agreement_xlsx(request, study):
    return _export(request, study, agreement_xlsx_bytes, XLSX, "xlsx")
