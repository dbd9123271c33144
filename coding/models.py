from dataclasses import dataclass
from types import SimpleNamespace
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Case, Count, F, Q, When, Window
from django.db.models.functions import RowNumber, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coding.contrast import ink
from interviews.models import Transcript, consent_quotes_q
from studies.models import BlindMode

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb, e.g. #1f77b4."), code="invalid_colour"
)


class ThemeKind(models.TextChoices):
    STRATEGY = "strategy", _("Strategy theme")
    ANALYTIC = "analytic", _("Analytic theme")


class ThemeQuerySet(models.QuerySet):
    def for_picker(self, study, language=None):
        """Coding page's theme picker: the study's themes in codebook (tree) order, as plain dicts,
        named in `language` (Theme.texts: the second-language name where that is the language
        asked for and the theme has one). One query, and it never counts excerpts: the page
        counts this transcript's codings from its own excerpt data, so opening a page costs the
        same in a study of any size."""
        rows = self.filter(study=study).values("id", "name", "name_second", "colour", "parent_id",
                                               "is_codable", "order")
        second = primary_language(language) == second_language(study.language)
        return [
            {"id": t.pk, "name": (t.name_second or t.name) if second else t.name, "colour": t.colour,
             "ink": ink(t.colour), "parent": t.parent_id,
             "codable": t.is_codable, "depth": depth}
            for t, depth in theme_tree(SimpleNamespace(pk=row["id"], **row) for row in rows)
        ]

    def for_codebook(self, study, membership=None):
        """Codebook page: the study's theme tree, each theme with its excerpt count, its count
        per coder and up to EXAMPLES_PER_THEME example quotes.

        Four queries whatever the size of the codebook or the number of studies: the themes;
        excerpt-theme links counted per theme and coder; excerpts counted per coder (the coder
        columns); the example quotes (a window function keeps the first few per theme). Each
        reads only this study's rows. Example quotes come only from participants who agreed to
        be quoted and have not withdrawn. Only the excerpts `membership` may see (blind_q).
        """
        themes = list(self.filter(study=study))
        Link = CodedExcerpt.themes.through
        per_theme_coder = {}
        for theme_id, coder_id, count in (
            Link.objects.filter(blind_q(membership, "codedexcerpt__"), theme__study=study).order_by()
            .values_list("theme_id", "codedexcerpt__coder_id")
            .annotate(n=Count("pk"))
        ):
            per_theme_coder[theme_id, coder_id] = count
        coders = list(
            CodedExcerpt.objects.filter(blind_q(membership), study=study).order_by("coder__username")
            .values("coder_id", "coder__username")
            .annotate(excerpt_count=Count("pk"))
        )
        examples = {}
        for row in (
            Link.objects.filter(consent_quotes_q("codedexcerpt__transcript__participant__"),
                                blind_q(membership, "codedexcerpt__"), theme__study=study)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("theme_id")],
                    order_by=[F("codedexcerpt__created_at").asc(), F("codedexcerpt_id").asc()],
                ),
                excerpt_quote=Substr("codedexcerpt__quote", 1, EXAMPLE_LENGTH + 1),
            )
            .filter(rank__lte=EXAMPLES_PER_THEME)
            .order_by("theme_id", "rank")
            .values("theme_id", "codedexcerpt_id", "excerpt_quote", "codedexcerpt__transcript_id",
                    "codedexcerpt__transcript__participant__code")
        ):
            examples.setdefault(row["theme_id"], []).append(row)
        rows = theme_tree(themes)
        siblings = {}
        for theme, _depth in rows:
            siblings.setdefault(theme.parent_id, []).append(theme)
        for theme, _depth in rows:
            theme.coder_counts = [per_theme_coder.get((theme.pk, c["coder_id"]), 0) for c in coders]
            theme.excerpt_count = sum(theme.coder_counts)
            theme.examples = examples.get(theme.pk, [])
            group = siblings[theme.parent_id]
            theme.is_first, theme.is_last = group[0] is theme, group[-1] is theme
        return Codebook(rows=rows, coders=coders)

    def for_codebook_export(self, study, membership=None):
        """Codebook exports (.qdc, CSV, the codebook part of a .qdpx): the study's themes with
        their counts of the excerpts `membership` may see (blind_q), in tree order. One query."""
        themes = self.filter(study=study).annotate(
            excerpt_count=Count("excerpts", filter=blind_q(membership, "excerpts__")))
        return [theme for theme, _depth in theme_tree(themes)]


# Example quotes on the codebook page: how many per theme, and how much of each.
EXAMPLES_PER_THEME = 2
EXAMPLE_LENGTH = 200
SPLIT_QUOTE_LENGTH = 500


@dataclass
class Codebook:
    """What the codebook page shows: `rows` are (theme, depth) in tree order; `coders` are
    dicts with coder_id, coder__username and excerpt_count, in the order of each theme's
    `coder_counts`."""

    rows: list
    coders: list


def theme_descendant_ids(theme):
    """The ids of every theme below `theme` in the tree. One query (the edges of its study's
    tree)."""
    children = {}
    edges = Theme.objects.filter(study_id=theme.study_id).order_by().values_list("pk", "parent_id")
    for pk, parent_id in edges:
        children.setdefault(parent_id, []).append(pk)
    found, todo = set(), [theme.pk]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def theme_tree(themes):
    """`themes` in tree order (parents before children, siblings by order) with their depth."""
    children = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme)
    ordered = []

    def walk(parent_id, depth):
        for theme in sorted(children.get(parent_id, []), key=lambda t: (t.order, t.name)):
            ordered.append((theme, depth))
            walk(theme.pk, depth + 1)

    walk(None, 0)
    return ordered


THEME_TEXT_FIELDS = ("name", "description", "inclusion_criteria", "exclusion_criteria")


class ThemeTexts(NamedTuple):
    name: str
    description: str
    inclusion_criteria: str
    exclusion_criteria: str


def primary_language(tag):
    return (tag or "").replace("_", "-").split("-")[0].lower()


def second_language(study_language):
    """A study's second language for its codebook: the first interface language that is not the
    study's own (English for a Spanish study, Spanish for an English one)."""
    own = primary_language(study_language)
    return next(code for code, _name in settings.LANGUAGES if code != own)


class Theme(models.Model):
    """A code in the codebook. Themes form a tree through `parent`, within one study."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="themes", verbose_name=_("study")
    )
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent theme"),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=ThemeKind.choices,
        default=ThemeKind.ANALYTIC,
        help_text=_("Strategy themes come from the strategy; analytic themes from the analysis."),
    )
    colour = models.CharField(
        _("colour"), max_length=7, default="#1f77b4", validators=[colour_validator]
    )
    description = models.TextField(_("description"), blank=True)
    inclusion_criteria = models.TextField(
        _("inclusion criteria"), blank=True, help_text=_("When to apply this theme.")
    )
    exclusion_criteria = models.TextField(
        _("exclusion criteria"), blank=True, help_text=_("When not to apply it, even if tempting.")
    )
    # The same texts in the study's second language (second_language()), each optional: a page
    # in that language shows them, and falls back to the texts above where one is missing.
    name_second = models.CharField(
        _("name in the second language"), max_length=120, blank=True,
        help_text=_("The study's second language: English for a Spanish study, Spanish otherwise."),
    )
    description_second = models.TextField(_("description in the second language"), blank=True)
    inclusion_criteria_second = models.TextField(_("inclusion criteria in the second language"), blank=True)
    exclusion_criteria_second = models.TextField(_("exclusion criteria in the second language"), blank=True)
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Position among the themes that share its parent.")
    )
    is_codable = models.BooleanField(
        _("codable"),
        default=True,
        help_text=_("Untick for a grouping-only theme: it holds sub-themes but cannot be applied "
                    "to a passage (REFI-QDA isCodable=\"false\")."),
    )

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(
                fields=["study", "parent", "name"],
                condition=Q(parent__isnull=False),
                name="theme_unique_name_per_parent",
                violation_error_message=_("A theme with this name already sits under that parent."),
            ),
            models.UniqueConstraint(
                fields=["study", "name"],
                condition=Q(parent__isnull=True),
                name="theme_unique_top_level_name",
                violation_error_message=_("A top-level theme with this name already exists."),
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="theme_not_own_parent"),
            models.CheckConstraint(condition=~Q(name=""), name="theme_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    def texts(self, language, study_language):
        """ThemeTexts in `language`: the second-language fields when `language` is the study's
        second language, else the study-language ones; each empty field falls back to the other."""
        second = primary_language(language) == second_language(study_language)
        values = {}
        for field in THEME_TEXT_FIELDS:
            first, other = getattr(self, field), getattr(self, f"{field}_second")
            values[field] = (other or first) if second else (first or other)
        return ThemeTexts(**values)

    def clean(self):
        if self.parent is not None and self.study_id and self.parent.study_id != self.study_id:
            raise ValidationError({"parent": ValidationError(
                _("A theme of another study cannot be the parent."), code="theme_other_study",
            )})
        # Walks up the tree: one query per ancestor, and trees here are a few levels deep.
        node = self.parent
        while node is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": ValidationError(
                    _("A theme cannot sit under itself or one of its sub-themes."),
                    code="theme_cycle",
                )})
            node = node.parent


class ReviewReason(models.TextChoices):
    NONE = "", _("No review needed")
    TEXT_CHANGED = "text_changed", _("The quoted text changed")
    TEXT_DELETED = "text_deleted", _("The quoted text was deleted")


class CodedExcerptQuerySet(models.QuerySet):
    def for_theme_split(self, theme, membership=None):
        """Split page: the excerpts coded with `theme`, by participant, transcript and position,
        as dicts with the transcript, participant code, coder, the first SPLIT_QUOTE_LENGTH
        characters of the quote and the names of the excerpt's other themes; only those
        `membership` may see (blind_q). Two queries."""
        rows = list(
            self.filter(blind_q(membership), study_id=theme.study_id, themes=theme)
            .order_by("transcript__participant__code", "transcript__title", "start", "pk")
            .values("id", "transcript_id", "transcript__title", "transcript__participant__code",
                    "coder__username", quote_start=Substr("quote", 1, SPLIT_QUOTE_LENGTH + 1))
        )
        Link = CodedExcerpt.themes.through
        others = {}
        for excerpt_id, name in (
            Link.objects.filter(codedexcerpt_id__in=Link.objects.filter(theme_id=theme.pk).values("codedexcerpt_id"))
            .exclude(theme_id=theme.pk)
            .order_by("theme__name")
            .values_list("codedexcerpt_id", "theme__name")
        ):
            others.setdefault(excerpt_id, []).append(name)
        for row in rows:
            row["other_themes"] = others.get(row["id"], [])
        return rows

    def for_theme_delete(self, theme):
        """Delete page: how many excerpts are coded with `theme`, and how many have it as their
        only theme (a "remove" would remove those). One query."""
        coded = self.filter(pk__in=CodedExcerpt.themes.through.objects.filter(theme_id=theme.pk)
                            .values("codedexcerpt_id"))
        counts = coded.annotate(theme_count=Count("themes")).aggregate(
            codings=Count("pk"), only=Count("pk", filter=Q(theme_count=1))
        )
        return counts

    def visible_to(self, membership):
        """The excerpts `membership` may see under blind coding (blind_q; None: every excerpt)."""
        return self.filter(blind_q(membership))

    def for_coding_page(self, transcript):
        """Coding page (and its JSON API): a transcript's excerpts as (rows, notes).

        `rows` are lists [id, start, end, theme ids, coder id, version] in text order, offsets
        in code points, theme ids in the order they were chosen (link ids): the first gives the
        excerpt its colour. `notes` are {id: (memo, old quote or None)} for the few excerpts
        with a memo or a review flag (the quote only where it no longer matches the text).
        Lists, not dicts or instances, and no quotes: the page reads a quote from its own text,
        and 8,000 excerpts cost little more than their offsets. Two queries whatever the
        number of excerpts: the rows with their memos (and old quotes, only where flagged), the
        theme links.
        """
        excerpts = self.filter(transcript=transcript)
        rows, notes = [], {}
        for pk, start, end, coder_id, version, memo, old_quote in (
            excerpts.order_by("start", "end", "pk")
            .annotate(old_quote=Case(When(needs_review=True, then="quote"), default=None))
            .values_list("id", "start", "end", "coder_id", "version", "memo", "old_quote")
        ):
            rows.append([pk, start, end, [], coder_id, version])
            if memo or old_quote is not None:
                notes[pk] = (memo, old_quote)
        themes = {row[0]: row[3] for row in rows}
        for excerpt_id, theme_id in (
            CodedExcerpt.themes.through.objects.filter(codedexcerpt__in=excerpts.values("pk"))
            .order_by("pk")
            .values_list("codedexcerpt_id", "theme_id")
        ):
            # An excerpt saved between the two reads (another coder, READ COMMITTED) has links
            # but no row yet: it arrives with the page's next refresh.
            if excerpt_id in themes:
                themes[excerpt_id].append(theme_id)
        return rows, notes


class CodedExcerpt(models.Model):
    """A passage `text[start:end]` of a transcript, tagged with one or more themes.

    `start` and `end` count Unicode code points of the transcript's stored text. `quote` is a
    snapshot of that passage; it must equal `text[start:end]` unless `needs_review` is set.
    `study` repeats the transcript's study so that study-wide reads need no join.
    """

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="excerpts", verbose_name=_("study")
    )
    transcript = models.ForeignKey(
        Transcript,
        on_delete=models.PROTECT,
        related_name="excerpts",
        verbose_name=_("transcript"),
    )
    start = models.PositiveIntegerField(_("start"), help_text=_("First code point, from 0."))
    end = models.PositiveIntegerField(_("end"), help_text=_("Code point just past the end."))
    quote = models.TextField(_("quote"))
    number = models.PositiveIntegerField(
        _("number"), null=True, blank=True, editable=False,
        help_text=_("The excerpt's number in its transcript (the 12 of a reference T4:12), given by "
                    "the database on insert and never reused."),
    )
    themes = models.ManyToManyField(Theme, related_name="excerpts", verbose_name=_("themes"))
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coded_excerpts",
        verbose_name=_("coder"),
    )
    memo = models.TextField(_("memo"), blank=True)
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("Set when the transcript text changed under this excerpt's quote."),
    )
    review_reason = models.CharField(
        _("review reason"),
        max_length=20,
        choices=ReviewReason.choices,
        blank=True,
        default=ReviewReason.NONE,
        help_text=_("Why the excerpt needs review; `quote` then keeps the text it had before."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on each change; detects concurrent edits.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CodedExcerptQuerySet.as_manager()

    class Meta:
        ordering = ["transcript_id", "start", "end"]
        verbose_name = _("coded excerpt")
        verbose_name_plural = _("coded excerpts")
        indexes = [models.Index(fields=["transcript", "start"], name="excerpt_transcript_start"),
                   models.Index(fields=["transcript", "number"], name="excerpt_transcript_number"),
                   # covers the report counts' read (reports.queries.theme_transcript_counts): a
                   # study's excerpts in transcript order, with their coder for the layer filter
                   models.Index(fields=["study", "transcript", "coder"], name="excerpt_study_transcript")]
        constraints = [
            models.CheckConstraint(
                condition=Q(needs_review=True) | Q(review_reason=""),
                name="excerpt_review_reason_only_when_flagged",
            ),
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(end__gt=F("start")),
                name="excerpt_start_before_end",
                violation_error_message=_("An excerpt must start at 0 or later and end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.transcript_id}:{self.start}-{self.end}"

    def get_absolute_url(self):
        # Reads self.study: one query unless select_related or already cached.
        url = reverse("coding:transcript-coding", args=[self.study.slug, self.transcript_id])
        return url + f"#x{self.pk}"

    def clean(self):
        # Reads self.transcript: one query unless select_related or already cached.
        if self.start is None or self.end is None or not self.transcript_id:
            return
        if self.study_id and self.transcript.study_id != self.study_id:
            raise ValidationError(
                _("The excerpt and its transcript must belong to the same study."),
                code="transcript_other_study",
            )
        text = self.transcript.text
        if self.end > len(text):
            raise ValidationError(
                _("The excerpt ends at %(end)s, past the end of the text (%(length)s)."),
                code="offset_out_of_range",
                params={"end": self.end, "length": len(text)},
            )
        if not self.needs_review and self.quote != text[self.start : self.end]:
            raise ValidationError(
                _("The quote does not match the transcript text at these offsets."),
                code="quote_mismatch",
            )


class ConsensusLayerQuerySet(models.QuerySet):
    def for_study(self, study):
        """The study's consensus layer, made on first use with its own coder account (inactive,
        no password: nobody logs in as it). Two or three queries the first time, one after."""
        layer = self.filter(study=study).select_related("coder").first()
        if layer is not None:
            return layer
        User = get_user_model()
        name = f"consensus.{study.slug}"[:150]
        if User.objects.filter(username=name).exists():
            name = f"consensus.{study.slug}.{study.pk}"[:150]
        coder = User(username=name, first_name=str(_("Consensus")), is_active=False)
        coder.set_unusable_password()
        coder.save()
        return self.create(study=study, coder=coder)


class ConsensusLayer(models.Model):
    """A study's consensus layer: the excerpts whose coder is `coder`. It is a coder layer like
    any other (the coding page's coder filter, the codebook's columns, agreement, exports show
    it as one), but only adjudication (team) writes it: the coding page refuses to change or
    delete its excerpts (coding.access), and nobody can log in as its coder."""

    study = models.OneToOneField(
        "studies.Study", on_delete=models.CASCADE, related_name="consensus_layer", verbose_name=_("study")
    )
    coder = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consensus_layer",
        verbose_name=_("coder account"),
    )

    objects = ConsensusLayerQuerySet.as_manager()

    class Meta:
        verbose_name = _("consensus layer")
        verbose_name_plural = _("consensus layers")

    def __str__(self):
        return self.coder.get_username()


CONSENSUS = "consensus"
ALL_CODERS = "coders"


def layer_q(layer, prefix=""):
    """Excerpts of one layer, for reports and exports: `None` every excerpt (no filter),
    ALL_CODERS every coder's with the consensus layer left out (so that settled passages do not
    count twice), CONSENSUS the consensus layer alone, a user id that coder's alone. `prefix`
    leads to the excerpt ("codedexcerpt__"). A join at most, never a query of its own.

    The consensus layer is the excerpt's own study's: a consensus account of another study (a
    REFI-QDA import maps users by name) codes here like any coder.

    A SeenLayer (seen_layer) is its layer narrowed by blind coding: how every report and export
    a member asks for reads only what that member may see, through this one filter."""
    if isinstance(layer, SeenLayer):
        return layer_q(layer.layer, prefix) & blind_q(layer.membership, prefix)
    if layer is None:
        return Q()
    consensus = Q(**{prefix + "coder__consensus_layer__study_id": F(prefix + "study_id")})
    if layer == ALL_CODERS:
        return ~consensus
    if layer == CONSENSUS:
        return consensus
    return Q(**{prefix + "coder_id": layer})


class SeenLayer(NamedTuple):
    """A report's layer as one member sees it: `layer` (as layer_q takes it) narrowed by
    `membership`'s blind coding (blind_q)."""

    layer: object
    membership: object


def seen_layer(membership, layer):
    """`layer` as `membership` may see it: itself where blind coding hides nothing from them
    (so reports stay as they were), else a SeenLayer. No query."""
    if membership is None or membership.sees_every_layer:
        return layer
    return SeenLayer(layer, membership)


def blind_q(membership, prefix="", coder="coder_id"):
    """The excerpts `membership` may see under blind coding (issue 13): every excerpt for an
    owner or in a study that is not blind (no filter); otherwise the member's own layer in the
    blind scope (the whole study, or the transcripts marked blind) and every layer elsewhere.
    Other coders' excerpts, the consensus layer's included, are hidden from researchers and
    reviewers alike: a reviewer codes nothing, so sees no layer of a blind transcript. `prefix`
    leads to the excerpt, as layer_q's; `coder` names its coder field ("snapshot__coder" for a
    DeletedExcerpt). No query (the membership carries its study); a join on the transcript only
    when the scope is the transcripts marked blind.

    Every page, export and API that reads excerpts for a member goes through this (or
    `excerpt_hidden`, its one-object twin)."""
    return blind_q_for(blind_scope(membership), membership and membership.user_id, prefix, coder)


def blind_scope(membership):
    """What blind coding hides from `membership`, as blind_q_for takes it: None when nothing
    (owners, studies not blind), else the study's BlindMode."""
    if membership is None or membership.sees_every_layer:
        return None
    return membership.study.blind


def blind_q_for(scope, user_id, prefix="", coder="coder_id"):
    """blind_q from its parts: `scope` (blind_scope) and the member's user id."""
    if scope is None:
        return Q()
    own = Q(**{prefix + coder: user_id})
    if scope == BlindMode.STUDY:
        return own
    return own | Q(**{prefix + "transcript__is_blind": False})


def excerpt_hidden(membership, excerpt):
    """Whether blind coding hides `excerpt` from `membership` (blind_q for one excerpt already
    read). Reads excerpt.transcript: no query when select_related."""
    if membership is None or membership.sees_every_layer or excerpt.coder_id == membership.user_id:
        return False
    return membership.study.blind == BlindMode.STUDY or excerpt.transcript.is_blind


def transcript_blind_for(membership, transcript):
    """Whether `membership` sees only its own layer in `transcript` (team's comparison page,
    the coding page's coder list). No query."""
    if membership.sees_every_layer:
        return False
    return membership.study.blind == BlindMode.STUDY or transcript.is_blind


class DeletedExcerpt(models.Model):
    """A removed excerpt, kept whole so that undo restores it exactly: same id, offsets, quote,
    themes, coder, memo and creation time. Removing an excerpt never loses a coding."""

    original_id = models.BigIntegerField(_("original id"), unique=True)
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="+", verbose_name=_("study")
    )
    transcript = models.ForeignKey(
        Transcript, on_delete=models.PROTECT, related_name="+", verbose_name=_("transcript")
    )
    snapshot = models.JSONField(_("snapshot"))
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deleted by"),
    )
    deleted_at = models.DateTimeField(_("deleted at"), auto_now_add=True)

    class Meta:
        ordering = ["-deleted_at"]
        verbose_name = _("deleted excerpt")
        verbose_name_plural = _("deleted excerpts")

    def __str__(self):
        return f"{self.original_id} ({self.deleted_at:%Y-%m-%d})"


class DeletedThemeQuerySet(models.QuerySet):
    def for_codebook(self, study):
        """Codebook page's "recently removed" list: the study's, with who removed each. One
        query."""
        return self.filter(study=study).select_related("deleted_by")[:10]


class DeletedTheme(models.Model):
    """A theme removed by a delete or a merge, kept whole so that undo restores it exactly:
    same id, fields, place among its siblings, sub-themes and codings. Excerpts the removal
    deleted (their only theme was this one) wait in DeletedExcerpt; the snapshot lists them."""

    class Action(models.TextChoices):
        DELETED = "deleted", _("Deleted")
        MERGED = "merged", _("Merged")

    original_id = models.BigIntegerField(_("original id"), unique=True)
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="+", verbose_name=_("study")
    )
    name = models.CharField(_("name"), max_length=120)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    snapshot = models.JSONField(
        _("snapshot"), help_text=_("The theme's fields, place, sub-themes and codings at removal.")
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("removed by"),
    )
    deleted_at = models.DateTimeField(_("removed at"), auto_now_add=True)

    objects = DeletedThemeQuerySet.as_manager()

    class Meta:
        ordering = ["-deleted_at", "-pk"]
        verbose_name = _("removed theme")
        verbose_name_plural = _("removed themes")

    def __str__(self):
        return f"{self.name} ({self.get_action_display()} {self.deleted_at:%Y-%m-%d})"


# ----- Reports, search and auto-coding -----


class AutoCodingScope(models.TextChoices):
    MATCH = "match", _("The words found")
    SENTENCE = "sentence", _("The sentence around them")
    PARAGRAPH = "paragraph", _("The paragraph around them")
    TURN = "turn", _("Every turn of one speaker")


class AutoCodingRun(models.Model):
    """One auto-coding from the search page: a theme applied to a search's hits. It records the
    excerpts it created, so that undo removes exactly those (and only while unchanged)."""

    query = models.CharField(_("search"), max_length=500)
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="+", verbose_name=_("study")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("theme")
    )
    scope = models.CharField(
        _("scope"),
        max_length=20,
        choices=AutoCodingScope.choices,
        default=AutoCodingScope.SENTENCE,
        help_text=_("How much text around each hit the new excerpt covers."),
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("coder")
    )
    excerpts = models.ManyToManyField(
        CodedExcerpt, related_name="+", blank=True, verbose_name=_("excerpts created")
    )
    skipped_count = models.PositiveIntegerField(
        _("hits already coded"),
        default=0,
        help_text=_("Hits whose passage already had an excerpt with this theme; left as they were."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("auto-coding run")
        verbose_name_plural = _("auto-coding runs")

    def __str__(self):
        return f"«{self.query}» → {self.theme}"


def _sqlite_functions(sender, connection, **kwargs):
    """PostgreSQL gets pasto_fold (lower(unaccent(...))) from migration 0006; SQLite gets the
    same idea in Python, so report filters run one query on both."""
    if connection.vendor == "sqlite":
        from interviews.text import fold

        connection.connection.create_function("pasto_fold", 1, fold, deterministic=True)


connection_created.connect(_sqlite_functions, dispatch_uid="coding_sqlite_functions")
