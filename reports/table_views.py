"""Quantitative exports for R, SPSS or Excel: the theme × participant matrix, the overview's
crosstabs and the participant × theme (case) table, as CSV (streamed) and XLSX. Every member of
the study reads them (studies.access.get_membership); the numbers are the report pages' own
(reports.queries), consent applied.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from coding.models import seen_layer
from interviews.attributes import participant_profiles
from interviews.models import ConsentScope
from reports import exports
from reports.crosstab import variables_for
from reports.crosstab_views import AttributeGroupForm
from reports.layers import layer_or_400
from reports.queries import (
    CASE_MEASURES,
    case_theme_table,
    choice_columns,
    matrix_for,
    overview_for,
)
from studies.access import get_membership

TABLE_FORMATS = ("csv", "xlsx")


def _table_response(request, study, fmt, name, header, rows):
    filename = f"{name}-{study.slug}.{fmt}"
    if fmt == "csv":
        return exports.table_csv(header, rows, filename=filename)
    meta = exports.Meta(title=study.name, author=request.user.get_username(), created=timezone.now())
    return exports.table_xlsx(header, rows, sheet=name, meta=meta, filename=filename)


def _table_study(request, study, fmt):
    """The study, and the coder layer the page's `?layer=` names (its default: every coder's),
    or a 400 response for a layer that names none."""
    if fmt not in TABLE_FORMATS:
        raise Http404
    layer, refused = layer_or_400(request)
    return get_membership(request, study).study, layer, refused


@login_required
def theme_matrix_export(request, study, fmt):
    """The matrix page's table: one row per theme (its path in the codebook), one column per
    participant who counts, excerpts coded with the theme or its sub-themes (each once); the
    page's layer and attribute filter (`?attribute=…&group=…`) apply."""
    study, layer, refused = _table_study(request, study, fmt)
    if refused:
        return refused
    membership = request.membership
    variables = variables_for(study, identifying=membership.can_see_identifying_fields, with_choices=False)
    form = AttributeGroupForm(request.GET, study=study, variables=variables)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    matrix = matrix_for(study, seen_layer(membership, layer), only=form.cleaned_data["only"])
    header = [str(_("Theme"))] + [p.code for p in matrix.participants]
    rows = ([" › ".join([t.name for t in matrix.tree.ancestors(theme.pk)] + [theme.name])]
            + [matrix.counts.get((theme.pk, p.pk), 0) for p in matrix.participants]
            for theme, _depth in matrix.tree.rows)
    return _table_response(request, study, fmt, "matrix", header, rows)


@login_required
def crosstabs_export(request, study, fmt):
    """The overview's crosstabs: per theme, excerpts and participants in all and by each choice
    of each choice attribute of participants (the same definitions as the overview page)."""
    study, layer, refused = _table_study(request, study, fmt)
    if refused:
        return refused
    columns = choice_columns(study)
    overview = overview_for(study, seen_layer(request.membership, layer), columns)
    excerpts, people = _("excerpts"), _("participants")
    header = [str(_("Theme")), f"{_('All')}: {excerpts}", f"{_('All')}: {people}"]
    for attribute, labels in columns.attributes:
        for label in labels:
            header += [f"{attribute.name}: {label}: {excerpts}", f"{attribute.name}: {label}: {people}"]
    rows = ([row.theme.name, row.total.excerpts, row.total.participants]
            + [n for cells in row.groups for c in cells for n in (c.excerpts, c.participants)]
            for row in overview)
    return _table_response(request, study, fmt, "crosstabs", header, rows)


@login_required
def case_theme_export(request, study, fmt):
    """Case × theme table, ready for R, SPSS or Excel: one row per participant who counts with
    their attributes, one column per theme; `measure` is presence (1/0), count (excerpts) or
    characters (code points coded)."""
    study, layer, refused = _table_study(request, study, fmt)
    if refused:
        return refused
    measure = request.GET.get("measure", "count")
    if measure not in CASE_MEASURES:
        return HttpResponse(_("Choose presence, count or characters."), status=400,
                            content_type="text/plain; charset=utf-8")
    tree, participants, cells = case_theme_table(study, measure, seen_layer(request.membership, layer))
    profiles = participant_profiles(study)  # non-identifying attributes: every member may export
    themes = [theme for theme, _depth in tree.rows]
    header = ([str(_("Participant"))] + [attribute.name for attribute in profiles.attributes]
              + [str(_("Consent scope"))] + [theme.name for theme in themes])
    scopes = dict(ConsentScope.choices)
    rows = ([code, *profiles.row(pk), str(scopes.get(scope, scope))]
            + [cells.get((pk, theme.pk), 0) for theme in themes]
            for pk, code, scope in participants)
    return _table_response(request, study, fmt, f"cases-{measure}", header, rows)


