"""Reports work as background jobs (jobs app): auto-coding many search hits, and a large theme
report's DOCX, XLSX or CSV export. The auto-coding task wraps the service the search page calls
for a few hits; it codes exactly the hits the researcher saw, or refuses if the text changed
meanwhile, in one transaction that a cancellation rolls back."""

import hashlib
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task

from coding.models import Theme, seen_layer
from coding.services import excerpts_auto_code
from interviews.models import Participant
from jobs.services import JobError, job_membership, job_start, run_job
from memos.models import Memo
from reports import exports
from reports.queries import excerpts_for_theme_report, quote_rows, report_language, theme_report
from reports.search import parse_query, search, transcripts_for_search


def auto_code_job_start(*, study, user, query, theme, scope, speaker, hits):
    keys = [hit.key for hit in hits]
    digest = hashlib.sha256("\n".join([query, speaker, *keys]).encode()).hexdigest()[:32]
    return job_start(
        study=study, user=user, kind="auto_code", task=auto_code_task,
        key=f"auto-code:{theme.pk}:{scope}:{digest}",
        params={"q": query, "theme": theme.pk, "scope": scope, "speaker": speaker, "hits": keys},
        title=_("Code %(n)s hits of «%(query)s» with «%(theme)s»")
        % {"n": len(keys), "query": query, "theme": theme.name},
    )


def _auto_code(job, progress):
    params = job.params
    theme = Theme.objects.filter(study=job.study, pk=params["theme"]).first()
    if theme is None:
        raise JobError(_("The theme was deleted meanwhile; nothing was coded."))
    progress(0, None, _("Searching"))
    terms = parse_query(params["q"])
    by_key = {hit.key: hit for hit in search(terms, transcripts_for_search(job.study, terms))}
    if any(key not in by_key for key in params["hits"]):
        raise JobError(_("Some of the hits are no longer hits of this search (the text changed). Nothing "
                         "was coded; search again."))
    hits = [by_key[key] for key in params["hits"]]
    progress(0, 1, _("Coding the hits"))
    try:
        run = excerpts_auto_code(query=params["q"], theme=theme, scope=params["scope"],
                                 hits=[(h.transcript, h.start, h.end) for h in hits],
                                 coder=job.started_by, speaker=params["speaker"])
    except ValidationError as exc:
        raise JobError(" ".join(exc.messages)) from exc
    progress(1, 1, _("Saving"))  # cancelled now: the coding rolls back with the job's transaction
    created = run.excerpts.count()
    message = _("Coded %(created)s excerpts with «%(theme)s»; %(skipped)s already had it.") % {
        "created": created, "theme": theme.name, "skipped": run.skipped_count}
    url = reverse("reports:search", args=[job.study.slug])
    url += "?" + urlencode({"q": params["q"], "run": run.pk})
    return {"lines": [message], "run": run.pk}, url, message


@task()
def auto_code_task(job_id):
    return run_job(job_id, _auto_code)


REPORT_FORMATS = {"docx": exports.theme_report_docx, "xlsx": exports.theme_report_xlsx,
                  "csv": exports.theme_report_csv}


def theme_report_export_job_start(*, study, theme, user, fmt, include_subthemes, participant, language="",
                                  layer="", memos=False):
    """Queue a theme report's export (one per user, theme, format and options at a time).
    `memos`: with the theme's memos and each quote's, those the starting user may see, as the
    direct export has them when asked."""
    options = {"subthemes": include_subthemes, "participant": participant.pk if participant else None,
               "report_language": language, "layer": layer, "memos": bool(memos)}
    return job_start(
        study=study, user=user, kind="report_export", task=theme_report_export_task,
        key=(f"report-export:{user.pk}:{theme.pk}:{fmt}:{int(include_subthemes)}:{options['participant']}"
             f":{language}:{layer}:{int(bool(memos))}"),
        params={"theme": theme.pk, "format": fmt, **options},
        title=_("Export the report on «%(theme)s» as %(format)s")
        % {"theme": theme.name, "format": fmt.upper()},
    )


def _theme_report_export(job, progress):
    params = job.params
    theme = Theme.objects.filter(study=job.study, pk=params["theme"]).first()
    if theme is None:
        raise JobError(_("The theme was deleted meanwhile; there is no report to export."))
    participant = None
    if params["participant"] is not None:
        participant = Participant.objects.filter(study=job.study, pk=params["participant"]).first()
        if participant is None:
            raise JobError(_("The participant was deleted meanwhile; there is no report to export."))
    progress(0, None, _("Writing the file"))
    # "report_language", not "language": job_start keeps the page's language (labels) under that
    language = report_language(job.study, params.get("report_language", ""))
    layer = params.get("layer") or None
    # Blind coding applies as the file is written: the member's own layer where blind.
    seen = seen_layer(job_membership(job), layer)
    report = theme_report(job.study, theme, include_subthemes=params["subthemes"], participant=participant,
                          layer=seen, language=language)
    report.language, report.layer = language, layer
    report.texts = theme.texts(language, job.study.language)
    rows = excerpts_for_theme_report(job.study, report.theme_ids, participant, layer=seen, tree=report.tree)
    # the memos the starter may see, read as the starter (a job queued before this option has none)
    memos = (list(Memo.objects.for_object_panel(job.study, job.started_by, themes=theme))
             if params.get("memos") else None)
    # their themes named as the report's tree names them (its language), 1,000 quotes at a time
    quotes = quote_rows(job.study, rows.iterator(chunk_size=1000), tree=report.tree,
                        memos_for=job.started_by if memos is not None else None)
    with translation.override(language):  # headings, labels and citations
        user = job.started_by.get_username()
        header = exports.report_header(job.study, report, user=user, group=_("participant"))
        meta = exports.Meta(title=job.study.name, author=user, created=timezone.now(), header=header)
        content = REPORT_FORMATS[params["format"]](report, quotes, meta, memos=memos)
    progress(1, 1, _("Saving the file"))
    name = f"theme-report-{slugify(theme.name) or theme.pk}.{params['format']}"
    job.result_file.save(f"{job.pk}-{name}", ContentFile(content), save=True)
    return {"filename": name}, reverse("jobs:job-download", args=[job.study.slug, job.pk])


@task()
def theme_report_export_task(job_id):
    return run_job(job_id, _theme_report_export, atomic=False)  # it writes a file only
