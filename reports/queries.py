"""Reads behind the report pages: consent rules, theme counts (matrix, crosstabs, frequencies),
co-occurrence, the theme report, and the excerpt rows of the browser and the exports.

Consent, as every report applies it:
- A participant *counts* (their excerpts appear in numbers) once consent is given and not
  withdrawn. Withdrawn or never given: they count nowhere.
- A participant may be *quoted* if they count and their scope is "quote" or "quote_named".
  "interview_only": counted, never quoted.
- The organisation may be named next to a quote only with "quote_named".

Counting rule: a theme's count includes its sub-themes' excerpts, each excerpt once, unless a
page says it counts direct codings only.

Every read here takes the study and reads that study's rows only: excerpts through their
denormalised `study_id` (no join to the transcript), transcripts, participants and themes
through their own `study_id`. Nothing of another study reaches a number or a row.
"""

import random
import threading
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

from django.db import connections, router
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Greatest, Least, RowNumber
from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from coding.models import CodedExcerpt, Theme, layer_q, theme_tree
from interviews.attributes import is_organisation, participant_profiles
from interviews.models import (
    QUOTE_SCOPES,
    Attribute,
    AttributeTarget,
    AttributeType,
    AttributeValue,
    ConsentScope,
    Participant,
    Transcript,
    consent_counts_q,
    consent_quotes_q,
)
from interviews.text import fold
from memos.models import Memo
from studies.prepared import Prepared, in_list

Link = CodedExcerpt.themes.through
CONTEXT_CHARS = 160
PARTICIPANT = "transcript__participant__"

# Never read by a report page; an admin sees them in the admin only.
IDENTIFYING = ("full_name", "contact")


def counts_q(prefix=PARTICIPANT):
    return consent_counts_q(prefix)


def quotes_q(prefix=PARTICIPANT):
    return consent_quotes_q(prefix)


def may_quote(participant):
    return (
        participant.consent_given
        and participant.consent_withdrawn_on is None
        and participant.consent_scope in QUOTE_SCOPES
    )


def may_name_organisation(participant):
    return may_quote(participant) and participant.consent_scope == ConsentScope.QUOTE_NAMED


def coded_with(study, theme_ids, layer=None):
    """A subquery: the ids of excerpts coded with any of `theme_ids` of `study`. Scoped by the
    theme's study: an excerpt's themes are its own study's (coding.services), and PostgreSQL
    plans this from the theme index, where a filter on the excerpt's study would scan all of
    the study's excerpts to count one theme's."""
    return (Link.objects.filter(layer_q(layer, "codedexcerpt__"), theme_id__in=theme_ids, theme__study=study)
            .values("codedexcerpt_id"))


def study_excerpts(study):
    """Every excerpt of `study`, by the excerpt's own study column."""
    return CodedExcerpt.objects.filter(study=study)


def counted_excerpts(study):
    """The study's excerpts from participants who count."""
    return study_excerpts(study).filter(counts_q())


def _without_identifying(prefix):
    return [prefix + field for field in IDENTIFYING]


@dataclass
class LeftOut:
    """Participants left out of a report's quotations, by reason. `withdrawn` and `no_consent`
    are left out of its numbers too; `interview_only` still count."""

    withdrawn: int = 0
    no_consent: int = 0
    interview_only: int = 0

    @property
    def total(self):
        return self.withdrawn + self.no_consent + self.interview_only

    @property
    def uncounted(self):
        return self.withdrawn + self.no_consent

    def sentence(self):
        """What a report says about who it leaves out."""
        if not self.total:
            return _("No participant is left out of the quotations.")
        parts = []
        if self.withdrawn:
            parts.append(ngettext("%(n)s withdrew consent", "%(n)s withdrew consent", self.withdrawn)
                         % {"n": self.withdrawn})
        if self.no_consent:
            parts.append(ngettext("%(n)s never gave consent", "%(n)s never gave consent", self.no_consent)
                         % {"n": self.no_consent})
        if self.interview_only:
            parts.append(ngettext("%(n)s consented to the interview only",
                                  "%(n)s consented to the interview only", self.interview_only)
                         % {"n": self.interview_only})
        text = ngettext(
            "%(n)s participant is left out of the quotations (%(why)s).",
            "%(n)s participants are left out of the quotations (%(why)s).",
            self.total,
        ) % {"n": self.total, "why": "; ".join(parts)}
        if self.uncounted:
            text += " " + ngettext(
                "%(n)s of them is left out of the numbers too.",
                "%(n)s of them are left out of the numbers too.",
                self.uncounted,
            ) % {"n": self.uncounted}
        return text


def left_out(study):
    """Who among the participants with excerpts in `study` no report quotes, and why. One
    query."""
    summary = LeftOut()
    rows = (
        study_excerpts(study).exclude(quotes_q())
        .order_by()
        .values_list(
            PARTICIPANT + "id", PARTICIPANT + "consent_given", PARTICIPANT + "consent_withdrawn_on"
        )
        .distinct()
    )
    for _pk, given, withdrawn_on in rows:
        if withdrawn_on is not None:
            summary.withdrawn += 1
        elif not given:
            summary.no_consent += 1
        else:
            summary.interview_only += 1
    return summary


THEME_FIELDS = [field.attname for field in Theme._meta.concrete_fields]


def _study_themes(_shape, *, study):
    return Theme.objects.filter(study_id=study).order_by().values_list(*THEME_FIELDS)


# Read by every report page: compiled once per process (studies.prepared).
STUDY_THEMES = Prepared(_study_themes)


class BoundedCache:
    """A per-process cache, shared by the threads of a worker, that holds at most `size` of
    weight (each value's `weight`, 1 by default), least recently used out first. For what
    every page reads again and the database says when it changed: the callers key or check
    their entries by that (ThemeTree, transcript_texts).

    `random_out`: an entry taken at random goes out instead, for what is read in long runs in
    one order (a theme's listing reads its transcripts' texts in transcript order): a run
    longer than the cache holds leaves nothing behind for the next one when the least recently
    used goes first, and about three fifths of it at random (a run a third longer than the
    cache)."""

    def __init__(self, size, weight=lambda value: 1, *, random_out=False):
        self.size, self.weight, self.held = size, weight, 0
        self.entries, self.lock = OrderedDict(), threading.Lock()
        self.chance = random.Random() if random_out else None

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key, value):
        """Keeps `value` unless it alone weighs more than the cache holds; returns it."""
        weight = self.weight(value)
        if weight > self.size:
            return value
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.held -= self.weight(old)
            self.entries[key] = value
            self.held += weight
            while self.held > self.size:
                if self.chance is None:
                    _key, evicted = self.entries.popitem(last=False)
                else:  # any but the one just put, the last
                    out = next(islice(self.entries, self.chance.randrange(len(self.entries) - 1), None))
                    evicted = self.entries.pop(out)
                self.held -= self.weight(evicted)
        return value

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.held = 0


# The last tree built for each (database, study, language, study's language), with the theme
# rows it was built from and the study's setup token when a page that changes nothing built or
# checked it: reused while the study's theme rows, read again by ThemeTree, are equal to those
# field by field, or, on such a page, while the study's token is the same (the database renews
# it with any change to the themes), so no change is ever missed; what is saved is making 50
# model instances and their names on every page, and on such a page reading the themes.
THEME_TREES = BoundedCache(64)


class ThemeTree:
    """Every theme of a study, loaded in one query: tree order, depth and sub-trees without
    further queries. Themes are named in `language` (default: the page's): the second-language
    name where that is the study's second language and the theme has one (Theme.texts). The
    themes may be shared with other requests (THEME_TREES): read them, never change or save
    them. `kept` is shared with them too: what a page derives from the tree alone (a select's
    choices) may be kept there, under a key of its own, for the next page."""

    def __init__(self, study, language=None, *, unchanged=False):
        """`unchanged`: the page changes nothing, so the study's setup_token, read with the
        membership when the request began, still names the study's themes (the database gives
        the study a new token with any change to them, studies/migrations/0005): a tree kept
        under the same token is reused without reading the themes. Otherwise the themes are
        read, and a kept tree reused only if they are equal to those it was built from."""
        self.study = study
        language = language or translation.get_language()
        db = router.db_for_read(Theme)
        key = (db, study.pk, language, study.language)
        kept = THEME_TREES.get(key)  # (rows, built, token or None)
        token = study.setup_token if unchanged else None
        if token is not None and kept is not None and kept[2] == token:
            built = kept[1]
        else:
            rows = STUDY_THEMES.run(study=study.pk)
            if kept is not None and kept[0] == rows:
                built, token = kept[1], token or kept[2]
            else:
                built = self._build(db, rows, language, study.language)
            THEME_TREES.put(key, (rows, built, token))
        self.rows, self.by_id, self.depth, self.children, self.kept = built

    @staticmethod
    def _build(db, rows, language, study_language):
        tree = theme_tree([Theme.from_db(db, THEME_FIELDS, row) for row in rows])
        for theme, _depth in tree:  # for display only: these rows are never saved
            theme.name = theme.texts(language, study_language).name
        children = {}
        for theme, _depth in tree:
            children.setdefault(theme.parent_id, []).append(theme.pk)
        return (tree, {theme.pk: theme for theme, _depth in tree},
                {theme.pk: depth for theme, depth in tree}, children, {})

    def subtree_ids(self, pk):
        """`pk` and every theme below it."""
        found, todo = [pk], [pk]
        while todo:
            for child in self.children.get(todo.pop(), ()):
                found.append(child)
                todo.append(child)
        return found

    def parents(self):
        return [pk for pk in self.by_id if self.children.get(pk)]

    def ancestors(self, pk):
        path, node = [], self.by_id[pk].parent_id
        while node is not None:
            path.insert(0, self.by_id[node])
            node = self.by_id[node].parent_id
        return path


@dataclass(frozen=True)
class Counts:
    excerpts: int = 0
    participants: int = 0


def counted_transcripts(study):
    """The study's transcripts whose participant counts (consent given, not withdrawn)."""
    return Transcript.objects.filter(counts_q("participant__"), study=study)


class IdList(Aggregate):
    """The group's values as one comma-separated text: GROUP_CONCAT on SQLite, STRING_AGG on
    PostgreSQL. Two IdLists of one query list their group's rows in the same order (one pass
    feeds every aggregate of a row)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG",
                           template="%(function)s((%(expressions)s)::text, ',')", **extra_context)


def theme_transcript_counts(tree, layer=None):
    """{(theme id, transcript id): excerpts} over the counted transcripts of the tree's study.

    A leaf theme counts its own codings. A parent counts each excerpt coded with it or any
    theme below it once: summing its children would count an excerpt coded with two of them
    twice. Grouping by transcript, not by participant, keeps the participant table out of the
    join; callers map transcripts to participants, and since an excerpt belongs to one
    transcript, the sums stay exact.

    One query over the excerpt-theme links joined only to their excerpt (read from the index
    excerpt_study_transcript, in transcript order, so the grouping needs no sort): per counted
    transcript, its links' theme ids and excerpt ids as two aligned lists. The counting is done
    here with set and Counter over those lists, in C: per theme (direct), and per parent the
    distinct excerpts whose theme lies in its subtree. Grouping the links by theme and
    transcript in SQL (a sort of every link) and a COUNT(DISTINCT) per parent (one more scan
    and a sort per parent) cost several times more.
    """
    study = tree.study
    links = Link.objects.filter(
        layer_q(layer, "codedexcerpt__"),
        codedexcerpt__study=study, codedexcerpt__transcript__in=counted_transcripts(study).values("pk")
    ).order_by()
    rows = links.values_list("codedexcerpt__transcript_id").annotate(
        themes=IdList("theme_id"), excerpts=IdList("codedexcerpt_id"))
    # per depth that has parents: theme id (as text) -> its ancestor at that depth, for the
    # themes under a parent there (the parent itself included); subtrees at one depth are disjoint
    levels = {}
    for pk in tree.parents():
        level = levels.setdefault(tree.depth[pk], {})
        level.update((str(theme_id), pk) for theme_id in tree.subtree_ids(pk))
    counts = {}
    for transcript_id, themes, excerpts in rows:
        themes, excerpts = themes.split(","), excerpts.split(",")
        for theme_id, n in Counter(themes).items():
            counts[int(theme_id), transcript_id] = n
        for level in levels.values():
            distinct = set(zip(map(level.get, themes), excerpts, strict=True))
            for pk, n in Counter(map(itemgetter(0), distinct)).items():
                if pk is not None:
                    counts[pk, transcript_id] = n
    return counts


@dataclass
class ThemeMatrix:
    tree: ThemeTree
    participants: list
    counts: dict  # {(theme id, participant id): excerpts}

    @property
    def peak(self):
        return max(self.counts.values(), default=0)


def matrix_for(study, layer=None, *, only=None):
    """Theme × participant matrix: a ThemeMatrix of the study's themes and every participant of
    it who counts, a theme counting its sub-themes' excerpts too (each once). Four queries.
    `only` ("participant" | "transcript", ids), from an attribute filter (reports.crosstab),
    keeps those participants' columns, or those transcripts' excerpts."""
    tree = ThemeTree(study)
    participants = list(
        Participant.objects.filter(counts_q(""), study=study).only("pk", "code").order_by("code")
    )
    owner = dict(counted_transcripts(study).values_list("pk", "participant_id"))
    if only is not None:
        kept = set(only[1])
        if only[0] == "participant":
            participants = [p for p in participants if p.pk in kept]
        owner = {t: p for t, p in owner.items() if (p if only[0] == "participant" else t) in kept}
    counts = {}
    for (theme_id, transcript_id), n in theme_transcript_counts(tree, layer).items():
        if transcript_id not in owner:
            continue
        key = theme_id, owner[transcript_id]
        counts[key] = counts.get(key, 0) + n
    return ThemeMatrix(tree, participants, counts)


@dataclass
class ChoiceColumns:
    """What the overview's crosstab and a theme report's counts are split by: the study's
    non-identifying choice attributes of participants (Sector, Gender…), each with its choices
    in list order, and which choice each participant has."""

    attributes: list  # [(attribute, [choice labels in order])]
    chosen: dict  # participant id -> [(attribute's index, choice's index)]


def choice_columns(study, profiles=None):
    """ChoiceColumns of `study`. Three queries: attributes, choices, values; one (the choices)
    given the study's `profiles` (interviews.attributes.participant_profiles, not identifying),
    whose values name each participant's choice by its label (unique in its attribute)."""
    if profiles is not None:
        attributes = profiles.choice_attributes
        prefetch_related_objects(attributes, "choices")
    else:
        attributes = list(Attribute.objects.filter(
            study=study, applies_to=AttributeTarget.PARTICIPANT, type=AttributeType.CHOICE, identifying=False,
        ).order_by("order", "name").prefetch_related("choices"))
    place, columns, by_label = {}, [], {}
    for i, attribute in enumerate(attributes):
        choices = list(attribute.choices.all())
        columns.append((attribute, [choice.label for choice in choices]))
        place.update({choice.pk: (i, j) for j, choice in enumerate(choices)})
        by_label.update({(attribute.pk, choice.label): (i, j) for j, choice in enumerate(choices)})
    chosen = {}
    if attributes and profiles is not None:
        for participant_id, values in profiles.values.items():
            found = [by_label[a.pk, values[a.pk]] for a in attributes if values.get(a.pk)]
            if found:
                chosen[participant_id] = found
    elif attributes:
        for participant_id, choice_id in AttributeValue.objects.filter(
                study=study, attribute__in=attributes, participant__isnull=False).values_list(
                "participant_id", "choice_id"):
            chosen.setdefault(participant_id, []).append(place[choice_id])
    return ChoiceColumns(columns, chosen)


@dataclass
class OverviewRow:
    theme: Theme
    depth: int
    total: Counts
    groups: list = None  # per attribute of ChoiceColumns, Counts per choice in order


def overview_for(study, layer=None, columns=None):
    """Study overview: per theme of `study`, excerpts and participants in all and, given
    `columns` (ChoiceColumns), by each choice of each attribute. Participants are counted
    distinct per cell: a participant with two transcripts counts once. Three queries."""
    tree = ThemeTree(study)
    who = dict(counted_transcripts(study).values_list("pk", "participant_id"))
    chosen = columns.chosen if columns is not None else {}
    cells = {}  # (theme id, "all" | (attribute index, choice index)) -> [excerpts, {participant ids}]
    for (theme_id, transcript_id), n in theme_transcript_counts(tree, layer).items():
        participant = who[transcript_id]
        for column in ("all", *chosen.get(participant, ())):
            cell = cells.setdefault((theme_id, column), [0, set()])
            cell[0] += n
            cell[1].add(participant)

    def counts(theme_id, column):
        excerpts, people = cells.get((theme_id, column), (0, ()))
        return Counts(excerpts, len(people))

    return [
        OverviewRow(
            theme=theme,
            depth=depth,
            total=counts(theme.pk, "all"),
            groups=[[counts(theme.pk, (i, j)) for j in range(len(labels))]
                    for i, (_attribute, labels) in enumerate(columns.attributes)] if columns else None,
        )
        for theme, depth in tree.rows
    ]


def cooccurrence_for(study, layer=None):
    """Two tables {(theme a, theme b): n} with a < b, over themes excerpts are coded with
    directly (a parent's sub-themes would co-occur with it trivially), for participants who
    count, in `study`:
    - "same": excerpts coded with both themes;
    - "overlap": pairs of different excerpts of one transcript whose passages overlap, one coded
      with a and the other with b, each pair of excerpts counted once;
    both excerpts of `layer` (coding.models.layer_q). Two queries. The overlap query finds each
    overlapping pair once, from the excerpt that starts first (or, starting together, has the
    lower id): the other starts inside it, a range scan on the transcript-and-start index, not a
    comparison of every pair.
    """
    transcripts = counted_transcripts(study).values("pk")
    same = {}
    for a, b, n in (
        Link.objects.filter(layer_q(layer, "codedexcerpt__"),
                            codedexcerpt__study=study, codedexcerpt__transcript__in=transcripts,
                            codedexcerpt__themes__gt=F("theme_id"))
        .order_by()
        .values_list("theme_id", "codedexcerpt__themes")
        .annotate(n=Count("codedexcerpt_id", distinct=True))
    ):
        same[a, b] = n
    overlap = {}
    pairs = (
        CodedExcerpt.objects.filter(  # one filter() call: one join to the other excerpt
            Q(transcript__excerpts__start__gte=F("start"))
            & Q(transcript__excerpts__start__lt=F("end"))
            & (Q(transcript__excerpts__start__gt=F("start")) | Q(transcript__excerpts__pk__gt=F("pk")))
            & layer_q(layer) & layer_q(layer, "transcript__excerpts__"),
            study=study,  # the other excerpt shares the transcript, hence the study
            transcript__in=transcripts,
        )
        .annotate(
            a=Least("themes", "transcript__excerpts__themes"),
            b=Greatest("themes", "transcript__excerpts__themes"),
        )
        .filter(a__lt=F("b"))
        .order_by()
        .values_list("a", "b")
        # One 64-bit number per pair of excerpt ids (ids stay far below 2**32), counted once. The
        # constant is a bigint: as an integer (Django's default) PostgreSQL, given it as a bound
        # value (DATABASE_PREPARED_STATEMENTS), would take it as 0.
        .annotate(n=Count(F("pk") * Value(2**32, output_field=BigIntegerField())
                          + F("transcript__excerpts__pk"), distinct=True))
    )
    for a, b, n in pairs:
        overlap[a, b] = n
    return {"same": same, "overlap": overlap}


@dataclass
class ThemeReport:
    """The numbers of a theme report; its quotes are paginated separately
    (excerpts_for_theme_report)."""

    theme: Theme
    tree: ThemeTree
    theme_ids: list
    include_subthemes: bool
    participant: object
    transcript: object
    totals: Counts
    by_attribute: list  # [(attribute, [(choice label, Counts)])] for each of ChoiceColumns
    left_out: LeftOut
    quotes: int  # how many excerpts the report quotes (its paginator's count)

    @property
    def subthemes(self):
        return [self.tree.by_id[pk] for pk in self.tree.subtree_ids(self.theme.pk)[1:]]


def theme_report(study, theme, *, include_subthemes=True, participant=None, transcript=None, layer=None,
                 language=None, profiles=None):
    """Counts for a theme report of `study`: excerpts and participants, by each choice attribute
    of participants (ChoiceColumns: Sector, Gender…), how many it quotes, and who is left out of
    its quotations. Six queries: the study's themes (the tree), the study's transcripts with
    their participants' consent, the counts grouped by transcript (summed here by participant),
    and the choice columns (one, their choices, given the study's participant `profiles`, which
    quote_rows takes too).

    Grouped by transcript, not by participant: the count reads no transcript row. On SQLite a
    transcript's participant is stored after its text, so reading it for each excerpt walked
    the text's overflow pages (20 ms for 2,000 excerpts, 200 ms for 20,000; 6 and 18 ms now)."""
    tree = ThemeTree(study, language)
    ids = tree.subtree_ids(theme.pk) if include_subthemes else [theme.pk]
    transcripts = Transcript.objects.filter(study=study).order_by()
    if participant is not None:
        transcripts = transcripts.filter(participant=participant)
    if transcript is not None:
        transcripts = transcripts.filter(pk=transcript.pk)
    consent = ("participant_id", "participant__consent_scope", "participant__consent_given",
               "participant__consent_withdrawn_on")
    whose = {pk: tuple(rest) for pk, *rest in transcripts.values_list("pk", *consent)}
    coded = study_excerpts(study).filter(pk__in=coded_with(study, ids, layer))
    if participant is not None or transcript is not None:
        coded = coded.filter(transcript_id__in=list(whose))
    by_participant = {}
    for transcript_id, n in coded.order_by().values_list("transcript_id").annotate(n=Count("pk")):
        by_participant[whose[transcript_id]] = by_participant.get(whose[transcript_id], 0) + n
    columns = choice_columns(study, profiles)
    groups, excerpts, people, quotes, left = {}, 0, 0, 0, LeftOut()
    for (pk, scope, given, withdrawn_on), n in by_participant.items():
        if withdrawn_on is not None:
            left.withdrawn += 1
        elif not given:
            left.no_consent += 1
        else:
            for place in columns.chosen.get(pk, ()):
                groups[place] = _add(groups.get(place), n, 1)
            excerpts, people = excerpts + n, people + 1
            if scope in QUOTE_SCOPES:
                quotes += n
            else:
                left.interview_only += 1
    return ThemeReport(
        theme=theme,
        tree=tree,
        theme_ids=ids,
        include_subthemes=include_subthemes,
        participant=participant,
        transcript=transcript,
        totals=Counts(excerpts, people),
        by_attribute=[
            (attribute, [(label, groups[i, j]) for j, label in enumerate(labels) if (i, j) in groups])
            for i, (attribute, labels) in enumerate(columns.attributes)],
        left_out=left,
        quotes=quotes,
    )


def _add(counts, excerpts, participants):
    counts = counts or Counts()
    return Counts(counts.excerpts + excerpts, counts.participants + participants)


def citation(participant_code, interview_date, language=None):
    """How the study paper cites an interview, in `language` (else the active one): (Participant
    «D». Personal interview April 8, 2009); in Spanish (Participante «D». Entrevista personal, 8
    de abril de 2009)."""
    with translation.override(language or translation.get_language()):
        if interview_date is None:
            return _("(Participant «%(code)s». Personal interview).") % {"code": participant_code}
        # Translators: the date of an interview in a citation, as a Django date format.
        date_format = pgettext("citation date", "F j, Y")
        return _("(Participant «%(code)s». Personal interview %(date)s).") % {
            "code": participant_code,
            "date": dateformat.format(interview_date, date_format),
        }


def report_language(study, chosen=""):
    """The language a theme report cites and exports in: the one the reader picked, else the
    study's (when the interface has it), else the page's."""
    for code in (chosen, study.language):
        if not code:
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return translation.get_language()


def participant_heading(participant):
    """Participant D · NGO · Male (the participant's choice attributes, a QuoteRow's
    `choice_values`), plus the organisation where consent allows naming it."""
    parts = [_("Participant %(code)s") % {"code": participant.code}]
    # An attribute the participant has no value of (an unknown sector) is left out, not shown empty.
    parts += [label for label in participant.choice_values if label]
    if may_name_organisation(participant) and participant.organisation:
        parts.append(participant.organisation)
    return " · ".join(parts)


# A transcript's cue times are not among them: read with its text, once per transcript
# (quote_rows), not once per quote (a subtitle transcript's cues are hundreds of entries).
QUOTE_FIELDS = (
    "pk", "transcript_id", "start", "end", "quote", "number", "created_at", "coder__username",
    "transcript__title", "transcript__interview_date", PARTICIPANT + "id",
    PARTICIPANT + "code", PARTICIPANT + "consent_scope", "memo",
)


def excerpts_for_theme_report(study, theme_ids, participant=None, *, layer=None, tree=None, by_theme=False,
                              transcript=None):
    """Theme report's quotes, as QUOTE_FIELDS tuples (quote_rows makes them QuoteRows): the
    study's excerpts coded with any of `theme_ids` from participants who may be quoted (only
    `participant`'s, if given), by participant, interview date and position. `by_theme`: once
    per theme of `theme_ids` each is coded with, by the theme's place in `tree` first (the last
    column says which theme). `layer`: only that coder layer's excerpts (coding.models.layer_q)."""
    excerpts = study_excerpts(study)
    if participant is not None:
        excerpts = excerpts.filter(transcript__participant=participant)
    if transcript is not None:
        excerpts = excerpts.filter(transcript=transcript)
    order = (PARTICIPANT + "code", "transcript__interview_date", "transcript__title", "start", "pk")
    if not by_theme:
        excerpts = excerpts.filter(quotes_q(), pk__in=coded_with(study, theme_ids, layer))
        return excerpts.order_by(*order).values_list(*QUOTE_FIELDS)
    place = {pk: i for i, (theme, _depth) in enumerate(tree.rows) if (pk := theme.pk) in set(theme_ids)}
    quotable = excerpts.filter(quotes_q())
    links = Link.objects.filter(layer_q(layer, "codedexcerpt__"), theme_id__in=theme_ids, theme__study=study,
                                codedexcerpt__in=quotable).annotate(
        place=Case(*[When(theme_id=pk, then=Value(i)) for pk, i in place.items()],
                   output_field=IntegerField()))
    prefixed = ["codedexcerpt__" + field if field != "pk" else "codedexcerpt_id" for field in QUOTE_FIELDS]
    return links.order_by("place", *("codedexcerpt__" + f if f != "pk" else "codedexcerpt_id" for f in order)
                          ).values_list(*prefixed, "theme_id")


@dataclass
class QuoteRow:
    """One quote of a theme or codebook report, with what makes it traceable: its reference
    (T4:12 ¶7 and the cue time), coder, coding date and every theme it is coded with."""

    pk: int
    transcript_id: int
    start: int
    end: int
    quote: str
    number: int
    created_at: object
    coder: str
    title: str
    interview_date: object
    participant_id: int
    code: str
    consent_scope: str
    memo: str  # the excerpt's own memo
    group_theme: int = None
    choice_values: list = ()  # the participant's choice attributes (interviews.attributes.Profiles)
    organisation: str = ""  # the participant's organisation attribute, named only with "quote_named"
    themes: list = None  # [(theme id, name)] by name
    reference: str = ""
    report_memos: tuple = ()  # the memos linked to it that the reader may see, when asked for
    consent_given = True  # every quote is of a participant who may be quoted (quotes_q)
    consent_withdrawn_on = None

    @property
    def organisation_named(self):
        return self.organisation if self.consent_scope == ConsentScope.QUOTE_NAMED else ""


def quote_rows(study, rows, *, chunk=1000, tree=None, memos_for=None, profiles=None):
    """QuoteRows from QUOTE_FIELDS tuples (excerpts_for_theme_report), in their order, chunk by
    chunk: per chunk, one query for the quotes' themes and one for the texts and cue times of
    transcripts not seen before (their paragraph breaks and cue offsets are kept, the texts are
    not), plus, once, the transcripts' numbers and the participants' attributes (three queries).
    A generator: 20,000 quotes never sit in memory at once.
    `tree` (a ThemeTree): themes named as it names them (the report's language).
    `memos_for` (a user): each quote's linked memos that user may see, as `report_memos`, one
    more query per chunk. `profiles`: the study's participant_profiles, if read already."""
    seen, batch = _Seen(study, profiles), []
    width = len(QUOTE_FIELDS)
    for row in rows:
        batch.append(QuoteRow(*row[:width], group_theme=row[width] if len(row) > width else None, themes=[]))
        if len(batch) == chunk:
            yield from _traceable(batch, seen, tree, memos_for)
            batch = []
    if batch:
        yield from _traceable(batch, seen, tree, memos_for)


class _Seen:
    """What quote_rows reads once and keeps from chunk to chunk: the study's transcript numbers,
    its participants' attributes (each participant's shown once worked out), and each quoted
    transcript's paragraph breaks and cue offsets (a few hundred integers, not its text)."""

    def __init__(self, study, profiles=None):
        self.study, self._numbers, self._profiles = study, None, profiles
        self.people = {}  # participant id -> (choice values, organisation)
        self.places = {}  # transcript id -> (paragraph breaks, cue offsets, cue times)

    @property
    def numbers(self):
        if self._numbers is None:
            self._numbers = transcript_numbers(self.study)
        return self._numbers

    def person(self, participant_id):
        if participant_id not in self.people:
            if self._profiles is None:
                self._profiles = participant_profiles(self.study)
            self.people[participant_id] = (self._profiles.choice_row(participant_id),
                                           self._profiles.organisation(participant_id))
        return self.people[participant_id]

    def read_places(self, transcript_ids):
        """Paragraph breaks and cue offsets of the transcripts not read before: one query, or
        none. The first also numbers the study's transcripts (as transcript_numbers does): it
        lists them all, with the text and cues of those quoted only. No ORDER BY but the pk's
        (the model's would join the participants)."""
        unseen = set(transcript_ids) - self.places.keys()
        if not unseen:
            return
        first = self._numbers is None
        if first:
            quoted = Q(pk__in=unseen)
            transcripts = Transcript.objects.filter(study=self.study).order_by("pk").values_list(
                "pk", Case(When(quoted, then=F("text")), default=Value(""), output_field=TextField()),
                Case(When(quoted, then=F("cues")), default=Value(None), output_field=JSONField()))
            self._numbers = {}
        else:
            transcripts = Transcript.objects.filter(pk__in=unseen).order_by()
            transcripts = transcripts.values_list("pk", "text", "cues")
        for n, (pk, text, cues) in enumerate(transcripts, start=1):
            if first:
                self._numbers[pk] = n
            if pk in unseen:
                cues = cues or []
                self.places[pk] = (paragraph_breaks(text), [cue["offset"] for cue in cues],
                                   [cue["time"] for cue in cues])

    def reference(self, row):
        breaks, offsets, times = self.places[row.transcript_id]
        cue = None
        if offsets:
            i = bisect_right(offsets, row.start) - 1
            cue = times[i] if i >= 0 else None
        paragraph = bisect_left(breaks, row.start) + 1  # paragraph_at
        return quote_reference(self.numbers.get(row.transcript_id), row.number, paragraph, cue)


def _traceable(batch, seen, tree=None, memos_for=None):
    by_id = {}
    for row in batch:
        by_id.setdefault(row.pk, []).append(row)
        row.choice_values, row.organisation = seen.person(row.participant_id)
    names = tree.by_id if tree is not None else {}
    links = Link.objects.filter(codedexcerpt_id__in=list(by_id)).values_list("codedexcerpt_id", "theme_id",
                                                                            "theme__name")
    for excerpt_id, theme_id, name in links if tree is not None else links.order_by("theme__name"):
        name = names[theme_id].name if theme_id in names else name
        for row in by_id[excerpt_id]:
            row.themes.append((theme_id, name))
    if tree is not None:  # by name in the tree's language (sorted here, not by the database)
        for row in batch:
            row.themes.sort(key=itemgetter(1))
    if memos_for is not None:
        linked = {}
        through = Memo.excerpts.through
        for link in (through.objects.filter(codedexcerpt_id__in=list(by_id),
                                            memo__in=Memo.objects.visible_to(memos_for))
                     .select_related("memo").order_by("memo__created_at", "memo__pk")):
            linked.setdefault(link.codedexcerpt_id, []).append(link.memo)
        for row in batch:
            row.report_memos = linked.get(row.pk, [])
    seen.read_places(row.transcript_id for row in batch)
    for row in batch:
        row.reference = seen.reference(row)
    return batch


@dataclass
class BrowserRow:
    """One excerpt of the browser's page: plain values, no model instances (a page builds 50 of
    these, where instances would cost four objects each, their transcript, participant and
    coder)."""

    pk: int
    transcript_id: int
    start: int
    end: int
    quote: str
    number: int
    needs_review: bool
    created_at: object
    coder: str
    title: str
    interview_date: object
    participant_id: int
    code: str
    consent_scope: str
    themes: list = None  # [(name, colour)] by name
    choice_values: list = ()  # as QuoteRow's
    organisation: str = ""
    transcript_no: int = 0
    context_before: str = ""
    context_after: str = ""
    paragraph: int = 0
    cues: list = None  # the transcript's subtitle cues, read with its text


BROWSER_FIELDS = (
    "pk", "transcript_id", "start", "end", "quote", "number", "needs_review", "created_at", "coder__username",
    "transcript__title", "transcript__interview_date", PARTICIPANT + "id",
    PARTICIPANT + "code", PARTICIPANT + "consent_scope",
)


# Transcript texts with their paragraph breaks and subtitle cues, (text, breaks, cues), weighed
# by their characters: about 400 transcripts of 40,000 characters (about 40 MB with their
# breaks) per process. Keyed by (database, id, text_version, updated_at): every text correction
# raises text_version (coding.transcript_text), and any save of the row moves updated_at, so a
# changed text is never served from here; the key's updated_at also tells apart two rows given
# the same id and version (a restored database, a rolled-back test). The excerpt browser reads
# its transcripts' versions, not their texts: a 40,000-character text, its overflow pages and
# its breaks cost about as much as the rest of a page's cards. What goes out when it is full is
# taken at random (BoundedCache's `random_out`): a listing reads texts in transcript order, and
# a study's texts may be more than it holds.
TRANSCRIPT_TEXTS = BoundedCache(16_000_000, weight=lambda value: len(value[0]), random_out=True)


def _transcript_versions(_shape, *, ids):
    return (Transcript.objects.filter(pk__in=ids).order_by()
            .annotate(saved=_saved_at(), number=transcript_number())
            .values_list("pk", "text_version", "saved", "number"))


def _transcript_texts(_shape, *, ids):
    return (Transcript.objects.filter(pk__in=ids).order_by().annotate(saved=_saved_at())
            .values_list("pk", "text_version", "saved", "text", "cues"))


def _saved_at():
    """A transcript's updated_at as the database writes it, for TRANSCRIPT_TEXTS' key: compared,
    never shown, so not worth making a datetime of on every page."""
    return Cast("updated_at", TextField())


def _excerpt_links(_shape, *, ids):
    return Link.objects.filter(codedexcerpt_id__in=ids).order_by().values_list("codedexcerpt_id", "theme_id")


# The excerpt browser's small reads by id, on every page: compiled once per process
# (studies.prepared), their id lists padded to a few lengths (in_list).
TRANSCRIPT_VERSIONS = Prepared(_transcript_versions)
TEXTS_BY_ID = Prepared(_transcript_texts)
EXCERPT_LINKS = Prepared(_excerpt_links)


def transcript_texts(ids):
    """{id: (text, paragraph breaks, subtitle cues, number in its study)} of the transcripts
    `ids`: one query of their numbers and versions, and one more of the texts not in
    TRANSCRIPT_TEXTS (none when every text is there), each keyed by what that query read, so
    that a text corrected in between is the new one."""
    db = router.db_for_read(Transcript)
    found, missing = {}, {}
    for pk, version, updated, number in TRANSCRIPT_VERSIONS.run(ids=in_list(sorted(ids))):
        cached = TRANSCRIPT_TEXTS.get((db, pk, version, updated))
        if cached is None:
            missing[pk] = number
        else:
            found[pk] = (*cached, number)
    if missing:
        for pk, version, updated, text, cues in TEXTS_BY_ID.run(ids=in_list(sorted(missing))):
            kept = TRANSCRIPT_TEXTS.put((db, pk, version, updated), (text, paragraph_breaks(text), cues))
            found[pk] = (*kept, missing[pk])
    return found


def excerpts_for_browser(study, rows, tree, attributes):
    """Excerpt browser: one page's excerpts, `rows` of BROWSER_FIELDS read by the page's own
    query (reports.paging.KeysetPage), as BrowserRows in that order, with their context, quote
    reference numbers, themes and participants' attributes (choice_values, organisation).
    `context_before` and `context_after` are up to CONTEXT_CHARS code points of the text on
    each side of the quote. Three queries: their themes, their participants' values, their
    transcripts' numbers and versions; a fourth reads the texts not yet in
    TRANSCRIPT_TEXTS (each once: a page covers a few transcripts, and slicing a text in Python
    is cheaper than having the database cut each excerpt's context, or count its paragraph,
    out of its transcript's whole text). The themes' names (in the page's language) and colours
    come from `tree`, the study's ThemeTree the filter form has read already, and the
    participants' attributes are among `attributes`, the study's the form has read (so one
    query reads the participants' values)."""
    by_id = {row[0]: BrowserRow(*row, themes=[]) for row in rows}
    if by_id:
        themes = tree.by_id
        for excerpt_id, theme_id in EXCERPT_LINKS.run(ids=in_list(by_id)):
            if theme_id in themes:  # (services never link another study's theme; not shown here)
                by_id[excerpt_id].themes.append((themes[theme_id].name, themes[theme_id].colour))
        for x in by_id.values():
            x.themes.sort()
    profiles = (participant_profiles(study, {x.participant_id for x in by_id.values()}, attributes=attributes)
                if by_id else None)
    for x in by_id.values():
        x.choice_values = profiles.choice_row(x.participant_id)
        x.organisation = profiles.organisation(x.participant_id)
    texts = transcript_texts({x.transcript_id for x in by_id.values()}) if by_id else {}
    for x in by_id.values():
        text, breaks, x.cues, x.transcript_no = texts[x.transcript_id]
        x.context_before = text[max(x.start - CONTEXT_CHARS, 0) : x.start]
        x.context_after = text[x.end : x.end + CONTEXT_CHARS]
        x.paragraph = paragraph_at(breaks, x.start)
    return list(by_id.values())


def text_contains(excerpts, text):
    """Excerpts whose quote contains every word of `text`, ignoring case and accents: the
    database's pasto_fold on both sides (migration 0006 on PostgreSQL, where a trigram index
    serves it; reports.search.fold on SQLite, where the typed words are folded once here rather
    than once per row)."""
    sqlite = connections[excerpts.db].vendor == "sqlite"
    folded = Func(F("quote"), function="pasto_fold", output_field=TextField())
    for word in text.split():
        if sqlite:
            wanted = Value(fold(word))
        else:
            wanted = Func(Value(word), function="pasto_fold", output_field=TextField())
        excerpts = excerpts.alias(folded=folded).filter(folded__contains=wanted)
    return excerpts


def paragraph_context(excerpt):
    """The excerpt's context cut back to its own paragraph: (before, after, cut before, cut
    after), where "cut" means the paragraph goes on beyond what is shown."""
    before, after = excerpt.context_before or "", excerpt.context_after or ""
    cut_before = "\n" not in before and excerpt.start > len(before)
    cut_after = "\n" not in after and len(after) == CONTEXT_CHARS
    return before.rsplit("\n", 1)[-1], after.split("\n", 1)[0], cut_before, cut_after


def wider_context(text, start, end, limit):
    """(before, after): the text from the start of the paragraph before the one `start` is in
    up to `start`, and from `end` to the end of the paragraph after the one `end` is in, each
    cut to `limit` characters nearest the quote."""
    left = text.rfind("\n", 0, start) + 1  # the quote's paragraph starts here
    while left > 0 and text[left - 1] == "\n":
        left -= 1
    if left > 0:
        left = text.rfind("\n", 0, left) + 1  # the paragraph before it
    right = text.find("\n", end)
    right = len(text) if right == -1 else right
    while right < len(text) and text[right] == "\n":
        right += 1
    after_end = text.find("\n", right)
    right = len(text) if after_end == -1 else after_end
    before = text[max(left, start - limit) : start]
    return before, text[end : min(right, end + limit)]


EXPORT_FIELDS = (
    "pk", PARTICIPANT + "code", PARTICIPANT + "id", "transcript__title", "transcript__interview_date",
    "start", "end",
    "coder__username", "needs_review", PARTICIPANT + "consent_scope", "quote",
)


def excerpts_for_export(study, excerpts, profiles):
    """See the excerpt CSV export: `excerpts` (the browser's filters over the study's
    excerpts), kept to those of `study` whose participant counts. A generator of tuples: (id, participant
    code, [the participant's values of `profiles`' attributes], transcript title, interview
    date, start, end, coder, needs review, quotable, quote, theme names, reference), the
    organisation attribute and the quote blanked where consent does not allow them. The
    transcripts' paragraph breaks and numbers come first (two queries; the texts stream
    through, only the breaks stay), then the excerpts in chunks of EXPORT_CHUNK (one query,
    streamed), each chunk's theme names with it (one query per chunk; sorted here, not by the
    database): memory holds one chunk, whatever the size of the study. Tuples, not dicts: this
    loop runs once per excerpt of the study."""
    counted = excerpts.filter(counts_q(), study=study)
    breaks, cues = {}, {}
    for pk, text, transcript_cues in (counted_transcripts(study).order_by().values_list("pk", "text", "cues")
                                      .iterator(chunk_size=50)):
        breaks[pk] = paragraph_breaks(text)
        if transcript_cues:
            cues[pk] = transcript_cues
    numbers = transcript_numbers(study)
    rows = counted.order_by(PARTICIPANT + "code", "transcript__title", "start", "pk")
    rows = rows.values_list(*EXPORT_FIELDS, "transcript_id", "number")
    named, quotable = ConsentScope.QUOTE_NAMED, set(QUOTE_SCOPES)
    batch = []
    for row in rows.iterator(chunk_size=EXPORT_CHUNK):
        batch.append(row)
        if len(batch) == EXPORT_CHUNK:
            yield from _export_chunk(batch, breaks, cues, numbers, named, quotable, profiles)
            batch = []
    yield from _export_chunk(batch, breaks, cues, numbers, named, quotable, profiles)


EXPORT_CHUNK = 5000


def _export_chunk(batch, breaks, cues, numbers, named, quotable, profiles):
    names = {}
    for excerpt_id, name in Link.objects.filter(codedexcerpt_id__in=[row[0] for row in batch]).order_by(
            ).values_list("codedexcerpt_id", "theme__name") if batch else ():
        names.setdefault(excerpt_id, []).append(name)
    organisation = [is_organisation(attribute) for attribute in profiles.attributes]
    for (pk, code, participant, title, date, start, end, coder, review, scope, quote, transcript,
         number) in batch:
        may_quote = scope in quotable
        reference = f"T{numbers[transcript]}:{number} \u00b6{bisect_left(breaks[transcript], start) + 1}"
        if transcript in cues:  # a subtitle transcript: the reference ends with the cue time, as on pages
            cue = cue_time(cues[transcript], start)
            reference += f" {format_cue(cue)}" if cue is not None else ""
        values = profiles.row(participant)
        if scope != named:
            values = ["" if hidden else value for value, hidden in zip(values, organisation, strict=True)]
        yield (pk, code, values, title, date, start, end, coder, review, may_quote,
               quote if may_quote else "", sorted(names.get(pk, ())), reference)


# ----- Quote references: "T4:12 ¶7" -----
#
# T4 is the transcript's number in its study: its place among the study's transcripts in the
# order they were imported (by id). Transcripts are never deleted from a live study (an excerpt
# protects its transcript, and no page deletes one), so the number never shifts. 12 is the
# excerpt's number in its transcript (CodedExcerpt.number, given by the database on insert and
# never reused, migration coding 0011). ¶7 is the paragraph the quote starts in, as the coding
# page shows paragraphs (its non-empty lines): 1 plus the runs of line breaks before the quote
# (paragraph_at). It follows the text: a correction that adds a paragraph above renumbers it.
# For subtitle transcripts, the cue time of the line the quote starts in follows.



def transcript_number():
    """A transcript's number in its study, as a subquery of a transcript queryset."""
    earlier = (Transcript.objects.filter(study_id=OuterRef("study_id"), pk__lte=OuterRef("pk"))
               .order_by().values("study_id").annotate(n=Count("pk")).values("n"))
    return Subquery(earlier, output_field=IntegerField())


def transcript_numbers(study):
    """{transcript id: its number in `study`}. One query."""
    ids = Transcript.objects.filter(study=study).order_by("pk").values_list("pk", flat=True)
    return {pk: n for n, pk in enumerate(ids, start=1)}


def paragraph_breaks(text):
    """Where each run of line breaks starts in `text`, for paragraph_at. str.find, not a
    regular expression: it skips from break to break at C speed."""
    breaks, pos = [], text.find("\n")
    while pos != -1:
        breaks.append(pos)
        while text.startswith("\n", pos + 1):
            pos += 1
        pos = text.find("\n", pos + 1)
    return breaks


def paragraph_at(breaks, start):
    """The paragraph a quote starting at `start` is in (paragraph_number's rule)."""
    return bisect_left(breaks, start) + 1


def cue_time(cues, start):
    """The subtitle cue time (seconds) of the line `start` falls in, or None."""
    if not cues:
        return None
    offsets = [cue["offset"] for cue in cues]
    i = bisect_right(offsets, start) - 1
    return cues[i]["time"] if i >= 0 else None


def format_cue(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600:02}:{seconds // 60 % 60:02}:{seconds % 60:02}"


def quote_reference(transcript_no, number, paragraph, cue=None):
    """T4:12 ¶7, and the cue time (00:12:34) for subtitle transcripts."""
    ref = f"T{transcript_no}:{number if number is not None else '?'} \u00b6{paragraph}"
    return ref if cue is None else f"{ref} {format_cue(cue)}"


# ----- Case × theme: one row per participant, one column per theme -----

CASE_MEASURES = ("presence", "count", "characters")


def case_theme_table(study, measure, layer=None):
    """Case × theme table of `study`: (tree, participants, cells) where `participants` are the
    participants who count ((id, code, consent scope), in code order; their attributes come
    from interviews.attributes.participant_profiles)
    and `cells` is {(participant id, theme id): value}. A theme covers its sub-themes, each
    excerpt once (as the matrix counts): "count" is its excerpts, "presence" 1 if any, and
    "characters" the code points those excerpts cover; only `layer`'s excerpts
    (coding.models.layer_q). Four queries; the excerpt-theme links are streamed (characters)
    rather than held."""
    tree = ThemeTree(study)
    participants = list(Participant.objects.filter(counts_q(""), study=study).order_by("code").values_list(
        "pk", "code", "consent_scope"))
    owner = dict(counted_transcripts(study).values_list("pk", "participant_id"))
    cells = {}
    if measure != "characters":
        for (theme_id, transcript_id), n in theme_transcript_counts(tree, layer).items():
            key = owner[transcript_id], theme_id
            cells[key] = cells.get(key, 0) + n
        if measure == "presence":
            cells = {key: 1 for key, n in cells.items() if n}
        return tree, participants, cells
    above = {}  # theme id -> it and its ancestors: an excerpt counts once for each
    for theme, _depth in tree.rows:
        above[theme.pk] = [theme.pk] + [t.pk for t in tree.ancestors(theme.pk)]
    links = (Link.objects.filter(layer_q(layer, "codedexcerpt__"), codedexcerpt__study=study,
                                 codedexcerpt__transcript__in=list(owner))
             .order_by("codedexcerpt_id")
             .values_list("codedexcerpt_id", "theme_id", "codedexcerpt__transcript_id", "codedexcerpt__start",
                          "codedexcerpt__end"))
    current, covered, length, person = None, set(), 0, None
    for excerpt_id, theme_id, transcript_id, start, end in links.iterator(chunk_size=5000):
        if excerpt_id != current:
            for pk in covered:
                cells[person, pk] = cells.get((person, pk), 0) + length
            current, covered, length, person = excerpt_id, set(), end - start, owner[transcript_id]
        covered.update(above[theme_id])
    for pk in covered:
        cells[person, pk] = cells.get((person, pk), 0) + length
    return tree, participants, cells


# ----- Codebook report -----

CODEBOOK_EXAMPLES = 3


def codebook_quotes(study, tree, *, every=False, layer=None):
    """The codebook report's quotes: QUOTE_FIELDS rows (plus the theme) of excerpts coded
    directly with each theme, from participants who may be quoted, theme by theme in codebook
    order; the first CODEBOOK_EXAMPLES of each theme, or `every` one. One query (a window
    function numbers each theme's quotes). Only `layer`'s excerpts (coding.models.layer_q)."""
    ids = [theme.pk for theme, _depth in tree.rows]
    rows = excerpts_for_theme_report(study, ids, tree=tree, by_theme=True, layer=layer)
    if every:
        return rows
    order = [F(f) for f in ("codedexcerpt__transcript__participant__code", "codedexcerpt__transcript__title",
                            "codedexcerpt__start", "codedexcerpt_id")]
    return rows.annotate(rank=Window(RowNumber(), partition_by=[F("theme_id")], order_by=order)).filter(
        rank__lte=CODEBOOK_EXAMPLES)
