"""Comments: the one write a reviewer may make. Any member of a study that is not archived
comments on a theme report, an excerpt or a transcript passage, and replies; researchers and
owners resolve threads. Every other memos write is 403 for reviewers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from coding.models import CodedExcerpt, Theme, blind_q
from interviews.models import Transcript
from interviews.text import utf16_to_codepoint
from memos.access import (
    get_comment_for_user_comment,
    get_comment_for_user_rw,
    get_in_study_or_404,
    get_membership_comment,
)
from memos.forms import CommentForm
from memos.models import Comment
from memos.services import comment_create, comment_reply, comment_resolve
from studies.access import get_membership


@login_required
def comment_list(request, study):
    """Open (or, with ?resolved=1, resolved) comment threads of the study, with their replies."""
    membership = get_membership(request, study)
    resolved = request.GET.get("resolved") == "1"
    threads = Comment.objects.for_comment_list(membership.study, resolved=resolved)
    if not membership.sees_every_layer:  # blind coding: no thread on another coder's excerpt
        threads = threads.filter(Q(excerpt__isnull=True) | blind_q(membership, "excerpt__"))
    return render(request, "memos/comment_list.html", {"threads": threads, "resolved": resolved,
                                                       "reply_form": CommentForm()})


def _target(request, study):
    """The object a new comment is on, from ?theme=, ?excerpt= or ?transcript=&start=&end= (or
    the same POST fields): a dict of comment_create's target arguments. A bad or foreign id is a
    404; a comment on anything else is refused."""
    source = request.POST if request.method == "POST" else request.GET
    if source.get("theme"):
        return {"theme": get_in_study_or_404(Theme.objects.all(), study, source["theme"])}
    if source.get("excerpt"):
        visible = CodedExcerpt.objects.visible_to(request.membership)  # blind coding: own layer only
        return {"excerpt": get_in_study_or_404(visible.select_related("transcript"), study,
                                               source["excerpt"])}
    if source.get("transcript"):
        transcript = get_in_study_or_404(Transcript.objects.all(), study, source["transcript"])
        start, end = source.get("start", ""), source.get("end", "")
        if source.get("start_utf16", "").isdigit() and source.get("end_utf16", "").isdigit():
            # from the coding page's selection, which counts UTF-16 units
            try:
                start = str(utf16_to_codepoint(transcript.text, int(source["start_utf16"])))
                end = str(utf16_to_codepoint(transcript.text, int(source["end_utf16"])))
            except ValueError:
                return None
        if not (start.isdigit() and end.isdigit()):
            return None
        return {"transcript": transcript, "start": int(start), "end": int(end)}
    return None


@login_required
def comment_create_view(request, study):
    membership = get_membership_comment(request, study)
    target = _target(request, membership.study)
    form = CommentForm(request.POST if request.method == "POST" else None)
    ctx = {"form": form, "target": target}
    if target is None:
        ctx["target_error"] = _("A comment is on a theme report, an excerpt or a passage of a transcript.")
        return render(request, "memos/comment_form.html", ctx, status=400)
    if "transcript" in target:
        ctx["quote"] = target["transcript"].text[target["start"]:target["end"]]
    if request.method != "POST":
        return render(request, "memos/comment_form.html", ctx)
    if not form.is_valid():
        return render(request, "memos/comment_form.html", ctx, status=400)
    try:
        comment_create(study=membership.study, author=request.user, body=form.cleaned_data["body"], **target)
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "memos/comment_form.html", ctx, status=400)
    messages.success(request, _("Comment saved."))
    return redirect("memos:comment-list", study=membership.study.slug)


@login_required
@require_POST
def comment_reply_view(request, study, pk):
    thread = get_comment_for_user_comment(request, study, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a reply first."))
        return render(request, "memos/comment_list.html",
                      {"threads": [thread], "resolved": False, "reply_form": form}, status=400)
    comment_reply(parent=thread, author=request.user, body=form.cleaned_data["body"])
    messages.success(request, _("Reply saved."))
    return redirect("memos:comment-list", study=thread.study.slug)


@login_required
@require_POST
def comment_resolve_view(request, study, pk):
    thread = get_comment_for_user_rw(request, study, pk)
    resolved = request.POST.get("reopen") != "1"
    comment_resolve(comment=thread, user=request.user, resolved=resolved)
    messages.success(request, _("Comment resolved.") if resolved else _("Comment reopened."))
    return redirect("memos:comment-list", study=thread.study.slug)
