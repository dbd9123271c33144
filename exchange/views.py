import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exchange.access import get_study_for_export, require_study_creator
from exchange.forms import ImportForm
from exchange.qdpx_export import ExportSummary, study_export, withheld_participants
from exchange.qdpx_import import study_import
from exchange.qdpx_read import ExchangeError
from exchange.tasks import study_export_job_start, study_import_job_start
from studies.signals import study_event


@login_required
def exchange(request, study):
    """A study's exchange page: what its .qdpx holds and leaves out (by name, the participants
    withheld for consent), and the download."""
    study = get_study_for_export(request, study)
    ctx = {"left_out": ExportSummary.left_out, "withheld": withheld_participants(study)}
    return render(request, "exchange/exchange.html", ctx)


@login_required
def study_export_view(request, study):
    """The .qdpx download. `?include_withdrawn=1`: owners only, and logged in the history."""
    study = get_study_for_export(request, study)
    include_withdrawn = request.GET.get("include_withdrawn") == "1"
    if include_withdrawn and not request.membership.is_owner:
        raise PermissionDenied
    archive = tempfile.TemporaryFile()  # a large study is tens of MB: on disk, not in memory
    summary = study_export(archive, study=study, include_withdrawn=include_withdrawn,
                           membership=request.membership)
    if include_withdrawn:
        withheld = withheld_participants(study)
        study_event.send(sender=study_export_view, study=study, user=request.user,
                         event="qdpx_export_with_withdrawn",
                         data={"participants": withheld, "transcripts": summary.counts["transcripts"]})
    archive.seek(0)
    name = f"{study.slug}-{timezone.localdate():%Y-%m-%d}.qdpx"
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")


@login_required
@require_POST
def study_export_job_view(request, study):
    """The export as a background job, for a study too large to write within a request."""
    study = get_study_for_export(request, study)
    job, _created = study_export_job_start(study=study, user=request.user)
    return redirect(job.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def study_import_page(request):
    """Site level: a REFI-QDA file becomes a new study, owned by whoever imports it."""
    require_study_creator(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.JOBS_INLINE_LIMITS["qdpx_import_bytes"]:
            # A large file is a background job with a progress bar, not a long request.
            job, _created = study_import_job_start(upload=upload, user=request.user,
                                                   name=form.cleaned_data["name"])
            return redirect(job.get_absolute_url())
        try:
            report = study_import(upload, owner=request.user, name=form.cleaned_data["name"],
                                  file_name=upload.name)
        except ExchangeError as exc:
            form.add_error("file", f"{exc} {_('Nothing was imported.')}")
        else:
            return render(request, "exchange/import_report.html", report.context())
    status = 400 if request.method == "POST" else 200
    return render(request, "exchange/study_import.html", {"form": form}, status=status)
