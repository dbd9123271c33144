from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from coding.access import get_deleted_excerpt_for_user_rw, get_excerpt_for_user_rw
from coding.forms import ExcerptForm, ThemeQuickForm
from coding.highlight import render_excerpt_list_html, render_transcript_html
from coding.models import CodedExcerpt, DeletedExcerpt, Theme
from coding.services import (
    ExcerptConflict,
    TextChanged,
    excerpt_create,
    excerpt_delete,
    excerpt_restore,
    excerpt_update,
    theme_create,
)
from interviews.access import get_transcript_for_user, get_transcript_for_user_rw
from interviews.text import codepoint_to_utf16, codepoint_to_utf16_converter
from studies.access import get_membership, get_membership_rw


def _page_url(study, transcript_id, pk=None):
    url = reverse("coding:transcript-coding", args=[study, transcript_id])
    return url + (f"#x{pk}" if pk else "")


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _excerpt_json(excerpt):
    text = excerpt.transcript.text
    return {
        "id": excerpt.pk,
        "start": excerpt.start,
        "end": excerpt.end,
        "start_utf16": codepoint_to_utf16(text, excerpt.start),
        "end_utf16": codepoint_to_utf16(text, excerpt.end),
        "quote": excerpt.quote,
        "themes": [t.pk for t in excerpt.themes.all()],
        "memo": excerpt.memo,
        "coder": excerpt.coder.get_username(),
        "version": excerpt.version,
    }


def _form_error_response(request, transcript, errors, status=400):
    if _wants_json(request):
        return JsonResponse({"errors": errors}, status=status)
    for messages_list in errors.values():
        for message in messages_list:
            messages.error(request, message)
    return redirect(_page_url(request.membership.study.slug, transcript.pk))


def _coder_layer(request, excerpts):
    """?coder=mine or ?coder=<user id> narrows the page to one coder's excerpts."""
    layer = request.GET.get("coder", "all")
    if layer == "mine":
        return layer, excerpts.filter(coder=request.user)
    if layer.isdigit():
        return layer, excerpts.filter(coder_id=int(layer))
    return "all", excerpts


@login_required
def transcript_coding(request, study, pk):
    transcript = get_transcript_for_user(request, study, pk)
    membership = get_membership(request, study)  # cached by the helper above: no query
    themes = list(Theme.objects.for_picker(membership.study))
    layer, shown = _coder_layer(request, CodedExcerpt.objects.filter(study=membership.study))
    excerpts = shown.for_coding_page(transcript, {t.pk: t for t in themes})
    coders = get_user_model().objects.filter(
        pk__in=CodedExcerpt.objects.filter(transcript=transcript).values("coder")
    ).order_by("username")
    to_utf16 = codepoint_to_utf16_converter(transcript.text)
    excerpt_data = {
        e["id"]: {
            "start_utf16": to_utf16(e["start"]),
            "end_utf16": to_utf16(e["end"]),
            "themes": [t.pk for t in e["themes"]],
            "coder": e["coder__username"],
            "memo": e["memo"],
            "version": e["version"],
        }
        for e in excerpts
    }
    user_can_code = membership.can_code
    undo = request.GET.get("undo", "")
    ctx = {
        "undo": DeletedExcerpt.objects.filter(pk=undo, transcript=transcript).first()
        if undo.isdigit() and user_can_code
        else None,
        "transcript": transcript,
        "excerpts": excerpts,
        "excerpt_data": excerpt_data,
        "length_utf16": to_utf16(len(transcript.text)),
        "text_html": render_transcript_html(transcript.text, excerpts, transcript.cue_labels()),
        "review_count": sum(1 for e in excerpts if e["needs_review"]),
        "excerpt_list_html": render_excerpt_list_html(excerpts, study=study, can_code=user_can_code),
        "coders": coders,
        "layer": layer,
        "can_code": user_can_code,
        "themes": themes if user_can_code else [],
        "theme_names": {t.pk: t.name for t in themes},
    }
    return render(request, "coding/transcript_coding.html", ctx)


@login_required
@require_POST
def excerpt_create_view(request, study, pk):
    transcript = get_transcript_for_user_rw(request, study, pk)
    form = ExcerptForm(request.POST, transcript=transcript)
    if not form.is_valid():
        return _form_error_response(request, transcript, form.errors)
    data = form.cleaned_data
    try:
        excerpt = excerpt_create(
            transcript=transcript,
            start=data["start"],
            end=data["end"],
            themes=list(data["themes"]),
            coder=request.user,
            memo=data["memo"],
            text_version=data["text_version"],
        )
    except TextChanged:
        message = _("The transcript text was corrected after you opened the page. Reload it and "
                    "select the passage again.")
        return _form_error_response(request, transcript, {"__all__": [message]}, status=409)
    except ValidationError as exc:
        return _form_error_response(request, transcript, exc.message_dict)
    if _wants_json(request):
        return JsonResponse({"excerpt": _excerpt_json(excerpt)}, status=201)
    messages.success(request, _("Excerpt saved."))
    return redirect(_page_url(study, excerpt.transcript_id, excerpt.pk))


@login_required
@require_POST
def excerpt_update_view(request, study, pk):
    excerpt = get_excerpt_for_user_rw(request, study, pk)
    form = ExcerptForm(request.POST, transcript=excerpt.transcript)
    if not form.is_valid():
        return _form_error_response(request, excerpt.transcript, form.errors)
    data = form.cleaned_data
    try:
        excerpt = excerpt_update(
            excerpt=excerpt,
            version=data["version"] or excerpt.version,
            start=data["start"],
            end=data["end"],
            themes=list(data["themes"]),
            memo=data["memo"],
        )
    except ExcerptConflict as conflict:
        message = _("Someone else changed this excerpt after you loaded the page.")
        if _wants_json(request):
            mine = {"quote": excerpt.transcript.text[data["start"] : data["end"]],
                    "themes": [t.pk for t in data["themes"]], "memo": data["memo"]}
            return JsonResponse(
                {"errors": {"__all__": [message]}, "conflict": True,
                 "theirs": _excerpt_json(conflict.current), "mine": mine},
                status=409,
            )
        messages.error(request, message)
        return redirect(_page_url(study, excerpt.transcript_id, excerpt.pk))
    except ValidationError as exc:
        return _form_error_response(request, excerpt.transcript, exc.message_dict)
    if _wants_json(request):
        return JsonResponse({"excerpt": _excerpt_json(excerpt)})
    messages.success(request, _("Excerpt updated."))
    return redirect(_page_url(study, excerpt.transcript_id, excerpt.pk))


@login_required
@require_POST
def excerpt_delete_view(request, study, pk):
    excerpt = get_excerpt_for_user_rw(request, study, pk)
    deleted = excerpt_delete(excerpt=excerpt, user=request.user)
    page = _page_url(study, excerpt.transcript_id) + f"?undo={deleted.pk}"
    if _wants_json(request):
        return JsonResponse({"deleted": deleted.pk, "next": page})
    return redirect(page)


@login_required
@require_POST
def excerpt_restore_view(request, study, pk):
    deleted = get_deleted_excerpt_for_user_rw(request, study, pk)
    transcript = deleted.transcript
    try:
        excerpt = excerpt_restore(deleted=deleted)
    except ValidationError as exc:
        return _form_error_response(request, transcript, {"__all__": exc.messages})
    if _wants_json(request):
        return JsonResponse({"excerpt": _excerpt_json(excerpt)})
    messages.success(request, _("Excerpt restored."))
    return redirect(_page_url(study, excerpt.transcript_id, excerpt.pk))


@login_required
@require_POST
def theme_create_view(request, study):
    membership = get_membership_rw(request, study)
    form = ThemeQuickForm(request.POST, study=membership.study)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        # Last among its siblings, as on the codebook.
        theme = theme_create(study=membership.study, **form.cleaned_data)
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=400)
    return JsonResponse({"theme": {"id": theme.pk, "name": theme.name, "colour": theme.colour}},
                        status=201)
