"""Auto-coding many search hits as a background job (jobs app). The task wraps the service the
search page calls for a few hits; it codes exactly the hits the researcher saw, or refuses if
the text changed meanwhile, in one transaction that a cancellation rolls back."""

import hashlib
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from coding.models import Theme
from coding.services import excerpts_auto_code
from jobs.services import JobError, job_start, run_job
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
    with transaction.atomic():
        try:
            run = excerpts_auto_code(query=params["q"], theme=theme, scope=params["scope"],
                                     hits=[(h.transcript, h.start, h.end) for h in hits],
                                     coder=job.started_by, speaker=params["speaker"])
        except ValidationError as exc:
            raise JobError(" ".join(exc.messages)) from exc
        progress(1, 1, _("Saving"))  # cancelled now: the coding rolls back with the transaction
    created = run.excerpts.count()
    message = _("Coded %(created)s excerpts with «%(theme)s»; %(skipped)s already had it.") % {
        "created": created, "theme": theme.name, "skipped": run.skipped_count}
    url = reverse("reports:search", args=[job.study.slug])
    url += "?" + urlencode({"q": params["q"], "run": run.pk})
    return {"lines": [message], "run": run.pk}, url, message


@task()
def auto_code_task(job_id):
    return run_job(job_id, _auto_code)
