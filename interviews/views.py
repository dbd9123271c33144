from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coding.access import get_excerpt_for_user_rw
from coding.models import Theme, theme_tree
from interviews.forms import AnonymiseForm, ReviewAcceptForm, TranscriptTextForm, UploadFormSet
from interviews.importers import MB
from interviews.models import Participant, Transcript, TranscriptSource
from interviews.services import (
    TranscriptConflict,
    anonymise_preview,
    excerpt_review_accept,
    transcript_anonymise,
    transcript_import,
    transcript_text_update,
)
from pasto_coop.roles import (
    ROLE_DESCRIPTIONS,
    can_code,
    can_read,
    can_see_identifying_fields,
    role_names,
)


@login_required
def home(request):
    """The study at a glance. A user with no role sees only what to ask an admin for."""
    roles = role_names(request.user)
    ctx = {
        "roles": [(role, ROLE_DESCRIPTIONS[role]) for role in roles],
        "can_read": can_read(request.user),
        "can_code": can_code(request.user),
    }
    if ctx["can_read"]:
        ctx["participants"] = Participant.objects.for_home()
        ctx["transcripts"] = Transcript.objects.select_related("participant").defer("text")
        ctx["themes"] = theme_tree(Theme.objects.for_home())
    return render(request, "interviews/home.html", ctx)


@login_required
def transcript_list(request):
    if not can_read(request.user):
        raise PermissionDenied
    ctx = {"transcripts": Transcript.objects.for_transcript_list()}
    return render(request, "interviews/transcript_list.html", ctx)


# ----- import, corrections, anonymisation (issue 4) -----

def _max_bytes():
    return settings.MAX_UPLOAD_MB * MB


def _require_import(request):
    if not request.user.has_perm("interviews.add_transcript"):
        raise PermissionDenied


def _get_transcript_for_user(request, pk, queryset=None):
    if not can_read(request.user):
        raise PermissionDenied
    return get_object_or_404(queryset if queryset is not None else Transcript.objects, pk=pk)


def _get_transcript_for_user_rw(request, pk):
    if not request.user.has_perm("interviews.change_transcript"):
        raise PermissionDenied
    return get_object_or_404(Transcript, pk=pk)


def _get_source_for_user(request, pk):
    """The original file may hold names removed since: admins only."""
    if not can_see_identifying_fields(request.user):
        raise PermissionDenied
    return get_object_or_404(TranscriptSource, transcript_id=pk)


def _import_rows(formset, user):
    """Save each good row in its own transaction; return (saved, refused messages, the refused
    rows' details to offer again). A new participant code used by several rows is created once."""
    saved, refused, retry, created = [], [], [], {}
    for form in formset.forms:
        if not form.has_changed():
            continue
        if form.is_valid():
            data = form.cleaned_data
            new = data["new_participant"]
            participant = created.get(new["code"]) if new else data["participant"]
            try:
                transcript = transcript_import(
                    parsed=data["parsed"], title=data["title"], user=user,
                    participant=participant, new_participant=None if participant else new,
                    interview_date=data["interview_date"], language=data["language"],
                )
            except ValidationError as exc:
                refused.extend(_named(form, message) for message in exc.messages)
            else:
                saved.append(transcript)
                if new:
                    created[new["code"]] = transcript.participant
                continue
        else:
            refused.extend(
                _named(form, message) for errors in form.errors.values() for message in errors
            )
        retry.append({k: v for k, v in form.data.items() if k.startswith(form.prefix + "-")})
    return saved, refused, retry


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
def transcript_upload(request):
    """Upload page: files or pasted text, each row to a participant. Good rows are saved and
    bad ones reported by name; nothing half-imported remains."""
    _require_import(request)
    form_kwargs = {
        "max_bytes": _max_bytes(),
        "can_add_participant": request.user.has_perm("interviews.add_participant"),
    }
    ctx = {"max_upload_mb": settings.MAX_UPLOAD_MB, "saved": [], "refused": []}
    if request.method != "POST":
        ctx["formset"] = UploadFormSet(form_kwargs=form_kwargs)
        return render(request, "interviews/transcript_upload.html", ctx)
    formset = UploadFormSet(request.POST, request.FILES, form_kwargs=form_kwargs)
    saved, refused, retry = _import_rows(formset, request.user)
    refused = [*formset.non_form_errors(), *refused]
    if not saved and not refused:
        refused = [_("Choose at least one file, or paste a transcript’s text.")]
    if not refused:
        messages.success(request, ngettext(
            "Imported %(count)d transcript.", "Imported %(count)d transcripts.", len(saved)
        ) % {"count": len(saved)})
        return redirect("interviews:transcript-list")
    ctx.update(saved=saved, refused=refused, formset=_retry_formset(retry, form_kwargs))
    return render(request, "interviews/transcript_upload.html", ctx, status=400)


@login_required
def transcript_review(request, pk):
    """Review page: the transcript's excerpts flagged after its text changed, old quote beside
    what their span covers now."""
    transcript = _get_transcript_for_user(request, pk, Transcript.objects.for_review_page())
    ctx = {
        "transcript": transcript,
        "rows": transcript.review_rows(),
        "can_edit_text": request.user.has_perm("interviews.change_transcript"),
        "can_accept": request.user.has_perm("coding.change_codedexcerpt"),
    }
    return render(request, "interviews/transcript_review.html", ctx)


@login_required
@require_POST
def excerpt_review_accept_view(request, pk):
    excerpt = get_excerpt_for_user_rw(request, pk)
    form = ReviewAcceptForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The form was incomplete; reload the page."), code="invalid")
        excerpt_review_accept(excerpt=excerpt, version=form.cleaned_data["version"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("interviews:transcript-review", excerpt.transcript_id)
    messages.success(request, _("The excerpt now quotes the corrected text."))
    return redirect("interviews:transcript-review", excerpt.transcript_id)


@login_required
def transcript_text_edit(request, pk):
    """Correct a transcript's text. Every excerpt is re-anchored; every version is kept."""
    transcript = _get_transcript_for_user_rw(request, pk)
    form = TranscriptTextForm(request.POST if request.method == "POST" else None, max_bytes=_max_bytes(),
                              initial={"text": transcript.text, "base_version": transcript.text_version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                summary = transcript_text_update(
                    transcript=transcript, text=form.cleaned_data["text"], user=request.user,
                    base_version=form.cleaned_data["base_version"],
                )
            except TranscriptConflict as conflict:
                status = 409
                form.add_error(None, _(
                    "Someone saved version %(version)s of this text after you opened it. Your text "
                    "is below, unsaved: copy your changes, reload the page and apply them again."
                ) % {"version": conflict.current.text_version})
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _text_change_message(summary) if summary.text_changed
                                 else _("The text is unchanged: nothing was saved."))
                return redirect("interviews:transcript-review", transcript.pk)
    ctx = {"transcript": transcript, "form": form, "versions": transcript.versions.for_history()}
    return render(request, "interviews/transcript_text_edit.html", ctx, status=status)


def _text_change_message(summary):
    return _(
        "Saved as version %(version)s. Excerpts: %(moved)s moved with the text, %(changed)s "
        "flagged because their words changed, %(deleted)s flagged because their words were "
        "deleted, %(cleared)s no longer flagged."
    ) % {"version": summary.version, "moved": summary.moved, "changed": summary.changed,
         "deleted": summary.deleted, "cleared": summary.cleared}


def _anonymise(request, transcripts, *, scope, done_url):
    """Both anonymise pages: the form, then a preview of where the name occurs, then the change."""
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    ctx = {"form": form, "scope": scope, "preview": None}
    if request.method != "POST":
        return render(request, "interviews/transcript_anonymise.html", ctx)
    if not form.is_valid():
        return render(request, "interviews/transcript_anonymise.html", ctx, status=400)
    data = form.cleaned_data
    flags = {"whole_words": data["whole_words"], "match_case": data["match_case"]}
    if request.POST.get("confirm") != "on":  # the preview's button sends it; the form never does
        ctx["preview"] = anonymise_preview(transcripts, data["name"], **flags)
        return render(request, "interviews/transcript_anonymise.html", ctx)
    try:
        results = transcript_anonymise(transcripts=transcripts, name=data["name"],
                                       pseudonym=data["pseudonym"], user=request.user, **flags)
    except (ValidationError, TranscriptConflict):
        form.add_error(None, _("A transcript changed while anonymising; nothing was changed. "
                               "Try again."))
        return render(request, "interviews/transcript_anonymise.html", ctx, status=409)
    count = sum(n for _t, n, _s in results)
    messages.success(request, ngettext(
        "Replaced the name %(count)d time in %(transcripts)d transcript.",
        "Replaced the name %(count)d times in %(transcripts)d transcripts.", count,
    ) % {"count": count, "transcripts": len(results)})
    return redirect(done_url)


@login_required
def transcript_anonymise_view(request, pk):
    transcript = _get_transcript_for_user_rw(request, pk)
    return _anonymise(request, [transcript], scope=transcript,
                      done_url=reverse("interviews:transcript-review", args=[pk]))


@login_required
def transcripts_anonymise_view(request):
    if not request.user.has_perm("interviews.change_transcript"):
        raise PermissionDenied
    return _anonymise(request, list(Transcript.objects.for_anonymise_page()), scope=None,
                      done_url=reverse("interviews:transcript-list"))


@login_required
def transcript_source_download(request, pk):
    source = _get_source_for_user(request, pk)
    response = HttpResponse(bytes(source.data), content_type=source.content_type)
    response["Content-Disposition"] = content_disposition_header(True, source.name)
    return response
