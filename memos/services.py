"""Writes to memos and comments. Every linked object must be of the memo's study: a link to
another study's object is refused with code "link_other_study" and nothing is saved."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from memos.models import Comment, Memo, MemoSpan

LINKS = ("transcripts", "themes", "participants", "excerpts", "linked_memos")


def _check_study(study, objects):
    if any(obj.study_id != study.pk for obj in objects):
        raise ValidationError(_("A memo can only link to objects of its own study."), code="link_other_study")


def _span(study, memo, transcript, start, end):
    span = MemoSpan(study=study, memo=memo, transcript=transcript, start=start, end=end,
                    quote=transcript.text[start:end])
    span.clean()
    return span


def _links_set(memo, links):
    for name in LINKS:
        if name in links:
            objects = list(links[name])
            _check_study(memo.study, objects)
            if name == "linked_memos" and any(other.pk == memo.pk for other in objects):
                raise ValidationError(_("A memo cannot link to itself."), code="link_self")
            getattr(memo, name).set(objects)


@transaction.atomic
def memo_create(*, study, author, title, body="", type="free", private=False, spans=(), **links):
    """A new memo with its links; `spans` are (transcript, start, end), each snapshotting its
    quote. Returns the memo."""
    memo = Memo(study=study, author=author, title=title.strip(), body=body, type=type, private=private)
    memo.full_clean()
    memo.save()
    _links_set(memo, links)
    for transcript, start, end in spans:
        _check_study(study, [transcript])
        _span(study, memo, transcript, start, end).save()
    return memo


@transaction.atomic
def memo_update(*, memo, title, body, type, private, **links):
    """Change a memo's words, type, privacy and (for each kind given) its links."""
    memo.title, memo.body, memo.type, memo.private = title.strip(), body, type, private
    memo.full_clean()
    memo.save()
    _links_set(memo, links)
    return memo


def memo_delete(*, memo, user):
    """To the trash: hidden everywhere, restorable from the memo trash."""
    memo.deleted_at, memo.deleted_by = timezone.now(), user
    memo.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return memo


def memo_restore(*, memo):
    memo.deleted_at, memo.deleted_by = None, None
    memo.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return memo


def span_annotate(*, transcript, start, end, author, body, title=""):
    """An annotation: a comment pinned to a passage without coding it, i.e. a memo with one span
    and no theme. Its title defaults to the first words of the passage."""
    if not (0 <= start < end <= len(transcript.text)):
        raise ValidationError(_("The passage lies outside the transcript."), code="offset_out_of_range")
    if not transcript.text[start:end].strip():
        raise ValidationError(_("Select some words, not only spaces."), code="span_blank")
    title = title.strip() or transcript.text[start:end].strip()[:60]
    return memo_create(study=transcript.study, author=author, title=title, body=body,
                       spans=[(transcript, start, end)])


# ----- comments -----

def comment_create(*, study, author, body, theme=None, excerpt=None, transcript=None, start=None, end=None):
    """A comment thread on one theme report, excerpt or transcript span."""
    targets = [t for t in (theme, excerpt, transcript) if t is not None]
    if len(targets) != 1:
        raise ValidationError(_("A comment is on one theme report, excerpt or passage."),
                              code="comment_target")
    if targets[0].study_id != study.pk:
        raise ValidationError(_("A comment can only be on an object of its own study."),
                              code="link_other_study")
    comment = Comment(study=study, author=author, body=body.strip(), theme=theme, excerpt=excerpt,
                      transcript=transcript)
    if transcript is not None:
        if start is None or end is None or not (0 <= start < end <= len(transcript.text)):
            raise ValidationError(_("The passage lies outside the transcript."), code="offset_out_of_range")
        comment.start, comment.end, comment.quote = start, end, transcript.text[start:end]
    comment.full_clean()
    comment.save()
    return comment


def comment_reply(*, parent, author, body):
    reply = Comment(study_id=parent.study_id, parent=parent, author=author, body=body.strip())
    reply.full_clean(exclude=["study"])
    reply.save()
    return reply


def comment_resolve(*, comment, user, resolved=True):
    """Mark a thread resolved (or open it again)."""
    comment.resolved_at, comment.resolved_by = (timezone.now(), user) if resolved else (None, None)
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment
