from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from interviews.text import is_normalised


class ConsentScope(models.TextChoices):
    INTERVIEW_ONLY = "interview_only", _("Interview only")
    QUOTE = "quote", _("May be quoted")
    QUOTE_NAMED = "quote_named", _("May be quoted with organisation named")


# The consent rule, in one place. A participant counts in numbers when consent was given and
# not withdrawn; their words may be quoted when, besides, the scope allows quotation.
QUOTE_SCOPES = [ConsentScope.QUOTE, ConsentScope.QUOTE_NAMED]


def consent_counts_q(prefix=""):
    """Q for participants who count, through `prefix` (e.g. "transcript__participant__")."""
    return Q(**{prefix + "consent_given": True, prefix + "consent_withdrawn_on__isnull": True})


def consent_quotes_q(prefix=""):
    """Q for participants whose words may be quoted, through `prefix`."""
    return consent_counts_q(prefix) & Q(**{prefix + "consent_scope__in": QUOTE_SCOPES})


class ParticipantQuerySet(models.QuerySet):
    def for_participant_list(self, study, *, q="", consent="", scope="", attributes=None,
                             identifying=False):
        """Participants page and its CSV exports: the study's participants with how many
        transcripts each has, filtered, in one query. `attributes` ({choice attribute: choice})
        keeps those with each of the choices. The search reads code, notes and the text of
        attributes (identifying ones only with `identifying`, owners); with `identifying` also
        the name and contact, so that a search for a guessed name never tells anyone else which
        code it hides behind."""
        participants = self.filter(study=study)
        if q:
            fields = ("code", "notes") + (IDENTIFYING_FIELDS if identifying else ())
            match = Q()
            for field in fields:
                match |= Q(**{f"{field}__icontains": q})
            texts = AttributeValue.objects.filter(study=study, participant=OuterRef("pk"), text__icontains=q)
            if not identifying:
                texts = texts.filter(attribute__identifying=False)
            participants = participants.filter(match | Q(Exists(texts)))
        for attribute, choice in (attributes or {}).items():
            having = AttributeValue.objects.filter(participant=OuterRef("pk"), attribute=attribute,
                                                   choice=choice)
            participants = participants.filter(Exists(having))
        if scope:
            participants = participants.filter(consent_scope=scope)
        if consent:
            participants = participants.filter(CONSENT_FILTERS[consent])
        return participants.annotate(transcript_count=Count("transcripts")).order_by("code")


class ConsentFilter(models.TextChoices):
    COUNTS = "given", _("Consent given")
    NOT_GIVEN = "not_given", _("No consent")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


CONSENT_FILTERS = {
    ConsentFilter.COUNTS: consent_counts_q(),
    ConsentFilter.NOT_GIVEN: Q(consent_given=False),
    ConsentFilter.WITHDRAWN: Q(consent_withdrawn_on__isnull=False),
}

# Identifying fields: owners only, on every page and export.
IDENTIFYING_FIELDS = ("full_name", "contact")


class Participant(models.Model):
    """An interviewee. Pages for researchers and reviewers show only the pseudonym `code`,
    non-identifying attributes (the study's own, such as sector or gender: AttributeValue) and
    consent; `full_name` and `contact` are identifying and reach the study's
    owners only."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="participants", verbose_name=_("study")
    )
    code = models.CharField(
        _("pseudonym code"),
        max_length=20,
        help_text=_("The name used for this participant on every page and in every report, e.g. “D”."),
    )
    notes = models.TextField(
        _("notes"), blank=True,
        help_text=_("Searchable by every member of the study: keep names and contacts out of it."),
    )
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_scope = models.CharField(
        _("consent scope"),
        max_length=20,
        choices=ConsentScope.choices,
        default=ConsentScope.INTERVIEW_ONLY,
        help_text=_("What the participant agreed to: whether quotes may appear in reports."),
    )
    consent_withdrawn_on = models.DateField(
        _("consent withdrawn on"),
        null=True,
        blank=True,
        help_text=_("Set when the participant withdraws; their quotes then leave every report."),
    )
    full_name = models.CharField(
        _("full name"), max_length=200, blank=True,
        help_text=_("Identifying: seen by the study’s owners only."),
    )
    contact = models.CharField(
        _("contact"), max_length=200, blank=True,
        help_text=_("Identifying: seen by the study’s owners only."),
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        permissions = [("view_identifying_fields", _("Can see participants' names and contacts"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_withdrawn_on__isnull=True)
                | Q(consent_date__isnull=True)
                | Q(consent_withdrawn_on__gte=models.F("consent_date")),
                name="participant_withdrawn_after_consent",
                violation_error_message=_("Consent cannot be withdrawn before it was given."),
            ),
            models.CheckConstraint(
                condition=~Q(code=""), name="participant_code_not_empty"
            ),
            models.UniqueConstraint(
                fields=["study", "code"], name="participant_unique_code_per_study",
                violation_error_message=_("A participant with this code already exists in this study."),
            ),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        if self.consent_date and not self.consent_given:
            raise ValidationError({"consent_given": ValidationError(
                _("A consent date is set, so tick “consent given”."),
                code="consent_date_without_consent",
            )})


def coverage(spans, length):
    """Share of a text of `length` characters covered by the union of `(start, end)` spans."""
    covered, reach = 0, 0
    for start, end in sorted(spans):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered / length if length else 0.0


class TranscriptQuerySet(models.QuerySet):
    def for_transcript_list(self, study):
        """Transcript list (coding.transcripts_views): the study's transcripts with their
        participants and text lengths, never the texts. One query; the coding app adds the
        excerpt counts and coverage."""
        return (
            self.filter(study=study)
            .select_related("participant")
            .annotate(length=Length("text"))
            .defer("text", "cues")
        )

    def for_anonymise_page(self, study):
        """Anonymise page (all of a study's transcripts): ids, titles, participant codes and
        texts, for the preview's counts. One query."""
        return self.filter(study=study).select_related("participant").only(
            "pk", "study_id", "title", "text", "text_version", "participant__code"
        ).order_by("participant__code", "title")


class Transcript(models.Model):
    """An interview's text. `text` is the single source of truth for excerpt offsets."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="transcripts", verbose_name=_("study")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="transcripts",
        verbose_name=_("participant"),
    )
    title = models.CharField(_("title"), max_length=200)
    interview_date = models.DateField(_("interview date"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=20, default="en", help_text=_("A language tag, e.g. en or es.")
    )
    text = models.TextField(
        _("text"),
        help_text=_("NFC-normalised, with \\n line endings. Excerpt offsets count its characters."),
    )
    source_filename = models.CharField(_("source file name"), max_length=255, blank=True)
    cues = models.JSONField(
        _("cue times"),
        default=list,
        blank=True,
        help_text=_("From subtitle files: [{offset, time}], a line's first code point and the "
                    "cue's start in seconds. Moves with the text when it is corrected."),
    )
    text_version = models.PositiveIntegerField(
        _("text version"),
        default=1,
        help_text=_("Raised on each change of the text; every version is kept."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    is_blind = models.BooleanField(
        _("blind"), default=False,
        help_text=_("Coded blind: while the study's blind coding covers the transcripts marked "
                    "blind, researchers and reviewers see only their own excerpts here."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TranscriptQuerySet.as_manager()

    class Meta:
        ordering = ["participant__code", "title"]
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        # a participant's transcripts in the excerpt browser's order, without reading their
        # rows (whose text would make every lookup walk its overflow pages)
        indexes = [models.Index(fields=["participant", "title", "id"], name="transcript_participant_title")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text__contains="\r"),
                name="transcript_text_lf_only",
                violation_error_message=_("Transcript text must use \\n line endings."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="transcript_title_not_empty"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The coding page. Reads self.study: one query unless select_related; lists build
        their links from the study's slug instead."""
        return reverse("coding:transcript-coding", args=[self.study.slug, self.pk])

    def clean(self):
        if not is_normalised(self.text):
            raise ValidationError({"text": ValidationError(
                _("Text must be NFC-normalised, with \\n line endings."),
                code="text_not_normalised",
            )})

    def cue_labels(self):
        """{code point offset: "mm:ss" or "h:mm:ss"} for the coding page's cue times."""
        return {cue["offset"]: format_cue_time(cue["time"]) for cue in self.cues}


def format_cue_time(seconds):
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes:02}:{secs:02}"


class TextChange(models.TextChoices):
    IMPORT = "import", _("Imported")
    RECORDED = "recorded", _("Text as it stood before versions were kept")
    EDIT = "edit", _("Edited")
    ANONYMISE = "anonymise", _("Anonymised")


class TranscriptVersionQuerySet(models.QuerySet):
    def for_history(self):
        """The text page's version list: numbers, changes and who made them, never the texts.
        One query."""
        return self.select_related("created_by").defer("text", "cues").order_by("-number")


class TranscriptVersion(models.Model):
    """One version of a transcript's text, kept for good. The newest equals `Transcript.text`.

    Older versions may hold names that anonymisation later removed, so their text is shown to
    no one in the app (the study's owners have the original file)."""

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="versions", verbose_name=_("transcript")
    )
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="+", verbose_name=_("study")
    )
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))
    cues = models.JSONField(_("cue times"), default=list, blank=True)
    change = models.CharField(_("change"), max_length=20, choices=TextChange.choices)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("What changed, never a removed name.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = TranscriptVersionQuerySet.as_manager()

    class Meta:
        ordering = ["transcript", "-number"]
        verbose_name = _("transcript version")
        verbose_name_plural = _("transcript versions")
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "number"], name="transcript_version_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.transcript_id} v{self.number}"


class SourceFormat(models.TextChoices):
    TXT = "txt", _("Plain text")
    DOCX = "docx", _("Word document (.docx)")
    VTT = "vtt", _("WebVTT subtitles")
    SRT = "srt", _("SubRip subtitles")
    PDF = "pdf", _("PDF")
    PASTED = "pasted", _("Pasted text")


class TranscriptSource(models.Model):
    """The file a transcript was imported from, byte for byte. In its own table so that reading
    transcripts never loads it."""

    transcript = models.OneToOneField(
        Transcript, on_delete=models.CASCADE, related_name="source", verbose_name=_("transcript")
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    format = models.CharField(_("format"), max_length=10, choices=SourceFormat.choices)
    encoding = models.CharField(
        _("encoding"), max_length=20, blank=True, help_text=_("As detected, for text formats.")
    )
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    data = models.BinaryField(_("data"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("source file")
        verbose_name_plural = _("source files")

    def __str__(self):
        return self.name


class WordForm(models.Model):
    """A word form found in the study's transcripts of one language, with its lemma: the index
    that lets a search for "joven" find "jóvenes" (reports.search). Both are folded (lower case,
    no accents). Kept by interviews.lemmas when a transcript's text is saved; only ever added to,
    since a form no longer in any text only widens what a search looks for, and the hits
    themselves always come from the texts."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="+", verbose_name=_("study")
    )
    language = models.CharField(_("language"), max_length=10)
    form = models.CharField(_("word form"), max_length=100)
    lemma = models.CharField(_("lemma"), max_length=100)

    class Meta:
        ordering = ["study", "language", "form"]
        verbose_name = _("word form")
        verbose_name_plural = _("word forms")
        constraints = [
            models.UniqueConstraint(fields=["study", "language", "form", "lemma"], name="wordform_unique"),
        ]
        # Covering (the form too): a search's lookup by lemma reads the index alone, and SQLite
        # picks it even without statistics (reports.search.word_forms).
        indexes = [models.Index(fields=["study", "language", "lemma", "form"], name="wordform_lemma_form")]

    def __str__(self):
        return f"{self.form} → {self.lemma} ({self.language})"
# ----- attributes: a study's own variables for participants and transcripts -----

class AttributeTarget(models.TextChoices):
    PARTICIPANT = "participant", _("Participants")
    TRANSCRIPT = "transcript", _("Transcripts")


class AttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice from a list")


# The AttributeValue column that holds each type's value.
VALUE_COLUMNS = {
    AttributeType.TEXT: "text", AttributeType.NUMBER: "number", AttributeType.DATE: "date",
    AttributeType.BOOLEAN: "boolean", AttributeType.CHOICE: "choice",
}


class AttributeQuerySet(models.QuerySet):
    def visible(self, study, target, *, identifying):
        """The study's attributes of `target` in their order; identifying ones only when
        `identifying` (owners). With their choices: two queries."""
        attributes = self.filter(study=study, applies_to=target)
        if not identifying:
            attributes = attributes.filter(identifying=False)
        return attributes.prefetch_related("choices").order_by("order", "name")


class Attribute(models.Model):
    """A variable a study describes its participants (cases) or transcripts (documents) with:
    age, role, municipality, interview wave. Identifying attributes, like names and contacts,
    reach the study's owners only."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="attributes", verbose_name=_("study")
    )
    applies_to = models.CharField(_("applies to"), max_length=20, choices=AttributeTarget.choices)
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=AttributeType.choices)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the attribute records and how to fill it in.")
    )
    identifying = models.BooleanField(
        _("identifying"), default=False,
        help_text=_("Could identify a person (a name, an address, a rare job): seen by the study’s owners "
                    "only, on every page and in every export."),
    )
    order = models.PositiveIntegerField(_("order"), default=0,
                                        help_text=_("Columns are shown by this number."))

    objects = AttributeQuerySet.as_manager()

    class Meta:
        ordering = ["applies_to", "order", "name"]
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        constraints = [
            models.UniqueConstraint(
                fields=["study", "applies_to", "name"], name="attribute_unique_name",
                violation_error_message=_("This study already has an attribute with that name."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="attribute_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class AttributeChoice(models.Model):
    """One of a choice attribute's values, in the list's order."""

    attribute = models.ForeignKey(
        Attribute, on_delete=models.CASCADE, related_name="choices", verbose_name=_("attribute")
    )
    label = models.CharField(_("label"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["attribute", "order", "pk"]
        verbose_name = _("attribute choice")
        verbose_name_plural = _("attribute choices")
        constraints = [
            models.UniqueConstraint(fields=["attribute", "label"], name="attribute_choice_unique_label"),
            models.CheckConstraint(condition=~Q(label=""), name="attribute_choice_label_not_empty"),
        ]

    def __str__(self):
        return self.label


class AttributeValue(models.Model):
    """One attribute's value for one participant or one transcript, in the column of its type.
    An empty value is no row at all."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("study"))
    attribute = models.ForeignKey(
        Attribute, on_delete=models.CASCADE, related_name="values", verbose_name=_("attribute")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="attribute_values",
        verbose_name=_("participant"),
    )
    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, null=True, blank=True, related_name="attribute_values",
        verbose_name=_("transcript"),
    )
    # NULL, not "", marks "not this type": the check below wants exactly one typed column set.
    text = models.TextField(_("text"), null=True, blank=True)  # noqa: DJ001
    number = models.DecimalField(_("number"), max_digits=24, decimal_places=8, null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    boolean = models.BooleanField(_("yes/no"), null=True, blank=True)
    choice = models.ForeignKey(
        AttributeChoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("choice"),
    )

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=True, transcript__isnull=False)
                | Q(participant__isnull=False, transcript__isnull=True),
                name="attribute_value_one_object",
            ),
            models.CheckConstraint(
                condition=(
                    Q(text__isnull=False, number__isnull=True, date__isnull=True, boolean__isnull=True,
                      choice__isnull=True)
                    | Q(text__isnull=True, number__isnull=False, date__isnull=True, boolean__isnull=True,
                        choice__isnull=True)
                    | Q(text__isnull=True, number__isnull=True, date__isnull=False, boolean__isnull=True,
                        choice__isnull=True)
                    | Q(text__isnull=True, number__isnull=True, date__isnull=True, boolean__isnull=False,
                        choice__isnull=True)
                    | Q(text__isnull=True, number__isnull=True, date__isnull=True, boolean__isnull=True,
                        choice__isnull=False)
                ),
                name="attribute_value_one_typed_value",
            ),
            models.UniqueConstraint(fields=["attribute", "participant"],
                                    name="attribute_value_unique_participant"),
            models.UniqueConstraint(fields=["attribute", "transcript"],
                                    name="attribute_value_unique_transcript"),
        ]

    def __str__(self):
        """"Age: 34". Reads self.attribute: one query unless it is loaded."""
        return f"{self.attribute.name}: {self.value}"

    @property
    def value(self):
        """The typed value: str, Decimal, date, bool, or the AttributeChoice."""
        return getattr(self, VALUE_COLUMNS[self.attribute.type])
