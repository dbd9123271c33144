"""The coding page and its small JSON API.

The page is rendered once; after that every coding action is a fetch that answers JSON, and the
script redraws only what changed. Each action view also answers a plain form post (a redirect
with a message), so the forms keep working without script.

The API, for a request with `Accept: application/json`:
- success: `{"excerpt": E}` (create, update, restore: 201 for a create), `{"deleted": id,
  "excerpt_id": id, "undo": url}` (delete), `{"theme": T}` (theme create), `{"excerpts": [E],
  "deleted": [ids], "coders": {id: name}, "now": time}` (changes since a time);
- failure: `{"errors": {field or "__all__": [message]}}` with 400 (bad input), 409 (a stale
  edit, with "theirs" and "mine", or a text that changed under the page); 403 and 404 are
  Django's own pages, which the script turns into a message by status.
E is coding.highlight.excerpt_json; the page's own data is coding.highlight.page_excerpts.
"""

import hashlib
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from coding.access import get_deleted_excerpt_for_user_rw, get_excerpt_for_user_rw
from coding.forms import ExcerptForm, SpeakerCodeForm, ThemeQuickForm, next_palette_colour
from coding.highlight import excerpt_json, page_excerpts, render_text_html
from coding.models import CodedExcerpt, DeletedExcerpt, Theme, blind_q
from coding.services import (
    ExcerptConflict,
    TextChanged,
    excerpt_create,
    excerpt_create_in_vivo,
    excerpt_delete,
    excerpt_restore,
    excerpt_update,
    excerpts_code_speaker,
    theme_create,
)
from interviews.access import get_transcript_for_user, get_transcript_for_user_rw
from interviews.text import codepoint_to_utf16_converter
from studies.access import get_membership_rw

# Stands for an excerpt's id in the URLs the page hands its script (see the template).
ID_TOKEN = 999999999


def _page_url(study, transcript_id, pk=None):
    url = reverse("coding:transcript-coding", args=[study, transcript_id])
    return url + (f"#x{pk}" if pk else "")


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _excerpts_json(excerpts, transcript):
    """API excerpts (coding.highlight.excerpt_json). Three queries for any number."""
    rows, notes = excerpts.for_coding_page(transcript)
    page_excerpts(rows, notes, codepoint_to_utf16_converter(transcript.text))
    quotes = dict(excerpts.filter(pk__in=[row[0] for row in rows]).values_list("pk", "quote")) if rows else {}
    return [excerpt_json(row, notes, quotes[row[0]]) for row in rows]


def _excerpt_json(excerpt, themes=None):
    """One excerpt for the API. With `themes` (a new excerpt's, in the order linked) no query."""
    if themes is None:
        return _excerpts_json(CodedExcerpt.objects.filter(pk=excerpt.pk), excerpt.transcript)[0]
    to_utf16 = codepoint_to_utf16_converter(excerpt.transcript.text)
    row = [excerpt.pk, to_utf16(excerpt.start), to_utf16(excerpt.end), [t.pk for t in dict.fromkeys(themes)],
           excerpt.coder_id, excerpt.version]
    return excerpt_json(row, {excerpt.pk: (excerpt.memo, None)}, excerpt.quote)


def _errors(exc):
    """A ValidationError's messages by field; "__all__" for one raised without a field."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _error_response(request, transcript, errors, status=400):
    if _wants_json(request):
        return JsonResponse({"errors": errors}, status=status)
    for messages_list in errors.values():
        for message in messages_list:
            messages.error(request, message)
    return redirect(_page_url(request.membership.study.slug, transcript.pk))


def _theme_json(theme):
    return {"id": theme.pk, "name": theme.name, "colour": theme.colour, "parent": theme.parent_id,
            "codable": theme.is_codable}


def _saved_response(request, excerpt, message, status=200, theme=None, themes=None):
    if _wants_json(request):
        extra = {"theme": _theme_json(theme)} if theme else {}
        return JsonResponse({"excerpt": _excerpt_json(excerpt, themes), **extra}, status=status)
    messages.success(request, message)
    return redirect(_page_url(request.membership.study.slug, excerpt.transcript_id, excerpt.pk))


def _coders(rows, user, study_id):
    """({id: username} for the page's excerpts' coders and the user, [ids of consensus layers'
    coders among them, whose excerpts only adjudication changes]). One query."""
    ids = {row[4] for row in rows} | {user.pk}
    found = (get_user_model().objects.filter(pk__in=ids)
             .values_list("pk", "username", "consensus_layer__study"))
    return {pk: name for pk, name, _study in found}, [pk for pk, _name, study in found if study == study_id]


def _page_data(request, transcript, to_utf16, speakers):
    """What the page's script reads (json_script "coding-data"): the excerpts as rows
    (coding.highlight.page_excerpts), the theme tree, coders' names, the speakers, the layer
    asked for with ?coder=mine or ?coder=<id>, the time the data was read, and what the user may
    do. Four queries whatever the number of excerpts."""
    membership = request.membership  # fetched by the page's access helper
    rows, notes = CodedExcerpt.objects.visible_to(membership).for_coding_page(transcript)
    coder = request.GET.get("coder", "")
    coders, locked = _coders(rows, request.user, membership.study.pk)
    return {
        "excerpts": page_excerpts(rows, notes, to_utf16),
        "themes": Theme.objects.for_picker(membership.study, translation.get_language()),
        "coders": coders,
        "locked": locked,
        "speakers": speakers,
        "me": request.user.pk,
        "coder": request.user.pk if coder == "mine" else int(coder) if coder.isdecimal() else None,
        "now": timezone.now().isoformat(),
        "canCode": membership.can_code,
        "canDelete": membership.can_code,
    }


def _themes_key(themes):
    """The cache key of the page's theme lists (the picker and the theme menus, {% cache %} in
    the template): a hash of what they are made of, the themes and the language, so each
    gunicorn worker renders them once until a theme changes instead of on every page."""
    return hashlib.sha256(json.dumps([translation.get_language(), themes]).encode()).hexdigest()


def _page_key(ctx, study):
    """The cache key of the page's parts that are the same for every member with the same
    rights ({% cache %} ... page_key in the template: the toolbar, the picker, the memo tab,
    the shortcuts; about a hundred translated strings and thirty URLs): a hash of every value
    those parts show, so an edit to any of them renders them anew. No part holds a CSRF token,
    the user's name, the coders or the excerpts: those are rendered on every page."""
    transcript = ctx["transcript"]
    return hashlib.sha256(json.dumps([
        translation.get_language(), study.slug, study.is_archived, transcript.pk, transcript.text_version,
        ctx["length_utf16"], ctx["can_code"], ctx["speakers"], ctx["themes_key"], ctx["id_token"],
    ]).encode()).hexdigest()


@login_required
def transcript_coding(request, study, pk):
    transcript = get_transcript_for_user(request, study, pk)
    to_utf16 = codepoint_to_utf16_converter(transcript.text)
    text_html, speakers = render_text_html(transcript.text, to_utf16, transcript.cue_labels())
    data = _page_data(request, transcript, to_utf16, speakers)
    undo = request.GET.get("undo", "")
    ctx = {
        "undo": DeletedExcerpt.objects.filter(blind_q(request.membership, coder="snapshot__coder"), pk=undo,
                                              transcript=transcript).first()
        if undo.isdecimal() and len(undo) < 12 and data["canCode"] else None,
        "transcript": transcript,
        "excerpt_count": len(data["excerpts"]["rows"]),
        "review_count": len(data["excerpts"]["reviews"]),
        "length_utf16": to_utf16(len(transcript.text)),
        "text_html": text_html,
        "page_data": data,
        "theme_options": [(t["id"], "\u2003" * t["depth"] + t["name"], t["codable"]) for t in data["themes"]],
        "themes_key": _themes_key(data["themes"]),
        "speakers": speakers,
        "can_code": data["canCode"],
        "id_token": ID_TOKEN,
    }
    ctx["page_key"] = _page_key(ctx, request.membership.study)
    return render(request, "coding/transcript_coding.html", ctx)


@login_required
@require_GET
def transcript_excerpts(request, study, pk):
    """The transcript's excerpts saved or removed since `since` (an ISO time the page got from
    its last answer as "now"): how the page learns of other coders' work."""
    transcript = get_transcript_for_user(request, study, pk)
    try:
        since = parse_datetime(request.GET.get("since", ""))
    except ValueError:  # well-formed but impossible, e.g. month 13
        since = None
    if since is None:
        return JsonResponse({"errors": {"since": [_("Give the time of the last update.")]}}, status=400)
    now = timezone.now()
    changed = CodedExcerpt.objects.visible_to(request.membership).filter(transcript=transcript,
                                                                         updated_at__gte=since)
    excerpts = _excerpts_json(changed, transcript)
    deleted = list(DeletedExcerpt.objects.filter(blind_q(request.membership, coder="snapshot__coder"),
                                                 transcript=transcript, deleted_at__gte=since)
                   .values_list("original_id", flat=True))
    coders = dict(get_user_model().objects.filter(pk__in={e["c"] for e in excerpts})
                  .values_list("pk", "username"))
    return JsonResponse({"excerpts": excerpts, "deleted": deleted, "coders": coders,
                         "now": now.isoformat()})


@login_required
@require_POST
@transaction.atomic
def excerpt_create_view(request, study, pk):
    # One transaction from the access check to the history row: the transcript is read under its
    # row lock with what the save needs (its text and version), so the save reads it only once.
    transcript = get_transcript_for_user_rw(request, study, pk, lock=True)
    form = ExcerptForm(request.POST, transcript=transcript)
    if not form.is_valid():
        return _error_response(request, transcript, form.errors)
    data = form.cleaned_data
    where = {"transcript": transcript, "start": data["start"], "end": data["end"],
             "coder": request.user, "memo": data["memo"], "text_version": data["text_version"],
             "locked": True}
    theme, themes = None, data["themes"]
    try:
        if data["in_vivo"]:
            colour = next_palette_colour(request.membership.study)
            excerpt, theme = excerpt_create_in_vivo(
                **where, parent=data["new_theme_parent"], colour=colour, themes=themes)
            themes = [theme, *themes]
        else:
            excerpt = excerpt_create(**where, themes=themes)
    except TextChanged:
        message = _("The transcript text was corrected after you opened the page. Reload it and "
                    "select the passage again.")
        return _error_response(request, transcript, {"__all__": [message]}, status=409)
    except ValidationError as exc:
        return _error_response(request, transcript, _errors(exc))
    return _saved_response(request, excerpt, _("Excerpt saved."), status=201, theme=theme, themes=themes)


@login_required
@require_POST
@transaction.atomic
def excerpt_update_view(request, study, pk):
    # One transaction from the access check to the history row, as the save's: the excerpt is
    # read under its row lock with its transcript, and the update does not read it again.
    excerpt = get_excerpt_for_user_rw(request, study, pk, lock=True)
    form = ExcerptForm(request.POST, transcript=excerpt.transcript)
    if not form.is_valid():
        return _error_response(request, excerpt.transcript, form.errors)
    data = form.cleaned_data
    try:
        excerpt = excerpt_update(excerpt=excerpt, version=data["version"] or excerpt.version,
                                 start=data["start"], end=data["end"], themes=data["themes"],
                                 memo=data["memo"], locked=True)
    except ExcerptConflict as conflict:
        message = _("Someone else changed this excerpt after you loaded the page.")
        if _wants_json(request):
            mine = {"q": excerpt.transcript.text[data["start"] : data["end"]],
                    "t": [t.pk for t in data["themes"]], "m": data["memo"]}
            return JsonResponse({"errors": {"__all__": [message]}, "conflict": True,
                                 "theirs": _excerpt_json(conflict.current), "mine": mine}, status=409)
        messages.error(request, message)
        return redirect(_page_url(study, excerpt.transcript_id, excerpt.pk))
    except ValidationError as exc:
        return _error_response(request, excerpt.transcript, _errors(exc))
    return _saved_response(request, excerpt, _("Excerpt updated."), themes=excerpt.linked_themes)


@login_required
@require_POST
def excerpt_delete_view(request, study, pk):
    excerpt = get_excerpt_for_user_rw(request, study, pk)
    deleted = excerpt_delete(excerpt=excerpt, user=request.user)
    undo = reverse("coding:excerpt-restore", args=[study, deleted.pk])
    if _wants_json(request):
        return JsonResponse({"deleted": deleted.pk, "excerpt_id": deleted.original_id, "undo": undo})
    return redirect(_page_url(study, excerpt.transcript_id) + f"?undo={deleted.pk}")


@login_required
@require_POST
def excerpt_restore_view(request, study, pk):
    deleted = get_deleted_excerpt_for_user_rw(request, study, pk)
    try:
        excerpt = excerpt_restore(deleted=deleted)
    except ValidationError as exc:
        return _error_response(request, deleted.transcript, _errors(exc))
    return _saved_response(request, excerpt, _("Excerpt restored."))


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
        return JsonResponse({"errors": _errors(exc)}, status=400)
    return JsonResponse({"theme": _theme_json(theme)}, status=201)


@login_required
@require_POST
def speaker_code_view(request, study, pk):
    """Code every turn of one speaker with a theme: one excerpt per turn, undone in one step
    through reports:auto-coding-undo."""
    transcript = get_transcript_for_user_rw(request, study, pk)
    form = SpeakerCodeForm(request.POST, study=transcript.study)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        run, created = excerpts_code_speaker(transcript=transcript, coder=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return JsonResponse({"errors": _errors(exc)}, status=400)
    excerpts = _excerpts_json(CodedExcerpt.objects.filter(pk__in=[e.pk for e in created]), transcript)
    return JsonResponse({"run": run.pk, "undo": reverse("reports:auto-coding-undo", args=[study, run.pk]),
                         "excerpts": excerpts, "skipped": run.skipped_count}, status=201)

