"""Attributes and the classification sheets, under /studies/<slug>/transcripts/: defining a
study's attributes, the sheets of participants and of transcripts (edited cell by cell), adding
participants by pseudonym, and CSV/XLSX export and import with a preview.

Every member reads the sheets; researchers and owners change them. Identifying attributes are
the owners' only: for anyone else they are not in the page, the exports or the import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from interviews.access import get_attribute_for_user_rw
from interviews.attributes import display_value
from interviews.forms import AttributeForm, SheetApplyForm, SheetCellForm, SheetImportForm
from interviews.models import Attribute, AttributeTarget, AttributeType, Participant, Transcript
from interviews.services import (
    attribute_create,
    attribute_delete,
    attribute_update,
    attribute_value_set,
    participant_add_to_sheet,
    sheet_import_apply,
)
from interviews.sheet_io import plan_import, read_table, sheet_csv, sheet_xlsx
from interviews.sheets import Sheet, sheet_rows_html
from studies.access import get_membership, get_membership_rw

SHEET_URL = {AttributeTarget.PARTICIPANT: "interviews:participant-sheet",
             AttributeTarget.TRANSCRIPT: "interviews:transcript-sheet"}


# ----- attribute definitions -----

@login_required
def attribute_list(request, study, target):
    membership = get_membership(request, study)
    attributes = Attribute.objects.visible(membership.study, target,
                                           identifying=membership.can_see_identifying_fields)
    return render(request, "interviews/attribute_list.html",
                  {"attributes": attributes, "target": target, "sheet_url": SHEET_URL[target]})


def _attribute_fields(form):
    data = dict(form.cleaned_data)
    data["order"] = data.get("order") or 0
    return data


@login_required
@require_http_methods(["GET", "POST"])
def attribute_create_view(request, study, target):
    membership = get_membership_rw(request, study)
    form = AttributeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attribute = attribute_create(study=membership.study, applies_to=target, name=data["name"],
                                         type=data["type"], description=data["description"],
                                         identifying=data["identifying"], order=data["order"],
                                         choices=data["choices"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Attribute %(name)s added.") % {"name": attribute.name})
            return redirect(_list_url(target), membership.study.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "interviews/attribute_form.html", {"form": form, "target": target}, status=status)


def _list_url(target):
    return ("interviews:participant-attributes" if target == AttributeTarget.PARTICIPANT
            else "interviews:transcript-attributes")


@login_required
@require_http_methods(["GET", "POST"])
def attribute_update_view(request, study, pk):
    attribute = get_attribute_for_user_rw(request, study, pk)
    initial = {"name": attribute.name, "description": attribute.description, "order": attribute.order,
               "identifying": attribute.identifying,
               "choices": "\n".join(choice.label for choice in attribute.choices.all())}
    form = AttributeForm(request.POST if request.method == "POST" else None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attribute_update(attribute=attribute, name=data["name"], description=data["description"],
                             identifying=data["identifying"], order=data["order"] or 0,
                             choices=data["choices"] if attribute.type == AttributeType.CHOICE else None)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Attribute %(name)s saved.") % {"name": attribute.name})
            return redirect(_list_url(attribute.applies_to), study)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "attribute": attribute, "target": attribute.applies_to}
    return render(request, "interviews/attribute_form.html", ctx, status=status)


@login_required
@require_POST
def attribute_delete_view(request, study, pk):
    attribute = get_attribute_for_user_rw(request, study, pk)
    attribute_delete(attribute=attribute)
    messages.success(request, _("Attribute %(name)s and its values deleted.") % {"name": attribute.name})
    return redirect(_list_url(attribute.applies_to), study)


# ----- the sheets -----

def _sheet(membership, target):
    return Sheet(membership.study, target, identifying=membership.can_see_identifying_fields)


def _view_rows(request, sheet):
    """The rows the page shows: sorted by ?sort=<column>&dir=desc, filtered by f_<column>=..."""
    filters = {key[2:]: value for key, value in request.GET.items() if key.startswith("f_")}
    descending = request.GET.get("dir") == "desc"
    return sheet.sorted_filtered(sort=request.GET.get("sort", ""), descending=descending,
                                 filters=filters), filters


def _headers(request, sheet, filters):
    sort, descending = request.GET.get("sort", ""), request.GET.get("dir") == "desc"
    base = {f"f_{key}": value for key, value in filters.items() if value}
    headers = []
    for column in sheet.columns:
        flip = "asc" if sort == column.key and descending else "desc" if sort == column.key else "asc"
        headers.append({
            "column": column, "filter": filters.get(column.key, ""),
            "sort_query": urlencode({**base, "sort": column.key, "dir": flip}),
            "sorted": ("descending" if descending else "ascending") if sort == column.key else "",
            "choices": [column.labels[k] for k in sorted(column.labels, key=lambda k: column.order.get(k, 0))]
            if column.type == AttributeType.CHOICE else [],
        })
    return headers


def _sheet_context(request, membership, target):
    sheet = _sheet(membership, target)
    rows, filters = _view_rows(request, sheet)
    editors = {attribute.pk: {"type": attribute.type, "choices": [c.label for c in attribute.choices.all()]}
               for attribute in sheet.attributes}
    return {
        "sheet": sheet, "target": target, "headers": _headers(request, sheet, filters),
        "rows_html": mark_safe(sheet_rows_html(sheet, rows)),  # every value escaped there
        "shown": len(rows), "editors": editors, "query": request.GET.urlencode(),
        "can_edit": membership.can_code,
    }


@login_required
def sheet_page(request, study, target):
    """A classification sheet: four queries whatever its size (see interviews.sheets)."""
    membership = get_membership(request, study)
    return render(request, "interviews/sheet.html", _sheet_context(request, membership, target))


def _cell_target(membership, target, form):
    model = Participant if target == AttributeTarget.PARTICIPANT else Transcript
    attributes = Attribute.objects.filter(study=membership.study, applies_to=target)
    attributes = attributes.prefetch_related("choices")
    if not membership.can_see_identifying_fields:
        attributes = attributes.filter(identifying=False)
    attribute = get_object_or_404(attributes, pk=form.cleaned_data["attribute"])
    obj = get_object_or_404(model, study=membership.study, pk=form.cleaned_data["obj"])
    return attribute, obj


@login_required
@require_POST
def sheet_cell(request, study, target):
    """Edit one cell in place: JSON with the value as it now reads, or a 400 with the message."""
    membership = get_membership_rw(request, study)
    form = SheetCellForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("The cell could not be read.")}, status=400)
    attribute, obj = _cell_target(membership, target, form)
    try:
        value = attribute_value_set(attribute=attribute, obj=obj, raw=form.cleaned_data["value"])
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    stored = value.pk if attribute.type == AttributeType.CHOICE and value is not None else value
    labels = {choice.pk: choice.label for choice in attribute.choices.all()}
    return JsonResponse({"value": display_value(attribute.type, stored, labels)})


@login_required
@require_POST
def participant_sheet_add(request, study):
    """Add a participant on the sheet: a pseudonym code and attribute values, never a name."""
    membership = get_membership_rw(request, study)
    attributes = Attribute.objects.visible(membership.study, AttributeTarget.PARTICIPANT,
                                           identifying=membership.can_see_identifying_fields)
    values = {a: request.POST.get(f"a{a.pk}", "") for a in attributes}
    try:
        participant = participant_add_to_sheet(study=membership.study, code=request.POST.get("code", ""),
                                               values=values)
    except ValidationError as exc:
        ctx = {**_sheet_context(request, membership, AttributeTarget.PARTICIPANT),
               "add_errors": exc.messages, "added": request.POST}
        return render(request, "interviews/sheet.html", ctx, status=400)
    messages.success(request, _("Participant %(code)s added.") % {"code": participant.code})
    return redirect("interviews:participant-sheet", study)


@login_required
def sheet_export(request, study, target, fmt):
    """The sheet as shown (its sort and filters applied) as CSV or XLSX."""
    membership = get_membership(request, study)
    sheet = _sheet(membership, target)
    rows, _filters = _view_rows(request, sheet)
    return sheet_csv(sheet, rows) if fmt == "csv" else sheet_xlsx(sheet, rows)


@login_required
@require_http_methods(["GET", "POST"])
def sheet_import(request, study, target):
    """Upload a CSV or XLSX: a preview of new participants, changed cells, unknown columns and
    bad cells; then "Apply" changes everything in one transaction, exactly what the preview
    showed, or nothing."""
    membership = get_membership_rw(request, study)
    ctx = {"target": target, "sheet_url": SHEET_URL[target]}
    if request.method == "GET":
        return render(request, "interviews/sheet_import.html", {**ctx, "form": SheetImportForm()})
    if "digest" in request.POST:
        return _sheet_apply(request, membership, target, ctx)
    form = SheetImportForm(request.POST, request.FILES)
    table = None
    if form.is_valid():
        try:
            table = read_table(form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
    if table is None:
        return render(request, "interviews/sheet_import.html", {**ctx, "form": form}, status=400)
    plan = plan_import(_sheet(membership, target), table)
    apply_form = SheetApplyForm(initial={"table": table, "digest": plan.digest()})
    return render(request, "interviews/sheet_import.html",
                  {**ctx, "form": SheetImportForm(), "plan": plan, "apply_form": apply_form},
                  status=400 if plan.errors else 200)


def _sheet_apply(request, membership, target, ctx):
    form = SheetApplyForm(request.POST)
    if not form.is_valid():
        return render(request, "interviews/sheet_import.html",
                      {**ctx, "form": SheetImportForm(), "refused": _("The import could not be read; upload "
                                                                       "the file again.")}, status=400)
    plan = plan_import(_sheet(membership, target), form.cleaned_data["table"])
    refused = None
    if plan.errors:
        refused = _("The file has errors; nothing was changed.")
    elif plan.digest() != form.cleaned_data["digest"]:
        refused = _("The sheet changed since the preview; nothing was changed. Upload the file again.")
    if refused is None:
        try:
            sheet_import_apply(study=membership.study, new_codes=plan.new_codes, changes=plan.apply)
        except ValidationError as exc:
            refused = " ".join(exc.messages) + " " + _("Nothing was changed.")
    if refused:
        return render(request, "interviews/sheet_import.html",
                      {**ctx, "form": SheetImportForm(), "refused": refused}, status=400)
    messages.success(request, _("Import applied: %(new)d new participants, %(cells)d changed cells.")
                     % {"new": len(plan.new_codes), "cells": len(plan.changes)})
    return redirect(SHEET_URL[target], membership.study.slug)


