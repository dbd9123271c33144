"""Rebuild an object's versions from its Change rows."""

from audit.models import Action


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
