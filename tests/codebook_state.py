"""The whole codebook and its codings as plain values, to assert that an undo is exact."""

from coding.models import CodedExcerpt, Theme, theme_tree
from coding.services import excerpt_create, excerpt_delete, theme_delete
from interviews.models import Participant, Transcript

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


def make_codebook(study):
    """A small tree with everything that must survive a round trip: accents, emoji, markup
    characters, paragraphs, criteria, both kinds, an upper-case colour, three levels."""
    top = Theme.objects.create(
        study=study,
        name="Estrategia & <política>",
        kind="strategy",
        colour="#ABCDEF",
        order=0,
        description="Línea 1\nLínea 2\n\nSecond paragraph 😀",
        inclusion_criteria="Names it.",
        exclusion_criteria="Mentions only\n\nsecond para",
    )
    child = Theme.objects.create(study=study, name="Juventud", parent=top, kind="strategy", colour="#fd7e14",
                                 order=0)
    Theme.objects.create(study=study, name="Rural", parent=child, kind="analytic", order=0,
                         exclusion_criteria="Only this")
    Theme.objects.create(study=study, name="Género", parent=top, kind="strategy", order=1,
                         inclusion_criteria="Only this")
    Theme.objects.create(study=study, name="Analytic", order=1)
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


def other_study_objects(other_study, coder):
    """One of each coding object in `other_study`, for cross-study probes: a member of `study`
    who names these ids must get 404, never the object. `coder` is a member of other_study."""
    participant = Participant.objects.create(study=other_study, code="Z", consent_given=True,
                                             consent_scope="quote_named")
    transcript = Transcript.objects.create(study=other_study, participant=participant, title="Other",
                                           text="Their words about the harbour and the market.")
    theme = Theme.objects.create(study=other_study, name="Harbour", colour="#123456")
    spare = Theme.objects.create(study=other_study, name="Market", colour="#654321")
    excerpt = excerpt_create(transcript=transcript, start=0, end=11, themes=[theme], coder=coder)
    gone = excerpt_create(transcript=transcript, start=16, end=33, themes=[theme], coder=coder)
    deleted_excerpt = excerpt_delete(excerpt=gone, user=coder)
    deleted_theme = theme_delete(theme=Theme.objects.create(study=other_study, name="Old"), user=coder,
                                 codings="remove")
    return {"transcript": transcript, "theme": theme, "spare": spare, "excerpt": excerpt,
            "deleted_excerpt": deleted_excerpt, "deleted_theme": deleted_theme}
