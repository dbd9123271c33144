"""Agreement over a whole study as a background job (jobs app): the same computation as the
agreement page (team.reads.agreement_report), run by a worker, its table and methods paragraph
kept as the job's result. The agreement page shows that result (?job=<id>) and its CSV and XLSX
exports write it, so a large study's agreement is computed once, not on every view."""

import hashlib
import json

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from coding.models import Theme
from interviews.models import Transcript
from jobs.services import JobError, job_start, run_job
from team.reads import agreement_report, methods_paragraph, table


def agreement_job_start(*, study, user, coders, transcripts=None, themes=None, overlap=90):
    """Queue agreement of `coders` (the agreement form's cleaned values); the same question
    asked again while it runs is the same job."""
    params = {"coders": sorted(c.pk for c in coders), "transcripts": sorted(t.pk for t in transcripts or ()),
              "themes": sorted(t.pk for t in themes or ()), "overlap": overlap}
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:32]
    names = ", ".join(c.get_username() for c in coders)
    title = (_("Agreement of %(coders)s over the whole study") if not transcripts else ngettext(
        "Agreement of %(coders)s over %(n)s transcript", "Agreement of %(coders)s over %(n)s transcripts",
        len(params["transcripts"])))
    return job_start(study=study, user=user, kind="agreement", task=agreement_task, key=f"agreement:{digest}",
                     params=params, title=title % {"coders": names, "n": len(params["transcripts"])})


def _chosen(model, pks, **filters):
    found = list(model.objects.filter(pk__in=pks, **filters))
    if len(found) != len(pks):
        raise JobError(_("A coder, transcript or theme chosen was removed meanwhile; compute it again."))
    return found


def _agreement(job, progress):
    params = job.params
    coders = sorted(_chosen(get_user_model(), params["coders"], memberships__study=job.study),
                    key=lambda c: c.get_username())
    transcripts = _chosen(Transcript, params["transcripts"], study=job.study)
    themes = _chosen(Theme, params["themes"], study=job.study)
    report = agreement_report(job.study, coders, transcripts or None, themes or None, params["overlap"],
                              progress=progress)
    paragraph = methods_paragraph(report)
    result = {"table": table(report), "paragraph": paragraph, "lines": [paragraph], "pair": report.pair,
              "transcripts": report.transcripts, "characters": report.characters}
    url = reverse("team:agreement", args=[job.study.slug]) + f"?job={job.pk}"
    return result, url, ngettext("Agreement computed over %(n)s transcript.",
                                 "Agreement computed over %(n)s transcripts.", report.transcripts) % {
        "n": report.transcripts}


@task()
def agreement_task(job_id):
    return run_job(job_id, _agreement, atomic=False)  # it only reads
