"""The excerpt browser's cards, built as HTML in Python rather than by a template loop.

A page lists 50 excerpts, and a Django template costs about a millisecond per card (a dozen
tags, three translations, a URL reversal each): more than the whole page may cost. Here every
value is escaped with html.escape, and the translated words, URL prefixes and formatted dates
are made once per page, not once per card; excerpt_browser.html includes the result as one
safe string.
"""

from html import escape

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from interviews.models import ConsentScope, Gender, Sector
from reports.queries import cue_time, paragraph_context, quote_reference


def excerpt_cards(study, excerpts):
    """The <li> cards of `excerpts` (reports.queries.BrowserRow), as one safe string. Sets each
    row's `before`, `after`, `cut_before`, `cut_after` (its paragraph context) and
    `reference`."""
    sectors = {value: escape(str(label)) for value, label in Sector.choices}
    genders = {value: escape(str(label)) for value, label in Gender.choices}
    words = {
        "participant": escape(_("Participant")), "coded_by": escape(_("coded by")),
        "in_context": escape(_("Open in the transcript")), "not_quoted": escape(_("not for quotation")),
        "review": escape(_("needs review")), "context": escape(_("Show context")),
        "reference": escape(_("Quote reference: transcript number, excerpt number, paragraph")),
    }
    dates = {}

    def date(value):
        if value not in dates:
            dates[value] = escape(formats.date_format(value))
        return dates[value]

    coding = reverse("coding:transcript-coding", args=[study.slug, 0])[:-2]  # ".../transcripts/"
    context = reverse("reports:excerpt-context", args=[study.slug, 0])[: -len("0/context/")]
    parts = []
    for x in excerpts:
        x.before, x.after, x.cut_before, x.cut_after = paragraph_context(x)
        x.reference = quote_reference(x.transcript_no, x.number, x.paragraph, cue_time(x.cues, x.start))
        head = [f'{words["participant"]} {escape(x.code)}']
        head += [label for label in (sectors.get(x.sector, ""), genders.get(x.gender, "")) if label]
        if x.consent_scope == ConsentScope.QUOTE_NAMED and x.organisation:
            head.append(escape(x.organisation))
        head.append(escape(x.title))
        if x.interview_date:
            head.append(date(x.interview_date))
        head.append(f'{words["coded_by"]} {escape(x.coder)}, {date(timezone.localdate(x.created_at))}')
        badges = "".join(
            f'<span class="badge theme-badge" style="--c: {escape(colour)}">{escape(name)}</span>'
            for name, colour in x.themes)
        if x.consent_scope == ConsentScope.INTERVIEW_ONLY:
            badges += f'<span class="badge text-bg-warning">{words["not_quoted"]}</span>'
        if x.needs_review:
            badges += f'<span class="badge text-bg-danger">{words["review"]}</span>'
        parts.append(
            f'<li class="card mb-2" id="excerpt-{x.pk}"><div class="card-body py-2">'
            f'<div class="small text-body-secondary mb-1">'
            f'<strong class="quote-ref" title="{words["reference"]}">{escape(x.reference)}</strong>'
            f' · {" · ".join(head)}</div>'
            f'<p class="mb-1 excerpt-text" style="white-space: pre-wrap">{"…" if x.cut_before else ""}'
            f'<span class="text-body-secondary" data-before>{escape(x.before)}</span>'
            f'<mark class="excerpt-quote">{escape(x.quote)}</mark>'
            f'<span class="text-body-secondary" data-after>{escape(x.after)}</span>'
            f'{"…" if x.cut_after else ""}</p>'
            f'<div class="d-flex flex-wrap gap-1 align-items-center small">{badges}'
            f'<button type="button" class="btn btn-link btn-sm p-0 ms-auto d-print-none" '
            f'data-context="{context}{x.pk}/context/">{words["context"]}</button>'
            f'<a class="ms-2" href="{coding}{x.transcript_id}/#x{x.pk}">{words["in_context"]}</a>'
            f'</div></div></li>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
