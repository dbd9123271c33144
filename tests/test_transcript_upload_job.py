"""A large transcript upload (interviews:transcript-upload) runs as a background job
(interviews/tasks.py) above settings.JOBS_INLINE_LIMITS: each row is still checked in the
request (refusals named there), the good rows are imported by a worker in one transaction, with
progress over the files, links to what it made, and the same refusals and warnings as the page."""

import pytest
from django.urls import reverse

from interviews.models import Participant, Transcript, TranscriptSource, TranscriptVersion
from jobs import progress as live
from jobs.models import Job
from jobs.services import job_cancel, job_retry
from tests.conftest import client_for
from tests.test_transcript_upload import URL, counts, rows, upload


@pytest.fixture(autouse=True)
def small_limits(settings):
    """Over two files is a job here (ten by default)."""
    settings.JOBS_INLINE_LIMITS = settings.JOBS_INLINE_LIMITS | {"upload_files": 2}


def files(participant, n=3, prefix="d"):
    return [{"file": upload(f"{prefix}{i}.txt", f"D: turn {prefix} {i}".encode()),
             "participant": participant.pk} for i in range(n)]


def test_a_small_upload_stays_in_the_request(alice, participant):
    response = client_for(alice).post(URL, rows(*files(participant, 2)))
    assert response.status_code == 302 and not Job.objects.exists()
    assert Transcript.objects.count() == 2


def test_many_files_become_a_job_that_imports_them_with_progress(alice, participant, run_jobs,
                                                                   progress_reports):
    response = client_for(alice).post(URL, rows(*files(participant), {}))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.status, job.study, job.params["files"]) == ("transcript_upload", "queued",
                                                                      participant.study, 3)
    assert Transcript.objects.count() == 0  # nothing until a worker runs it
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.message == "Imported 3 transcripts."
    assert (job.done, job.total) == (3, 3)
    assert [r for r in progress_reports if r[1] == 3] == [
        (0, 3, "Importing d0.txt"), (1, 3, "Importing d1.txt"), (2, 3, "Importing d2.txt"), (3, 3, "Saving")]
    made = list(Transcript.objects.order_by("title"))
    assert [t.title for t in made] == ["d0", "d1", "d2"] and {t.created_by for t in made} == {alice}
    assert counts() == (1, 3, 3, 3)
    assert job.result_url == reverse("transcripts:transcript-list", args=["pasto"])
    page = client_for(alice).get(job.get_absolute_url()).content.decode()
    for transcript in made:
        assert reverse("coding:transcript-coding", args=["pasto", transcript.pk]) in page
    assert not job.upload  # the bundle is removed once imported


def test_refused_rows_are_named_on_the_page_and_the_good_ones_queued(alice, participant, run_jobs):
    bad = [{"file": upload("empty.txt", b""), "participant": participant.pk},
           {"file": upload("latin.txt", b"caf\xe9 \x81"), "participant": participant.pk}]
    response = client_for(alice).post(URL, rows(*files(participant), *bad))
    assert response.status_code == 400
    body = response.content.decode()
    assert "empty.txt: the file is empty." in body
    assert "latin.txt: the text is neither UTF-8 nor Windows-1252" in body
    job = Job.objects.get()
    assert job.params["files"] == 3 and job.get_absolute_url() in body
    assert "3 files are being imported in the background." in body
    assert response.context["formset"].total_form_count() >= 2  # the refused rows, to try again
    run_jobs()
    assert sorted(Transcript.objects.values_list("title", flat=True)) == ["d0", "d1", "d2"]


def test_the_job_refuses_a_file_already_imported_and_warns_of_a_repeated_text(alice, participant, run_jobs):
    client = client_for(alice)
    client.post(URL, rows({"file": upload("old.txt", b"D: turn d 0"), "participant": participant.pk},
                          {"file": upload("same.txt", b"D: turn d 1"), "participant": participant.pk}))
    assert Transcript.objects.count() == 2 and not Job.objects.exists()
    again = [{"file": upload("copy.txt", b"D: turn d 0"), "participant": participant.pk},  # same bytes
             {"file": upload("d1.docx.txt", b"D: turn d 1\n"), "participant": participant.pk},  # same text
             {"file": upload("new.txt", b"D: new"), "participant": participant.pk}]
    client.post(URL, rows(*again))
    run_jobs()
    job = Job.objects.get()
    assert job.status == "succeeded" and job.message == "Imported 2 transcripts."
    assert job.result["refused"] == ["copy.txt: this file was already imported for participant D, as “old”."]
    assert "the same text was already imported for participant D" in job.result["warnings"][0]
    page = client.get(job.get_absolute_url()).content.decode()
    assert "already imported for participant D" in page and "Not imported:" in page
    assert Transcript.objects.count() == 4


def test_an_owner_creates_a_new_participant_once_for_several_files_of_a_job(adam, study, run_jobs):
    new = {"new_code": "N1", "new_sector": "ngo", "new_gender": "female"}
    client_for(adam).post(URL, rows(*({"file": upload(f"n{i}.txt", f"D: {i}".encode()), **new}
                                      for i in range(3))))
    run_jobs()
    assert Participant.objects.filter(study=study, code="N1").count() == 1
    assert Transcript.objects.filter(participant__code="N1").count() == 3


def test_the_same_upload_sent_twice_while_queued_is_one_job(alice, participant):
    client = client_for(alice)
    first = client.post(URL, rows(*files(participant)))
    second = client.post(URL, rows(*files(participant)))
    assert Job.objects.count() == 1 and first["Location"] == second["Location"]


def test_a_job_that_fails_midway_leaves_nothing_and_its_retry_imports_each_file_once(
        adam, study, run_jobs, monkeypatch):
    from interviews import tasks

    new = {"new_code": "N9", "new_sector": "ngo", "new_gender": "female"}
    client_for(adam).post(URL, rows(*({"file": upload(f"n{i}.txt", f"D: {i}".encode()), **new}
                                      for i in range(3))))
    real, calls = tasks.transcript_import, []

    def crash_on_third(**kwargs):
        calls.append(kwargs["parsed"].name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "transcript_import", crash_on_third)
    run_jobs()
    job = Job.objects.get()
    assert job.status == "failed" and "Nothing was saved" in job.error
    assert counts() == (0, 0, 0, 0)  # not even the participant the first file made
    assert job.upload  # kept for the retry
    monkeypatch.setattr(tasks, "transcript_import", real)
    job_retry(job)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2
    assert counts() == (1, 3, 3, 3)
    assert TranscriptSource.objects.count() == TranscriptVersion.objects.count() == 3


def test_a_job_cancelled_at_its_end_rolls_back(alice, participant, run_jobs, monkeypatch):
    client_for(alice).post(URL, rows(*files(participant)))
    real = live.live_set

    def cancel_on_the_last_file(job_id, done, total, message):
        real(job_id, done, total, message)
        if str(message) == "Importing d2.txt":
            live.cancel_request(job_id)  # arrives while the last file is imported

    monkeypatch.setattr(live, "live_set", cancel_on_the_last_file)
    run_jobs()
    job = Job.objects.get()
    assert job.status == "cancelled"
    assert Transcript.objects.count() == 0 and TranscriptSource.objects.count() == 0


def test_a_job_cancelled_before_it_runs_imports_nothing(alice, participant, run_jobs):
    client_for(alice).post(URL, rows(*files(participant)))
    job_cancel(Job.objects.get())
    run_jobs()
    assert Transcript.objects.count() == 0


def test_a_reviewer_cannot_start_one(rita, participant):
    assert client_for(rita).post(URL, rows(*files(participant))).status_code == 403
    assert not Job.objects.exists()
