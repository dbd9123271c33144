from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit.history import describe, theme_ids_of, theme_names, versions
from audit.models import Change
from coding.access import get_excerpt_for_user, get_excerpt_for_user_rw
from coding.models import DeletedExcerpt, DeletedTheme, Theme, blind_q
from coding.services import ExcerptConflict, excerpt_update
from interviews.reanchor import word_diff
from memos.access import get_memo_for_user
from memos.models import Memo
from studies.access import get_membership, get_membership_owner, get_membership_rw

EXCERPT = "coding.codedexcerpt"
MEMO = "memos.memo"


def private_memo_ids(study, user):
    """Other members' private memos, as Change.object_id values: their rows never show."""
    return (Memo.objects.filter(study=study, private=True).exclude(author=user)
            .annotate(object_id=Cast("pk", CharField())).values("object_id"))


def _date(value):
    try:
        return parse_date(value)
    except ValueError:  # well-formed but impossible, e.g. 2026-02-31
        return None


@login_required
def history_log(request, study):
    """Owners: every recorded change in the study (who changed what), filtered by user and date."""
    study = get_membership_owner(request, study).study
    user_id = request.GET.get("user", "")
    since = _date(request.GET.get("since", ""))
    until = _date(request.GET.get("until", ""))
    changes = Change.objects.for_history_log(
        study, user_id=int(user_id) if user_id.isdigit() else None, since=since, until=until
    ).exclude(model=MEMO, object_id__in=private_memo_ids(study, request.user))
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    names = theme_names(study, theme_ids_of(page.object_list))
    rows = [(change, *describe(change, names)) for change in page.object_list]
    # The filter menu names the study's members and anyone who changed something in it, never
    # every account on the site.
    users = get_user_model().objects.filter(
        Q(memberships__study=study) | Q(pk__in=Change.objects.filter(study=study).values("user_id"))
    ).distinct().order_by("username").only("pk", "username")
    filters = {"user": user_id, "since": since, "until": until}
    ctx = {"page": page, "rows": rows, "users": users, "filters": filters}
    return render(request, "audit/history_log.html", ctx)


@login_required
def excerpt_history(request, study, pk):
    excerpt = get_excerpt_for_user(request, study, pk)
    membership = get_membership(request, study)  # cached by the helper: no query
    rows = versions(Change.objects.for_object(membership.study, EXCERPT, excerpt.pk))
    names = theme_names(membership.study, {t for _c, state in rows for t in state.get("themes", [])})
    ctx = {
        "excerpt": excerpt,
        "rows": [(change, state, [names.get(t, "?") for t in state.get("themes", [])])
                 for change, state in reversed(rows)],
        "can_code": membership.can_code,
    }
    return render(request, "audit/excerpt_history.html", ctx)


@login_required
def memo_history(request, study, pk):
    """A memo's versions, newest first, each change of its title or text as a word diff."""
    memo = get_memo_for_user(request, study, pk)
    rows = []
    for change, _state in reversed(versions(Change.objects.for_object(memo.study, MEMO, memo.pk))):
        updated = change.data.items() if change.action == "update" else ()
        diffs = [(field, *word_diff(str(pair[0] or ""), str(pair[1] or "")))
                 for field, pair in updated if field in ("title", "body")]
        others = {field: pair for field, pair in updated if field not in ("title", "body")}
        rows.append((change, diffs, others))
    return render(request, "audit/memo_history.html", {"memo": memo, "rows": rows})


@login_required
@require_POST
def excerpt_revert(request, study, pk, change_pk):
    """Put an excerpt back as it stood after one of its recorded changes."""
    excerpt = get_excerpt_for_user_rw(request, study, pk)
    membership = get_membership(request, study)
    changes = Change.objects.for_object(membership.study, EXCERPT, excerpt.pk)
    states = {c.pk: s for c, s in versions(changes)}
    if change_pk not in states:
        raise Http404  # a change of another excerpt, or of another study
    state = states[change_pk]
    themes = list(Theme.objects.filter(study=membership.study, pk__in=state.get("themes", [])))
    try:
        excerpt_update(excerpt=excerpt, version=excerpt.version, start=state["start"], end=state["end"],
                       themes=themes, memo=state.get("memo", ""))
    except (ValidationError, ExcerptConflict, KeyError):
        messages.error(request, _("That version cannot be restored: its themes or its text are gone."))
        return redirect("audit:excerpt-history", study=membership.study.slug, pk=excerpt.pk)
    messages.success(request, _("Excerpt reverted."))
    return redirect("audit:excerpt-history", study=membership.study.slug, pk=excerpt.pk)


@login_required
def trash(request, study):
    """Researchers and owners: the study's removed excerpts and themes, newest first, each
    restorable with its codings."""
    membership = get_membership_rw(request, study)
    study = membership.study
    deleted = (DeletedExcerpt.objects.filter(blind_q(membership, coder="snapshot__coder"), study=study)
               .select_related("transcript", "deleted_by"))
    page = Paginator(deleted, 50).get_page(request.GET.get("page"))
    themes = DeletedTheme.objects.filter(study=study).select_related("deleted_by")
    return render(request, "audit/trash.html", {"page": page, "themes": themes})
