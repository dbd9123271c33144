"""The whole codebook and its codings as plain values, to assert that an undo is exact."""

from coding.models import CodedExcerpt, Theme, theme_tree

THEME_FIELDS = (
    "pk",
    "name",
    "parent_id",
    "kind",
    "colour",
    "description",
    "inclusion_criteria",
    "exclusion_criteria",
    "order",
)


def codebook_state():
    themes = sorted(Theme.objects.values_list(*THEME_FIELDS))
    excerpts = sorted(
        (
            e.pk,
            e.transcript_id,
            e.start,
            e.end,
            e.quote,
            e.coder_id,
            e.memo,
            e.created_at,
            e.needs_review,
            tuple(sorted(t.pk for t in e.themes.all())),
        )
        for e in CodedExcerpt.objects.prefetch_related("themes")
    )
    return {"themes": themes, "excerpts": excerpts}


def themes_of(excerpt):
    return sorted(t.name for t in CodedExcerpt.objects.get(pk=excerpt.pk).themes.all())


def make_codebook():
    """A small tree with everything that must survive a round trip: accents, emoji, markup
    characters, paragraphs, criteria, both kinds, an upper-case colour, three levels."""
    top = Theme.objects.create(
        name="Estrategia & <política>",
        kind="strategy",
        colour="#ABCDEF",
        order=0,
        description="Línea 1\nLínea 2\n\nSecond paragraph 😀",
        inclusion_criteria="Names it.",
        exclusion_criteria="Mentions only\n\nsecond para",
    )
    child = Theme.objects.create(name="Juventud", parent=top, kind="strategy", colour="#fd7e14", order=0)
    Theme.objects.create(name="Rural", parent=child, kind="analytic", order=0, exclusion_criteria="Only this")
    Theme.objects.create(name="Género", parent=top, kind="strategy", order=1, inclusion_criteria="Only this")
    Theme.objects.create(name="Analytic", order=1)
    return top


def theme_rows():
    """Every theme as (path, kind, colour, description, inclusion, exclusion, order)."""
    paths, rows = {}, []
    for theme, _depth in theme_tree(Theme.objects.all()):
        paths[theme.pk] = (paths[theme.parent_id] + " › " if theme.parent_id else "") + theme.name
        rows.append(
            (
                paths[theme.pk],
                theme.kind,
                theme.colour,
                theme.description,
                theme.inclusion_criteria,
                theme.exclusion_criteria,
                theme.order,
            )
        )
    return rows


def delete_all_themes():
    for theme, _depth in reversed(theme_tree(Theme.objects.all())):
        theme.delete()
