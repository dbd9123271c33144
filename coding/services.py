"""Writes that span models: an excerpt and its theme links change together or not at all."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from coding.models import CodedExcerpt, DeletedExcerpt, Theme


class ExcerptConflict(Exception):
    """Someone else saved the excerpt after this user loaded it."""

    def __init__(self, current):
        super().__init__("excerpt changed since it was loaded")
        self.current = current


def _require_themes(themes):
    if not themes:
        raise ValidationError(
            {"themes": ValidationError(_("Choose at least one theme."), code="themes_required")}
        )


@transaction.atomic
def excerpt_create(*, transcript, start, end, themes, coder, memo=""):
    """Save `transcript.text[start:end]` (code points) as an excerpt tagged with `themes`."""
    _require_themes(themes)
    excerpt = CodedExcerpt(
        transcript=transcript,
        start=start,
        end=end,
        quote=transcript.text[start:end],
        coder=coder,
        memo=memo,
    )
    excerpt.full_clean()
    excerpt.save()
    excerpt.themes.set(themes)
    return excerpt


@transaction.atomic
def excerpt_update(*, excerpt, version, start, end, themes, memo):
    """Change an excerpt's span, themes and memo, unless someone saved it since `version`.

    The row is locked for the duration (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers), so two concurrent saves cannot both pass the check.
    """
    _require_themes(themes)
    current = (
        CodedExcerpt.objects.select_for_update()
        .select_related("transcript")
        .get(pk=excerpt.pk)
    )
    if current.version != version:
        raise ExcerptConflict(current)
    text = current.transcript.text
    current.start, current.end = start, end
    current.quote = text[start:end]
    current.memo = memo
    current.needs_review = False
    current.review_reason = ""
    current.version += 1
    current.full_clean()
    current.save()
    current.themes.set(themes)
    return current


@transaction.atomic
def excerpt_delete(*, excerpt, user):
    """Remove an excerpt, keeping everything needed to restore it exactly."""
    snapshot = {
        "start": excerpt.start,
        "end": excerpt.end,
        "quote": excerpt.quote,
        "memo": excerpt.memo,
        "coder": excerpt.coder_id,
        "themes": sorted(excerpt.themes.values_list("pk", flat=True)),
        "needs_review": excerpt.needs_review,
        "review_reason": excerpt.review_reason,
        "version": excerpt.version,
        "created_at": excerpt.created_at.isoformat(),
    }
    deleted = DeletedExcerpt.objects.create(
        original_id=excerpt.pk, transcript_id=excerpt.transcript_id, snapshot=snapshot,
        deleted_by=user,
    )
    excerpt.delete()
    return deleted


@transaction.atomic
def excerpt_restore(*, deleted):
    """Put a removed excerpt back under its own id. If the transcript text changed under it
    meanwhile, it comes back flagged for review rather than silently pointing elsewhere."""
    s = deleted.snapshot
    themes = list(Theme.objects.filter(pk__in=s["themes"]))
    if not themes:
        raise ValidationError(
            _("Every theme of this excerpt has been deleted since, so it cannot be restored."),
            code="themes_gone",
        )
    text = deleted.transcript.text
    if s["end"] > len(text):
        raise ValidationError(
            _("The transcript is shorter than it was, so this excerpt no longer fits in it."),
            code="offset_out_of_range",
        )
    changed = text[s["start"] : s["end"]] != s["quote"]
    excerpt = CodedExcerpt(
        pk=deleted.original_id,
        transcript_id=deleted.transcript_id,
        start=s["start"],
        end=s["end"],
        quote=s["quote"],
        memo=s["memo"],
        coder_id=s["coder"],
        needs_review=s["needs_review"] or changed,
        review_reason=s.get("review_reason") or ("text_changed" if changed else ""),
        version=s["version"] + 1,
    )
    excerpt.full_clean()
    excerpt.save(force_insert=True)
    excerpt.themes.set(themes)
    # auto_now_add stamped "now"; the restored excerpt keeps its first creation time.
    CodedExcerpt.objects.filter(pk=excerpt.pk).update(created_at=s["created_at"])
    deleted.delete()
    return excerpt
