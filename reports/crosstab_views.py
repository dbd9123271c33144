"""The crosstab by any attribute (/studies/<slug>/reports/overview/crosstab/): themes as rows,
the groups of one attribute as columns, each cell opening its quotes in the excerpt browser."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from coding.models import seen_layer
from reports.crosstab import crosstab_for, group_filter_ids, parse_bounds, variables_for
from reports.queries import left_out
from studies.access import get_membership


class CrosstabForm(forms.Form):
    attribute = forms.ChoiceField(label=_("Attribute"))
    ranges = forms.CharField(
        label=_("Ranges"), required=False, max_length=500,
        help_text=_("For numbers and dates: boundaries separated by commas, e.g. 30, 45, 60 or "
                    "2009-04-15, 2009-05-01. Leave empty to group by each value."),
    )

    def __init__(self, data, *, variables):
        super().__init__(data)
        self.variables = {variable.key: variable for variable in variables}
        self.fields["attribute"].choices = [(v.key, v.label) for v in variables]
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def clean(self):
        data = super().clean()
        variable = self.variables.get(data.get("attribute"))
        if variable is not None:
            try:
                data["bounds"] = parse_bounds(variable, data.get("ranges", ""))
            except ValidationError as exc:
                self.add_error("ranges", exc)
            data["variable"] = variable
        return data


class AttributeGroupForm(forms.Form):
    """Keep only the participants (or transcripts) whose attribute is in a group: a value as
    shown ("Second", "yes", "2009-04-07"), a crosstab's range, or "none" for no value."""

    attribute = forms.ChoiceField(label=_("Attribute"), required=False)
    group = forms.CharField(label=_("Attribute value"), required=False, max_length=200)

    def __init__(self, data, *, study, variables):
        super().__init__(data)
        self.study = study
        self.variables = {variable.key: variable for variable in variables}
        self.fields["attribute"].choices = [("", _("Any"))] + [(v.key, v.label) for v in variables]
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = ("form-select form-select-sm" if select
                                           else "form-control form-control-sm")

    def clean(self):
        data = super().clean()
        data["only"] = group_filter_ids(self, data)
        return data


@login_required
def attribute_crosstab(request, study):
    """Choose an attribute (identifying ones for owners only) and, for numbers and dates, ranges;
    the table is made in a fixed number of queries (reports.crosstab.crosstab_for)."""
    membership = get_membership(request, study)
    study = membership.study
    variables = variables_for(study, identifying=membership.can_see_identifying_fields)
    form = CrosstabForm(request.GET or {"attribute": variables[0].key}, variables=variables)
    if not form.is_valid():
        return render(request, "reports/attribute_crosstab.html", {"form": form}, status=400)
    variable, bounds = form.cleaned_data["variable"], form.cleaned_data["bounds"]
    groups, rows = crosstab_for(study, variable, bounds, layer=seen_layer(membership, None))
    browser = reverse("reports:excerpt-browser", args=[study.slug])
    table = [(row, [(cell, f"{browser}?" + urlencode({"theme": row.theme.pk, "attribute": variable.key,
                                                      "group": group.spec}))
                    for cell, group in zip(row.cells, groups, strict=True)]) for row in rows]
    ctx = {"form": form, "variable": variable, "groups": groups, "rows": table, "left_out": left_out(study)}
    return render(request, "reports/attribute_crosstab.html", ctx)
