"""The excerpt browser's cards, built as HTML in Python rather than by a template loop.

A page lists 50 excerpts, and a Django template costs about a millisecond per card (a dozen
tags, three translations, a URL reversal each): more than the whole page may cost. Here every
value is escaped with html.escape and the translated words and URL prefixes are looked up once
per page, not once per card; excerpt_browser.html includes the result as one safe string.
"""

from html import escape

from django.urls import reverse
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from interviews.models import ConsentScope, Gender, Sector
from reports.queries import cue_time, paragraph_context, quote_reference


def excerpt_cards(study, excerpts):
    """The <li> cards of `excerpts` (reports.queries.excerpts_for_browser rows), as one safe
    string."""
    sectors = {value: escape(str(label)) for value, label in Sector.choices}
    genders = {value: escape(str(label)) for value, label in Gender.choices}
    words = {
        "participant": escape(_("Participant")), "coded_by": escape(_("coded by")),
        "in_context": escape(_("Open in the transcript")), "not_quoted": escape(_("not for quotation")),
        "review": escape(_("needs review")), "context": escape(_("Show context")),
        "reference": escape(_("Quote reference: transcript number, excerpt number, paragraph")),
    }
    coding = reverse("coding:transcript-coding", args=[study.slug, 0])[:-2]  # ".../transcripts/"
    context = reverse("reports:excerpt-context", args=[study.slug, 0])[: -len("0/context/")]
    parts = []
    for excerpt in excerpts:
        transcript, participant = excerpt.transcript, excerpt.transcript.participant
        before, after, cut_before, cut_after = paragraph_context(excerpt)
        excerpt.before, excerpt.after, excerpt.cut_before, excerpt.cut_after = before, after, cut_before, cut_after
        excerpt.reference = quote_reference(excerpt.transcript_no, excerpt.number, excerpt.paragraph,
                                            cue_time(transcript.cues, excerpt.start))
        head = [f'{words["participant"]} {escape(participant.code)}']
        head += [label for label in (sectors.get(participant.sector, ""), genders.get(participant.gender, ""))
                 if label]
        if participant.consent_scope == ConsentScope.QUOTE_NAMED and participant.organisation:
            head.append(escape(participant.organisation))
        head.append(escape(transcript.title))
        if transcript.interview_date:
            head.append(escape(formats.date_format(transcript.interview_date)))
        head.append(f'{words["coded_by"]} {escape(excerpt.coder.get_username())}, '
                    f'{escape(formats.date_format(excerpt.created_at))}')
        badges = "".join(
            f'<span class="badge theme-badge" style="--c: {escape(theme.colour)}">{escape(theme.name)}</span>'
            for theme in excerpt.themes.all()
        )
        if participant.consent_scope == ConsentScope.INTERVIEW_ONLY:
            badges += f'<span class="badge text-bg-warning">{words["not_quoted"]}</span>'
        if excerpt.needs_review:
            badges += f'<span class="badge text-bg-danger">{words["review"]}</span>'
        parts.append(
            f'<li class="card mb-2" id="excerpt-{excerpt.pk}"><div class="card-body py-2">'
            f'<div class="small text-body-secondary mb-1"><strong class="quote-ref" title="{words["reference"]}">'
            f'{escape(excerpt.reference)}</strong> · {" · ".join(head)}</div>'
            f'<p class="mb-1 excerpt-text" style="white-space: pre-wrap">{"…" if cut_before else ""}'
            f'<span class="text-body-secondary" data-before>{escape(before)}</span>'
            f'<mark class="excerpt-quote">{escape(excerpt.quote)}</mark>'
            f'<span class="text-body-secondary" data-after>{escape(after)}</span>{"…" if cut_after else ""}</p>'
            f'<div class="d-flex flex-wrap gap-1 align-items-center small">{badges}'
            f'<button type="button" class="btn btn-link btn-sm p-0 ms-auto d-print-none" '
            f'data-context="{context}{excerpt.pk}/context/">{words["context"]}</button>'
            f'<a class="ms-2" href="{coding}{excerpt.transcript_id}/#x{excerpt.pk}">{words["in_context"]}</a>'
            f'</div></div></li>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
