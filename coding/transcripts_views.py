"""The study's transcript pages that count or move excerpts: the transcript list (the study's
landing page), correcting a transcript's text, replacing a name with a pseudonym, and the review
of excerpts flagged after such a change. Importing and participant records are interviews'."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from coding.access import get_excerpt_for_user_rw
from coding.models import transcript_blind_for
from coding.transcript_reads import review_rows, transcript_for_review_page, transcripts_for_list
from coding.transcript_text import (
    TranscriptConflict,
    anonymise_preview,
    excerpt_review_accept,
    transcript_anonymise,
    transcript_text_update,
)
from interviews.access import get_transcript_for_user, get_transcript_for_user_rw
from interviews.forms import AnonymiseForm, ReviewAcceptForm, TranscriptTextForm
from interviews.importers import MB
from interviews.models import Transcript
from studies.access import get_membership, get_membership_rw

TEMPLATES = "coding/corrections/"


@login_required
def transcript_list(request, study):
    """The study's transcripts with participant codes, excerpt and theme counts and the share
    of each text that is coded."""
    membership = get_membership(request, study)
    ctx = {"transcripts": transcripts_for_list(membership)}
    return render(request, TEMPLATES + "transcript_list.html", ctx)


@login_required
def transcript_review(request, study, pk):
    """Review page: the transcript's excerpts flagged after its text changed, old quote beside
    what their span covers now."""
    transcript = get_transcript_for_user(request, study, pk, transcript_for_review_page())
    membership = request.membership
    if transcript_blind_for(membership, transcript):  # blind coding: the member's own excerpts only
        transcript.flagged = [e for e in transcript.flagged if e.coder_id == membership.user_id]
    ctx = {"transcript": transcript, "rows": review_rows(transcript)}
    return render(request, TEMPLATES + "transcript_review.html", ctx)


@login_required
@require_POST
def excerpt_review_accept_view(request, study, pk):
    excerpt = get_excerpt_for_user_rw(request, study, pk)
    review = reverse("transcripts:transcript-review", args=[study, excerpt.transcript_id])
    form = ReviewAcceptForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The form was incomplete; reload the page."), code="invalid")
        excerpt_review_accept(excerpt=excerpt, version=form.cleaned_data["version"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(review)
    messages.success(request, _("The excerpt now quotes the corrected text."))
    return redirect(review)


@login_required
@require_http_methods(["GET", "POST"])
def transcript_text_edit(request, study, pk):
    """Correct a transcript's text. Every excerpt is re-anchored; every version is kept."""
    transcript = get_transcript_for_user_rw(request, study, pk)
    form = TranscriptTextForm(request.POST if request.method == "POST" else None,
                              max_bytes=settings.MAX_UPLOAD_MB * MB,
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
                return redirect("transcripts:transcript-review", study, transcript.pk)
    ctx = {"transcript": transcript, "form": form, "versions": transcript.versions.for_history()}
    return render(request, TEMPLATES + "transcript_text_edit.html", ctx, status=status)


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
    template = TEMPLATES + "transcript_anonymise.html"
    if request.method != "POST":
        return render(request, template, ctx)
    if not form.is_valid():
        return render(request, template, ctx, status=400)
    data = form.cleaned_data
    flags = {"whole_words": data["whole_words"], "match_case": data["match_case"]}
    if request.POST.get("confirm") != "on":  # the preview's button sends it; the form never does
        ctx["preview"] = anonymise_preview(transcripts, data["name"], **flags)
        return render(request, template, ctx)
    try:
        results = transcript_anonymise(transcripts=transcripts, name=data["name"],
                                       pseudonym=data["pseudonym"], user=request.user, **flags)
    except (ValidationError, TranscriptConflict):
        form.add_error(None, _("A transcript changed while anonymising; nothing was changed. "
                               "Try again."))
        return render(request, template, ctx, status=409)
    count = sum(n for _t, n, _s in results)
    messages.success(request, ngettext(
        "Replaced the name %(count)d time in %(transcripts)d transcript.",
        "Replaced the name %(count)d times in %(transcripts)d transcripts.", count,
    ) % {"count": count, "transcripts": len(results)})
    return redirect(done_url)


@login_required
@require_http_methods(["GET", "POST"])
def transcript_anonymise_view(request, study, pk):
    transcript = get_transcript_for_user_rw(request, study, pk)
    return _anonymise(request, [transcript], scope=transcript,
                      done_url=reverse("transcripts:transcript-review", args=[study, pk]))


@login_required
@require_http_methods(["GET", "POST"])
def transcripts_anonymise_view(request, study):
    membership = get_membership_rw(request, study)
    transcripts = list(Transcript.objects.for_anonymise_page(membership.study))
    return _anonymise(request, transcripts, scope=None, done_url=membership.study.get_absolute_url())
