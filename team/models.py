"""Team coding: which coder codes which transcript, and how far each has got.

An assignment names a transcript and a coder (a member of its study who may code). Agreement
(team/agreement.py) treats a transcript a coder was not assigned as missing data for that coder.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AssignmentStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class AssignmentQuerySet(models.QuerySet):
    def for_progress_page(self, study):
        """Progress page: the study's assignments with their transcript (title, participant code,
        length, never the text) and coder, by coder then transcript. One query; the page adds
        each coder's excerpt count and coverage from team.reads.progress_rows."""
        return (
            self.filter(study=study)
            .select_related("coder", "transcript__participant")
            .defer("transcript__text", "transcript__cues")
            .annotate(length=models.functions.Length("transcript__text"))
            .order_by("coder__username", "transcript__title", "pk")
        )


class Assignment(models.Model):
    """A transcript given to a coder to code. The coder moves its status along."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="+", verbose_name=_("study")
    )
    transcript = models.ForeignKey(
        "interviews.Transcript", on_delete=models.CASCADE, related_name="assignments",
        verbose_name=_("transcript"),
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments",
        verbose_name=_("coder"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.TODO,
        help_text=_("Set by the coder: to do, in progress or done."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["transcript", "coder"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "coder"], name="assignment_one_per_coder",
                violation_error_message=_("This coder is already assigned this transcript."),
            ),
            models.CheckConstraint(condition=Q(status__in=AssignmentStatus.values),
                                   name="assignment_status_valid"),
        ]

    def __str__(self):
        return f"{self.transcript_id} → {self.coder_id} ({self.status})"

    def get_absolute_url(self):
        # Reads self.study: one query unless select_related or already cached.
        return reverse("team:progress", args=[self.study.slug])


class AdjudicationAction(models.TextChoices):
    ACCEPT = "accept", _("Accept one coder's version")
    BOTH = "both", _("Accept both versions")
    MERGE = "merge", _("Merge the boundaries")


class AdjudicationQuerySet(models.QuerySet):
    def for_comparison(self, transcript):
        """Comparison page: the transcript's adjudications that stand (not undone), with who
        settled each. One query."""
        return (self.filter(transcript=transcript, undone_at__isnull=True)
                .select_related("adjudicator", "chosen_coder").order_by("start", "pk"))


class Adjudication(models.Model):
    """One settled disagreement: on `transcript`, for `theme`, over the passage `start`–`end`
    (the disagreement's span), the adjudicator took one coder's version, both, or a merged
    boundary into the study's consensus layer (coding.ConsensusLayer), with a note.

    The consensus layer holds only what adjudications made: `excerpts` are the consensus
    excerpts this one created, and undoing it removes exactly those. `sources` keeps the coders'
    passages as they were ([[coder id, start, end], …]), since their excerpts may change later.
    """

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="+", verbose_name=_("study")
    )
    transcript = models.ForeignKey(
        "interviews.Transcript", on_delete=models.CASCADE, related_name="+", verbose_name=_("transcript")
    )
    theme = models.ForeignKey(
        "coding.Theme", on_delete=models.CASCADE, related_name="+", verbose_name=_("theme")
    )
    start = models.PositiveIntegerField(_("start"), help_text=_("First code point of the disagreement."))
    end = models.PositiveIntegerField(_("end"), help_text=_("Code point just past its end."))
    action = models.CharField(_("decision"), max_length=10, choices=AdjudicationAction.choices)
    chosen_coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("coder whose version was accepted"),
    )
    sources = models.JSONField(_("coders' passages"), default=list)
    note = models.TextField(_("note"), blank=True)
    excerpts = models.ManyToManyField(
        "coding.CodedExcerpt", related_name="+", blank=True, verbose_name=_("consensus excerpts")
    )
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("settled by")
    )
    created_at = models.DateTimeField(_("settled at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("undone by"),
    )

    objects = AdjudicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("adjudication")
        verbose_name_plural = _("adjudications")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                   name="adjudication_start_before_end"),
            models.CheckConstraint(condition=Q(action__in=AdjudicationAction.values),
                                   name="adjudication_action_valid"),
        ]

    def __str__(self):
        return f"{self.transcript_id}:{self.start}-{self.end} {self.theme_id} ({self.action})"

    def get_absolute_url(self):
        # Reads self.study: one query unless select_related or already cached.
        return reverse("team:compare", args=[self.study.slug, self.transcript_id])
