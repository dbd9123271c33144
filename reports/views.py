"""Browse and report: the excerpt browser, search with auto-coding, theme reports and their
exports, and the study overview (frequencies, crosstabs, matrix, co-occurrence).

Every page is a study's: it receives the study's slug (`study`), and every member of that
study reads it (studies.access.get_membership, through reports/access.py for themes and runs);
only auto-coding and its undo write, for researchers and owners (get_membership_rw). Every read
is scoped to the study, and a theme, participant or run of another study is a 404 (in the URL)
or a form error (in a filter). No page reads identifying participant fields; quotes follow
reports/queries.py's consent rules.
"""

import re
from datetime import datetime
from html import escape as html_escape
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import router
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coding.access import get_theme_for_user
from coding.models import (
    ALL_CODERS,
    AutoCodingRun,
    AutoCodingScope,
    CodedExcerpt,
    Theme,
    blind_q,
    blind_q_for,
    blind_scope,
    seen_layer,
)
from coding.services import auto_coding_undo, excerpts_auto_code
from interviews.attributes import participant_profiles
from interviews.models import Participant, Transcript
from interviews.text import fold
from memos.models import Comment, Memo
from reports import exports
from reports.access import get_auto_coding_run_for_user_rw
from reports.cards import excerpt_cards, page_heading, pager_html, quote_blocks
from reports.charts import Bar, bar_chart, heat_style, matrix_body_html
from reports.crosstab import group_filter_ids, study_attributes, theme_breakdown, variables_for
from reports.crosstab_views import AttributeGroupForm, CrosstabForm
from reports.layers import kept, layer_choices, layer_or_400, parse_layer
from reports.paging import BadCursor, KeysetPage, cursor_decode, keyset_query
from reports.queries import (
    BROWSER_FIELDS,
    BoundedCache,
    Link,
    ThemeTree,
    choice_columns,
    coded_with,
    cooccurrence_for,
    counted_excerpts,
    counted_transcripts,
    counts_q,
    excerpts_for_browser,
    excerpts_for_export,
    excerpts_for_theme_report,
    left_out,
    matrix_for,
    overview_for,
    quote_rows,
    report_language,
    study_excerpts,
    text_contains,
    theme_report,
    wider_context,
)
from reports.search import kwic, paragraph_starts, parse_query, search, transcripts_for_search, word_forms
from reports.tasks import REPORT_FORMATS, auto_code_job_start, theme_report_export_job_start
from studies.access import get_membership, get_membership_rw
from studies.prepared import Prepared

EXCERPTS_PER_PAGE = 50
HITS_PER_PAGE = 50
QUOTES_PER_PAGE = 50
MAX_AUTO_CODE = 1000


def _excerpts_word(n):
    return ngettext("%(n)s excerpt", "%(n)s excerpts", n) % {"n": n}


# ----- Excerpt browser -----

SORTS = {
    "position": ("transcript__participant__code", "transcript__title", "transcript_id", "start", "pk"),
    "date": ("transcript__interview_date", "transcript__participant__code", "transcript__title", "start",
             "pk"),
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "longest": ("-length", "pk"),
}
# What each ordering's key holds, for its page links' cursors (reports.paging). "date" has none:
# an interview date may be empty, so it pages by number (OFFSET).
CURSOR_KINDS = {
    "position": (str, str, int, int, int), "newest": (datetime, int), "oldest": (datetime, int),
    "longest": (int, int),
}


def _choice_field(label, **kwargs):
    return forms.TypedChoiceField(label=label, required=False, empty_value=None, **kwargs)


def _study_choice_field(label, missing):
    """A filter naming a row of the study by id: an id of another study (or none) is refused
    with `missing`, before any excerpt is read."""
    return _choice_field(label, coerce=int, error_messages={"invalid_choice": missing})


class QuickWidget:
    """A widget that renders itself in Python, not through the form renderer's templates: a
    select of 50 themes costs 50 option templates there, more than a page of excerpts may
    cost. Same HTML, same attributes."""

    def render(self, name, value, attrs=None, renderer=None):
        # What get_context would give, without a select's option dicts (optgroups), unused here.
        given = {k: v for k, v in self.build_attrs(self.attrs, attrs).items() if v is not False}
        value = self.format_value(value)
        kind = given.pop("type", getattr(self, "input_type", None))  # attrs={"type": "date"} overrides
        attrs = _flat_attrs(given)
        if not isinstance(self, forms.Select):
            value = "" if value is None else f' value="{_escape(value)}"'
            return mark_safe(f'<input type="{_escape(kind)}" name="{_escape(name)}"{value}{attrs}>')
        chosen = {str(v) for v in value}
        if isinstance(self.choices, KeptChoices):  # escaped once: mark the chosen ones
            options = self.choices.html
            for v in chosen:
                start = f'<option value="{_escape(v)}"'
                options = options.replace(f"{start}>", f"{start} selected>", 1)
        else:
            options = "".join([
                f'<option value="{_escape(v)}"{" selected" if str(v) in chosen else ""}>'
                f'{_escape(label)}</option>' for v, label in self.choices
            ])
        return mark_safe(f'<select name="{_escape(name)}"{attrs}>{options}</select>')


class KeptChoices(BaseChoiceIterator):
    """A select's choices built once and kept for later pages (the theme select's, on its
    ThemeTree), with their <option>s escaped once: QuickSelect marks the chosen one. Django's
    fields take a BaseChoiceIterator as it is, without copying it into a list again."""

    def __init__(self, rows):
        self.rows = rows
        self.identity = object()  # for a cache key: unlike the choices, equal only to itself
        self.html = "".join([f'<option value="{_escape(v)}">{_escape(label)}</option>' for v, label in rows])

    def __iter__(self):
        return iter(self.rows)


def _escape(value):
    """django.utils.html.escape's text (the standard library's html.escape of str(value)),
    without its lazy-string wrapper, which costs more than the escaping: a page escapes a
    few hundred labels and values."""
    return html_escape(str(value))


def _conditional_escape(value):
    """django.utils.html.conditional_escape, as fast as _escape."""
    return value.__html__() if hasattr(value, "__html__") else html_escape(str(value))


def _flat_attrs(attrs):
    """What django.forms.utils.flatatt gives (sorted key="value" pairs, then sorted boolean
    attributes, each escaped), without format_html_join's cost per attribute."""
    pairs = sorted((k, v) for k, v in attrs.items() if not isinstance(v, bool) and v is not None)
    flags = sorted(k for k, v in attrs.items() if v is True)
    return ("".join([f' {_conditional_escape(k)}="{_conditional_escape(v)}"' for k, v in pairs])
            + "".join([f" {_conditional_escape(k)}" for k in flags]))


class QuickSelect(QuickWidget, forms.Select):
    pass


class QuickTextInput(QuickWidget, forms.TextInput):
    pass


class QuickDateInput(QuickWidget, forms.DateInput):
    pass


QUICK_WIDGETS = {forms.Select: QuickSelect, forms.TextInput: QuickTextInput, forms.DateInput: QuickDateInput}


class LookupField(forms.IntegerField):
    """A filter naming a row of the study by id, typed with help from the browser's type-ahead
    (reports:excerpt-choices) instead of a select listing every row: the form costs the same
    with 10 participants or 10,000. `lookup(study, pk, membership)` returns the row's label, or
    None when the study has no such row the member may see (one query, only when the filter is
    set)."""

    def __init__(self, label, missing, source, lookup):
        super().__init__(label=label, required=False, min_value=1,
                         error_messages={"invalid": missing, "min_value": missing},
                         widget=QuickTextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                       "list": f"{source}-choices", "data-choices": source}))
        self.missing, self.lookup = missing, lookup


def _participant_label(study, pk, _membership):
    return Participant.objects.filter(counts_q(""), study=study, pk=pk).values_list("code", flat=True).first()


def _transcript_label(study, pk, _membership):
    row = counted_transcripts(study).filter(pk=pk).values_list("participant__code", "title").first()
    return row and f"{row[0]} · {row[1]}"


def _coder_label(study, pk, membership):
    coded = study_excerpts(study).filter(blind_q(membership), coder_id=pk)  # blind coding: own only
    return get_user_model().objects.filter(
        pk=pk, pk__in=coded.values("coder_id")[:1]
    ).values_list("username", flat=True).first()


class ExcerptFilterForm(forms.Form):
    """The browser's filters, as GET parameters. Themes are a select (the codebook is small);
    participants, transcripts and coders are typed, with suggestions from
    reports:excerpt-choices, and a participant, coder or transcript of another study (or none)
    is a form error."""

    theme = _study_choice_field(_("Theme"), _("There is no such theme in this study."))
    subthemes = forms.TypedChoiceField(
        label=_("Sub-themes"), required=False, empty_value=True, coerce=lambda v: v == "1",
        choices=[("1", _("included")), ("0", _("left out"))],
    )
    participant = LookupField(_("Participant"), _("There is no such participant in this study."),
                              "participant", _participant_label)
    coder = LookupField(_("Coder"), _("No one by that id has coded in this study."), "coder", _coder_label)
    transcript = LookupField(_("Transcript"), _("There is no such transcript in this study."),
                             "transcript", _transcript_label)
    attribute = _choice_field(_("Attribute"))
    group = forms.CharField(label=_("Attribute value"), required=False, max_length=200,
                            help_text=_("A value, e.g. Second, or a range from the crosstab."))
    date_from = forms.DateField(label=_("Interviewed from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Interviewed until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Text"), required=False, max_length=200,
                           help_text=_("Quotes containing every word typed, ignoring case and accents."))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        ("position", _("Transcript order")), ("date", _("Interview date")), ("newest", _("Newest coded")),
        ("oldest", _("Oldest coded")), ("longest", _("Longest first")),
    ])

    def __init__(self, data, *, study, identifying=False, membership=None):
        super().__init__(data)
        # The form filters pages that change nothing (GET): the study's setup token, read with
        # the membership, names its themes and attributes (ThemeTree's `unchanged`).
        self.study, self.tree, self.membership = study, ThemeTree(study, unchanged=True), membership
        anything = [("", _("Any"))]
        self.labels = {}  # a typed filter's label, shown beside it
        # identifying attributes only for owners (`identifying`), as on every page
        self.variables = {v.key: v for v in variables_for(study, identifying=identifying, with_choices=False,
                                                          unchanged=True)}
        self.fields["attribute"].choices = anything + [(v.key, v.label) for v in self.variables.values()]
        choices = self.tree.kept.get("browser-themes")
        if choices is None:  # once for each tree (ThemeTree.kept: the same themes, the same language)
            choices = self.tree.kept["browser-themes"] = KeptChoices(
                anything + [(t.pk, "\u2003" * depth + t.name) for t, depth in self.tree.rows])
        self.fields["theme"].choices = choices

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            pk = data.get(name) if isinstance(field, LookupField) else None
            if pk is not None:
                label = field.lookup(self.study, pk, self.membership)
                if label is None:
                    self.add_error(name, ValidationError(field.missing, code="not_in_study"))
                else:
                    self.labels[name] = label
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The first interview date is after the last."), code="dates_reversed")
        if data.get("attribute"):
            data["attribute_ids"] = group_filter_ids(self, data)
        return data

    def fields_html(self):
        """The filters as the page shows them, each with its label, suggestions list, typed
        row's label, help and errors: built in Python, as the cards are (through the template,
        eleven fields cost more than the page's queries). A form without errors is built once
        for what it shows (FILTERS_HTML): a listing's pages show the same filters."""
        if self.errors:
            return self._fields_html()
        values = tuple((name, field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
                       for name, field in self.fields.items())
        key = (translation.get_language(), self.fields["theme"].choices.identity,
               tuple(self.fields["attribute"].choices), tuple(self.labels.items()), values)
        found = FILTERS_HTML.get(key)
        return found if found is not None else FILTERS_HTML.put(key, self._fields_html())

    def _fields_html(self):
        parts = []
        for field in self:
            listed = field.field.widget.attrs.get("list")
            html = [f'<div class="col-sm-6 col-md-4 col-xl-2"><label class="form-label small mb-0" '
                    f'for="{_escape(field.id_for_label or "")}">{_escape(field.label)}</label>{field}']
            if listed:
                html.append(f'<datalist id="{_escape(listed)}"></datalist>')
            if field.name in self.labels:
                html.append(f'<div class="form-text"><bdi>{_escape(self.labels[field.name])}</bdi></div>')
            if field.help_text:
                html.append(f'<div class="form-text small mt-0" id="{_escape(field.auto_id)}_helptext">'
                            f'{_escape(field.help_text)}</div>')
            html += [f'<div class="invalid-feedback d-block">{_escape(error)}</div>'
                     for error in field.errors]
            parts.append("".join(html) + "</div>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped or a widget's HTML

    def theme_ids(self):
        data = self.cleaned_data
        if not data.get("theme"):
            return []
        return self.tree.subtree_ids(data["theme"]) if data["subthemes"] else [data["theme"]]

    def filter(self, excerpts, *, walk=False):
        """The matching excerpts among `excerpts` (filter_excerpts)."""
        return filter_excerpts(excerpts, self.study, self.cleaned_data, self.theme_ids(), walk=walk)


# The excerpt browser's filters as HTML, for the last forms shown without errors, keyed by all
# they show: language, theme select (its KeptChoices, the same object while the study's themes
# are), attribute choices, typed rows' labels and each field's value.
FILTERS_HTML = BoundedCache(256)

FILTERS = {
    "participant": "transcript__participant_id", "coder": "coder_id", "transcript": "transcript_id",
    "date_from": "transcript__interview_date__gte", "date_to": "transcript__interview_date__lte",
}


class CheckedExists(Exists):
    """EXISTS checked row by row, as a walk in page order needs. PostgreSQL otherwise turns an
    EXISTS into a join, and planned the browser's walk as a join of every transcript with every
    excerpt of the theme (17 ms a page at 10,000 excerpts, against 2 ms walked). PostgreSQL does
    not flatten a subquery that has an OFFSET, so `OFFSET 0` keeps it as written. SQLite walks
    it as written anyway."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra_context)


def filter_excerpts(excerpts, study, data, theme_ids, *, walk=False):
    """The excerpts among `excerpts` matching the browser's filters: `data` (the form's
    cleaned data: FILTERS, attribute_ids, text) and `theme_ids`. With `walk`, the themes are
    checked excerpt by excerpt (EXISTS), for a page read in order from an index; else their
    excerpts are listed once (IN). `study` is the study or its id."""
    if theme_ids:
        coded = coded_with(study, theme_ids)
        if walk:
            excerpts = excerpts.filter(CheckedExists(coded.filter(codedexcerpt_id=OuterRef("pk"))))
        else:
            excerpts = excerpts.filter(pk__in=coded)
    for name, lookup in FILTERS.items():
        if data.get(name) not in (None, ""):
            excerpts = excerpts.filter(**{lookup: data[name]})
    if data.get("attribute_ids"):
        target, ids = data["attribute_ids"]
        lookup = "transcript__participant_id__in" if target == "participant" else "transcript_id__in"
        excerpts = excerpts.filter(**{lookup: ids})
    return text_contains(excerpts, data.get("text") or "")


def _quick_widgets(form_class):
    """`form_class`'s fields with QuickWidgets and Bootstrap's classes, set once on the class
    (each form copies its class's fields), not for every form."""
    for field in form_class.base_fields.values():
        select = isinstance(field.widget, forms.Select)
        quick = QUICK_WIDGETS.get(type(field.widget))  # other widgets render as Django renders them
        if quick is not None:
            extra = {"choices": field.widget.choices} if select else {}
            old, field.widget = field.widget, quick(attrs=field.widget.attrs, **extra)
            if hasattr(old, "input_type"):
                field.widget.input_type = old.input_type  # DateInput(attrs={"type": "date"})
        css = "form-select form-select-sm" if select else "form-control form-control-sm"
        field.widget.attrs["class"] = css


_quick_widgets(ExcerptFilterForm)


def _query_string(request, **changes):
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return params.urlencode()


def _page_number(value):
    return int(value) if value and value.isdigit() and 0 < int(value) < 10**6 else 1


@login_required
def excerpt_browser(request, study):
    """Listing excerpts page by page costs the same on every page, whatever the study's size:
    the page links carry the last row's ordering key (reports.paging), no select lists every
    participant (LookupField), no page counts the matches (page 1 asks for its totals in a
    request of its own, ?counts=1), its queries are compiled once per process
    (studies.prepared), and the cards are built in Python (reports.cards)."""
    membership = get_membership(request, study)
    study = membership.study
    form = ExcerptFilterForm(request.GET, study=study, identifying=membership.can_see_identifying_fields,
                             membership=membership)
    if not form.is_valid():
        return render(request, "reports/excerpt_browser.html", {"form": form}, status=400)
    if request.GET.get("counts") == "1":  # the totals, fetched by page 1 once it is shown
        return _browser_counts(form, membership)
    sort = form.cleaned_data.get("sort") or "position"
    try:
        after = _cursor(request.GET.get("after"), sort)
    except BadCursor:
        form.add_error(None, ValidationError(BAD_CURSOR, code="bad_cursor"))
        return render(request, "reports/excerpt_browser.html", {"form": form}, status=400)
    walk = _walks_in_order(form, sort)
    number = _page_number(request.GET.get("page"))
    offset = (number - 1) * EXCERPTS_PER_PAGE
    data = form.cleaned_data
    values = {name: data[name] for name in (*FILTERS, "text") if data.get(name) not in (None, "")}
    if ids := form.theme_ids():
        values["theme_ids"] = ids
    target = None
    if data.get("attribute_ids"):
        target, values["attribute_ids"] = data["attribute_ids"][0], list(data["attribute_ids"][1])
    if after is not None:
        values["after"] = after
    scope = blind_scope(membership)
    if scope is not None:
        values["user"] = membership.user_id
    shape = (sort, walk, offset if after is None else 0, EXCERPTS_PER_PAGE, scope, target)
    page = KeysetPage(PAGE_QUERY.run(shape, study=study.pk, **values), number=number,
                      per_page=EXCERPTS_PER_PAGE, width=len(BROWSER_FIELDS), offset=offset,
                      keyset=sort in CURSOR_KINDS)
    excerpts = excerpts_for_browser(study, page.rows, form.tree,
                                    [variable.attribute for variable in form.variables.values()])
    query = _query_string(request, page=None, fragment=None, after=None)
    if request.GET.get("fragment") == "1":  # "More": the next cards and pager, appended by the page
        return HttpResponse(excerpt_cards(study, excerpts) + pager_html(page, query))
    # Page 1 asks for its totals afterwards (?counts=1): counting every match, shown and hidden,
    # reads each matching excerpt's row, more than the page itself costs (27 ms of SQLite for a
    # theme of 4,400 at 100,000 excerpts), and no page of the listing pays for it.
    counts_url = ""
    if page.number == 1 and after is None:
        counts_url = f"?{query}&counts=1" if query else "?counts=1"
    ctx = {"form": form, "page": page, "heading": page_heading(page), "excerpts": excerpts,
           "cards": excerpt_cards(study, excerpts),
           "pager": pager_html(page, query), "counts_url": counts_url, "query": query}
    return render(request, "reports/excerpt_browser.html", ctx)


def _browser_counts(form, membership):
    """The excerpt browser's totals for its filters, as JSON: the matches shown and those
    hidden because their participant withdrew consent or never gave it, counted in one pass,
    with the page's heading and note in the page's language."""
    study = membership.study
    counts = form.filter(study_excerpts(study).filter(blind_q(membership))).aggregate(
        shown=Count("pk", filter=counts_q()), hidden=Count("pk", filter=~counts_q()))
    shown, hidden = counts["shown"], counts["hidden"]
    note = ngettext(
        "%(counter)s more excerpt matches, but is not shown: its participant withdrew consent or never "
        "gave it.",
        "%(counter)s more excerpts match, but are not shown: their participants withdrew consent or never "
        "gave it.", hidden) % {"counter": hidden} if hidden else ""
    return JsonResponse({"shown": shown, "hidden": hidden, "note": note, "heading": ngettext(
        "%(counter)s excerpt", "%(counter)s excerpts", shown) % {"counter": shown}})


# A theme with fewer excerpts than this is listed and sorted whole for each page (its
# excerpts are few); with more, the page walks the study's excerpts in page order from an
# index, checking each, and stops at the page's last: at 100,000 excerpts 0.5 ms of SQLite a
# page for a theme of 4,400, against 20 ms to sort them. A walk reads about 50 ÷ the theme's
# share of the study's excerpts: 20,000 for a theme of 250 in 100,000 (7 ms), every excerpt
# of the study for a theme that matches none, hence the sort below this.
WALK_MIN = 250


def _page_query(shape, *, study, theme_ids=(), attribute_ids=(), user=None, after=None, **filters):
    """The query of one page of the excerpt browser (PAGE_QUERY): the study's excerpts from
    participants who count, that the member may see (blind coding: `shape`'s scope, `user`),
    matching the filters, in `shape`'s sort, `per_page` + 1 from its offset or after `after`.
    Everything but the values is in `shape`, as studies.prepared requires."""
    sort, walk, offset, per_page, scope, target = shape
    excerpts = (_walked_excerpts(study) if walk else counted_excerpts(study)).filter(blind_q_for(scope, user))
    data = dict(filters, attribute_ids=(target, attribute_ids) if target else None)
    matches = filter_excerpts(excerpts, study, data, theme_ids, walk=walk)
    return keyset_query(matches.annotate(length=F("end") - F("start")), SORTS[sort], offset=offset,
                        per_page=per_page, fields=BROWSER_FIELDS, after=after,
                        keyset=sort in CURSOR_KINDS)


# Built and compiled once per shape and process (studies.prepared): a page's query cost more
# to build than to run.
PAGE_QUERY = Prepared(_page_query)


def _theme_links(shape, *, theme_ids):
    (walk_min,) = shape
    return Link.objects.filter(theme_id__in=theme_ids).values_list("pk")[walk_min - 1 : walk_min]


THEME_LINKS = Prepared(_theme_links)


def _walks_in_order(form, sort):
    """Whether a transcript-order page is read by walking the index (excerpt_browser). Not for
    a text filter, whose check costs more than a sort of the few it keeps. One query with a
    theme filter: whether the themes' index holds a WALK_MIN-th link (it stops there)."""
    if sort != "position" or form.cleaned_data.get("text"):
        return False
    ids = form.theme_ids()
    if not ids:
        return True
    key = (router.db_for_read(Link), form.study.pk, form.study.setup_token, tuple(ids))
    if WALKED_THEMES.get(key):
        return True
    walk = bool(THEME_LINKS.run((WALK_MIN,), theme_ids=ids))  # a WALK_MIN-th link
    if walk:
        WALKED_THEMES.put(key, True)
    return walk


# Themes found to hold WALK_MIN links, per process, under their study's setup token (the ids
# of a study whose themes changed, or of another study given the same ids, are not these): a
# listing's later pages walk them without asking again. A theme that fell below WALK_MIN
# would still list the same excerpts, reading more of the index for them; a theme below it is
# asked on every page, so that one that grows past it walks from its next page on.
WALKED_THEMES = BoundedCache(1024)


def _walked_excerpts(study):
    """counted_excerpts(study) for a walk: scoped by the participant's study, not the
    excerpt's (the same rows: triggers keep an excerpt, its transcript and its participant in
    one study), so that the database starts from the participants' index on (study, code),
    then each one's transcripts by title (transcript_participant_title) and each one's excerpts
    by position (excerpt_transcript_start), rather than from the excerpts' study index."""
    return CodedExcerpt.objects.filter(transcript__participant__study=study).filter(counts_q())


BAD_CURSOR = _("This page link is damaged or was made for another sort order. "
               "Start again from the first page.")


def _cursor(value, sort):
    """The key values of a page link's `after`, or None without one. Raises BadCursor."""
    if not value:
        return None
    if sort not in CURSOR_KINDS or len(value) > 2000:
        raise BadCursor(value)
    return cursor_decode(value, CURSOR_KINDS[sort])


@login_required
def excerpt_choices(request, study):
    """Type-ahead for the browser's typed filters: up to 20 {value, label} of the study's rows
    matching `q` (participants and transcripts who count, coders)."""
    membership = get_membership(request, study)
    field, q = request.GET.get("field", ""), request.GET.get("q", "").strip()[:100]
    if field not in CHOICE_SOURCES:
        return JsonResponse({"errors": {"field": [str(_("Unknown filter."))]}}, status=400)
    found = (_coder_choices(membership.study, q, membership) if field == "coder"
             else CHOICE_SOURCES[field](membership.study, q))
    return JsonResponse({"results": found[:CHOICES_LIMIT]})


CHOICES_LIMIT = 20


def _participant_choices(study, q):
    rows = Participant.objects.filter(counts_q(""), study=study, code__icontains=q).order_by("code")
    return [{"value": pk, "label": code} for pk, code in rows.values_list("pk", "code")[:CHOICES_LIMIT]]


def _transcript_choices(study, q):
    rows = counted_transcripts(study).filter(Q(title__icontains=q) | Q(participant__code__icontains=q))
    rows = rows.order_by("participant__code", "title").values_list("pk", "participant__code", "title")
    return [{"value": pk, "label": f"{code} · {title}"} for pk, code, title in rows[:CHOICES_LIMIT]]


def _coder_choices(study, q, membership=None):
    coded = study_excerpts(study).filter(blind_q(membership)).values("coder_id")  # blind coding: own only
    rows = get_user_model().objects.filter(pk__in=coded, username__icontains=q).order_by("username")
    return [{"value": pk, "label": name} for pk, name in rows.values_list("pk", "username")[:CHOICES_LIMIT]]


CHOICE_SOURCES = {"participant": _participant_choices, "transcript": _transcript_choices,
                  "coder": _coder_choices}


@login_required
def excerpt_context(request, study, pk):
    """"Show context": the paragraphs around an excerpt the browser lists (a participant who
    counts), as JSON {before, after}: from the start of the paragraph before the quote's to the
    end of the paragraph after it, at most CONTEXT_LIMIT characters each side."""
    membership = get_membership(request, study)
    study = membership.study
    excerpt = (counted_excerpts(study).filter(blind_q(membership), pk=pk).select_related("transcript")
               .only("pk", "start", "end", "transcript__text").first())
    if excerpt is None:
        raise Http404
    before, after = wider_context(excerpt.transcript.text, excerpt.start, excerpt.end, CONTEXT_LIMIT)
    return JsonResponse({"before": before, "after": after})


CONTEXT_LIMIT = 2000


@login_required
def excerpt_export_csv(request, study):
    membership = get_membership(request, study)
    study = membership.study
    form = ExcerptFilterForm(request.GET, study=study, identifying=membership.can_see_identifying_fields,
                             membership=membership)
    if not form.is_valid():
        return render(request, "reports/excerpt_browser.html", {"form": form}, status=400)
    profiles = participant_profiles(study)  # non-identifying attributes, as on every report
    seen = study_excerpts(study).filter(blind_q(membership))  # blind coding: the member's own layer
    rows = excerpts_for_export(study, form.filter(seen), profiles)
    return exports.excerpts_csv(rows, filename=f"excerpts-{study.slug}.csv", attributes=profiles.attributes)


# ----- Search and auto-coding -----


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, widget=forms.TextInput(
        attrs={"class": "form-control", "type": "search", "autofocus": True}))

    def clean_q(self):
        terms = parse_query(self.cleaned_data["q"])
        if not terms:
            raise ValidationError(_("Type at least one word to search for."), code="no_words")
        self.cleaned_data["terms"] = terms
        return self.cleaned_data["q"].strip()


class HitsField(forms.Field):
    """Picked hits, each "transcript:start:end" as the search page writes them (Hit.key)."""

    widget = forms.MultipleHiddenInput
    hit = re.compile(r"\d+:\d+:\d+")

    def to_python(self, value):
        keys = list(dict.fromkeys(value or []))
        if any(not isinstance(key, str) or not self.hit.fullmatch(key) for key in keys):
            raise ValidationError(_("A picked hit is not one this page offered."), code="invalid_hit")
        return keys


class AutoCodeForm(SearchForm):
    theme = forms.ModelChoiceField(queryset=Theme.objects.none(), label=_("Theme"), error_messages={
        "required": _("Choose the theme to code the hits with."),
        "invalid_choice": _("That theme is not in this study's codebook."),
    })
    scope = forms.ChoiceField(label=_("Code"), choices=AutoCodingScope.choices,
                              initial=AutoCodingScope.SENTENCE)
    hits = HitsField(required=False)
    all = forms.BooleanField(required=False)
    speaker = forms.CharField(label=_("Only in the turns of"), max_length=60, required=False,
                              help_text=_("A speaker label, e.g. D or Entrevistador; empty: every turn."))

    def __init__(self, data, *, study):
        super().__init__(data)
        self.fields["theme"].queryset = Theme.objects.filter(study=study)


def _attribute_filter(request, data):
    """The search's filter by any attribute (reports.crosstab_views.AttributeGroupForm), from
    `data`; identifying attributes for owners only. One query (the attributes)."""
    membership = request.membership
    variables = variables_for(membership.study, identifying=membership.can_see_identifying_fields,
                              with_choices=False)
    return AttributeGroupForm(data, study=membership.study, variables=variables)


def _kept(transcripts, only):
    """`transcripts` whose participant (or themselves) an attribute filter keeps."""
    if only is None:
        return list(transcripts)
    target, ids = only[0], set(only[1])
    return [t for t in transcripts if (t.participant_id if target == "participant" else t.pk) in ids]


def _search_context(request, study, form, terms, only=None):
    lexicon = word_forms(study, terms)
    transcripts = _kept(transcripts_for_search(study, terms, lexicon), only)
    hits = search(terms, transcripts, lexicon)
    page = Paginator(hits, HITS_PER_PAGE).get_page(request.GET.get("page"))
    starts = {}
    lines = []
    for hit in page:
        text = hit.transcript.text
        starts.setdefault(hit.transcript.pk, paragraph_starts(text))
        before, match, after, paragraph = kwic(text, hit.start, hit.end, starts[hit.transcript.pk])
        term = terms[hit.term]
        # A word searched by its lemma names the form it found when that is not the word typed.
        word_form = match if term.by_lemma and fold(match) != fold(term.words[0]) else ""
        lines.append({"hit": hit, "before": before, "match": match, "after": after, "paragraph": paragraph,
                      "form": word_form})
    return {
        "form": form,
        "terms": terms,
        "hit_count": len(hits),
        "transcript_count": hits.transcript_count,
        "page": page,
        "lines": lines,
        "query": _query_string(request, page=None, run=None),
        "not_searched": Transcript.objects.filter(study=study).exclude(counts_q("participant__")).count(),
    }


def _search_page(request, form, *, status=200, errors=(), run=None, attr_form=None):
    membership = request.membership  # set by the view's access helper
    attr_form = attr_form if attr_form is not None else _attribute_filter(request, None)
    ctx = {"form": form, "errors": list(errors), "run": run, "can_code": membership.can_code,
           "attr_form": attr_form}
    if attr_form.is_bound and not attr_form.is_valid():
        status = 400
    elif form.is_bound and form.is_valid():
        only = attr_form.cleaned_data["only"] if attr_form.is_bound else None
        ctx.update(_search_context(request, membership.study, form, form.cleaned_data["terms"], only))
        if ctx["can_code"]:
            tree = ThemeTree(membership.study)
            ctx["themes"] = [(t.pk, "\u2003" * depth + t.name) for t, depth in tree.rows]
            ctx["scopes"] = [c for c in AutoCodingScope.choices if c[0] != AutoCodingScope.TURN]
            ctx["max_auto_code"] = MAX_AUTO_CODE
    elif form.is_bound:
        status = 400
    return render(request, "reports/search.html", ctx, status=status)


@login_required
def search_view(request, study):
    membership = get_membership(request, study)
    form = SearchForm(request.GET if "q" in request.GET else None)
    run = None
    if request.GET.get("run", "").isdigit() and membership.can_code:
        run = AutoCodingRun.objects.filter(study=membership.study, pk=request.GET["run"],
                                           undone_at__isnull=True).first()
    attr_form = _attribute_filter(request, request.GET if request.GET.get("attribute") else None)
    return _search_page(request, form, run=run, attr_form=attr_form)


@login_required
@require_POST
def auto_code(request, study):
    study = get_membership_rw(request, study).study
    form = AutoCodeForm(request.POST, study=study)
    search_form = SearchForm({"q": request.POST.get("q", "")})
    attr_form = _attribute_filter(request, request.POST if request.POST.get("attribute") else None)
    if not form.is_valid() or (attr_form.is_bound and not attr_form.is_valid()):
        errors = [e for field in form.errors.values() for e in field]
        return _search_page(request, search_form, status=400, errors=errors, attr_form=attr_form)
    data = form.cleaned_data
    only = attr_form.cleaned_data["only"] if attr_form.is_bound else None
    lexicon = word_forms(study, data["terms"])
    hits = search(data["terms"], _kept(transcripts_for_search(study, data["terms"], lexicon), only), lexicon)
    if not data["all"]:
        by_key = {hit.key: hit for hit in hits}
        if not data["hits"]:
            return _search_page(request, search_form, status=400, errors=[
                _("Pick the hits to code, or choose “Code all hits”.")])
        if any(key not in by_key for key in data["hits"]):
            return _search_page(request, search_form, status=400, errors=[
                _("Some of the picked hits are no longer hits of this search (the text changed). "
                  "Nothing was coded; pick them again.")])
        hits = [by_key[key] for key in data["hits"]]
    if len(hits) > MAX_AUTO_CODE:
        return _search_page(request, search_form, status=400, errors=[
            _("%(n)s hits are more than can be coded at once (at most %(max)s). Nothing was coded; "
              "narrow the search or pick hits.") % {"n": len(hits), "max": MAX_AUTO_CODE}])
    if len(hits) > settings.JOBS_INLINE_LIMITS["auto_code_hits"]:
        job, _created = auto_code_job_start(
            study=study, user=request.user, query=data["q"], theme=data["theme"], scope=data["scope"],
            speaker=data["speaker"].strip(), hits=hits)
        return redirect(job.get_absolute_url())
    try:
        run = excerpts_auto_code(query=data["q"], hits=[(hit.transcript, hit.start, hit.end) for hit in hits],
                                 theme=data["theme"], scope=data["scope"], coder=request.user,
                                 speaker=data["speaker"].strip())
    except ValidationError as exc:
        return _search_page(request, search_form, status=400, errors=exc.messages)
    created = run.excerpts.count()
    messages.success(request, _("Coded %(created)s with «%(theme)s»; %(skipped)s already had it.") % {
        "created": _excerpts_word(created), "theme": data["theme"].name, "skipped": run.skipped_count})
    query = urlencode({"q": data["q"], "run": run.pk, **(
        {"attribute": attr_form.cleaned_data["attribute"], "group": attr_form.cleaned_data["group"]}
        if attr_form.is_bound else {})})
    return redirect(reverse("reports:search", args=[study.slug]) + "?" + query)


@login_required
@require_POST
def auto_coding_undo_view(request, study, pk):
    run = get_auto_coding_run_for_user_rw(request, study, pk)
    before = list(run.excerpts.values_list("pk", flat=True))
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        removed, kept = auto_coding_undo(run=run, user=request.user)
    except ValidationError as exc:
        if wants_json:
            return JsonResponse({"errors": {"__all__": exc.messages}}, status=409)
        return _search_page(request, SearchForm({"q": run.query}), status=409, errors=exc.messages)
    if wants_json:  # the coding page's undo of "code all turns of this speaker"
        left = set(CodedExcerpt.objects.filter(pk__in=before).values_list("pk", flat=True))
        return JsonResponse({"removed": [pk for pk in before if pk not in left], "kept": kept})
    message = _("Undone: %(removed)s removed.") % {"removed": _excerpts_word(removed)}
    if kept:
        message += " " + _("%(kept)s kept, because someone changed them since.") % {
            "kept": _excerpts_word(kept)}
    messages.success(request, message)
    return redirect(reverse("reports:search", args=[study]) + "?" + urlencode({"q": run.query}))


# ----- Theme report and its exports -----


class ReportOptionsForm(forms.Form):
    subthemes = forms.TypedChoiceField(required=False, empty_value=True, coerce=lambda v: v == "1",
                                       choices=[("1", _("included")), ("0", _("left out"))])
    # Citations, theme texts and export headings: the study's language unless the reader picks.
    language = forms.ChoiceField(required=False, label=_("Cite in"), choices=[
        ("", _("the study's language")), *settings.LANGUAGE_AUTONYMS.items()])
    participant = forms.IntegerField(required=False, min_value=1)
    transcript = forms.IntegerField(required=False, min_value=1)
    group = forms.ChoiceField(required=False, choices=[("participant", _("participant")),
                                                       ("theme", _("sub-theme"))])
    print = forms.BooleanField(required=False)
    layer = forms.CharField(required=False, max_length=20)
    memos = forms.BooleanField(required=False)

    def __init__(self, data, *, study):
        super().__init__(data)
        self.study = study

    def clean_layer(self):
        return parse_layer(self.cleaned_data["layer"])

    def clean_participant(self):
        pk = self.cleaned_data["participant"]
        if pk is None:
            return None
        participant = Participant.objects.only("pk", "code").filter(study=self.study, pk=pk).first()
        if participant is None:
            raise ValidationError(_("There is no such participant in this study."), code="no_participant")
        return participant

    def clean_transcript(self):
        pk = self.cleaned_data["transcript"]
        if pk is None:
            return None
        transcript = Transcript.objects.only("pk", "title").filter(study=self.study, pk=pk).first()
        if transcript is None:
            raise ValidationError(_("There is no such transcript in this study."), code="no_transcript")
        return transcript

    def clean_group(self):
        return self.cleaned_data["group"] or "participant"


def _theme_report_for(request, slug, pk):
    """The theme, its report's numbers and its quotes (unpaginated QUOTE_FIELDS rows) for the
    page and exports."""
    membership = get_membership(request, slug)  # cached on the request for the theme's helper
    study = membership.study
    theme = get_theme_for_user(request, slug, pk)
    form = ReportOptionsForm(request.GET, study=study)
    if not form.is_valid():
        return theme, form, None, None
    data = form.cleaned_data
    language = report_language(study, data["language"])
    seen = seen_layer(membership, data["layer"])  # blind coding: the member's own layer where blind
    # The study's attributes and participants' values, read once for the counts' columns, the
    # quotes' headings and the "count by" select (two queries, not six).
    attributes = study_attributes(study, identifying=membership.can_see_identifying_fields)
    profiles = participant_profiles(study, attributes=attributes)
    report = theme_report(study, theme, include_subthemes=data["subthemes"], participant=data["participant"],
                          transcript=data["transcript"], layer=seen, language=language, profiles=profiles)
    report.language, report.layer = language, data["layer"]
    report.attributes, report.profiles = attributes, profiles
    # The theme's name, definition and criteria in that language, falling back to the other.
    report.texts = theme.texts(report.language, study.language)
    quotes = excerpts_for_theme_report(study, report.theme_ids, data["participant"], layer=seen,
                                       tree=report.tree, by_theme=data["group"] == "theme",
                                       transcript=data["transcript"])
    return theme, form, report, quotes


class CountedPaginator(Paginator):
    """A paginator told its count, which the report's counts query already has: no COUNT(*)."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count = count  # Paginator.count is a cached_property; this fills its cache


def _breakdown_chart(chart_id, title, rows):
    return bar_chart(chart_id=chart_id, title=title, describe=_excerpts_word,
                     bars=[Bar(str(label), counts.excerpts) for label, counts in rows])


def report_header(request, study, report, form):
    """What a report says about itself (exports.report_header), for the page and its exports."""
    group = dict(form.fields["group"].choices)[form.cleaned_data["group"]]
    return exports.report_header(study, report, user=request.user.get_username(), group=group)


@login_required
def theme_report_view(request, study, pk):
    theme, form, report, quotes = _theme_report_for(request, study, pk)
    if report is None:
        return render(request, "reports/theme_report.html", {"theme": theme, "form": form}, status=400)
    membership = get_membership(request, study)  # cached by the theme's helper: no query
    printing, group = form.cleaned_data["print"], form.cleaned_data["group"]
    ctx = {
        "theme": theme,
        "texts": report.texts,
        "form": form,
        "report": report,
        "printing": printing,
        "group": group,
        "header": report_header(request, request.membership.study, report, form),
        "ancestors": report.tree.ancestors(theme.pk),
        "breakdowns": [
            (_("By %(name)s") % {"name": attribute.name}, counts,
             _breakdown_chart(f"attribute-{attribute.pk}-chart",
                              _("Excerpts by %(name)s") % {"name": attribute.name}, counts),
             f"by-a{attribute.pk}")
            for attribute, counts in report.by_attribute
        ],
        "query": _query_string(request, page=None, print=None),
        "background_export": report.quotes > settings.JOBS_INLINE_LIMITS["report_quotes"],
        "layers": layer_choices(request.membership.study, form.cleaned_data["layer"], request.membership),
        "keep": kept(request, "print"),
        "show_memos": form.cleaned_data["memos"],
        "theme_memos": Memo.objects.for_object_panel(membership.study, request.user, themes=theme)
        .prefetch_related(None),  # their passages are not shown here
        "comments": Comment.objects.for_target(membership.study, theme=theme),
        "can_comment": not membership.study.is_archived,
    }
    by_form, by_rows = _theme_breakdown_by(request, study, theme, report)
    ctx["by_form"] = by_form
    if by_rows is not None:
        variable = by_form.cleaned_data["variable"]
        title = _("By %(name)s") % {"name": variable.label}
        chart = _breakdown_chart("attribute-chart", title, by_rows)
        ctx["breakdowns"].append((title, by_rows, chart, "by-attribute"))
    status = 400 if by_form.errors else 200
    study = membership.study
    memos_for = request.user if ctx["show_memos"] else None
    quote_options = {"group_by": group, "tree": report.tree, "language": report.language,
                     "memos": ctx["show_memos"], "can_comment": ctx["can_comment"],
                     "can_code": membership.can_code}
    if printing:  # every quote, streamed: the page around them first, then chunk by chunk
        ctx["quotes_html"] = QUOTES_MARK
        # partition: a report with no quote to show (blind coding can leave none) has no mark
        head, _mark, tail = render_to_string("reports/theme_report.html", ctx, request).partition(QUOTES_MARK)
        rows = quote_rows(study, quotes.iterator(chunk_size=1000), tree=report.tree, memos_for=memos_for,
                          profiles=report.profiles)
        blocks = quote_blocks(study, rows, **quote_options)
        return StreamingHttpResponse(_html_stream(head, blocks, tail), status=status,
                                     content_type="text/html; charset=utf-8")
    if group == "participant":  # each quote once: the counts query already knows how many
        paginator = CountedPaginator(quotes, QUOTES_PER_PAGE, count=report.quotes)
    else:  # once per sub-theme it is coded with: counted by the database
        paginator = Paginator(quotes, QUOTES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(quote_rows(study, page.object_list, tree=report.tree, memos_for=memos_for,
                                       profiles=report.profiles))
    ctx["page"] = page
    ctx["quotes_html"] = mark_safe("".join(quote_blocks(study, page.object_list,  # noqa: S308
                                                        **quote_options)))
    return render(request, "reports/theme_report.html", ctx, status=status)


def _theme_breakdown_by(request, study, theme, report):
    """The theme report's counts by any attribute the reader picks (?by=<attribute>&ranges=...):
    the form, and the rows or None when none is picked. Identifying attributes for owners only."""
    membership = get_membership(request, study)
    variables = variables_for(membership.study, identifying=membership.can_see_identifying_fields,
                              with_choices=False, attributes=report.attributes)
    data = None
    if request.GET.get("by"):
        data = {"attribute": request.GET["by"], "ranges": request.GET.get("ranges", "")}
    form = CrosstabForm(data, variables=variables)
    if data is None or not form.is_valid():
        return form, None
    ids = report.tree.subtree_ids(theme.pk)
    variable, bounds = form.cleaned_data["variable"], form.cleaned_data["bounds"]
    return form, theme_breakdown(membership.study, ids, variable, bounds,
                                 layer=seen_layer(membership, None))


QUOTES_MARK = mark_safe("<!-- quotes -->")


def _html_stream(head, blocks, tail):
    yield head.encode()
    batch = []
    for block in blocks:
        batch.append(block)
        if len(batch) == 500:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + tail).encode()


def _export(request, study, pk, build, content_type, extension):
    theme, form, report, quotes = _theme_report_for(request, study, pk)
    if report is None:
        return HttpResponse(str(form.errors.as_text()), status=400, content_type="text/plain; charset=utf-8")
    study = request.membership.study
    memos = (list(Memo.objects.for_object_panel(study, request.user, themes=theme))
             if form.cleaned_data["memos"] else None)
    rows = quote_rows(study, quotes, tree=report.tree, memos_for=request.user if memos is not None else None,
                      profiles=report.profiles)
    with translation.override(report.language):  # headings, labels and citations
        meta = exports.Meta(title=study.name, author=request.user.get_username(), created=timezone.now(),
                            header=report_header(request, study, report, form))
        response = HttpResponse(build(report, rows, meta, memos=memos), content_type=content_type)
    filename = f"theme-report-{slugify(theme.name) or theme.pk}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def theme_report_export_job(request, study, pk):
    """A large report's export as a background job: its file waits on the job's page."""
    theme, form, report, _quotes = _theme_report_for(request, study, pk)
    fmt = request.POST.get("format")
    if report is None or fmt not in REPORT_FORMATS:
        return HttpResponse(_("Choose DOCX, XLSX or CSV."), status=400,
                            content_type="text/plain; charset=utf-8")
    job, _created = theme_report_export_job_start(
        study=theme.study, theme=theme, user=request.user, fmt=fmt,
        include_subthemes=report.include_subthemes, participant=report.participant,
        language=form.cleaned_data["language"], layer=form.cleaned_data["layer"],
        memos=form.cleaned_data["memos"])
    return redirect(job.get_absolute_url())


@login_required
def theme_report_docx(request, study, pk):
    return _export(request, study, pk, exports.theme_report_docx, exports.DOCX, "docx")


@login_required
def theme_report_xlsx(request, study, pk):
    return _export(request, study, pk, exports.theme_report_xlsx, exports.XLSX, "xlsx")


@login_required
def theme_report_csv(request, study, pk):
    return _export(request, study, pk, exports.theme_report_csv, "text/csv; charset=utf-8", "csv")


# ----- Study overview -----


@login_required
def study_overview(request, study):
    membership = get_membership(request, study)
    study = membership.study
    layer, refused = layer_or_400(request)
    if refused:
        return refused
    columns = choice_columns(study)
    rows = overview_for(study, seen_layer(membership, layer), columns)
    chart = bar_chart(
        chart_id="frequency-chart", title=_("Excerpts per theme"), describe=_excerpts_word,
        bars=[Bar(row.theme.name, row.total.excerpts, row.theme.colour,
                  reverse("reports:theme-report", args=[study.slug, row.theme.pk]), row.depth)
              for row in rows],
    )
    ctx = {
        "rows": rows,
        "chart": chart,
        "columns": columns.attributes,
        "left_out": left_out(study),
        "layers": layer_choices(study, layer, membership),
        "case_measures": [("presence", _("presence")), ("count", _("excerpts")),
                          ("characters", _("characters coded"))],
    }
    return render(request, "reports/study_overview.html", ctx)


@login_required
def theme_matrix(request, study):
    """The matrix, optionally of the participants (or transcripts) in one group of an attribute."""
    membership = get_membership(request, study)
    study = membership.study
    layer, refused = layer_or_400(request)
    if refused:
        return refused
    variables = variables_for(study, identifying=membership.can_see_identifying_fields, with_choices=False)
    form = AttributeGroupForm(request.GET, study=study, variables=variables)
    if not form.is_valid():
        return render(request, "reports/theme_matrix.html", {"form": form}, status=400)
    matrix = matrix_for(study, seen_layer(membership, layer), only=form.cleaned_data["only"])
    suffix = f"?layer={layer}" if layer != ALL_CODERS else ""  # a cell opens the same layer's quotes
    ctx = {
        "form": form,
        "matrix": matrix,
        "body": matrix_body_html(matrix, lambda pk: reverse("reports:theme-report", args=[study.slug, pk])
                                 + suffix),
        "left_out": left_out(study),
        "layers": layer_choices(study, layer, membership),
    }
    return render(request, "reports/theme_matrix.html", ctx)


@login_required
def theme_cooccurrence(request, study):
    membership = get_membership(request, study)
    study = membership.study
    layer, refused = layer_or_400(request)
    if refused:
        return refused
    tree, tables = ThemeTree(study), cooccurrence_for(study, seen_layer(membership, layer))
    same, overlap = tables["same"], tables["overlap"]
    pairs = sorted(set(same) | set(overlap), key=lambda ab: (-same.get(ab, 0) - overlap.get(ab, 0), ab))
    rows = [{"a": tree.by_id[a], "b": tree.by_id[b], "same": same.get((a, b), 0),
             "overlap": overlap.get((a, b), 0)} for a, b in pairs]
    coded = [theme for theme, _depth in tree.rows if any(theme.pk in pair for pair in same)]
    peak = max(same.values(), default=0) or 1

    def together(a, b):
        n = same.get((min(a.pk, b.pk), max(a.pk, b.pk)), 0) if a.pk != b.pk else None
        return (b, n, heat_style((n or 0) / peak))

    grid = [(row, [together(row, col) for col in coded]) for row in coded]
    ctx = {"rows": rows, "grid": grid, "columns": coded, "left_out": left_out(study),
           "layers": layer_choices(study, layer, membership)}
    return render(request, "reports/theme_cooccurrence.html", ctx)
