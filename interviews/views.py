"""The interviews app's pages, all within a study (/studies/<slug>/transcripts/...): importing
transcripts, downloading an original file, and the participants page with its records and CSV
exports. The transcript list and the text-correction pages need excerpts, so they live in coding
(coding/transcripts_views.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from interviews.access import get_participant_for_user_owner, get_source_for_user
from interviews.attributes import participant_profiles
from interviews.exports import participants_csv
from interviews.forms import ParticipantFilterForm, ParticipantForm, UploadFormSet
from interviews.importers import MB
from interviews.models import Participant
from interviews.services import duplicate_warning, participant_create, participant_update, transcript_import
from interviews.tasks import transcript_upload_job_start
from studies.access import get_membership, get_membership_manage, get_membership_owner, get_membership_rw


def _max_bytes():
    return settings.MAX_UPLOAD_MB * MB


def _check_rows(formset):
    """Split the filled rows: (good forms, refused messages, the refused rows' details)."""
    good, refused, retry = [], [], []
    for form in formset.forms:
        if not form.has_changed():
            continue
        if form.is_valid():
            good.append(form)
            continue
        refused.extend(_named(form, message) for errors in form.errors.values() for message in errors)
        retry.append(_row_details(form))
    return good, refused, retry


def _row_details(form):
    return {k: v for k, v in form.data.items() if k.startswith(form.prefix + "-")}


def _import_rows(good, study, user):
    """Save each good row in its own transaction; return (saved, refused messages, the refused
    rows' details to offer again). A new participant code used by several rows is created once."""
    saved, refused, retry, created = [], [], [], {}
    for form in good:
        data = form.cleaned_data
        new = data["new_participant"]
        participant = created.get(new["code"]) if new else data["participant"]
        try:
            transcript = transcript_import(
                study=study,
                parsed=data["parsed"], title=data["title"], user=user,
                participant=participant, new_participant=None if participant else new,
                interview_date=data["interview_date"], language=data["language"],
            )
        except ValidationError as exc:
            refused.extend(_named(form, message) for message in exc.messages)
            retry.append(_row_details(form))
        else:
            saved.append(transcript)
            if new:
                created[new["code"]] = transcript.participant
    return saved, refused, retry


def _import_or_queue(good, study, user):
    """Import the good rows here, or, when they are more than a request should take
    (settings.JOBS_INLINE_LIMITS), queue them as one background job: (saved, refused, retry, job)."""
    limits = settings.JOBS_INLINE_LIMITS
    size = sum(len(form.cleaned_data["parsed"].data) for form in good)
    if good and (len(good) > limits["upload_files"] or size > limits["upload_bytes"]):
        job, _created = transcript_upload_job_start(study=study, user=user,
                                                    rows=[form.cleaned_data for form in good])
        return [], [], [], job
    return (*_import_rows(good, study, user), None)


def _named(form, message):
    label = form.label()
    return message if message.startswith(f"{label}: ") else f"{label}: {message}"


def _retry_formset(retry, form_kwargs):
    """A fresh formset holding the refused rows' details (files cannot be offered again)."""
    initial = []
    for row in retry:
        fields = {key.split("-", 2)[2]: value for key, value in row.items()}
        fields.pop("file", None)
        initial.append(fields)
    formset = UploadFormSet(initial=initial, form_kwargs=form_kwargs)
    formset.extra = 0  # only the refused rows; "Add a row" adds more
    return formset


@login_required
@require_http_methods(["GET", "POST"])
def transcript_upload(request, study):
    """Upload page: files or pasted text, each row to one of the study's participants. Good rows
    are saved and bad ones reported by name; nothing half-imported remains. Many or large files
    go to a background job (interviews/tasks.py) once checked here. Researchers choose existing
    participants; owners may also create them here."""
    membership = get_membership_rw(request, study)
    form_kwargs = {
        "study": membership.study,
        "max_bytes": _max_bytes(),
        "can_add_participant": membership.can_manage,
    }
    ctx = {"max_upload_mb": settings.MAX_UPLOAD_MB, "saved": [], "refused": []}
    if request.method != "POST":
        ctx["formset"] = UploadFormSet(form_kwargs=form_kwargs)
        return render(request, "interviews/transcript_upload.html", ctx)
    formset = UploadFormSet(request.POST, request.FILES, form_kwargs=form_kwargs)
    good, refused, retry = _check_rows(formset)
    saved, refused_here, retry_here, job = _import_or_queue(good, membership.study, request.user)
    refused = [*formset.non_form_errors(), *refused, *refused_here]
    if not saved and not refused and job is None:
        refused = [_("Choose at least one file, or paste a transcript’s text.")]
    if not refused:
        return _uploaded(request, membership.study, saved, job)
    ctx.update(saved=saved, refused=refused, job=job, formset=_retry_formset(retry + retry_here, form_kwargs))
    return render(request, "interviews/transcript_upload.html", ctx, status=400)


def _uploaded(request, study, saved, job):
    if job is not None:
        return redirect(job.get_absolute_url())
    messages.success(request, ngettext(
        "Imported %(count)d transcript.", "Imported %(count)d transcripts.", len(saved)
    ) % {"count": len(saved)})
    for warning in filter(None, map(duplicate_warning, saved)):
        messages.warning(request, warning)
    return redirect(study)


@login_required
def transcript_source_download(request, study, pk):
    source = get_source_for_user(request, study, pk)
    response = HttpResponse(bytes(source.data), content_type=source.content_type)
    response["Content-Disposition"] = content_disposition_header(True, source.name)
    return response


# ----- participant records -----

@login_required
def participant_list(request, study):
    """Participants page: every member sees pseudonyms, attributes and consent; only owners see
    (and may search) names and contacts, and only owners add or edit records."""
    membership = get_membership(request, study)
    identifying = membership.can_see_identifying_fields
    form = ParticipantFilterForm(request.GET, study=membership.study, identifying=identifying)
    participants = list(Participant.objects.for_participant_list(
        membership.study, identifying=identifying, **form.filters()))
    profiles = participant_profiles(membership.study, identifying=identifying)
    for participant in participants:
        participant.attribute_cells = profiles.row(participant.pk)
    ctx = {"form": form, "participants": participants, "identifying": identifying,
           "attributes": profiles.attributes, "query": request.GET.urlencode()}
    return render(request, "interviews/participant_list.html", ctx)


def _participant_fields(form):
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    return {**fields, "attribute_values": form.cleaned_data["attribute_values"]}


@login_required
@require_http_methods(["GET", "POST"])
def participant_create_view(request, study):
    membership = get_membership_manage(request, study)
    form = ParticipantForm(request.POST if request.method == "POST" else None, study=membership.study)
    if request.method == "POST" and form.is_valid():
        try:
            participant = participant_create(study=membership.study, **_participant_fields(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Participant %(code)s added.") % {"code": participant.code})
            return redirect("interviews:participant-list", membership.study.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "interviews/participant_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def participant_update_view(request, study, pk):
    participant = get_participant_for_user_owner(request, study, pk)
    form = ParticipantForm(request.POST if request.method == "POST" else None, instance=participant,
                           study=participant.study)
    if request.method == "POST" and form.is_valid():
        try:
            participant_update(participant=participant, **_participant_fields(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Participant %(code)s saved.") % {"code": participant.code})
            return redirect("interviews:participant-list", study)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "participant": participant}
    return render(request, "interviews/participant_form.html", ctx, status=status)


@login_required
def participant_export(request, study):
    """The participants page's list (its filters applied) as CSV: pseudonyms, attributes and
    consent, never names or contacts, whoever asks."""
    membership = get_membership(request, study)
    form = ParticipantFilterForm(request.GET, study=membership.study, identifying=False)
    return participants_csv(membership.study, Participant.objects.for_participant_list(
        membership.study, identifying=False, **form.filters()), identifying=False)


@login_required
def participant_export_identifying(request, study):
    """As participant_export, with names and contacts: the study's owners only."""
    membership = get_membership_owner(request, study)
    form = ParticipantFilterForm(request.GET, study=membership.study, identifying=True)
    return participants_csv(membership.study, Participant.objects.for_participant_list(
        membership.study, identifying=True, **form.filters()), identifying=True)
