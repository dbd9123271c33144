"""The codebook page and its operations: create, edit, move, merge, split and delete themes,
undo a delete or merge, export and import the codebook (.qdc and CSV), and copy another
study's codebook.

Every view works in one study (`study`, the slug) through coding.access: the study's
researchers and owners manage its themes; its reviewers read the codebook page and its exports
(403 on writes); non-members, and ids of another study's themes, get 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coding.access import (
    get_deleted_theme_for_user_rw,
    get_theme_for_user_rw,
)
from coding.codebook_csv import codebook_csv_bytes, codebook_import_csv
from coding.codebook_qdc import CodebookFileError, codebook_import_qdc, codebook_qdc_bytes
from coding.forms import (
    CodebookCopyForm,
    CodebookImportForm,
    ThemeDeleteForm,
    ThemeForm,
    ThemeMergeForm,
    ThemeMoveForm,
    ThemeSplitForm,
)
from coding.models import CodedExcerpt, DeletedTheme, Theme, second_language
from coding.services import (
    codebook_copy,
    theme_create,
    theme_delete,
    theme_merge,
    theme_move,
    theme_restore,
    theme_shift,
    theme_split,
    theme_update,
)
from coding.tasks import theme_merge_job_start, theme_restore_job_start, theme_split_job_start
from studies.access import get_membership, get_membership_rw, get_source_study_for_user


def _add_errors(form, exc):
    """Put a service's ValidationError on the form, field by field where the form has it."""
    for field, errors in exc.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, errors)


def _codebook_url(study, theme_pk=None, **query):
    url = reverse("coding:codebook", args=[study])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url + (f"#theme-{theme_pk}" if theme_pk else "")


def _codebook_page(request, membership, status=200):
    """The codebook page; also the answer, with an error message and a 4xx status, to a move or
    an undo that was refused."""
    page = Theme.objects.for_codebook(membership.study, membership)
    language = translation.get_language()
    for theme, _depth in page.rows:  # its texts in the page's language, falling back to the other
        theme.shown = theme.texts(language, membership.study.language)
    can_manage = membership.can_code
    removed = list(DeletedTheme.objects.for_codebook(membership.study)) if can_manage else []
    by_pk = {str(theme.pk): theme for theme, _depth in page.rows}
    split = (by_pk.get(request.GET.get("split")), by_pk.get(request.GET.get("from")))
    ctx = {
        "rows": page.rows,
        "coders": page.coders,
        "can_add": can_manage,
        "can_manage": can_manage,
        "can_delete": can_manage,
        "removed": removed,
        "undo": next((d for d in removed if str(d.pk) == request.GET.get("undo")), None),
        "split": split if all(split) and can_manage else None,
    }
    return render(request, "coding/codebook.html", ctx, status=status)


def _posted(request):
    return request.POST if request.method == "POST" else None


@login_required
def codebook(request, study):
    return _codebook_page(request, get_membership(request, study))


@login_required
@require_http_methods(["GET", "POST"])
def theme_create_page(request, study):
    membership = get_membership_rw(request, study)
    if request.method != "POST":
        form = ThemeForm(initial={"parent": request.GET.get("parent")}, study=membership.study)
        return render(request, "coding/codebook_theme_form.html", {"form": form})
    form = ThemeForm(request.POST, study=membership.study)
    if form.is_valid():
        try:
            theme = theme_create(study=membership.study, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Theme «%(name)s» created.") % {"name": theme.name})
            return redirect(_codebook_url(study, theme.pk))
    return render(request, "coding/codebook_theme_form.html", {"form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def theme_update_page(request, study, pk):
    theme = get_theme_for_user_rw(request, study, pk)
    if request.method != "POST":
        form = ThemeForm(instance=theme, study=theme.study_id)
        return render(request, "coding/codebook_theme_form.html", {"form": form})
    form = ThemeForm(request.POST, instance=theme, study=theme.study_id)
    if form.is_valid():
        try:
            theme = theme_update(theme=theme, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Theme «%(name)s» saved.") % {"name": theme.name})
            return redirect(_codebook_url(study, theme.pk))
    return render(request, "coding/codebook_theme_form.html", {"form": form}, status=400)


@login_required
@require_POST
def theme_move_view(request, study, pk):
    theme = get_theme_for_user_rw(request, study, pk)
    form = ThemeMoveForm(request.POST, study=theme.study_id)
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
        return _codebook_page(request, request.membership, status=400)
    return redirect(_codebook_url(study, theme.pk))


@login_required
@require_http_methods(["GET", "POST"])
def theme_merge_page(request, study, pk):
    source = get_theme_for_user_rw(request, study, pk)
    form = ThemeMergeForm(_posted(request), source=source)
    if request.method == "POST" and form.is_valid():
        codings = CodedExcerpt.themes.through.objects.filter(theme_id=source.pk).count()
        if codings > settings.JOBS_INLINE_LIMITS["theme_merge_codings"]:
            job, _created = theme_merge_job_start(source=source, target=form.cleaned_data["target"],
                                                  user=request.user, codings=codings)
            return redirect(job.get_absolute_url())
        try:
            deleted = theme_merge(source=source, target=form.cleaned_data["target"], user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            target = form.cleaned_data["target"]
            messages.success(request, _("«%(source)s» merged into «%(target)s».")
                             % {"source": deleted.name, "target": target.name})
            return redirect(_codebook_url(study, target.pk, undo=deleted.pk))
    ctx = {"theme": source, "form": form, "counts": CodedExcerpt.objects.for_theme_delete(source),
           "children": list(source.children.all())}
    return render(request, "coding/codebook_merge.html", ctx, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def theme_split_page(request, study, pk):
    theme = get_theme_for_user_rw(request, study, pk)
    form = ThemeSplitForm(_posted(request), theme=theme, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if len(data["excerpts"]) > settings.JOBS_INLINE_LIMITS["theme_merge_codings"]:
            job, _created = theme_split_job_start(theme=theme, user=request.user, **{
                k: data[k] for k in ("excerpts", "name", "colour", "as_child")})
            return redirect(job.get_absolute_url())
        try:
            new = theme_split(theme=theme, excerpts=data["excerpts"], name=data["name"],
                              colour=data["colour"], as_child=data["as_child"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("%(n)s excerpts moved from «%(theme)s» to the new theme «%(new)s».")
                             % {"n": len(data["excerpts"]), "theme": theme.name, "new": new.name})
            return redirect(_codebook_url(study, new.pk, split=new.pk, **{"from": theme.pk}))
    chosen = {str(v) for v in form["excerpts"].value() or []}
    excerpts = CodedExcerpt.objects.for_theme_split(theme, request.membership)
    ctx = {"theme": theme, "form": form, "excerpts": excerpts,
           "chosen": chosen}
    return render(request, "coding/codebook_split.html", ctx, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def theme_delete_page(request, study, pk):
    theme = get_theme_for_user_rw(request, study, pk)
    counts = CodedExcerpt.objects.for_theme_delete(theme)
    form = ThemeDeleteForm(_posted(request), theme=theme, has_codings=counts["codings"] > 0)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deleted = theme_delete(theme=theme, user=request.user, codings=data["codings"],
                                   target=data["target"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Theme «%(name)s» deleted.") % {"name": deleted.name})
            return redirect(_codebook_url(study, undo=deleted.pk))
    ctx = {"theme": theme, "form": form, "counts": counts, "children": list(theme.children.all())}
    return render(request, "coding/codebook_delete.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def theme_restore_view(request, study, pk):
    deleted = get_deleted_theme_for_user_rw(request, study, pk)
    if len(deleted.snapshot.get("excerpts", ())) > settings.JOBS_INLINE_LIMITS["theme_merge_codings"]:
        job, _created = theme_restore_job_start(deleted=deleted, user=request.user)
        return redirect(job.get_absolute_url())
    try:
        theme, problems = theme_restore(deleted=deleted)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _codebook_page(request, request.membership, status=400)
    messages.success(request, _("Theme «%(name)s» restored.") % {"name": theme.name})
    for problem in problems:
        messages.warning(request, problem)
    return redirect(_codebook_url(study, theme.pk))


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def codebook_export_qdc(request, study):
    membership = get_membership(request, study)
    themes = Theme.objects.for_codebook_export(membership.study, membership)
    if not themes:
        messages.error(request, _("The codebook is empty; a REFI-QDA codebook needs at least one theme."))
        return _codebook_page(request, membership, status=409)
    second = second_language(membership.study.language)
    body = codebook_qdc_bytes(themes, second)
    return _download(body, "application/xml", f"pasto-coop-{study}-codebook.qdc")


@login_required
def codebook_export_csv(request, study):
    membership = get_membership(request, study)
    themes = Theme.objects.for_codebook_export(membership.study, membership)
    filename = f"pasto-coop-{study}-codebook.csv"
    return _download(codebook_csv_bytes(themes), "text/csv; charset=utf-8", filename)


@login_required
@require_http_methods(["GET", "POST"])
def codebook_import_page(request, study):
    membership = get_membership_rw(request, study)
    form = CodebookImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    report = None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        importer = codebook_import_csv if file.name.lower().endswith(".csv") else codebook_import_qdc
        try:
            report = importer(file, study=membership.study)
        except CodebookFileError as exc:
            form.add_error("file", ValidationError(str(exc), code="unreadable_codebook"))
    ctx = {"form": form, "report": report, "file_name": form.cleaned_data["file"].name if report else ""}
    return render(request, "coding/codebook_import.html", ctx, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def codebook_copy_page(request, study):
    """Copy the codebook of another study the user belongs to (in any role) into this one.
    A source study they are not a member of is a 404, as for any other object."""
    membership = get_membership_rw(request, study)
    if request.POST.get("source"):
        get_source_study_for_user(request, request.POST["source"])
    form = CodebookCopyForm(_posted(request), user=request.user, target=membership.study)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = codebook_copy(source=form.cleaned_data["source"], target=membership.study)
        except ValidationError as exc:
            form.add_error("source", exc)
        except CodebookFileError as exc:  # a theme the target cannot hold; nothing was saved
            form.add_error("source", ValidationError(str(exc), code="copy_refused"))
    ctx = {"form": form, "report": report}
    return render(request, "coding/codebook_copy.html", ctx, status=400 if form.errors else 200)
