"""Keep memo and comment spans on their words when a transcript's text changes (the quote
invariant, as for excerpts): coding.transcript_text_update sends transcript_text_changed inside
its transaction, so the spans move with the text or not at all."""


from django.db.models.signals import pre_delete

from coding.models import CodedExcerpt
from coding.signals import transcript_text_changed
from interviews.reanchor import Anchor, reanchor
from memos.models import Comment, MemoSpan


def _move(rows, old, new, mapping, rewrite):
    valid = [r for r in rows if 0 <= r.start < r.end <= len(old)]
    anchors = [Anchor(r.start, r.end, r.quote, r.needs_review, r.review_reason) for r in valid]
    for row, anchor in zip(valid, reanchor(old, new, anchors, mapping=mapping, rewrite=rewrite), strict=True):
        row.start, row.end, row.quote = anchor.start, anchor.end, anchor.quote
        row.needs_review, row.review_reason = anchor.needs_review, anchor.review_reason
    return valid


def spans_reanchor(sender, *, transcript, old, new, mapping, rewrite, **kwargs):
    fields = ["start", "end", "quote", "needs_review", "review_reason"]
    spans = list(MemoSpan.objects.filter(transcript=transcript))
    MemoSpan.objects.bulk_update(_move(spans, old, new, mapping, rewrite), fields)
    comments = list(Comment.objects.filter(transcript=transcript))
    # Comment rows are in the history; a move is explained by the transcript's new version.
    Comment.objects.bulk_update(_move(comments, old, new, mapping, rewrite), fields)


def excerpt_comments_keep(sender, instance, **kwargs):
    """Before an excerpt is removed (to the trash, or merged away), comments on it become
    comments on its passage, so no thread is lost with it."""
    Comment.objects.filter(excerpt=instance).update(
        excerpt=None, transcript_id=instance.transcript_id, start=instance.start, end=instance.end,
        quote=instance.quote, needs_review=instance.needs_review, review_reason=instance.review_reason)


def connect():
    transcript_text_changed.connect(spans_reanchor, dispatch_uid="memos-spans-reanchor")
    pre_delete.connect(excerpt_comments_keep, sender=CodedExcerpt, dispatch_uid="memos-excerpt-comments")
