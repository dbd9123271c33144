"""The codebook page and its operations: create, edit, move, merge, split and delete themes,
undo a delete or merge, and export and import the codebook (.qdc and CSV).

Researchers manage themes (coding.add_theme / change_theme / delete_theme); reviewers read the
codebook page and its exports; a user with no role gets 403 everywhere.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coding.codebook_csv import codebook_csv_bytes, codebook_import_csv
from coding.codebook_qdc import CodebookFileError, codebook_import_qdc, codebook_qdc_bytes
from coding.forms import (
    CodebookImportForm,
    ThemeDeleteForm,
    ThemeForm,
    ThemeMergeForm,
    ThemeMoveForm,
    ThemeSplitForm,
)
from coding.models import CodedExcerpt, DeletedTheme, Theme
from coding.services import (
    theme_create,
    theme_delete,
    theme_merge,
    theme_move,
    theme_restore,
    theme_shift,
    theme_split,
    theme_update,
)


def _require(request, *perms):
    if not all(request.user.has_perm(p) for p in perms):
        raise PermissionDenied


def _get_theme_for_user(request, pk):
    _require(request, "coding.view_theme")
    return get_object_or_404(Theme, pk=pk)


def _get_theme_for_user_rw(request, pk, *perms):
    _require(request, "coding.view_theme", "coding.change_theme", *perms)
    return get_object_or_404(Theme, pk=pk)


def _get_deleted_theme_for_user_rw(request, pk):
    _require(request, "coding.add_theme", "coding.change_theme")
    return get_object_or_404(DeletedTheme, pk=pk)


def _add_errors(form, exc):
    """Put a service's ValidationError on the form, field by field where the form has it."""
    for field, errors in exc.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, errors)


def _codebook_url(theme_pk=None, **query):
    url = reverse("coding:codebook")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url + (f"#theme-{theme_pk}" if theme_pk else "")


def _codebook_page(request, status=200):
    """The codebook page; also the answer, with an error message and a 4xx status, to a move or
    an undo that was refused."""
    user = request.user
    page = Theme.objects.for_codebook()
    can_manage = user.has_perm("coding.change_theme") and user.has_perm("coding.add_theme")
    removed = list(DeletedTheme.objects.for_codebook()) if can_manage else []
    by_pk = {str(theme.pk): theme for theme, _depth in page.rows}
    split = (by_pk.get(request.GET.get("split")), by_pk.get(request.GET.get("from")))
    ctx = {
        "rows": page.rows,
        "coders": page.coders,
        "can_add": user.has_perm("coding.add_theme"),
        "can_manage": can_manage,
        "can_delete": user.has_perm("coding.delete_theme"),
        "removed": removed,
        "undo": next((d for d in removed if str(d.pk) == request.GET.get("undo")), None),
        "split": split if all(split) and can_manage else None,
    }
    return render(request, "coding/codebook.html", ctx, status=status)


def _posted(request):
    return request.POST if request.method == "POST" else None


@login_required
def codebook(request):
    _require(request, "coding.view_theme")
    return _codebook_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def theme_create_page(request):
    _require(request, "coding.view_theme", "coding.add_theme")
    if request.method != "POST":
        form = ThemeForm(initial={"parent": request.GET.get("parent")})
        return render(request, "coding/codebook_theme_form.html", {"form": form})
    form = ThemeForm(request.POST)
    if form.is_valid():
        try:
            theme = theme_create(**form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Theme «%(name)s» created.") % {"name": theme.name})
            return redirect(_codebook_url(theme.pk))
    return render(request, "coding/codebook_theme_form.html", {"form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def theme_update_page(request, pk):
    theme = _get_theme_for_user_rw(request, pk)
    if request.method != "POST":
        return render(request, "coding/codebook_theme_form.html", {"form": ThemeForm(instance=theme)})
    form = ThemeForm(request.POST, instance=theme)
    if form.is_valid():
        try:
            theme = theme_update(theme=theme, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Theme «%(name)s» saved.") % {"name": theme.name})
            return redirect(_codebook_url(theme.pk))
    return render(request, "coding/codebook_theme_form.html", {"form": form}, status=400)


@login_required
@require_POST
def theme_move_view(request, pk):
    theme = _get_theme_for_user_rw(request, pk)
    form = ThemeMoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        if data["direction"]:
            theme = theme_shift(theme=theme, offset=-1 if data["direction"] == "up" else 1)
        else:
            theme = theme_move(theme=theme, parent=data["parent"], position=data["position"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _codebook_page(request, status=400)
    return redirect(_codebook_url(theme.pk))


@login_required
@require_http_methods(["GET", "POST"])
def theme_merge_page(request, pk):
    source = _get_theme_for_user_rw(request, pk, "coding.delete_theme")
    form = ThemeMergeForm(_posted(request), source=source)
    if request.method == "POST" and form.is_valid():
        try:
            deleted = theme_merge(source=source, target=form.cleaned_data["target"], user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            target = form.cleaned_data["target"]
            messages.success(request, _("«%(source)s» merged into «%(target)s».")
                             % {"source": deleted.name, "target": target.name})
            return redirect(_codebook_url(target.pk, undo=deleted.pk))
    ctx = {"theme": source, "form": form, "counts": CodedExcerpt.objects.for_theme_delete(source),
           "children": list(source.children.all())}
    return render(request, "coding/codebook_merge.html", ctx, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def theme_split_page(request, pk):
    theme = _get_theme_for_user_rw(request, pk, "coding.add_theme")
    form = ThemeSplitForm(_posted(request), theme=theme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = theme_split(theme=theme, excerpts=data["excerpts"], name=data["name"],
                              colour=data["colour"], as_child=data["as_child"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("%(n)s excerpts moved from «%(theme)s» to the new theme «%(new)s».")
                             % {"n": len(data["excerpts"]), "theme": theme.name, "new": new.name})
            return redirect(_codebook_url(new.pk, split=new.pk, **{"from": theme.pk}))
    chosen = {str(v) for v in form["excerpts"].value() or []}
    ctx = {"theme": theme, "form": form, "excerpts": CodedExcerpt.objects.for_theme_split(theme),
           "chosen": chosen}
    return render(request, "coding/codebook_split.html", ctx, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def theme_delete_page(request, pk):
    theme = _get_theme_for_user_rw(request, pk, "coding.delete_theme")
    counts = CodedExcerpt.objects.for_theme_delete(theme)
    form = ThemeDeleteForm(_posted(request), theme=theme, has_codings=counts["codings"] > 0)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["codings"] == "remove" and counts["only"]:
                _require(request, "coding.delete_codedexcerpt")
            deleted = theme_delete(theme=theme, user=request.user, codings=data["codings"],
                                   target=data["target"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Theme «%(name)s» deleted.") % {"name": deleted.name})
            return redirect(_codebook_url(undo=deleted.pk))
    ctx = {"theme": theme, "form": form, "counts": counts, "children": list(theme.children.all())}
    return render(request, "coding/codebook_delete.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def theme_restore_view(request, pk):
    deleted = _get_deleted_theme_for_user_rw(request, pk)
    try:
        theme, problems = theme_restore(deleted=deleted)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _codebook_page(request, status=400)
    messages.success(request, _("Theme «%(name)s» restored.") % {"name": theme.name})
    for problem in problems:
        messages.warning(request, problem)
    return redirect(_codebook_url(theme.pk))


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def codebook_export_qdc(request):
    _require(request, "coding.view_theme")
    themes = Theme.objects.for_codebook_export()
    if not themes:
        messages.error(request, _("The codebook is empty; a REFI-QDA codebook needs at least one theme."))
        return _codebook_page(request, status=409)
    return _download(codebook_qdc_bytes(themes), "application/xml", "pasto-coop-codebook.qdc")


@login_required
def codebook_export_csv(request):
    _require(request, "coding.view_theme")
    return _download(codebook_csv_bytes(), "text/csv; charset=utf-8", "pasto-coop-codebook.csv")


@login_required
@require_http_methods(["GET", "POST"])
def codebook_import_page(request):
    _require(request, "coding.view_theme", "coding.add_theme", "coding.change_theme")
    form = CodebookImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    report = None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        importer = codebook_import_csv if file.name.lower().endswith(".csv") else codebook_import_qdc
        try:
            report = importer(file, user=request.user)
        except CodebookFileError as exc:
            form.add_error("file", ValidationError(str(exc), code="unreadable_codebook"))
    ctx = {"form": form, "report": report, "file_name": form.cleaned_data["file"].name if report else ""}
    return render(request, "coding/codebook_import.html", ctx, status=400 if form.errors else 200)
