"""The study journal and memo pages. Memo writes are for researchers and owners; a private memo
is its author's alone everywhere (memos.access)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from coding.access import get_theme_for_user
from coding.models import blind_q
from interviews.access import get_transcript_for_user
from interviews.models import Transcript
from memos.access import (
    get_deleted_memo_for_user_rw,
    get_memo_for_user,
    get_memo_for_user_rw,
    get_participant_for_user,
)
from memos.exports import DOCX
from memos.exports import journal_docx as journal_docx_build
from memos.forms import JournalFilterForm, MemoForm, SpanForm
from memos.models import Comment, Memo
from memos.services import LINKS, memo_create, memo_delete, memo_restore, memo_update
from studies.access import get_membership, get_membership_rw

# Query-string names that pre-link a new memo ("write a memo here") -> form field.
PRELINK = {"transcript": "transcripts", "theme": "themes", "participant": "participants",
           "excerpt": "excerpts", "memo": "linked_memos"}


@login_required
def journal_docx(request, study):
    """The journal as DOCX, with the page's search, filters and sorting. Private memos (the
    user's own; nobody else's ever) only when asked for with private=on."""
    membership = get_membership(request, study)
    form = JournalFilterForm(request.GET, study=membership.study)
    memos = Memo.objects.for_journal(membership.study, request.user, **form.journal_filters())
    if request.GET.get("private") != "on":
        memos = memos.filter(private=False)
    response = HttpResponse(journal_docx_build(membership.study, list(memos)), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="journal-{membership.study.slug}.docx"'
    return response


@login_required
def journal(request, study):
    """Every memo of the study the user may see, searched, filtered and sorted."""
    membership = get_membership(request, study)
    form = JournalFilterForm(request.GET, study=membership.study)
    memos = Memo.objects.for_journal(membership.study, request.user, **form.journal_filters())
    page = Paginator(memos, 50).get_page(request.GET.get("page"))
    return render(request, "memos/journal.html", {"form": form, "page": page})


def _initial_links(request):
    return {field: [request.GET[name]] for name, field in PRELINK.items()
            if request.GET.get(name, "").isdigit()}


def _memo_page(request, form, span_form, memo=None, status=200):
    ctx = {"form": form, "span_form": span_form, "memo": memo}
    if span_form is not None and span_form.is_valid():
        span = span_form.cleaned_data
        ctx["span_title"] = span["transcript"].title
        ctx["span_quote"] = span["transcript"].text[span["start"]:span["end"]]
    return render(request, "memos/memo_form.html", ctx, status=status)


@login_required
def memo_create_view(request, study):
    """A new memo; ?transcript=&start=&end= pins it to a passage, ?theme= (and the others in
    PRELINK) links it to the page it was written from."""
    membership = get_membership_rw(request, study)
    s = membership.study
    source = request.POST if request.method == "POST" else request.GET
    span_form = SpanForm(source if "start" in source else None, study=s)
    if request.method != "POST":
        form = MemoForm(initial=_initial_links(request), study=s, user=request.user,
                        membership=request.membership)
        return _memo_page(request, form, span_form if span_form.is_bound and span_form.is_valid() else None)
    form = MemoForm(request.POST, study=s, user=request.user, membership=request.membership)
    span_ok = not span_form.is_bound or span_form.is_valid()
    if not (form.is_valid() and span_ok):
        return _memo_page(request, form, span_form if span_form.is_bound else None, status=400)
    data = form.cleaned_data
    spans = [(span_form.cleaned_data["transcript"], span_form.cleaned_data["start"],
              span_form.cleaned_data["end"])] if span_form.is_bound else []
    try:
        memo = memo_create(study=s, author=request.user, title=data["title"], body=data["body"],
                           type=data["type"], private=data["private"], spans=spans,
                           **{name: data[name] for name in LINKS})
    except ValidationError as error:
        form.add_error(None, error)
        return _memo_page(request, form, span_form if span_form.is_bound else None, status=400)
    messages.success(request, _("Memo saved."))
    return redirect(memo)


@login_required
def memo_detail(request, study, pk):
    memo = get_memo_for_user(request, study, pk)
    membership = get_membership(request, study)
    ctx = {
        "memo": memo, "can_code": membership.can_code,
        "spans": memo.spans.select_related("transcript"),
        "transcripts": memo.transcripts.all(), "themes": memo.themes.all(),
        "participants": memo.participants.all(),
        "excerpts": memo.excerpts.filter(blind_q(membership)).select_related("transcript"),
        "linked_memos": memo.linked_memos.visible_to(request.user),
        "linked_from": memo.linked_from.visible_to(request.user),
    }
    return render(request, "memos/memo_detail.html", ctx)


@login_required
def memo_update_view(request, study, pk):
    memo = get_memo_for_user_rw(request, study, pk)
    s = memo.study
    if request.method != "POST":
        initial = {"title": memo.title, "body": memo.body, "type": memo.type, "private": memo.private,
                   **{name: list(getattr(memo, name).all()) for name in LINKS}}
        form = MemoForm(initial=initial, study=s, user=request.user,
                        membership=request.membership, memo=memo)
        return _memo_page(request, form, None, memo)
    form = MemoForm(request.POST, study=s, user=request.user, membership=request.membership, memo=memo)
    if not form.is_valid():
        return _memo_page(request, form, None, memo, status=400)
    data = form.cleaned_data
    if data["private"] and memo.author_id != request.user.pk:
        form.add_error("private", _("Only the memo’s author can make it private."))
        return _memo_page(request, form, None, memo, status=400)
    try:
        memo_update(memo=memo, title=data["title"], body=data["body"], type=data["type"],
                    private=data["private"], **{name: data[name] for name in LINKS})
    except ValidationError as error:
        form.add_error(None, error)
        return _memo_page(request, form, None, memo, status=400)
    messages.success(request, _("Memo saved."))
    return redirect(memo)


@login_required
@require_POST
def memo_delete_view(request, study, pk):
    memo = get_memo_for_user_rw(request, study, pk)
    memo_delete(memo=memo, user=request.user)
    messages.success(request, _("Memo moved to the trash. It can be restored from the memo trash."))
    return redirect("memos:journal", study=memo.study.slug)


@login_required
@require_POST
def memo_restore_view(request, study, pk):
    memo = get_deleted_memo_for_user_rw(request, study, pk)
    memo_restore(memo=memo)
    messages.success(request, _("Memo restored."))
    return redirect(memo)


@login_required
def memo_trash(request, study):
    """Deleted memos the user may see, newest deletion first, each restorable."""
    membership = get_membership_rw(request, study)
    memos = (Memo.objects.filter(Q(private=False) | Q(author=request.user), study=membership.study,
                                 deleted_at__isnull=False)
             .select_related("author", "deleted_by").order_by("-deleted_at", "-pk"))
    page = Paginator(memos, 50).get_page(request.GET.get("page"))
    return render(request, "memos/memo_trash.html", {"page": page})


# ----- memo panels: a transcript's, theme's or participant's memos -----

def _panel(request, obj, memos, new_query, title, back_url, comments=None):
    """The same partial serves the full page and the coding page's side tab (?fragment=1)."""
    ctx = {"object": obj, "memos": memos, "new_query": new_query, "panel_title": title, "back_url": back_url,
           "comments": comments}
    template = "memos/memo_panel.html" if request.GET.get("fragment") else "memos/object_memos.html"
    return render(request, template, ctx)


@login_required
def transcript_memos(request, study, pk):
    transcript = get_transcript_for_user(request, study, pk, Transcript.objects.only("pk", "title", "study"))
    s = get_membership(request, study).study
    memos = Memo.objects.for_object_panel(s, request.user, transcripts=transcript)
    comments = Comment.objects.for_target(s, transcript=transcript)
    back = reverse("coding:transcript-coding", args=[s.slug, transcript.pk])
    return _panel(request, transcript, memos, f"transcript={transcript.pk}", transcript.title, back, comments)


@login_required
def theme_memos(request, study, pk):
    theme = get_theme_for_user(request, study, pk)
    s = get_membership(request, study).study
    memos = Memo.objects.for_object_panel(s, request.user, themes=theme)
    return _panel(request, theme, memos, f"theme={theme.pk}", theme.name,
                  reverse("reports:theme-report", args=[s.slug, theme.pk]))


@login_required
def participant_memos(request, study, pk):
    participant = get_participant_for_user(request, study, pk)
    s = get_membership(request, study).study
    memos = Memo.objects.for_object_panel(s, request.user, participants=participant)
    return _panel(request, participant, memos, f"participant={participant.pk}", participant.code,
                  reverse("interviews:participant-list", args=[s.slug]))

