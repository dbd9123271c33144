"""Rebuild an object's versions from its Change rows."""

from audit.models import Action, Change


def versions(changes):
    """[(change, state after it)] for one object's changes in order. A state is a dict of field
    values (and "themes" for excerpts) as they stood after that change."""
    state, out = {}, []
    for change in changes:
        if change.action == Action.CREATE:
            state = dict(change.data)
        elif change.action == Action.UPDATE:
            state = {**state, **{field: pair[1] for field, pair in change.data.items()}}
        else:
            state = dict(change.data)
        out.append((change, dict(state)))
    return out


def theme_names(study, ids):
    """{theme id: name} for `ids`, including themes merged away or deleted since: their name is
    the one their last Change row recorded. One query, plus one when some are gone."""
    from coding.models import Theme

    names = dict(Theme.objects.filter(study=study, pk__in=ids).values_list("pk", "name"))
    gone = [str(pk) for pk in ids if pk not in names]
    if gone:
        rows = (Change.objects.filter(study=study, model="coding.theme", object_id__in=gone)
                .order_by("at", "pk").values_list("object_id", "object_repr"))
        names.update({int(pk): name for pk, name in rows})
    return names
