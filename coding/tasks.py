"""Codebook work on many codings as background jobs (jobs app): a theme merge, a split, and the
undo of a delete or merge. Each task wraps the service the page calls for a small theme; run_job
makes it one transaction, whose last step is a cancellation check, so a failed or cancelled job
leaves nothing."""

import hashlib

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from coding.models import CodedExcerpt, DeletedTheme, Theme
from coding.services import theme_merge, theme_restore, theme_split
from jobs.services import JobError, job_start, run_job


def _codebook_url(study, theme_pk=None, **query):
    url = reverse("coding:codebook", args=[study.slug])
    url += "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return url + (f"#theme-{theme_pk}" if theme_pk else "")


def _refused(exc):
    return JobError(" ".join(exc.messages))


def theme_merge_job_start(*, source, target, user, codings):
    return job_start(
        study=source.study, user=user, kind="theme_merge", task=theme_merge_task,
        key=f"theme-merge:{source.pk}", params={"source": source.pk, "target": target.pk},
        title=_("Merge «%(source)s» into «%(target)s» (%(n)s codings)")
        % {"source": source.name, "target": target.name, "n": codings},
    )


def _theme_merge(job, progress):
    themes = Theme.objects.filter(study=job.study).in_bulk([job.params["source"], job.params["target"]])
    source, target = themes.get(job.params["source"]), themes.get(job.params["target"])
    if source is None or target is None:
        raise JobError(_("One of the two themes was deleted meanwhile; nothing was merged."))
    progress(0, 1, _("Moving the codings"))
    try:
        deleted = theme_merge(source=source, target=target, user=job.started_by)
    except ValidationError as exc:
        raise _refused(exc) from exc
    progress(1, 1, _("Saving"))  # cancelled now: the merge rolls back with the job's transaction
    message = _("«%(source)s» merged into «%(target)s».") % {"source": deleted.name, "target": target.name}
    return {"lines": [message], "deleted_theme": deleted.pk}, \
        _codebook_url(job.study, target.pk, undo=deleted.pk), message


@task()
def theme_merge_task(job_id):
    return run_job(job_id, _theme_merge)


def theme_restore_job_start(*, deleted, user):
    return job_start(
        study=deleted.study, user=user, kind="theme_restore", task=theme_restore_task,
        key=f"theme-restore:{deleted.pk}", params={"deleted": deleted.pk},
        title=_("Restore the theme «%(name)s»") % {"name": deleted.name},
    )


def _theme_restore(job, progress):
    deleted = DeletedTheme.objects.filter(study=job.study, pk=job.params["deleted"]).first()
    if deleted is None:
        raise JobError(_("This theme was restored or purged meanwhile."))
    progress(0, 1, _("Restoring the codings"))
    try:
        theme, problems = theme_restore(deleted=deleted)
    except ValidationError as exc:
        raise _refused(exc) from exc
    progress(1, 1, _("Saving"))
    message = _("Theme «%(name)s» restored.") % {"name": theme.name}
    return {"lines": [message, *map(str, problems)]}, _codebook_url(job.study, theme.pk), message


@task()
def theme_restore_task(job_id):
    return run_job(job_id, _theme_restore)


def theme_split_job_start(*, theme, excerpts, name, colour, as_child, user):
    ids = sorted(e.pk for e in excerpts)
    digest = hashlib.sha256(f"{name}:{ids}".encode()).hexdigest()[:32]
    return job_start(
        study=theme.study, user=user, kind="theme_split", task=theme_split_task,
        key=f"theme-split:{theme.pk}:{digest}",
        params={"theme": theme.pk, "excerpts": ids, "name": name, "colour": colour, "as_child": as_child},
        title=_("Move %(n)s excerpts from «%(theme)s» to «%(new)s»")
        % {"n": len(ids), "theme": theme.name, "new": name},
    )


def _theme_split(job, progress):
    params = job.params
    theme = Theme.objects.filter(study=job.study, pk=params["theme"]).first()
    if theme is None:
        raise JobError(_("The theme was deleted meanwhile; nothing was split."))
    excerpts = list(CodedExcerpt.objects.filter(study=job.study, pk__in=params["excerpts"]))
    if len(excerpts) != len(params["excerpts"]):
        raise JobError(_("Some of the chosen excerpts were deleted meanwhile; nothing was split."))
    progress(0, 1, _("Moving the codings"))
    try:
        new = theme_split(theme=theme, excerpts=excerpts, name=params["name"], colour=params["colour"],
                          as_child=params["as_child"])
    except ValidationError as exc:
        raise _refused(exc) from exc
    progress(1, 1, _("Saving"))
    message = _("%(n)s excerpts moved from «%(theme)s» to the new theme «%(new)s».") % {
        "n": len(excerpts), "theme": theme.name, "new": new.name}
    return {"lines": [message]}, _codebook_url(job.study, new.pk, split=new.pk, **{"from": theme.pk}), message


@task()
def theme_split_task(job_id):
    return run_job(job_id, _theme_split)
