"""Record every create, change and delete of the tracked models, whatever the code path (views,
services, the Django admin, management commands), in the study each belongs to (a study's own
rows and its memberships in that study's log). Bulk writes (bulk_create, QuerySet.update, raw
SQL) send no model signals: the REFI-QDA import's batched excerpts and re-anchoring's offset
shifts are such writes in the app itself, not only in benchmarks, so those code paths send
studies.signals.study_event and a summary row is recorded here (_study_event).

Cost: one extra SELECT before each update of a tracked row (to know what changed; none when
the writer hands over the row it read under lock, STORED_COPY) and one INSERT per recorded
change.
"""

import hashlib
from contextvars import ContextVar

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from audit.context import current_user
from audit.models import Action, Change

TRACKED = ("studies.Study", "studies.Membership", "interviews.Participant", "interviews.Transcript",
           "interviews.Attribute", "interviews.AttributeValue", "coding.Theme", "coding.CodedExcerpt",
           "memos.Memo", "memos.Comment")
SKIPPED_FIELDS = {"updated_at", "version"}
# A writer that saves a new excerpt and links its themes straight after, in the same transaction
# (coding.services.excerpt_create), sets this attribute on it: its create row is then written
# with the themes when they are linked, one row instead of a create and a themes update.
LINKS_FOLLOW = "_links_follow"
# A writer that read the row FOR UPDATE in the transaction it saves in, and then changed the
# instance, may keep an unchanged copy of it in this attribute (coding.services.excerpt_update):
# the diff is taken against that copy, which no one else can have changed meanwhile, instead of
# reading the row again.
STORED_COPY = "_stored_copy"
LONG_TEXT = 500
# Kept whole however long: a memo's history page shows a readable diff of its words.
KEPT_WHOLE = {"title", "body"}
# Studies being deleted for good. Their log goes with them (Change.study cascades), and the rows
# deleted with them must not log into a study that is gone: that would break the foreign key.
_studies_deleting = ContextVar("audit_studies_deleting", default=frozenset())


def _label(instance):
    return instance._meta.label_lower


def _value(value):
    if isinstance(value, str) and len(value) > LONG_TEXT:
        # Whole transcript texts would bloat the log; their versions are kept elsewhere.
        digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]
        return f"<{len(value)} characters, sha256 {digest}>"
    return value


def _snapshot(instance):
    whole = KEPT_WHOLE if instance._meta.app_label == "memos" else ()
    return {
        f.attname: getattr(instance, f.attname) if f.attname in whole
        else _value(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
        if f.attname not in SKIPPED_FIELDS
    }


def _user():
    user = current_user.get()
    return user if user is not None and user.is_authenticated else None


def _study_id(instance):
    """Every row of the log belongs to one study: the object's own, or the study itself."""
    return instance.pk if instance._meta.label == "studies.Study" else instance.study_id


def _record(instance, action, data):
    study_id = _study_id(instance)
    if study_id in _studies_deleting.get():
        return
    Change.objects.create(
        study_id=study_id, user=_user(), action=action, model=_label(instance),
        object_id=str(instance.pk), object_repr=str(instance)[:200], data=data,
    )


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        instance._audit_old = None
        return
    old = instance.__dict__.pop(STORED_COPY, None)
    if old is None:
        old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_old = _snapshot(old) if old is not None else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    new = _snapshot(instance)
    old = getattr(instance, "_audit_old", None)
    if created or old is None:
        if getattr(instance, LINKS_FOLLOW, False):
            # The writer links its themes next: the create row waits for them (_themes_changed)
            # and holds them, one row instead of two.
            instance._audit_pending_create = new
            return
        _record(instance, Action.CREATE, new)
        # A row just made has no links yet: its first theme links need no query (_themes_changed).
        instance._audit_no_links = True
        return
    diff = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
    if diff:
        _record(instance, Action.UPDATE, diff)


def _before_delete(sender, instance, **kwargs):
    if _label(instance) == "studies.study":
        # Django sends every pre_delete of a cascade before its first post_delete.
        _studies_deleting.set(_studies_deleting.get() | {instance.pk})
        return
    data = _snapshot(instance)
    if hasattr(instance, "themes"):
        data["themes"] = sorted(instance.themes.values_list("pk", flat=True))
    instance._audit_deleted = data


def _after_delete(sender, instance, **kwargs):
    if _label(instance) == "studies.study":
        # The study is deleted last in its cascade: nothing more will log into it.
        _studies_deleting.set(_studies_deleting.get() - {instance.pk})
        return
    _record(instance, Action.DELETE, getattr(instance, "_audit_deleted", _snapshot(instance)))


def _themes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Only the excerpt side: Theme.excerpts changes are rare (merges) and recorded per excerpt.
    if reverse:
        return
    if action == "pre_clear":
        instance._audit_themes = sorted(instance.themes.values_list("pk", flat=True))
    elif action == "post_add" and getattr(instance, "_audit_pending_create", None) is not None:
        data, instance._audit_pending_create = instance._audit_pending_create, None
        _record(instance, Action.CREATE, {**data, "themes": sorted(pk_set)})
    elif action == "post_add" and getattr(instance, "_audit_no_links", False):
        instance._audit_no_links = False
        _record(instance, Action.UPDATE, {"themes": [[], sorted(pk_set)]})
    elif action in ("post_add", "post_remove", "post_clear"):
        now = sorted(instance.themes.values_list("pk", flat=True))
        if action == "post_clear":
            before = getattr(instance, "_audit_themes", [])
        elif action == "post_add":
            before = sorted(set(now) - set(pk_set))
        else:
            before = sorted(set(now) | set(pk_set))
        if before != now:
            _record(instance, Action.UPDATE, {"themes": [before, now]})


def _study_event(sender, study, user, event, data, **kwargs):
    """An event that changes no tracked row (studies.signals.study_event), as a row of the
    study's log: "changed" the study, with the event's key and data."""
    Change.objects.create(
        study=study, user=user if user is not None and user.is_authenticated else _user(),
        action=Action.UPDATE, model="studies.study", object_id=str(study.pk),
        object_repr=str(study)[:200], data={event: data},
    )


def _rows_bulk_written(sender, study_id, model, action, rows, **kwargs):
    """One Change per object of a bulk write (studies.signals.rows_bulk_written), written in
    batches: a re-anchoring that shifts 2,000 excerpts costs two INSERTs, not 2,000."""
    if study_id in _studies_deleting.get():
        return
    user = _user()

    def value(v):
        return [_value(x) for x in v] if isinstance(v, list) else _value(v)

    Change.objects.bulk_create(
        [Change(study_id=study_id, user=user, action=action, model=model, object_id=str(pk),
                object_repr=str(text)[:200], data={k: value(v) for k, v in data.items()})
         for pk, text, data in rows],
        batch_size=1000,
    )


def connect():
    from django.apps import apps

    from studies.signals import rows_bulk_written, study_event

    study_event.connect(_study_event, dispatch_uid="audit-study-event")
    rows_bulk_written.connect(_rows_bulk_written, dispatch_uid="audit-rows-bulk-written")

    for label in TRACKED:
        model = apps.get_model(label)
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"audit-pre-{label}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"audit-post-{label}")
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"audit-pre-del-{label}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"audit-del-{label}")
    through = apps.get_model("coding.CodedExcerpt").themes.through
    m2m_changed.connect(_themes_changed, sender=through, dispatch_uid="audit-excerpt-themes")
