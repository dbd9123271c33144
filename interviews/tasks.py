"""A large transcript upload as a background job (jobs app). The upload page checks every row
in the request (sizes, encodings, formats: each refusal named there), then hands the good rows,
already parsed, to this job as one bundle: a zip holding each row's details, its normalised text
and its original bytes. The job imports them through the same service as the page
(transcript_import), in one transaction: cancelled or failed, it leaves nothing; a worker killed
mid-way rolled back with it, so a retry starts clean. The key is a hash of the bundle's rows, so
the same upload sent twice while the first runs is one job, and the same file imported again
for one participant is refused by transcript_import, whatever the job."""

import hashlib
import io
import json
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from interviews.importers import ParsedTranscript
from interviews.models import Participant
from interviews.services import duplicate_warning, transcript_import
from jobs.services import job_start, run_job


def _bundle(rows):
    """(zip bytes, manifest) of the upload's good rows (the forms' cleaned_data)."""
    manifest, out = [], io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, row in enumerate(rows):
            parsed = row["parsed"]
            archive.writestr(f"text/{i}", parsed.text.encode("utf-8"))
            archive.writestr(f"data/{i}", parsed.data)
            participant = row.get("participant")
            manifest.append({
                "name": parsed.name, "format": parsed.format, "encoding": parsed.encoding,
                "cues": parsed.cues, "turns": parsed.turns, "sha256": parsed.sha256, "title": row["title"],
                "participant": participant.pk if participant else None,
                "new_participant": row.get("new_participant"),
                "interview_date": row["interview_date"].isoformat() if row.get("interview_date") else None,
                "language": row.get("language") or "",
            })
        archive.writestr("manifest.json", json.dumps(manifest))
    return out.getvalue(), manifest


def transcript_upload_job_start(*, study, user, rows):
    """Queue the import of `rows` (the upload page's checked rows) into `study`."""
    data, manifest = _bundle(rows)
    n = len(manifest)
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()
    return job_start(
        study=study, user=user, kind="transcript_upload", task=transcript_upload_task,
        key=f"transcript-upload:{digest}", params={"files": n},
        upload=ContentFile(data, name="transcripts.zip"),
        title=ngettext("Import %(n)s transcript", "Import %(n)s transcripts", n) % {"n": n},
    )


def _rows(job):
    """The bundle's rows, each with its ParsedTranscript."""
    with job.upload.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for i, row in enumerate(manifest):
            row["parsed"] = ParsedTranscript(
                name=row["name"], format=row["format"], text=archive.read(f"text/{i}").decode("utf-8"),
                data=archive.read(f"data/{i}"), encoding=row["encoding"], cues=row["cues"],
                turns=row["turns"])
        return manifest


def _participant(study, row, created):
    new = row["new_participant"]
    if new:
        return created.get(new["code"]), new
    participant = Participant.objects.filter(study=study, pk=row["participant"]).first()
    if participant is None:
        raise ValidationError(_("%(name)s: its participant was deleted meanwhile.") % {"name": row["name"]},
                              code="participant_gone")
    return participant, None


def _transcript_upload(job, progress):
    study, rows = job.study, _rows(job)
    saved, refused, created = [], [], {}
    for done, row in enumerate(rows):
        progress(done, len(rows), _("Importing %(name)s") % {"name": row["name"]})
        try:
            participant, new = _participant(study, row, created)
            transcript = transcript_import(  # a savepoint: a refused file leaves nothing of itself
                study=study, parsed=row["parsed"], title=row["title"], user=job.started_by,
                participant=participant, new_participant=None if participant else new,
                interview_date=parse_date(row["interview_date"]) if row["interview_date"] else None,
                language=row["language"],
            )
        except ValidationError as exc:
            named = f"{row['name']}: "
            refused.extend(m if m.startswith(named) else named + m for m in exc.messages)
            continue
        saved.append(transcript)
        if new:
            created[new["code"]] = transcript.participant
    progress(len(rows), len(rows), _("Saving"))  # cancelled now: everything rolls back
    summary = ngettext("Imported %(count)d transcript.", "Imported %(count)d transcripts.",
                       len(saved)) % {"count": len(saved)}
    result = {
        "lines": [summary],
        "warnings": [str(w) for w in map(duplicate_warning, saved) if w],
        "refused": refused,
        "links": [{"title": f"{t.title} ({t.participant.code})",
                   "url": reverse("coding:transcript-coding", args=[study.slug, t.pk])} for t in saved],
    }
    return result, reverse("transcripts:transcript-list", args=[study.slug]), summary


@task()
def transcript_upload_task(job_id):
    return run_job(job_id, _transcript_upload)
