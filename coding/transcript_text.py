"""Changing a transcript's text: corrections, anonymisation, and accepting an excerpt's new
words after a change. Each moves the transcript's excerpts (and removed excerpts' snapshots), so
it lives here in coding rather than in interviews, which knows nothing of excerpts; the pure
text logic (diff, re-anchoring) stays in interviews.reanchor.

Every path keeps the invariant: an excerpt's quote equals text[start:end] unless it is flagged
for review."""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coding.models import CodedExcerpt, DeletedExcerpt
from coding.signals import transcript_text_changed
from interviews.models import TextChange, Transcript, TranscriptVersion
from interviews.reanchor import Anchor, TextMapping, reanchor
from interviews.text import anonymise_pattern, normalise_text
from studies.signals import rows_bulk_written


class TranscriptConflict(Exception):
    """Someone else changed the text after this user loaded it."""

    def __init__(self, current):
        super().__init__("transcript text changed since it was loaded")
        self.current = current


@dataclass
class TextChangeSummary:
    version: int
    text_changed: bool = True
    moved: int = 0  # same words, new offsets
    changed: int = 0  # newly flagged "text_changed"
    deleted: int = 0  # newly flagged "text_deleted"
    cleared: int = 0  # flag lifted: the old words are back


# ----- text changes -----

def _version_record_current(transcript):
    """Transcripts made before versions were kept (or by the demo loader and the admin) have no
    version row for their text yet: record it before it is replaced."""
    if not transcript.versions.filter(number=transcript.text_version).exists():
        TranscriptVersion.objects.create(
            study_id=transcript.study_id, transcript=transcript, number=transcript.text_version,
            text=transcript.text,
            cues=transcript.cues, change=TextChange.RECORDED,
        )


def _rows_update(model, fields, objects):
    """UPDATE each object's `fields` by primary key: one executemany. Django's bulk_update builds
    a CASE expression per row and takes 1.7 s for 2,000 excerpts; this takes milliseconds. Like
    bulk_update it sends no signals, so the history log does not list these moves (the
    transcript's new version explains them)."""
    if not objects:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _anchor(excerpt):
    return Anchor(excerpt.start, excerpt.end, excerpt.quote, excerpt.needs_review,
                  excerpt.review_reason)


def _excerpts_reanchor(transcript, old, new, mapping, rewrite, summary, now):
    """Move every excerpt. Those whose review flag changes are saved one by one, so the history
    log records them; the rest (shifted, or re-quoted by anonymisation) are one bulk update: a
    typo near the top of a long transcript shifts thousands, and an anonymisation re-quotes
    hundreds (and should not copy the name into new history rows)."""
    excerpts = list(
        CodedExcerpt.objects.select_for_update().filter(transcript=transcript).order_by("pk")
    )
    moved = []
    for excerpt, anchor in zip(
        excerpts, reanchor(old, new, [_anchor(e) for e in excerpts], mapping=mapping, rewrite=rewrite),
        strict=True,
    ):
        if not anchor.needs_review and anchor.quote != new[anchor.start : anchor.end]:
            raise AssertionError("re-anchoring broke the quote invariant")  # reanchor guarantees it
        if _anchor(excerpt) == anchor:
            continue
        flagged_now = anchor.needs_review and not excerpt.needs_review
        if flagged_now:
            summary.changed += anchor.review_reason == "text_changed"
            summary.deleted += anchor.review_reason == "text_deleted"
        elif excerpt.needs_review and not anchor.needs_review:
            summary.cleared += 1
        else:
            summary.moved += 1
        quiet = (excerpt.needs_review, excerpt.review_reason) == (anchor.needs_review,
                                                                  anchor.review_reason)
        before = (excerpt.start, excerpt.end, excerpt.quote, excerpt.version)
        excerpt.start, excerpt.end, excerpt.quote = anchor.start, anchor.end, anchor.quote
        excerpt.needs_review, excerpt.review_reason = anchor.needs_review, anchor.review_reason
        excerpt.version += 1  # an edit made against the old offsets now conflicts (409)
        if quiet:
            excerpt.updated_at = now
            moved.append((excerpt, before))
        else:
            excerpt.save(update_fields=["start", "end", "quote", "needs_review", "review_reason",
                                        "version", "updated_at"])
    _rows_update(CodedExcerpt, ["start", "end", "quote", "version", "updated_at"], [e for e, _b in moved])
    # The history gets one row per moved excerpt (audit records them in bulk), so an excerpt's
    # versions and revert know where it is. An anonymisation's old quote holds the name it
    # replaces: it is not copied into these rows.
    rows_bulk_written.send(
        sender=CodedExcerpt, study_id=transcript.study_id, model="coding.codedexcerpt", action="update",
        rows=[(e.pk, str(e), {
            **({"start": [b[0], e.start]} if b[0] != e.start else {}),
            **({"end": [b[1], e.end]} if b[1] != e.end else {}),
            **({"quote": [None if rewrite else b[2], e.quote]} if b[2] != e.quote else {}),
            "version": [b[3], e.version],
        }) for e, b in moved],
    )


def _deleted_excerpts_reanchor(transcript, old, new, mapping, rewrite):
    """Removed excerpts keep a snapshot for undo; move it too, so undo restores the same words."""
    deleted = list(DeletedExcerpt.objects.select_for_update().filter(transcript=transcript))
    anchors = [
        Anchor(d.snapshot["start"], d.snapshot["end"], d.snapshot["quote"],
               d.snapshot.get("needs_review", False), d.snapshot.get("review_reason", ""))
        for d in deleted
    ]
    # A snapshot taken before an earlier change may lie outside the old text: leave it as it is.
    valid = [(d, a) for d, a in zip(deleted, anchors, strict=True) if 0 <= a.start < a.end <= len(old)]
    moved = reanchor(old, new, [a for __, a in valid], mapping=mapping, rewrite=rewrite)
    for (d, __), anchor in zip(valid, moved, strict=True):
        d.snapshot = {**d.snapshot, "start": anchor.start, "end": anchor.end, "quote": anchor.quote,
                      "needs_review": anchor.needs_review, "review_reason": anchor.review_reason}
    _rows_update(DeletedExcerpt, ["snapshot"], [d for d, __ in valid])


def _cues_move(cues, new, mapping):
    """Each cue stays at the start of its line. A cue whose line was deleted lands on the line
    where the deletion was, unless an earlier cue is there already (one time a line)."""
    moved, seen = [], set()
    for cue in cues:
        at = mapping.position(cue["offset"])
        at = new.rfind("\n", 0, at) + 1 if at < len(new) else len(new)
        if at < len(new) and at not in seen:
            seen.add(at)
            moved.append({**cue, "offset": at})
    return moved


@transaction.atomic
def transcript_text_update(*, transcript, text, user=None, base_version=None,
                           change=TextChange.EDIT, note="", quote_rewrite=None):
    """Replace a transcript's text, re-anchor every excerpt and keep the new version.

    `base_version` is the text version the user edited; if someone saved another since, nothing
    changes and TranscriptConflict is raised. The transcript row is locked for the duration
    (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers).
    """
    current = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if base_version is not None and current.text_version != base_version:
        raise TranscriptConflict(current)
    new = normalise_text(text)
    if not new.strip():
        raise ValidationError({"text": ValidationError(
            _("A transcript cannot be empty. To remove one, ask an admin."), code="text_empty")})
    summary = TextChangeSummary(version=current.text_version)
    if new == current.text:
        summary.text_changed = False
        return summary
    _version_record_current(current)
    old = current.text
    mapping = TextMapping(old, new)
    now = timezone.now()
    _excerpts_reanchor(current, old, new, mapping, quote_rewrite, summary, now)
    _deleted_excerpts_reanchor(current, old, new, mapping, quote_rewrite)
    transcript_text_changed.send(sender=Transcript, transcript=current, old=old, new=new, mapping=mapping,
                                 rewrite=quote_rewrite)
    current.text, current.cues = new, _cues_move(current.cues, new, mapping)
    current.text_version += 1
    current.updated_by = user
    current.full_clean()
    current.save()
    TranscriptVersion.objects.create(
        study_id=current.study_id, transcript=current, number=current.text_version, text=new,
        cues=current.cues, change=change, note=note[:300], created_by=user,
    )
    summary.version = current.text_version
    transcript.text, transcript.cues, transcript.text_version = new, current.cues, current.text_version
    return summary


# ----- anonymisation -----

@transaction.atomic
def transcript_anonymise(*, transcripts, name, pseudonym, user=None, whole_words=True,
                         match_case=True):
    """Replace `name` with `pseudonym` in each transcript, through the same re-anchoring path as
    an edit. Old quotes get the same replacement, so an excerpt whose only change is the name
    keeps its place unflagged and no review list shows the name. All transcripts or none.

    Returns [(transcript, replacements, TextChangeSummary)] for the transcripts that changed.
    The version note records the pseudonym and the count, never the name."""
    if len({t.study_id for t in transcripts}) > 1:
        raise ValidationError(_("Anonymise the transcripts of one study at a time."),
                              code="transcripts_other_study")
    pattern = anonymise_pattern(name, whole_words=whole_words, match_case=match_case)
    pseudonym = unicodedata.normalize("NFC", pseudonym.strip())

    def rewrite(text):
        return pattern.sub(lambda match: pseudonym, text)

    results = []
    for transcript in transcripts:
        # Read the text under the lock, so a change saved meanwhile is never overwritten.
        current = Transcript.objects.select_for_update().get(pk=transcript.pk)
        new, count = pattern.subn(lambda match: pseudonym, current.text)
        if not count:
            continue
        note = str(_("Replaced a name with “%(pseudonym)s” %(count)s times.") % {
            "pseudonym": pseudonym, "count": count})
        summary = transcript_text_update(
            transcript=current, text=new, user=user, base_version=current.text_version,
            change=TextChange.ANONYMISE, note=note, quote_rewrite=rewrite,
        )
        results.append((current, count, summary))
    return results


def anonymise_preview(transcripts, name, *, whole_words=True, match_case=True):
    """[(transcript, count)] of the transcripts where `name` occurs, for the confirm step."""
    pattern = anonymise_pattern(name, whole_words=whole_words, match_case=match_case)
    counts = [(t, len(pattern.findall(t.text))) for t in transcripts]
    return [(t, n) for t, n in counts if n]


@transaction.atomic
def excerpt_review_accept(*, excerpt, version):
    """Accept an excerpt's current words after its text changed: the quote becomes
    text[start:end] and the flag is lifted. A text_deleted excerpt cannot be accepted (its span
    is a placeholder): select the passage again or remove it."""
    current = (
        CodedExcerpt.objects.select_for_update().select_related("transcript").get(pk=excerpt.pk)
    )
    if current.version != version:
        raise ValidationError(_("Someone changed this excerpt after you loaded the page; reload "
                                "and try again."), code="conflict")
    if current.review_reason == "text_deleted":
        raise ValidationError(_("The words of this excerpt were deleted: select a passage on the "
                                "transcript page and edit the excerpt, or remove it."),
                              code="text_deleted")
    if not current.needs_review:
        return current
    current.quote = current.transcript.text[current.start : current.end]
    current.needs_review, current.review_reason = False, ""
    current.version += 1
    current.full_clean()
    current.save()
    return current
