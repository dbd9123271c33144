"""Team coding pages: assignments and progress, and inter-coder agreement with its exports.

Every member reads the progress, agreement and comparison pages; owners assign transcripts,
remove assignments and settle disagreements into the consensus layer (and undo a decision);
only an assignment's coder sets its status (team/access.py)."""

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from coding.models import transcript_blind_for
from interviews.access import get_transcript_for_user
from interviews.models import Transcript
from jobs.access import get_job_for_user
from studies.access import get_membership, get_membership_manage
from studies.spreadsheet import csv_row, xlsx_append
from team.access import get_adjudication_for_owner, get_assignment_for_coder, get_assignment_for_owner
from team.forms import AdjudicationForm, AgreementForm, AssignmentForm, BlindForm, CompareForm, StatusForm
from team.reads import agreement_report, comparison, methods_paragraph, progress_rows, table
from team.services import (
    adjudication_create,
    adjudication_undo,
    assignments_create,
    study_blind_set,
    study_layers_reveal,
)
from team.tasks import agreement_job_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"  # so that spreadsheet programs read the CSV as UTF-8


@login_required
def progress(request, study):
    """Who codes which transcript: status, excerpt count and share of text coded per coder and
    transcript; owners assign here, coders set their status."""
    membership = get_membership(request, study)
    form = AssignmentForm(study=membership.study) if membership.can_manage else None
    return _progress_page(request, membership, form)


def _progress_page(request, membership, form, status=200, blind_form=None):
    if blind_form is None and membership.can_manage:
        blind_form = BlindForm(study=membership.study)
    ctx = {"assignments": progress_rows(membership), "form": form, "blind_form": blind_form,
           "statuses": StatusForm.base_fields["status"].choices}
    return render(request, "team/progress.html", ctx, status=status)


@login_required
@require_POST
def blind_set_view(request, study):
    """Owners: blind coding on (the whole study or the transcripts chosen) or off."""
    membership = get_membership_manage(request, study)
    form = BlindForm(request.POST, study=membership.study)
    if form.is_valid():
        try:
            study_blind_set(study=membership.study, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Blind coding saved."))
            return redirect("team:progress", study)
    return _progress_page(request, membership, None, status=400, blind_form=form)


@login_required
@require_POST
def layers_reveal_view(request, study):
    """Owners: end the blind round; every member sees every layer again (logged)."""
    membership = get_membership_manage(request, study)
    try:
        study_layers_reveal(study=membership.study, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("team:progress", study)
    messages.success(request, _("Layers revealed: every member now sees every coder's excerpts."))
    return redirect("team:progress", study)


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


def _agreement_membership(request, study):
    """The member's membership; 403 while blind coding hides other coders' figures from them."""
    membership = get_membership(request, study)
    if not membership.sees_every_layer:  # blind coding: other coders' figures wait for the reveal
        raise PermissionDenied
    return membership


def _agreement_form(request, study, data):
    membership = _agreement_membership(request, study)
    data = data.copy()
    data.setdefault("overlap", "90")
    return membership, AgreementForm(data, study=membership.study)


def _agreement_for(request, study, compute=True):
    """(form, report or None): the report when coders were asked for, the form is valid and
    `compute` (not when the page only offers to compute it in the background)."""
    if "coders" not in request.GET:
        return AgreementForm(study=_agreement_membership(request, study).study), None
    membership, form = _agreement_form(request, study, request.GET)
    if not form.is_valid() or not compute:
        return form, None
    return form, agreement_report(membership.study, **form.cleaned_data)


def _agreement_job(request, study):
    """A member's finished agreement job (?job=<id>); 404 for another kind of job or study."""
    _agreement_membership(request, study)
    job = get_job_for_user(request, study, request.GET["job"] if request.GET["job"].isdigit() else 0)
    if job.kind != "agreement":
        raise Http404
    return job


@login_required
def agreement(request, study):
    """Inter-coder agreement per theme and overall, with a methods paragraph; or, with ?job=<id>,
    what an agreement job computed; with background=1, the offer to compute it as a job."""
    if "job" in request.GET:
        job = _agreement_job(request, study)
        if job.status != "succeeded":
            return redirect(job.get_absolute_url())
        return render(request, "team/agreement.html", {"form": AgreementForm(study=job.study), "job": job,
                                                        "query": f"job={job.pk}", "computed": job.result,
                                                        "paragraph": job.result["paragraph"]})
    background = request.GET.get("background") == "1"
    form, report = _agreement_for(request, study, compute=not background)
    ctx = {"form": form, "report": report, "computed": report, "query": request.GET.urlencode(),
           "paragraph": methods_paragraph(report) if report else "",
           "background": background and form.is_bound and form.is_valid()}
    ok = report or ctx["background"]
    return render(request, "team/agreement.html", ctx, status=400 if form.is_bound and not ok else 200)


@login_required
@require_POST
def agreement_job_view(request, study):
    """Compute agreement (a whole study's, say) in the background; its page links to the result."""
    membership, form = _agreement_form(request, study, request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    job, _created = agreement_job_start(study=membership.study, user=request.user, **form.cleaned_data)
    return redirect(job.get_absolute_url())


def _export(request, study, build, content_type, extension):
    if "job" in request.GET:
        job = _agreement_job(request, study)
        if job.status != "succeeded":
            raise Http404
        rows, paragraph = job.result["table"], job.result["paragraph"]
    else:
        form, report = _agreement_for(request, study)
        if report is None:
            errors = form.errors.as_text() if form.is_bound else _("Choose at least two coders.")
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        rows, paragraph = table(report), methods_paragraph(report)
    response = HttpResponse(build(rows, paragraph), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="agreement-{study}.{extension}"'
    return response


def agreement_csv_bytes(rows, paragraph=""):
    """The table (team.reads.table, or a job's copy of it) as CSV."""
    out = io.StringIO()
    out.write(BOM)
    # a theme or user named "=HYPERLINK(…)" is written as text (studies.spreadsheet)
    csv.writer(out).writerows(csv_row(row) for row in rows)
    return out.getvalue().encode("utf-8")


def agreement_xlsx_bytes(rows, paragraph):
    """The table and the methods paragraph under it, as XLSX."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Agreement")[:31]
    for row in rows:
        xlsx_append(sheet, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([])
    xlsx_append(sheet, [paragraph])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
def agreement_csv(request, study):
    return _export(request, study, agreement_csv_bytes, "text/csv; charset=utf-8", "csv")


@login_required
def agreement_xlsx(request, study):
    return _export(request, study, agreement_xlsx_bytes, XLSX, "xlsx")


# ----- Comparison and adjudication -----


def _compare_page(request, study, pk, adjudication_form=None, status=200):
    transcript = get_transcript_for_user(request, study, pk, Transcript.objects.select_related("participant"))
    membership = request.membership
    if transcript_blind_for(membership, transcript):  # blind coding: no other coder's stripe
        raise PermissionDenied
    data = request.GET
    if "coders" not in data:  # first visit: everyone who coded this transcript
        data = {"coders": [c.pk for c in CompareForm(study=membership.study).fields["coders"].queryset
                           .filter(coded_excerpts__transcript=transcript).distinct()]}
    form = CompareForm(data, study=membership.study)
    result = comparison(transcript, form.cleaned_data["coders"]) if form.is_valid() else None
    ctx = {"transcript": transcript, "form": form, "result": result, "adjudication_form": adjudication_form,
           "query": urlencode({"coders": [c.pk for c in result.coders]}, doseq=True)
           if result else ""}
    if result is None and "coders" in request.GET:
        status = 400
    return render(request, "team/compare.html", ctx, status=status)


@login_required
def compare(request, study, pk):
    """One transcript's coders side by side: a stripe per coder and the consensus layer, and
    every disagreement with a link to its place and (for owners) its adjudication."""
    return _compare_page(request, study, pk)


@login_required
@require_POST
def adjudicate(request, study, pk):
    membership = get_membership_manage(request, study)
    transcript = get_transcript_for_user(request, study, pk)
    form = AdjudicationForm(request.POST, study=membership.study)
    if form.is_valid():
        try:
            adjudication_create(transcript=transcript, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Decision saved in the consensus layer."))
            return redirect(_compare_url(study, pk, form.cleaned_data["coders"]))
    for error in form.errors.values():
        for message in error:
            messages.error(request, message)
    return _compare_page(request, study, pk, adjudication_form=form, status=400)


def _compare_url(study, pk, coders):
    return reverse("team:compare", args=[study, pk]) + "?" + urlencode({"coders": [c.pk for c in coders]},
                                                                         doseq=True)


@login_required
@require_POST
def adjudication_undo_view(request, study, pk):
    adjudication = get_adjudication_for_owner(request, study, pk)
    try:
        adjudication_undo(adjudication=adjudication, user=request.user)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=409, content_type="text/plain; charset=utf-8")
    messages.success(request, _("Decision undone: its excerpts left the consensus layer."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("team:compare", args=[study, adjudication.transcript_id])
    return redirect(next_url)
