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

from interviews.models import ConsentScope
from reports.queries import citation, cue_time, paragraph_context, participant_heading, quote_reference


def excerpt_cards(study, excerpts):
    """The <li> cards of `excerpts` (reports.queries.BrowserRow), as one safe string. Sets each
    row's `before`, `after`, `cut_before`, `cut_after` (its paragraph context) and
    `reference`."""
    words = {
        "participant": escape(_("Participant")), "coded_by": escape(_("coded by")),
        "in_context": escape(_("Open in the transcript")), "not_quoted": escape(_("not for quotation")),
        "review": escape(_("needs review")), "context": escape(_("Show context")),
        "reference": escape(_("Quote reference: transcript number, excerpt number, paragraph")),
    }
    dates, tz = {}, timezone.get_current_timezone()

    def date(value):
        if value not in dates:
            dates[value] = escape(formats.date_format(value))
        return dates[value]

    coding = reverse("coding:transcript-coding", args=[study.slug, 0])[:-2]  # ".../transcripts/"
    context = reverse("reports:excerpt-context", args=[study.slug, 0])[: -len("0/context/")]
    known = KeyedEscape()  # what repeats from card to card: codes, titles, coders, themes
    badge = KeyedBadge()
    parts = []
    for x in excerpts:
        x.before, x.after, x.cut_before, x.cut_after = paragraph_context(x)
        x.reference = quote_reference(x.transcript_no, x.number, x.paragraph, cue_time(x.cues, x.start))
        head = [f'{words["participant"]} <bdi>{known[x.code]}</bdi>']
        head += [f"<bdi>{known[label]}</bdi>" for label in x.choice_values if label]
        if x.consent_scope == ConsentScope.QUOTE_NAMED and x.organisation:
            head.append(f"<bdi>{known[x.organisation]}</bdi>")
        head.append(f"<bdi>{known[x.title]}</bdi>")
        if x.interview_date:
            head.append(date(x.interview_date))
        coded_on = date(x.created_at.astimezone(tz).date())  # timezone.localdate, without its checks
        head.append(f'{words["coded_by"]} <bdi>{known[x.coder]}</bdi>, {coded_on}')
        badges = "".join([badge[theme] for theme in x.themes])
        if x.consent_scope == ConsentScope.INTERVIEW_ONLY:
            badges += f'<span class="badge text-bg-warning">{words["not_quoted"]}</span>'
        if x.needs_review:
            badges += f'<span class="badge text-bg-danger">{words["review"]}</span>'
        parts.append(
            f'<li class="card mb-2" id="excerpt-{x.pk}"><div class="card-body py-2" data-context-root>'
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


def page_heading(page):
    """A page's heading, "Excerpts 51–100": on the whole page, and in its pager for
    excerpt_browser.js to show when a page link brings the page in place."""
    return _("Excerpts %(first)s–%(last)s") % {"first": page.start_index, "last": page.end_index}


def pager_html(page, query):
    """The pager after a page's cards (reports.paging.KeysetPage `page`; `query` the page's
    other parameters, URL-encoded): Previous, the page number, Next and "N more" (the next
    cards, fetched and appended by excerpt_browser.js in the pager's place; the page links'
    pages it fetches and shows in place of the list's). "" when there is no other page."""
    if not (page.has_next() or page.has_previous()):
        return ""
    start = f"?{escape(query)}&amp;" if query else "?"
    items = []
    if page.has_previous():
        previous = page.previous_page_number()
        items.append(f'<li class="page-item"><a class="page-link" href="{start}page={previous}" rel="prev">'
                     f'{escape(_("Previous"))}</a></li>')
    number = escape(_("Page %(number)s") % {"number": page.number})
    items.append(f'<li class="page-item disabled"><span class="page-link">{number}</span></li>')
    if page.has_next():
        following = escape(page.next_query())
        more = escape(_("%(n)s more") % {"n": page.per_page})
        items.append(f'<li class="page-item"><a class="page-link" href="{start}{following}" rel="next">'
                     f'{escape(_("Next"))}</a></li>')
        items.append(f'<li class="page-item"><button type="button" class="page-link" '
                     f'data-more="{start}{following}&amp;fragment=1">{more}</button></li>')
    heading = escape(page_heading(page))  # shown by excerpt_browser.js when a page link brings this page
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<li class="d-print-none list-unstyled" data-pager data-heading="{heading}">'
        f'<nav aria-label="{escape(_("Pages"))}"><ul class="pagination pagination-sm">{"".join(items)}'
        f'</ul></nav></li>')


class KeyedEscape(dict):
    """escape(value), worked out once per distinct value (a report's few coders)."""

    def __missing__(self, value):
        self[value] = escape(value)
        return self[value]


class KeyedBadge(dict):
    """A theme's badge, from its (name, colour), made once per theme."""

    def __missing__(self, theme):
        name, colour = theme
        self[theme] = (f'<span class="badge theme-badge" style="--c: {escape(colour)}">'
                       f'<bdi>{escape(name)}</bdi></span>')
        return self[theme]


def quote_blocks(study, rows, *, group_by="participant", tree=None, language=None, memos=False,
                 can_comment=False, can_code=False):
    """A theme report's quotes as HTML, group by group (participant, or theme with `tree`): a
    generator of strings, one per quote (a group's heading goes with its first quote), so that
    a printable report of 20,000 quotes streams. Each quote carries its citation (in
    `language`, else the page's), reference, coder, coding date, its other themes and a link to
    it on the coding page; with `memos`, its own memo and its linked memos (`report_memos`);
    links to comment on it (`can_comment`) and to write a memo (`can_code`). User text sits in
    <bdi>, so that a right-to-left name does not reorder what follows it."""
    words = {
        "in_context": escape(_("in the transcript")), "coded_by": escape(_("coded by")),
        "also": escape(_("also coded")), "context": escape(_("Show context")),
        "reference": escape(_("Quote reference: transcript number, excerpt number, paragraph")),
        "comment": escape(_("Comment")), "memo": escape(_("Write a memo")),
    }
    coding = reverse("coding:transcript-coding", args=[study.slug, 0])[:-2]
    comment = reverse("memos:comment-create", args=[study.slug]) + "?excerpt="
    write_memo = reverse("memos:memo-create", args=[study.slug]) + "?excerpt="
    context = reverse("reports:excerpt-context", args=[study.slug, 0])[: -len("0/context/")]
    # What repeats from quote to quote (coders, dates, citations, theme names) is escaped or
    # formatted once.
    tz = timezone.get_current_timezone()
    dates, cites, names, group, first = {}, {}, {}, None, True
    coders = KeyedEscape()
    by_theme = group_by == "theme"
    also = f' · {words["also"] if by_theme else ""} '

    def date(value):  # the day it was coded, in the study's time zone
        day = value.astimezone(tz).date()
        if day not in dates:
            dates[day] = escape(formats.date_format(day))
        return dates[day]

    def cite(code, interview_date):  # one participant's interview is cited the same way each time
        if (code, interview_date) not in cites:
            cites[code, interview_date] = escape(citation(code, interview_date, language))
        return cites[code, interview_date]

    def theme_name(pk, name):
        if pk not in names:
            names[pk] = f"<bdi>{escape(name)}</bdi>"
        return names[pk]

    for x in rows:
        key = x.group_theme if by_theme else x.participant_id
        head = ""
        if key != group:
            head = "" if first else "</article>"
            title = tree.by_id[key].name if by_theme else participant_heading(x)
            head += (f'<article class="mb-3" aria-label="{escape(title)}">'
                     f'<h3 class="h6 border-bottom pb-1"><bdi>{escape(title)}</bdi></h3>')
            group, first = key, False
        shown = x.group_theme if by_theme else None
        others = ", ".join([theme_name(pk, name) for pk, name in x.themes if pk != shown])
        notes = ""
        if memos:
            if x.memo:
                notes += f'<p class="small fst-italic mb-0 excerpt-memo">{escape(x.memo)}</p>'
            notes += "".join(
                f'<div class="small excerpt-memo"><a href="{escape(m.get_absolute_url())}"><bdi>'
                f'{escape(m.title)}</bdi></a>: {m.body_html}</div>' for m in x.report_memos)
        pk, actions = x.pk, ""
        if can_comment:
            actions += f' · <a class="d-print-none" href="{comment}{pk}">{words["comment"]}</a>'
        if can_code:
            actions += f' · <a class="d-print-none" href="{write_memo}{pk}">{words["memo"]}</a>'
        yield (
            f'{head}<blockquote class="mb-2 ps-3 border-start border-3 quote" id="quote-{pk}" '
            f'data-context-root>'
            f'<p class="mb-0 excerpt-text" style="white-space: pre-wrap">'
            f'<span class="text-body-secondary" data-before></span>«{escape(x.quote)}»'
            f'<span class="text-body-secondary" data-after></span> '
            f'<cite class="fst-normal">{cite(x.code, x.interview_date)}</cite></p>'
            f'<footer class="small text-body-secondary">'
            f'<strong class="quote-ref" title="{words["reference"]}">'
            f'{escape(x.reference)}</strong> · {words["coded_by"]} <bdi>{coders[x.coder]}</bdi>, '
            f'{date(x.created_at)}{also + others if others else ""}'
            f' · <button type="button" class="btn btn-link btn-sm p-0 align-baseline d-print-none" '
            f'data-context="{context}{pk}/context/">{words["context"]}</button>'
            f' · <a class="d-print-none" href="{coding}{x.transcript_id}/#x{pk}">'
            f'{words["in_context"]}</a>{actions}</footer>{notes}</blockquote>'
        )
    if not first:
        yield "</article>"
