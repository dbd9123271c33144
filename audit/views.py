from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit.history import versions
from audit.models import Change
from coding.access import get_excerpt_for_user, get_excerpt_for_user_rw
from coding.models import DeletedExcerpt, DeletedTheme, Theme
from coding.services import ExcerptConflict, excerpt_update
from pasto_coop.roles import can_code

EXCERPT = "coding.codedexcerpt"


def _date(value):
    try:
        return parse_date(value)
    except ValueError:  # well-formed but impossible, e.g. 2026-02-31
        return None


@login_required
def history_log(request):
    """Admins: every recorded change, filtered by user and date."""
    if not request.user.has_perm("audit.view_change"):
        raise PermissionDenied
    user_id = request.GET.get("user", "")
    since = _date(request.GET.get("since", ""))
    until = _date(request.GET.get("until", ""))
    changes = Change.objects.for_history_log(
        user_id=int(user_id) if user_id.isdigit() else None, since=since, until=until
    )
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "users": get_user_model().objects.order_by("username").only("pk", "username"),
        "filters": {"user": user_id, "since": since, "until": until},
    }
    return render(request, "audit/history_log.html", ctx)


@login_required
def excerpt_history(request, pk):
    excerpt = get_excerpt_for_user(request, pk)
    rows = versions(Change.objects.for_object(EXCERPT, excerpt.pk))
    theme_names = dict(Theme.objects.values_list("pk", "name"))
    ctx = {
        "excerpt": excerpt,
        "rows": [(change, state, [theme_names.get(t, "?") for t in state.get("themes", [])])
                 for change, state in reversed(rows)],
        "can_code": can_code(request.user),
    }
    return render(request, "audit/excerpt_history.html", ctx)


@login_required
@require_POST
def excerpt_revert(request, pk, change_pk):
    """Put an excerpt back as it stood after one of its recorded changes."""
    excerpt = get_excerpt_for_user_rw(request, pk)
    states = dict((c.pk, s) for c, s in versions(Change.objects.for_object(EXCERPT, excerpt.pk)))
    if change_pk not in states:
        raise PermissionDenied
    state = states[change_pk]
    themes = list(Theme.objects.filter(pk__in=state.get("themes", [])))
    try:
        excerpt_update(excerpt=excerpt, version=excerpt.version, start=state["start"], end=state["end"],
                       themes=themes, memo=state.get("memo", ""))
    except (ValidationError, ExcerptConflict, KeyError):
        messages.error(request, _("That version cannot be restored: its themes or its text are gone."))
        return redirect("audit:excerpt-history", pk=excerpt.pk)
    messages.success(request, _("Excerpt reverted."))
    return redirect("audit:excerpt-history", pk=excerpt.pk)


@login_required
def trash(request):
    """Researchers: removed excerpts and themes, newest first, each restorable with its codings."""
    if not request.user.has_perm("coding.delete_codedexcerpt"):
        raise PermissionDenied
    deleted = DeletedExcerpt.objects.select_related("transcript", "deleted_by")
    page = Paginator(deleted, 50).get_page(request.GET.get("page"))
    themes = DeletedTheme.objects.select_related("deleted_by")
    return render(request, "audit/trash.html", {"page": page, "themes": themes})
