"""Themes crossed with any attribute: a study's own participant and transcript attributes
(sector, gender and organisation among them, where a study has them). Number and date attributes are
grouped into ranges the user picks (boundaries "30, 45, 60" give "under 30", "30 to under 45",
"45 to under 60", "60 or more"); other types group by value, choices in their list's order.

A group is also a filter of the excerpt browser (`?attribute=<key>&group=<spec>`), so that each
cell of the crosstab opens its quotes. `spec` is "v:<value as shown>", "r:<from>:<to>" (from
inclusive, to exclusive, either may be empty) or "none" (no value).

Consent applies as everywhere (reports.queries): the counts read counted transcripts only and
the browser starts from counted excerpts."""

import bisect
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Count
from django.utils.translation import gettext as _

from interviews.attributes import display_value, parse_value
from interviews.models import (
    Attribute,
    AttributeTarget,
    AttributeType,
    AttributeValue,
)
from reports.queries import (
    BoundedCache,
    Counts,
    ThemeTree,
    coded_with,
    counted_excerpts,
    counted_transcripts,
    theme_transcript_counts,
)
from studies.prepared import Prepared


@dataclass
class Variable:
    """What a crosstab can be made by: an attribute, with what is needed to read its values and
    show them."""

    key: str  # "a<id>"
    label: str
    type: str
    target: str  # AttributeTarget
    attribute: Attribute | None = None
    labels: dict = None  # stored value -> label (a choice's id -> its label)
    order: dict = None  # stored value -> place in its list

    def show(self, value):
        return display_value(self.type, value, self.labels)

    def values(self, study):
        """{participant or transcript id: stored value} for the study. One query."""
        column = "choice_id" if self.type == AttributeType.CHOICE else {
            AttributeType.TEXT: "text", AttributeType.NUMBER: "number", AttributeType.DATE: "date",
            AttributeType.BOOLEAN: "boolean"}[self.type]
        rows = AttributeValue.objects.filter(study=study, attribute=self.attribute).values_list(
            f"{self.target}_id", column)
        return dict(rows)


def variables_for(study, *, identifying, with_choices=True, attributes=None, unchanged=False):
    """Every variable of `study` a member may cross by: identifying attributes for owners only.
    Two queries (attributes and their choices), one `with_choices=False` (a list to pick from;
    `with_choices_of` completes the one picked), none given `attributes`: the study's, read
    already in this order (study_attributes)."""
    found = []
    if attributes is None:
        attributes = study_attributes(study, identifying=identifying, with_choices=with_choices,
                                      unchanged=unchanged)
    elif not identifying:
        attributes = [attribute for attribute in attributes if not attribute.identifying]
    for attribute in attributes:
        choices = list(attribute.choices.all()) if with_choices else []
        kind = _("participant") if attribute.applies_to == AttributeTarget.PARTICIPANT else _("transcript")
        found.append(Variable(
            f"a{attribute.pk}", f"{attribute.name} ({kind})", attribute.type, attribute.applies_to, attribute,
            labels={c.pk: c.label for c in choices}, order={c.pk: i for i, c in enumerate(choices)}))
    return found


def study_attributes(study, *, identifying, with_choices=False, unchanged=False):
    """The attributes of `study` a member may see (identifying ones for owners only), in the
    order variables_for lists them. One query, two `with_choices`. `unchanged` (a page that
    changes nothing), without choices: none while the study's setup_token is the one they were
    read under (as ThemeTree's); they are then shared with other requests, to read only."""
    if with_choices:
        return list(_attributes((identifying,), study=study.pk).prefetch_related("choices"))
    if not unchanged:
        return ATTRIBUTES.run((identifying,), study=study.pk)
    key = (router.db_for_read(Attribute), study.pk, study.setup_token, identifying)
    kept = STUDY_ATTRIBUTES.get(key)  # an older token's list goes out as the least recently used
    if kept is None:
        kept = STUDY_ATTRIBUTES.put(key, ATTRIBUTES.run((identifying,), study=study.pk))
    return kept


def _attributes(shape, *, study):
    (identifying,) = shape
    attributes = Attribute.objects.filter(study_id=study).order_by("applies_to", "order", "name")
    return attributes if identifying else attributes.filter(identifying=False)


# Read by the excerpt browser's filter form on every page: compiled once per process, and
# kept per study under its setup token for pages that change nothing.
ATTRIBUTES = Prepared(_attributes)
STUDY_ATTRIBUTES = BoundedCache(64)


def with_choices_of(variable):
    """`variable` with its choice labels read (one query for a choice attribute, none else)."""
    if variable.attribute is not None and variable.type == AttributeType.CHOICE and not variable.labels:
        choices = list(variable.attribute.choices.all())
        variable.labels = {c.pk: c.label for c in choices}
        variable.order = {c.pk: i for i, c in enumerate(choices)}
    return variable


def parse_bounds(variable, text):
    """Range boundaries typed as "30, 45, 60" (numbers) or "2009-04-15, 2009-05-01" (dates):
    sorted, each given once; a ValidationError naming the bad one otherwise."""
    if not text.strip():
        return []
    if variable.type not in (AttributeType.NUMBER, AttributeType.DATE):
        raise ValidationError(_("Only number and date attributes are grouped into ranges."),
                              code="ranges_not_allowed")
    probe = variable.attribute or Attribute(name=variable.label, type=variable.type)
    bounds = []
    for part in text.split(","):
        if part.strip():
            bounds.append(parse_value(probe, part))
    return sorted(set(bounds))


@dataclass
class Group:
    label: str
    spec: str


def _bound_text(variable, value):
    return "" if value is None else variable.show(value)


def groups_for(variable, values, bounds):
    """The groups present among `values`, in order, each with the function that puts a value
    in it: ([Group], key(value) -> index)."""
    if bounds:
        edges = [None, *bounds, None]
        groups = []
        for low, high in zip(edges, edges[1:], strict=False):
            lo, hi = _bound_text(variable, low), _bound_text(variable, high)
            if low is None:
                label = _("under %(high)s") % {"high": hi}
            elif high is None:
                label = _("%(low)s or more") % {"low": lo}
            else:
                label = _("%(low)s to under %(high)s") % {"low": lo, "high": hi}
            groups.append(Group(label, f"r:{lo}:{hi}"))
        return groups, lambda value: bisect.bisect_right(bounds, value)
    present = set(values)
    if variable.order is not None and variable.type == AttributeType.CHOICE:
        ordered = sorted(present, key=lambda v: variable.order.get(v, len(variable.order)))
    elif variable.type == AttributeType.TEXT:
        ordered = sorted(present, key=lambda v: str(v).casefold())
    else:
        ordered = sorted(present)
    index = {value: i for i, value in enumerate(ordered)}
    return [Group(variable.show(v), f"v:{variable.show(v)}") for v in ordered], index.__getitem__


def matches(variable, spec):
    """A test for stored values: is this value in the group `spec`? ValidationError if the spec
    cannot be read."""
    if spec == "none":
        return lambda value: value is None
    if spec.startswith("v:"):
        wanted = spec[2:]
        return lambda value: value is not None and variable.show(value) == wanted
    if spec.startswith("r:") and spec.count(":") == 2:
        probe = variable.attribute or Attribute(name=variable.label, type=variable.type)
        _r, low, high = spec.split(":")
        low, high = parse_value(probe, low), parse_value(probe, high)
        return lambda value: value is not None and (low is None or value >= low) and (
            high is None or value < high)
    raise ValidationError(_("That group cannot be read."), code="bad_group")


@dataclass
class CrosstabRow:
    theme: object
    depth: int
    total: Counts
    cells: list  # Counts per group, then the "no value" group


def crosstab_for(study, variable, bounds=(), *, layer=None):
    """Per theme of `study`: excerpts and participants (distinct) in all and in each group of
    `variable`, plus those with no value. Consent applies: counted transcripts only. Four
    queries whatever the number of attributes or groups: themes, counts, transcripts, values.
    `layer` as coding.models.layer_q takes it (a member's seen_layer)."""
    tree = ThemeTree(study)
    counts = theme_transcript_counts(tree, layer)
    owners = dict(counted_transcripts(study).values_list("pk", "participant_id"))
    values = variable.values(study)
    by_participant = variable.target == AttributeTarget.PARTICIPANT
    groups, place = groups_for(variable, [values[k] for k in set(values) & set(
        owners.values() if by_participant else owners)], bounds)
    blank = len(groups)
    columns = {}  # transcript id -> its participant and its group's column, placed once
    for transcript_id, participant in owners.items():
        value = values.get(participant if by_participant else transcript_id)
        columns[transcript_id] = participant, blank if value is None else place(value)
    cells = {}
    for (theme_id, transcript_id), n in counts.items():
        participant, column = columns[transcript_id]
        for key in ((theme_id, "all"), (theme_id, column)):
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = [0, set()]
            cell[0] += n
            cell[1].add(participant)

    def get(theme_id, column):
        excerpts, people = cells.get((theme_id, column), (0, ()))
        return Counts(excerpts, len(people))

    rows = [CrosstabRow(theme, depth, get(theme.pk, "all"), [get(theme.pk, i) for i in range(blank + 1)])
            for theme, depth in tree.rows]
    return groups + [Group(_("no value"), "none")], rows


def excerpt_filter_ids(study, variable, spec):
    """For the excerpt browser: ("participant" | "transcript", [ids]) whose value of `variable`
    is in the group `spec`. Objects with no value are those of the study without a row."""
    test = matches(variable, spec)
    values = variable.values(study)
    if spec == "none":
        owners = counted_transcripts(study)
        if variable.target == AttributeTarget.PARTICIPANT:
            ids = set(owners.values_list("participant_id", flat=True)) - set(values)
        else:
            ids = set(owners.values_list("pk", flat=True)) - set(values)
        return variable.target, sorted(ids)
    return variable.target, sorted(pk for pk, value in values.items() if test(value))


def theme_breakdown(study, theme_ids, variable, bounds=(), *, layer=None):
    """A theme report's counts by any attribute: [(group label, Counts)] of the excerpts coded
    with any of `theme_ids` (the theme and its sub-themes, each excerpt once), for participants
    who count, with the group of those with no value last; groups with no excerpts are left
    out. Three queries, four for a choice attribute (its labels)."""
    variable = with_choices_of(variable)
    per_transcript = dict(
        counted_excerpts(study).filter(pk__in=coded_with(study, theme_ids, layer)).order_by()
        .values_list("transcript_id").annotate(n=Count("pk")))
    owners = dict(counted_transcripts(study).values_list("pk", "participant_id"))
    values = variable.values(study)
    by_participant = variable.target == AttributeTarget.PARTICIPANT
    keys = {owners[t] if by_participant else t for t in per_transcript}
    groups, place = groups_for(variable, [values[k] for k in keys if k in values], bounds)
    cells = {}
    for transcript_id, n in per_transcript.items():
        participant = owners[transcript_id]
        value = values.get(participant if by_participant else transcript_id)
        column = len(groups) if value is None else place(value)
        cell = cells.setdefault(column, [0, set()])
        cell[0] += n
        cell[1].add(participant)
    labelled = [*groups, Group(_("no value"), "none")]
    return [(labelled[i].label, Counts(cells[i][0], len(cells[i][1])))
            for i in range(len(labelled)) if i in cells]


def group_filter_ids(form, data):
    """The ids an attribute filter keeps (excerpt_filter_ids), from a form's cleaned `data`
    ("attribute" and "group"; a bare group is a value, "v:…"), or None when no attribute is
    picked; a bad group is the form's error on "group". Shared by every form that filters by an
    attribute (`form.study`, `form.variables`)."""
    if not data.get("attribute"):
        return None
    spec = data.get("group", "").strip()
    if spec != "none" and not spec.startswith(("v:", "r:")):
        spec = "v:" + spec
    try:
        return excerpt_filter_ids(form.study, with_choices_of(form.variables[data["attribute"]]), spec)
    except ValidationError as exc:
        form.add_error("group", exc)
        return None
