import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exchange.forms import ImportForm
from exchange.qdpx_export import ExportSummary, study_export
from exchange.qdpx_import import study_import
from exchange.qdpx_read import ExchangeError
from pasto_coop.roles import can_read


def _get_study_for_user_rw(request):
    """Export and import are for researchers and admins: the roles that may add transcripts.

    Reviewers may not export. A .qdpx is a complete copy of every transcript, excerpt and memo
    that leaves the app for good: the role checks, the audit log and consent withdrawal
    ("their quotes then leave every report") no longer reach it. A reviewer's work, reading
    reports, needs none of that; a researcher moving a project to another tool does, and an
    admin backing the study up does.
    """
    if not (can_read(request.user) and request.user.has_perm("interviews.add_transcript")):
        raise PermissionDenied


@login_required
def exchange(request):
    _get_study_for_user_rw(request)
    ctx = {"form": ImportForm(), "left_out": ExportSummary.left_out}
    return render(request, "exchange/exchange.html", ctx)


@login_required
def study_export_view(request):
    _get_study_for_user_rw(request)
    archive = tempfile.TemporaryFile()  # a large study is tens of MB: on disk, not in memory
    study_export(archive)
    archive.seek(0)
    name = f"pasto-coop-study-{timezone.localdate():%Y-%m-%d}.qdpx"
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")


@login_required
@require_POST
def study_import_view(request):
    _get_study_for_user_rw(request)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = study_import(upload, user=request.user, file_name=upload.name)
        except ExchangeError as exc:
            form.add_error("file", f"{exc} {_('Nothing was imported.')}")
        else:
            return render(request, "exchange/import_report.html", report.context())
    ctx = {"form": form, "left_out": ExportSummary.left_out}
    return render(request, "exchange/exchange.html", ctx, status=400)
