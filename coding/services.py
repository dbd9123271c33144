"""Writes that span models: an excerpt and its theme links change together or not at all."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from coding.models import CodedExcerpt


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
    current.version += 1
    current.full_clean()
    current.save()
    current.themes.set(themes)
    return current
