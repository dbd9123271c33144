"""Writes that span models: an excerpt and its theme links change together or not at all."""

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coding.codebook_qdc import CodeSpec, ImportReport, codebook_import
from coding.models import (
    THEME_TEXT_FIELDS,
    AutoCodingRun,
    AutoCodingScope,
    CodedExcerpt,
    DeletedExcerpt,
    DeletedTheme,
    Theme,
    ThemeKind,
    theme_descendant_ids,
    theme_tree,
)
from studies.models import BlindMode

Link = CodedExcerpt.themes.through


class ExcerptConflict(Exception):
    """Someone else saved the excerpt after this user loaded it."""

    def __init__(self, current):
        super().__init__("excerpt changed since it was loaded")
        self.current = current


def _require_themes(themes, study_id, kept=()):
    """At least one theme, every one of the excerpt's own study (cross-study links are refused),
    and none grouping-only unless the excerpt already has it (`kept`): a theme made
    grouping-only later stays on the excerpts it had."""
    if not themes:
        raise ValidationError(
            {"themes": ValidationError(_("Choose at least one theme."), code="themes_required")}
        )
    if any(theme.study_id != study_id for theme in themes):
        raise ValidationError(
            {"themes": ValidationError(_("A theme of another study cannot be used here."),
                                       code="theme_other_study")}
        )
    grouping = [t.name for t in themes if not t.is_codable and t not in kept]
    if grouping:
        raise ValidationError({"themes": ValidationError(
            _("«%(name)s» only groups other themes; choose one of its sub-themes."),
            code="theme_not_codable", params={"name": grouping[0]},
        )})


def _add_themes(excerpt, themes):
    """Link `themes` in the order given, one by one: the link table's ids then record which
    theme was chosen first, and that theme gives the excerpt its colour on the coding page."""
    for theme in dict.fromkeys(themes):
        excerpt.themes.add(theme)


def _link_new(excerpt, themes):
    """A new excerpt's theme links in one INSERT, in the order given (as _add_themes). It sends
    m2m_changed as `themes.add` does, so the history log records the links: one query less per
    theme than `add`, which first looks for links a new excerpt cannot have."""
    themes = list(dict.fromkeys(themes))
    signal = {"sender": Link, "instance": excerpt, "reverse": False, "model": Theme,
              "pk_set": {t.pk for t in themes}, "using": excerpt._state.db}
    m2m_changed.send(action="pre_add", **signal)
    Link.objects.bulk_create([Link(codedexcerpt_id=excerpt.pk, theme_id=t.pk) for t in themes])
    m2m_changed.send(action="post_add", **signal)


class TextChanged(Exception):
    """The transcript's text changed after the coder loaded the page: offsets are stale."""


def _require_span(start, end):
    """The check constraint excerpt_start_before_end, in Python: the writers below skip
    full_clean's query per check constraint, and the database enforces it again on save."""
    if start < 0 or end <= start:
        raise ValidationError(_("An excerpt must start at 0 or later and end after it starts."),
                              code="excerpt_start_before_end")


# No savepoint when called inside a transaction (the save view's, auto-coding's, an adjudication's):
# two statements fewer per excerpt, and an error rolls back the caller's whole transaction,
# which every caller lets happen (none goes on writing after catching it).
@transaction.atomic(savepoint=False)
def excerpt_create(*, transcript, start, end, themes, coder, memo="", text_version=None, locked=False):
    """Save `transcript.text[start:end]` (code points) as an excerpt tagged with `themes`.

    The transcript row is locked (SELECT ... FOR UPDATE on PostgreSQL) so a text edit cannot
    slip in between the check and the save; with `text_version` (what the page was built from)
    a save against an older text is refused instead of landing on the wrong words. `locked`:
    the caller read `transcript` under that lock in the transaction this runs in
    (interviews.access.get_transcript_for_user_rw(lock=True)), so its text is current and is
    not read again.
    """
    _require_themes(themes, transcript.study_id)
    _require_span(start, end)
    if locked:
        current = transcript.text_version
    else:  # lock the row but read only its version: the text in hand is current if the version is
        current = (type(transcript).objects.select_for_update().filter(pk=transcript.pk)
                   .values_list("text_version", flat=True).get())
    if text_version is not None and current != text_version:
        raise TextChanged
    if current != transcript.text_version:
        transcript = type(transcript).objects.get(pk=transcript.pk)
    excerpt = CodedExcerpt(
        study_id=transcript.study_id,
        transcript=transcript,
        start=start,
        end=end,
        quote=transcript.text[start:end],
        coder=coder,
        memo=memo,
    )
    # The transcript, its study and the coder are rows in hand and the span is checked above, so
    # full_clean skips its existence query for each and its query per check constraint (the
    # database enforces them too): a save is half the queries.
    excerpt.full_clean(exclude=["transcript", "coder", "study"], validate_constraints=False)
    # The history log then writes one create row holding the themes (audit.signals.LINKS_FOLLOW).
    excerpt._links_follow = True
    excerpt.save()
    _link_new(excerpt, themes)
    return excerpt


IN_VIVO_LENGTH = 60
IN_VIVO_STRIP = " \"'«»“”‘’.,;:¡!¿?…()[]-–—"  # quotes and punctuation around the words


@transaction.atomic(savepoint=False)
def excerpt_create_in_vivo(*, transcript, start, end, parent, colour, coder, themes=(), memo="",
                           text_version=None, locked=False):
    """In-vivo coding in one step: a theme named after the passage's own words (under `parent`,
    or at the top level; `colour` if new) and the excerpt coded with it first, then with
    `themes`. A theme of that name already there is reused. Returns (excerpt, theme)."""
    words = " ".join(transcript.text[start:end].split()).strip(IN_VIVO_STRIP)
    name = words if len(words) <= IN_VIVO_LENGTH else words[: IN_VIVO_LENGTH - 1].rstrip() + "…"
    if not name:
        raise ValidationError(_("Select some words to name the theme after."), code="empty_selection")
    existing = Theme.objects.filter(study_id=transcript.study_id, parent=parent, name=name).first()
    theme = existing or theme_create(study=transcript.study, name=name, parent=parent, colour=colour)
    excerpt = excerpt_create(transcript=transcript, start=start, end=end, themes=[theme, *themes],
                             coder=coder, memo=memo, text_version=text_version, locked=locked)
    return excerpt, theme


@transaction.atomic
def excerpt_update(*, excerpt, version, start, end, themes, memo, locked=False):
    """Change an excerpt's span, themes and memo, unless someone saved it since `version`.

    The row is locked for the duration (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers), so two concurrent saves cannot both pass the check.
    `locked`: the caller read `excerpt`, with its transcript, under that lock in the transaction
    this runs in (coding.access.get_excerpt_for_user_rw(lock=True)), so it is not read again.

    Returns the excerpt with `linked_themes`: its themes in the order linked (the first gives
    its colour), what the coding page's data holds (CodedExcerptQuerySet.for_coding_page).
    """
    current = excerpt if locked else (
        CodedExcerpt.objects.select_for_update()
        .select_related("transcript")
        .get(pk=excerpt.pk)
    )
    if current.version != version:
        raise ExcerptConflict(current)
    _require_span(start, end)
    had = [link.theme for link in Link.objects.filter(codedexcerpt_id=current.pk).select_related("theme")
           .order_by("pk")]
    _require_themes(themes, current.study_id, kept=had)
    # The row as stored, read under the lock: the history log diffs against it instead of
    # reading the row again (audit.signals.STORED_COPY).
    current._stored_copy = copy.copy(current)
    text = current.transcript.text
    current.start, current.end = start, end
    current.quote = text[start:end]
    current.memo = memo
    current.needs_review = False
    current.review_reason = ""
    current.version += 1
    # The transcript, its study and the coder are rows in hand, and the span is checked above
    # (the database holds the check constraints too): full_clean skips their queries, seven.
    current.full_clean(exclude=["transcript", "coder", "study"], validate_constraints=False)
    current.save()
    # Links kept keep their ids (and so the excerpt its colour); new ones follow in order.
    wanted = list(dict.fromkeys(themes))
    current.themes.remove(*[t for t in had if t not in wanted])
    _add_themes(current, [t for t in wanted if t not in had])
    current.linked_themes = [t for t in had if t in wanted] + [t for t in wanted if t not in had]
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
        # In the order chosen (link ids), so that a restore keeps the excerpt's colour.
        "themes": list(Link.objects.filter(codedexcerpt=excerpt).order_by("pk")
                       .values_list("theme_id", flat=True)),
        "needs_review": excerpt.needs_review,
        "review_reason": excerpt.review_reason,
        "version": excerpt.version,
        "created_at": excerpt.created_at.isoformat(),
        "number": excerpt.number,  # kept, so that a restore keeps its reference and no one reuses it
    }
    deleted = DeletedExcerpt.objects.create(
        original_id=excerpt.pk, study_id=excerpt.study_id, transcript_id=excerpt.transcript_id,
        snapshot=snapshot,
        deleted_by=user,
    )
    excerpt.delete()
    return deleted


@transaction.atomic
def excerpt_restore(*, deleted):
    """Put a removed excerpt back under its own id. If the transcript text changed under it
    meanwhile, it comes back flagged for review rather than silently pointing elsewhere."""
    s = deleted.snapshot
    found = Theme.objects.filter(study_id=deleted.study_id).in_bulk(s["themes"])
    themes = [found[pk] for pk in s["themes"] if pk in found]
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
        study_id=deleted.study_id,
        transcript_id=deleted.transcript_id,
        start=s["start"],
        end=s["end"],
        quote=s["quote"],
        memo=s["memo"],
        coder_id=s["coder"],
        needs_review=s["needs_review"] or changed,
        review_reason=s.get("review_reason") or ("text_changed" if changed else ""),
        version=s["version"] + 1,
        number=s.get("number"),
    )
    excerpt.full_clean()
    excerpt.save(force_insert=True)
    _add_themes(excerpt, themes)
    # auto_now_add stamped "now"; the restored excerpt keeps its first creation time.
    CodedExcerpt.objects.filter(pk=excerpt.pk).update(created_at=s["created_at"])
    deleted.delete()
    return excerpt


# ----- The codebook: themes -----
#
# Theme writes lock the rows they read (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
# transactions serialise writers). Excerpts are re-tagged one by one through their own
# `themes` manager, not by bulk writes to the link table, so that every change to an excerpt's
# themes sends m2m_changed (the history log records it). That costs a few queries per excerpt.

CHUNK = 500  # ids per IN (...) list: SQLite allows at most 32,766 parameters.


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _excerpts(ids):
    """The excerpts among `ids` that still exist, in id order."""
    for chunk in _chunks(sorted(ids)):
        yield from CodedExcerpt.objects.filter(pk__in=chunk).order_by("pk")


def _bump_versions(ids):
    """An excerpt whose themes change gets a new version, so an edit based on the old themes is
    refused as a conflict (409) rather than silently undoing this change."""
    for chunk in _chunks(sorted(ids)):
        CodedExcerpt.objects.filter(pk__in=chunk).update(version=F("version") + 1)


def _siblings(study_id, parent_id, *, exclude=None):
    """The study's themes under `parent_id` (None: top level) in codebook order, locked."""
    siblings = (Theme.objects.select_for_update().filter(study_id=study_id, parent_id=parent_id)
                .order_by("order", "name", "pk"))
    return [t for t in siblings if t.pk != exclude]


def _renumber(themes):
    """Give `themes` the orders 0, 1, 2… in the order given; saves only those that change."""
    for i, theme in enumerate(themes):
        if theme.order != i:
            theme.order = i
            theme.save(update_fields=["order"])


def _lock(theme):
    return Theme.objects.select_for_update().get(pk=theme.pk)


def _same_study(theme, other, field, message):
    """Refuse `other` (a parent, merge or move target) unless it is of `theme`'s study."""
    if other is not None and other.study_id != theme.study_id:
        raise ValidationError({field: ValidationError(message, code="theme_other_study")})


def _coded_with(theme):
    return list(Link.objects.filter(theme_id=theme.pk).order_by("codedexcerpt_id")
                .values_list("codedexcerpt_id", flat=True))


@transaction.atomic
def theme_create(*, study, name, colour, parent=None, kind=ThemeKind.ANALYTIC, description="",
                 inclusion_criteria="", exclusion_criteria="", is_codable=True, **second):
    """A new theme, last among its siblings. `second`: its texts in the study's second language
    (name_second, description_second, inclusion_criteria_second, exclusion_criteria_second)."""
    siblings = _siblings(study.pk, parent.pk if parent else None)
    if parent is not None and parent.study_id != study.pk:
        raise ValidationError({"parent": ValidationError(
            _("A theme of another study cannot be the parent."), code="theme_other_study")})
    theme = Theme(study=study, name=name, parent=parent, kind=kind, colour=colour, description=description,
                  is_codable=is_codable,
                  inclusion_criteria=inclusion_criteria, exclusion_criteria=exclusion_criteria,
                  order=max((t.order for t in siblings), default=-1) + 1, **_second_texts(second))
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def _second_texts(second):
    unknown = set(second) - {f"{field}_second" for field in THEME_TEXT_FIELDS}
    if unknown:
        raise TypeError(f"unexpected arguments: {sorted(unknown)}")
    return second


def theme_update(*, theme, name, parent, kind, colour, description, inclusion_criteria,
                 exclusion_criteria, is_codable=None, **second):
    """Rename, recolour, redefine or re-parent a theme, or make it grouping-only (`is_codable`;
    None leaves it). Under a new parent it goes last. Excerpts already coded with a theme made
    grouping-only keep it; only new codings are refused."""
    _same_study(theme, parent, "parent", _("A theme of another study cannot be the parent."))
    current = _lock(theme)
    if is_codable is not None:
        current.is_codable = is_codable
    old_parent_id, new_parent_id = current.parent_id, parent.pk if parent else None
    current.name, current.parent, current.kind, current.colour = name, parent, kind, colour
    current.description = description
    current.inclusion_criteria, current.exclusion_criteria = inclusion_criteria, exclusion_criteria
    for field, value in _second_texts(second).items():  # texts not given are left as they are
        setattr(current, field, value)
    if new_parent_id != old_parent_id:
        current.order = max((t.order for t in _siblings(current.study_id, new_parent_id)), default=-1) + 1
    current.full_clean()  # also refuses a parent below the theme itself (Theme.clean)
    current.save()
    if new_parent_id != old_parent_id:
        _renumber(_siblings(current.study_id, old_parent_id))
    return current


@transaction.atomic
def theme_move(*, theme, parent, position):
    """Put `theme` under `parent` (None: top level) at `position` among its new siblings."""
    _same_study(theme, parent, "parent", _("A theme of another study cannot be the parent."))
    current = _lock(theme)
    old_parent_id, new_parent_id = current.parent_id, parent.pk if parent else None
    current.parent = parent
    current.full_clean()
    siblings = _siblings(current.study_id, new_parent_id, exclude=current.pk)
    position = max(0, min(position, len(siblings)))
    siblings.insert(position, current)
    current.order = position
    current.save()
    _renumber(siblings)
    if old_parent_id != new_parent_id:
        _renumber(_siblings(current.study_id, old_parent_id))
    return current


def theme_shift(*, theme, offset):
    """Move a theme `offset` places up (negative) or down among its siblings."""
    siblings = list(Theme.objects.filter(study_id=theme.study_id, parent_id=theme.parent_id)
                    .order_by("order", "name", "pk"))
    position = [t.pk for t in siblings].index(theme.pk) + offset
    return theme_move(theme=theme, parent=theme.parent, position=position)


def _codings_move(*, source, target):
    """Tag every excerpt coded with `source` with `target` instead. An excerpt coded with both
    keeps one link. Returns the excerpt ids, and those that gained `target`."""
    ids = _coded_with(source)
    had_target = set(
        Link.objects.filter(theme_id=target.pk, codedexcerpt_id__in=Link.objects.filter(
            theme_id=source.pk).values("codedexcerpt_id")).values_list("codedexcerpt_id", flat=True)
    )
    for excerpt in _excerpts(ids):
        if excerpt.pk not in had_target:
            excerpt.themes.add(target)  # before the removal: an excerpt never has zero themes
        excerpt.themes.remove(source)
    _bump_versions(ids)
    return ids, [pk for pk in ids if pk not in had_target]


def _codings_remove(*, theme, user):
    """Take `theme` off every excerpt. An excerpt it was the only theme of is removed through
    excerpt_delete, so it waits in DeletedExcerpt. Returns the kept excerpt ids and the
    DeletedExcerpt ids."""
    only = set(
        CodedExcerpt.objects.filter(pk__in=Link.objects.filter(theme_id=theme.pk).values("codedexcerpt_id"))
        .annotate(theme_count=Count("themes")).filter(theme_count=1).values_list("pk", flat=True)
    )
    kept, deleted = [], []
    for excerpt in _excerpts(_coded_with(theme)):
        if excerpt.pk in only:
            deleted.append(excerpt_delete(excerpt=excerpt, user=user).pk)
        else:
            excerpt.themes.remove(theme)
            kept.append(excerpt.pk)
    _bump_versions(kept)
    return kept, deleted


def _names_clash(children, study_id, parent_id, *, leaving):
    """Refuse if a sub-theme moving under `parent_id` has the name of a theme already there."""
    names = {c.name for c in children}
    clash = (Theme.objects.filter(study_id=study_id, parent_id=parent_id, name__in=names)
             .exclude(pk=leaving).order_by("name").values_list("name", flat=True).first())
    if clash:
        raise ValidationError(
            _("Its sub-theme «%(name)s» would sit next to another theme of that name. Rename "
              "or merge one of them first."),
            code="sub_theme_name_taken", params={"name": clash},
        )


def _theme_remove(*, theme, user, action, codings, target, merge):
    """Delete and merge: snapshot, handle the codings, re-home the sub-themes, delete the theme.
    Sub-themes go under the merge target (last), or for a delete up to the theme's own parent,
    in its place."""
    theme = _lock(theme)
    pk, parent_id = theme.pk, theme.parent_id
    siblings = _siblings(theme.study_id, parent_id)
    position = [t.pk for t in siblings].index(pk)
    children = _siblings(theme.study_id, pk)
    children_to = target.pk if merge else parent_id
    _names_clash(children, theme.study_id, children_to, leaving=pk)
    orders = {parent_id: [[t.pk, t.order] for t in siblings]}
    if merge:
        orders[children_to] = [[t.pk, t.order] for t in _siblings(theme.study_id, children_to)]
    snapshot = {
        "theme": {f: getattr(theme, f) for f in ("name", "kind", "colour", "description",
                                                 "inclusion_criteria", "exclusion_criteria", "order",
                                                 *(f"{t}_second" for t in THEME_TEXT_FIELDS))}
        | {"parent": parent_id},
        "position": position,
        # Every order value the removal may renumber, per parent, for an exact undo.
        "orders": [[parent, pairs] for parent, pairs in orders.items()],
        "children": [[c.pk, c.order] for c in children],
        "children_moved_to": children_to,
        "codings": codings,
        "target": target.pk if target else None,
    }
    if codings == "move":
        snapshot["excerpts"], snapshot["added"] = _codings_move(source=theme, target=target)
        snapshot["deleted_excerpts"] = []
    else:
        snapshot["excerpts"], snapshot["deleted_excerpts"] = _codings_remove(theme=theme, user=user)
        snapshot["added"] = []
    if any(c.name == theme.name for c in children) and children_to == parent_id:
        # A sub-theme of the same name takes its place: free the name first (no history entry;
        # the deletion below records the theme as it was).
        Theme.objects.filter(pk=pk).update(name=f"{theme.name[:100]} ({pk})")
    first = max((t.order for t in _siblings(theme.study_id, children_to)), default=-1) + 1 if merge else 0
    for i, child in enumerate(children):
        child.parent_id, child.order = children_to, first + i
        child.save(update_fields=["parent", "order"])
    theme.delete()
    if merge:
        _renumber(_siblings(theme.study_id, parent_id))
        if children_to != parent_id:
            _renumber(_siblings(theme.study_id, children_to))
    else:
        _renumber(siblings[:position] + children + siblings[position + 1 :])
    return DeletedTheme.objects.create(
        original_id=pk, study_id=theme.study_id, name=snapshot["theme"]["name"], action=action,
        snapshot=snapshot, deleted_by=user,
    )


@transaction.atomic
def theme_delete(*, theme, user, codings, target=None):
    """Remove a theme after an explicit choice for its codings: "move" tags each excerpt with
    `target` instead; "remove" takes the theme off each excerpt, and removes (undoably) any
    excerpt it was the only theme of. Its sub-themes move up to its parent, in its place.
    Returns the DeletedTheme that theme_restore undoes."""
    has_codings = Link.objects.filter(theme_id=theme.pk).exists()
    if codings not in ("move", "remove"):
        if has_codings:
            raise ValidationError(
                {"codings": ValidationError(_("Choose what happens to its codings."), code="codings_choice")}
            )
        codings = "remove"
    if codings == "move" and (target is None or target.pk == theme.pk):
        raise ValidationError({"target": ValidationError(
            _("Choose another theme to move its codings to."), code="target_required"
        )})
    if codings == "move":
        _same_study(theme, target, "target", _("Codings cannot move to a theme of another study."))
    return _theme_remove(theme=theme, user=user, action=DeletedTheme.Action.DELETED,
                         codings=codings, target=target if codings == "move" else None, merge=False)


@transaction.atomic
def theme_merge(*, source, target, user):
    """Fold `source` into `target`: every coding moves to `target` (an excerpt coded with both
    keeps one link), `source`'s sub-themes move under `target`, and `source` is removed.
    Returns the DeletedTheme that theme_restore undoes."""
    if source.pk == target.pk:
        raise ValidationError(
            {"target": ValidationError(_("A theme cannot be merged into itself."), code="merge_self")}
        )
    _same_study(source, target, "target", _("A theme cannot be merged into a theme of another study."))
    if target.pk in theme_descendant_ids(source):
        raise ValidationError({"target": ValidationError(
            _("A theme cannot be merged into one of its own sub-themes."), code="merge_into_sub_theme"
        )})
    target = _lock(target)
    return _theme_remove(theme=source, user=user, action=DeletedTheme.Action.MERGED,
                         codings="move", target=target, merge=True)


@transaction.atomic
def theme_restore(*, deleted):
    """Undo a delete or a merge: the theme comes back with its id, fields and place among its
    siblings; sub-themes that still sit where the removal put them come back under it; every
    excerpt gets the theme back (and loses the merge or move target it gained then); excerpts
    the removal deleted are restored through excerpt_restore.

    Returns (theme, problems): problems are messages about what could not come back because it
    changed since (an excerpt deleted meanwhile, a sub-theme moved elsewhere).
    """
    s = deleted.snapshot
    fields = s["theme"]
    parent_id = fields["parent"]
    if parent_id is not None and not Theme.objects.filter(pk=parent_id, study_id=deleted.study_id).exists():
        raise ValidationError(
            _("Its parent theme has been removed since; restore that one first."), code="parent_gone"
        )
    child_orders = dict(s["children"])
    returning = list(Theme.objects.select_for_update().filter(
        study_id=deleted.study_id, pk__in=list(child_orders), parent_id=s["children_moved_to"]
    ).order_by("pk"))
    leaving = set()
    if s["children_moved_to"] == parent_id:
        leaving = {c.pk for c in returning if c.name == fields["name"]}
    if (Theme.objects.filter(study_id=deleted.study_id, parent_id=parent_id, name=fields["name"])
            .exclude(pk__in=leaving).exists()):
        raise ValidationError(
            _("A theme named «%(name)s» now sits in its place; rename that one first."),
            code="name_taken", params={"name": fields["name"]},
        )
    theme = Theme(pk=deleted.original_id, study_id=deleted.study_id, parent_id=parent_id,
                  **{k: v for k, v in fields.items() if k != "parent"})
    if leaving:  # its same-named sub-theme still holds the name until it moves back under it
        theme.name = f"{fields['name'][:100]} ({theme.pk})"
    theme.full_clean()
    theme.save(force_insert=True)
    for child in returning:
        child.parent_id, child.order = theme.pk, child_orders[child.pk]
        child.save(update_fields=["parent", "order"])
    if leaving:
        theme.name = fields["name"]
        theme.save(update_fields=["name"])
    siblings = _siblings(deleted.study_id, parent_id, exclude=theme.pk)
    siblings.insert(min(s["position"], len(siblings)), theme)
    _renumber(siblings)
    if s["children_moved_to"] != parent_id:
        _renumber(_siblings(deleted.study_id, s["children_moved_to"]))
    for parent, pairs in s["orders"]:
        # Where the same themes still share a parent, their order values come back as they were.
        group, wanted = _siblings(deleted.study_id, parent), dict(pairs)
        if {t.pk for t in group} == set(wanted):
            for theme_in_group in group:
                if theme_in_group.order != wanted[theme_in_group.pk]:
                    theme_in_group.order = wanted[theme_in_group.pk]
                    theme_in_group.save(update_fields=["order"])

    problems = []
    added = set(s["added"])
    back = []
    for excerpt in _excerpts(s["excerpts"]):
        excerpt.themes.add(theme)
        if excerpt.pk in added:
            excerpt.themes.remove(s["target"])
        back.append(excerpt.pk)
    _bump_versions(back)
    if len(back) < len(s["excerpts"]):
        problems.append(_("%(n)s excerpts coded with it were removed since, so they stay removed.")
                        % {"n": len(s["excerpts"]) - len(back)})
    if len(returning) < len(child_orders):
        problems.append(_("%(n)s of its sub-themes were moved since, so they stay where they are.")
                        % {"n": len(child_orders) - len(returning)})
    for chunk in _chunks(s["deleted_excerpts"]):
        for removed in DeletedExcerpt.objects.filter(pk__in=chunk).select_related("transcript"):
            try:
                excerpt_restore(deleted=removed)
            except ValidationError as exc:
                problems.extend(exc.messages)
    deleted.delete()
    return theme, problems


@transaction.atomic
def codebook_copy(*, source, target):
    """Copy `source` study's theme tree into `target` study's codebook: names, colours, kinds,
    descriptions, criteria and order; no excerpts. It goes through the codebook import, so a
    theme whose name already sits under the same parent in `target` is merged by name (kept as
    it is, only its empty description and criteria filled in), as with a codebook file. Returns
    the ImportReport. Three queries plus the writes."""
    if source.pk == target.pk:
        raise ValidationError(_("Choose another study to copy the codebook from."), code="copy_same_study")
    specs, top = {}, []
    for theme, _depth in theme_tree(Theme.objects.filter(study=source)):
        spec = CodeSpec(guid=str(theme.pk), name=theme.name, colour=theme.colour, kind=theme.kind,
                        description=theme.description, inclusion_criteria=theme.inclusion_criteria,
                        exclusion_criteria=theme.exclusion_criteria, codable=theme.is_codable)
        specs[theme.pk] = spec
        (specs[theme.parent_id].children if theme.parent_id else top).append(spec)
    if not top:
        raise ValidationError(_("That study's codebook is empty: there is nothing to copy."),
                              code="copy_empty_codebook")
    report = ImportReport()
    codebook_import(study=target, codes=top, report=report)
    return report


@transaction.atomic
def theme_split(*, theme, excerpts, name, colour, as_child=False):
    """Move the chosen excerpts from `theme` to a new theme named `name`, placed right after
    `theme` (or, with `as_child`, last among its sub-themes). Returns the new theme."""
    theme = _lock(theme)
    ids = sorted({e.pk for e in excerpts})
    if not ids:
        raise ValidationError(
            {"excerpts": ValidationError(_("Choose at least one excerpt to move."), code="excerpts_required")}
        )
    coded = set()
    for chunk in _chunks(ids):
        coded.update(Link.objects.filter(theme_id=theme.pk, codedexcerpt_id__in=chunk)
                     .values_list("codedexcerpt_id", flat=True))
    if coded != set(ids):
        raise ValidationError({"excerpts": ValidationError(
            _("Some chosen excerpts are not coded with «%(name)s» (any more)."),
            code="excerpt_not_in_theme", params={"name": theme.name},
        )})
    new = Theme(study_id=theme.study_id, name=name, parent_id=theme.pk if as_child else theme.parent_id,
                kind=theme.kind,
                colour=colour, order=0)
    new.full_clean()
    new.save()
    siblings = _siblings(new.study_id, new.parent_id, exclude=new.pk)
    at = len(siblings) if as_child else [t.pk for t in siblings].index(theme.pk) + 1
    siblings.insert(at, new)
    _renumber(siblings)
    for excerpt in _excerpts(ids):
        excerpt.themes.add(new)
        excerpt.themes.remove(theme)
    _bump_versions(ids)
    return new


# ----- Auto-coding: a theme applied to a search's hits, and its undo -----


def _passages_free_of(theme, passages, coder):
    """`passages` ({(transcript id, start, end): transcript}) less those that repeat or overlap
    an excerpt coded with `theme`, or an earlier passage kept here: the ones to code, in text
    order. One query (that theme's excerpts in these transcripts)."""
    taken = {}
    # Blind coding: layers are coded independently, so only the coder's own excerpts count
    # where the study's blind coding applies (and a skip would tell of another coder's work).
    independent = (Q(coder=coder) | Q(study__blind=BlindMode.OFF)
                   | Q(study__blind=BlindMode.TRANSCRIPTS, transcript__is_blind=False))
    for transcript_id, start, end in CodedExcerpt.objects.filter(
        independent, transcript_id__in={key[0] for key in passages}, themes=theme
    ).values_list("transcript_id", "start", "end"):
        taken.setdefault(transcript_id, []).append((start, end))
    free = []
    for key in sorted(passages):
        transcript_id, start, end = key
        spans = taken.setdefault(transcript_id, [])
        if all(end <= s or start >= e for s, e in spans):
            spans.append((start, end))
            free.append(key)
    return free


def _code_passages(*, run, passages, theme, coder, memo):
    """Code each passage free of `theme` through excerpt_create; record them on `run`."""
    free = _passages_free_of(theme, passages, coder)
    created = [
        excerpt_create(transcript=passages[key], start=key[1], end=key[2], themes=[theme],
                       coder=coder, memo=memo)
        for key in free
    ]
    run.skipped_count = len(passages) - len(created)
    run.save(update_fields=["skipped_count"])
    run.excerpts.set(created)
    return created


@transaction.atomic
def excerpts_auto_code(*, query, hits, theme, scope, coder, speaker=""):
    """Code search hits with `theme`: each hit (transcript, start, end in code points) widened
    to `scope` (the match, its sentence or its paragraph) becomes one excerpt through
    excerpt_create; hits that widen to the same passage make one excerpt. A passage that repeats
    or overlaps an excerpt that already has `theme` (or another passage of this run) is left out
    and counted as skipped. With `speaker`, only hits in that speaker's turns are coded. All or
    nothing. Returns the AutoCodingRun that auto_coding_undo takes back."""
    from coding.speakers import speaker_at
    from interviews.text import expand_hit

    if scope not in (AutoCodingScope.MATCH, AutoCodingScope.SENTENCE, AutoCodingScope.PARAGRAPH):
        raise ValidationError({"scope": ValidationError(_("Choose how much to code."), code="invalid_scope")})
    if speaker:
        hits = [(t, start, end) for t, start, end in hits if speaker_at(t.text, start) == speaker]
    if not hits:
        raise ValidationError(_("There are no hits to code."), code="no_hits")
    passages = {}
    for transcript, start, end in hits:
        start, end = expand_hit(transcript.text, start, end, scope)
        passages[transcript.pk, start, end] = transcript
    run = AutoCodingRun.objects.create(study_id=theme.study_id, query=query, theme=theme, scope=scope,
                                       coder=coder)
    memo = _("Auto-coded from the search «%(query)s».") % {"query": query}
    _code_passages(run=run, passages=passages, theme=theme, coder=coder, memo=memo)
    return run


@transaction.atomic
def excerpts_code_speaker(*, transcript, speaker, theme, coder):
    """Code every turn of `speaker` in `transcript` with `theme`, one excerpt per turn (its
    words, not its label). Turns that overlap an excerpt already coded with `theme` are left out.
    Returns (the AutoCodingRun that auto_coding_undo takes back, the excerpts created)."""
    from coding.speakers import speaker_turns

    _require_themes([theme], transcript.study_id)
    turns = speaker_turns(transcript.text, speaker)
    if not turns:
        raise ValidationError(_("«%(speaker)s» has no turns in this transcript."),
                              code="no_turns", params={"speaker": speaker})
    run = AutoCodingRun.objects.create(study_id=transcript.study_id, query=speaker, theme=theme,
                                       scope=AutoCodingScope.TURN, coder=coder)
    memo = _("Coded as a turn of %(speaker)s.") % {"speaker": speaker}
    passages = {(transcript.pk, start, end): transcript for start, end in turns}
    return run, _code_passages(run=run, passages=passages, theme=theme, coder=coder, memo=memo)


@transaction.atomic
def auto_coding_undo(*, run, user):
    """Take an auto-coding back: remove the excerpts it created that nobody changed since (still
    version 1, still coded with its theme alone). Changed ones stay, so no later work is lost.
    Returns (removed, kept)."""
    run = AutoCodingRun.objects.select_for_update().get(pk=run.pk)
    if run.undone_at is not None:
        raise ValidationError(_("This auto-coding has already been undone."), code="already_undone")
    removed = kept = 0
    for excerpt in run.excerpts.prefetch_related("themes").order_by("pk"):
        if excerpt.version == 1 and [t.pk for t in excerpt.themes.all()] == [run.theme_id]:
            excerpt.delete()
            removed += 1
        else:
            kept += 1
    run.undone_at, run.undone_by = timezone.now(), user
    run.save(update_fields=["undone_at", "undone_by"])
    return removed, kept
