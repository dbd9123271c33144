"""Memos (a study's journal: notes linked to transcripts, spans, themes, participants, excerpts
and other memos) and reviewer comments (on a theme report, an excerpt or a transcript span).

A span is (transcript, start, end) in Unicode code points with a quote snapshot, like an
excerpt, and keeps the same invariant: quote == transcript.text[start:end] unless it is flagged
for review (memos.receivers moves spans when a transcript's text changes).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, TextField, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from interviews.text import fold


class MemoType(models.TextChoices):
    THEORY = "theory", _("Theory")
    METHOD = "method", _("Method")
    REFLEXIVE = "reflexive", _("Reflexive")
    TODO = "todo", _("To-do")
    FREE = "free", _("Free")


class MemoSort(models.TextChoices):
    UPDATED = "-updated_at", _("Last changed")
    CREATED = "-created_at", _("Newest")
    OLDEST = "created_at", _("Oldest")
    TITLE = "title", _("Title")


class MemoQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Live memos the user may read: every shared memo, and their own private ones."""
        return self.filter(deleted_at__isnull=True).filter(Q(private=False) | Q(author=user))

    def for_journal(self, study, user, *, q="", type="", author=None, linked=None, sort=MemoSort.UPDATED):
        """The study journal: visible memos, searched (title and body, ignoring case and
        accents), filtered by type, author and one linked object ({"transcripts": id} ...),
        sorted. One query for the rows (and one to count them), one per prefetched link kind
        (five), whatever the number of memos."""
        memos = self.filter(study=study).visible_to(user)
        if type:
            memos = memos.filter(type=type)
        if author:
            memos = memos.filter(author_id=author)
        if linked:
            memos = memos.filter(**linked)
        words = q.split()
        if words:
            from django.db import connections

            sqlite = connections[memos.db].vendor == "sqlite"
            title = Func(F("title"), function="pasto_fold", output_field=TextField())
            body = Func(F("body"), function="pasto_fold", output_field=TextField())
            memos = memos.alias(folded_title=title, folded_body=body)
            for word in words:
                wanted = Value(fold(word)) if sqlite else Func(Value(word), function="pasto_fold",
                                                               output_field=TextField())
                memos = memos.filter(Q(folded_title__contains=wanted) | Q(folded_body__contains=wanted))
        order = sort if sort in MemoSort.values else MemoSort.UPDATED
        return memos.order_by(order, "-pk").select_related("author", "study").prefetch_related(
            "transcripts", "themes", "participants",
            models.Prefetch("linked_memos", queryset=Memo.objects.visible_to(user)),
            models.Prefetch("spans", queryset=MemoSpan.objects.select_related("transcript")),
        )

    def for_object_panel(self, study, user, **link):
        """A transcript's, theme's or participant's memo panel: the memos linked to it (directly,
        or through a span of the transcript), newest change first, with their authors."""
        memos = self.filter(study=study).visible_to(user)
        if "transcripts" in link:
            transcript = link["transcripts"]
            through = Memo.transcripts.through.objects.filter(transcript=transcript).values("memo_id")
            spans = MemoSpan.objects.filter(transcript=transcript).values("memo_id")
            memos = memos.filter(Q(pk__in=through) | Q(pk__in=spans))
        else:
            memos = memos.filter(**link)
        return (memos.order_by("-updated_at", "-pk").select_related("author", "study")
                .prefetch_related("spans"))


class Memo(models.Model):
    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="memos",
                              verbose_name=_("study"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"), blank=True,
        help_text=_("Paragraphs are separated by a blank line. *emphasis*, **strong**, lines "
                    "starting with “- ” or “1. ” make lists, [words](https://…) makes a link."),
    )
    type = models.CharField(_("type"), max_length=12, choices=MemoType.choices, default=MemoType.FREE)
    private = models.BooleanField(
        _("private"), default=False,
        help_text=_("Only you can see a private memo, in every page and export."),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="memos", verbose_name=_("author"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("deleted by"))
    transcripts = models.ManyToManyField("interviews.Transcript", blank=True, related_name="memos",
                                         verbose_name=_("transcripts"))
    themes = models.ManyToManyField("coding.Theme", blank=True, related_name="memos",
                                    verbose_name=_("themes"))
    participants = models.ManyToManyField("interviews.Participant", blank=True, related_name="memos",
                                          verbose_name=_("participants"))
    excerpts = models.ManyToManyField("coding.CodedExcerpt", blank=True, related_name="memos",
                                      verbose_name=_("excerpts"))
    linked_memos = models.ManyToManyField("self", blank=True, symmetrical=False, related_name="linked_from",
                                          verbose_name=_("other memos"))

    objects = MemoQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("memo")
        verbose_name_plural = _("memos")
        indexes = [models.Index(fields=["study", "deleted_at"], name="memo_study_live")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("memos:memo-detail", args=[self.study.slug, self.pk])

    @property
    def body_text(self):
        from memos.formatting import plain_text

        return plain_text(self.body)

    @property
    def body_html(self):
        from memos.formatting import render_body

        return render_body(self.body)


class MemoSpan(models.Model):
    """A passage a memo is pinned to: offsets in code points and the words they held. A memo with
    a passage and no theme is an annotation."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("study"))
    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="spans", verbose_name=_("memo"))
    transcript = models.ForeignKey("interviews.Transcript", on_delete=models.CASCADE,
                                   related_name="memo_spans", verbose_name=_("transcript"))
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    quote = models.TextField(_("quote"))
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reason = models.CharField(_("review reason"), max_length=20, blank=True)

    class Meta:
        ordering = ["transcript_id", "start", "pk"]
        verbose_name = _("memo passage")
        verbose_name_plural = _("memo passages")
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")),
                                              name="memospan_start_before_end")]

    def __str__(self):
        return f"{self.transcript_id}:{self.start}-{self.end}"

    def clean(self):
        text = self.transcript.text
        if not (0 <= self.start < self.end <= len(text)):
            raise ValidationError(_("The passage lies outside the transcript."), code="offset_out_of_range")
        if not self.needs_review and self.quote != text[self.start:self.end]:
            raise ValidationError(_("The quote does not match the transcript."), code="quote_mismatch")


class CommentQuerySet(models.QuerySet):
    def for_comment_list(self, study, *, resolved=False):
        """Comments page: the study's threads (open or resolved), each with its target and its
        replies. Three queries: threads with targets and authors, replies, their authors."""
        return (
            self.filter(study=study, parent__isnull=True, resolved_at__isnull=not resolved)
            .select_related("author", "resolved_by", "theme", "excerpt__transcript", "transcript")
            .prefetch_related(models.Prefetch("replies", queryset=Comment.objects.select_related("author")))
            .order_by("-created_at", "-pk")
        )

    def for_target(self, study, **target):
        """The threads on one theme, excerpt or transcript, with replies."""
        return (
            self.filter(study=study, parent__isnull=True, **target)
            .select_related("author", "resolved_by")
            .prefetch_related(models.Prefetch("replies", queryset=Comment.objects.select_related("author")))
            .order_by("resolved_at", "-created_at")
        )


class Comment(models.Model):
    """A reviewer's (or anyone's) comment on a theme report, an excerpt or a transcript span, or
    a reply to one. Any member of a live study may comment and reply; researchers and owners
    resolve threads."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="comments",
                              verbose_name=_("study"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="replies", verbose_name=_("reply to"))
    theme = models.ForeignKey("coding.Theme", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="comments", verbose_name=_("theme report"))
    # SET_NULL after memos.receivers has moved the comment onto the excerpt's passage (the
    # constraint below refuses a comment left with no target).
    excerpt = models.ForeignKey("coding.CodedExcerpt", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="comments", verbose_name=_("excerpt"))
    transcript = models.ForeignKey("interviews.Transcript", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="comments", verbose_name=_("transcript"))
    start = models.PositiveIntegerField(_("start"), null=True, blank=True)
    end = models.PositiveIntegerField(_("end"), null=True, blank=True)
    quote = models.TextField(_("quote"), blank=True)
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reason = models.CharField(_("review reason"), max_length=20, blank=True)
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("resolved by"))

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            # A thread names exactly one target; a reply names none (it is its thread's).
            models.CheckConstraint(
                name="comment_one_target",
                condition=(
                    Q(parent__isnull=True, theme__isnull=False, excerpt__isnull=True,
                      transcript__isnull=True)
                    | Q(parent__isnull=True, theme__isnull=True, excerpt__isnull=False,
                        transcript__isnull=True)
                    | Q(parent__isnull=True, theme__isnull=True, excerpt__isnull=True,
                        transcript__isnull=False, start__isnull=False, end__isnull=False,
                        start__lt=F("end"))
                    | Q(parent__isnull=False, theme__isnull=True, excerpt__isnull=True,
                        transcript__isnull=True)
                ),
            ),
        ]

    def __str__(self):
        return self.body[:60]

    @property
    def target(self):
        return self.theme or self.excerpt or self.transcript
