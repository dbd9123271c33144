"""Rebuild an object's versions from its Change rows."""

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


ACTION_SENTENCES = {
    # lazy: these are read per request, in the reader's language, not when the module loads
    Action.CREATE: gettext_lazy("Added %(what)s “%(name)s”"),
    Action.UPDATE: gettext_lazy("Changed %(what)s “%(name)s”"),
    Action.DELETE: gettext_lazy("Removed %(what)s “%(name)s”"),
}
EVENT_LABELS = {"qdpx_export_with_withdrawn": gettext_lazy("REFI-QDA export including participants without "
                                                           "consent")}
QUOTE_SHOWN = 80


def _model(label):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _label(model, field):
    if field in EVENT_LABELS:
        return EVENT_LABELS[field]
    if field == "themes":
        return _("themes")
    try:
        return model._meta.get_field(field.removesuffix("_id")).verbose_name
    except (AttributeError, LookupError):
        return field.replace("_", " ")


def _shown(field, value, names):
    if field == "themes" and isinstance(value, list):
        return ", ".join(names.get(t, _("theme #%(id)s") % {"id": t}) for t in value) or "—"
    if value is None or value == "" or value == []:
        return "—"
    if value is True or value is False:
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                         for k, v in value.items())
    return str(value)


def theme_ids_of(changes):
    """Every theme id a page of changes mentions (excerpt theme lists), for theme_names()."""
    ids = set()
    for change in changes:
        for value in (change.data.get("themes"),):
            pairs = value if value and isinstance(value[0], list) else [value or []]
            for ids_list in pairs:
                ids.update(t for t in ids_list or [] if isinstance(t, int))
    return ids


def describe(change, names):
    """A change for people: ("Added theme “Youth”", [(field label, before, after)]). `names`
    maps theme ids to names (theme_names)."""
    model = _model(change.model)
    what = model._meta.verbose_name if model else change.model
    name = change.object_repr
    if change.model == "coding.codedexcerpt" and change.data.get("quote"):
        quote = change.data["quote"]
        quote = quote[-1] if isinstance(quote, list) else quote
        if quote:
            name = quote if len(quote) <= QUOTE_SHOWN else quote[:QUOTE_SHOWN] + "…"
    sentence = ACTION_SENTENCES.get(change.action, ACTION_SENTENCES[Action.UPDATE]) % {
        "what": what, "name": name}
    details = []
    if change.action == Action.UPDATE:
        for field, pair in change.data.items():
            if isinstance(pair, list) and len(pair) == 2:
                details.append((_label(model, field), _shown(field, pair[0], names),
                                _shown(field, pair[1], names)))
            else:
                details.append((_label(model, field), "", _shown(field, pair, names)))
    elif change.action == Action.CREATE and "themes" in change.data:
        details.append((_("themes"), "", _shown("themes", change.data["themes"], names)))
    return sentence, details
