"""Long work becomes a background job above a size (settings.JOBS_INLINE_LIMITS, set to 0 here
so a small case takes the job's path): a .qdpx import, a theme merge and its undo, and
auto-coding. The page redirects to the job, a worker runs it, and the result is the same as in
the request; a cancelled or failed job leaves nothing."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from audit.models import Change
from coding.models import AutoCodingRun, CodedExcerpt, DeletedTheme, Theme
from interviews.models import Transcript
from jobs import progress as live
from jobs.models import Job
from jobs.services import job_cancel
from studies.models import Study
from tests.conftest import client_for
from tests.test_qdpx_views import creator, upload  # noqa: F401 (creator is a fixture)
from tests.test_theme_merge import book  # noqa: F401 (a fixture)
from tests.test_theme_report_exports import data  # noqa: F401 (a fixture)


@pytest.fixture(autouse=True)
def everything_is_a_job(settings):
    settings.JOBS_INLINE_LIMITS = dict.fromkeys(settings.JOBS_INLINE_LIMITS, 0)


IMPORT = reverse("exchange-import:study-import")


def post_merge(client, themes):
    return client.post(reverse("coding:theme-merge", args=["pasto", themes["source"].pk]),
                       {"target": themes["youth"].pk})


def followed_job(response):
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    return job


# ----- .qdpx import: a site-level job, its starter's -----

def test_a_large_import_runs_as_a_job_and_reports_on_its_page(creator, run_jobs):  # noqa: F811
    client = client_for(creator)
    job = followed_job(client.post(IMPORT, {"file": upload(), "name": "Moved"}))
    assert (job.study, job.kind, job.status, job.started_by) == (None, "qdpx_import", "queued", creator)
    assert job.upload and Study.objects.filter(name="Moved").count() == 0
    run_jobs()
    job.refresh_from_db()
    new = Study.objects.get(name="Moved")
    assert job.status == "succeeded" and job.result["study"] == new.slug
    assert job.result_url == reverse("transcripts:transcript-list", args=[new.slug])
    assert not job.upload  # the upload is removed once imported
    assert new.memberships.get().user == creator and Transcript.objects.filter(study=new).count() == 1
    body = client.get(job.get_absolute_url()).content.decode()
    assert "New study: Moved" in body and job.result_url in body


def test_the_same_file_twice_while_queued_is_one_import(creator, run_jobs):  # noqa: F811
    client = client_for(creator)
    body = upload().read()  # one file: a zip built twice differs in its entries' timestamps
    for _ in range(2):
        client.post(IMPORT, {"file": SimpleUploadedFile("other-tool.qdpx", body), "name": "Moved"})
    assert Job.objects.count() == 1
    run_jobs()
    assert Study.objects.filter(name="Moved").count() == 1


def test_a_bad_file_fails_the_job_with_the_reason_and_imports_nothing(creator, run_jobs):  # noqa: F811
    client = client_for(creator)
    job = followed_job(client.post(IMPORT,
                                   {"file": upload(body="<broken"), "name": "Moved"}))
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and "Nothing was imported." in job.error
    assert not Study.objects.filter(name="Moved").exists()


def test_an_import_cancelled_while_it_writes_leaves_no_study(creator, run_jobs, monkeypatch):  # noqa: F811
    job = followed_job(client_for(creator).post(IMPORT,
                                                {"file": upload(), "name": "Moved"}))
    real = live.live_set

    def cancel_while_importing(job_id, done, total, message):
        real(job_id, done, total, message)
        if str(message) == "Importing the transcripts":
            live.cancel_request(job_id)

    monkeypatch.setattr(live, "live_set", cancel_while_importing)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "cancelled" and not Study.objects.filter(name="Moved").exists()


def test_another_user_cannot_see_an_import_job(creator, adam, run_jobs):  # noqa: F811
    job = followed_job(client_for(creator).post(IMPORT, {"file": upload()}))
    assert client_for(adam).get(job.get_absolute_url()).status_code == 404


# ----- .qdpx export: the file waits on the job's page, for its starter -----

def test_an_export_prepared_as_a_job_is_downloaded_from_its_page(alice, bob, transcript, run_jobs):
    client = client_for(alice)
    job = followed_job(client.post(reverse("exchange:study-export-job", args=["pasto"])))
    client.post(reverse("exchange:study-export-job", args=["pasto"]))  # a second click: the same job
    assert Job.objects.count() == 1
    run_jobs()
    job.refresh_from_db()
    download = reverse("jobs:job-download", args=["pasto", job.pk])
    assert job.status == "succeeded" and job.result_url == download
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="pasto-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "project.qde" in archive.namelist()
    assert "Interview D" in archive.read("project.qde").decode()
    assert client_for(bob).get(download).status_code == 403  # another researcher: not theirs


# ----- a large theme report's export -----

def test_a_large_report_offers_its_export_as_a_job(rita, alice, data, run_jobs):  # noqa: F811
    report = reverse("reports:theme-report", args=["pasto", data["plan"].pk])
    body = client_for(rita).get(report).content.decode()
    assert "Prepare in the background" in body
    export_job = reverse("reports:theme-report-export-job", args=["pasto", data["plan"].pk])
    job = followed_job(client_for(rita).post(export_job + "?subthemes=0", {"format": "csv"}))
    assert job.params == {"theme": data["plan"].pk, "format": "csv", "subthemes": False,
                          "participant": None, "report_language": "", "layer": "coders", "memos": False,
                          "language": "en"}
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded"
    response = client_for(rita).get(job.result_url)
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    direct = client_for(rita).get(reverse("reports:theme-report-csv", args=["pasto", data["plan"].pk]),
                                  {"subthemes": "0"}).content.decode("utf-8-sig")
    assert content == direct and "Plans are not enough" in content
    assert "Secret planning words" not in content  # consent rules as in the request
    assert client_for(alice).get(job.result_url).status_code == 403


def test_a_report_export_job_writes_the_same_metadata_and_header_as_a_direct_export(rita, data, run_jobs):  # noqa: F811
    """The background export passes the builders their `meta` too (issue 16 merged with 17b):
    the exporting user as author, and the report header's table first."""
    export_job = reverse("reports:theme-report-export-job", args=["pasto", data["plan"].pk])
    job = followed_job(client_for(rita).post(export_job, {"format": "docx"}))
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded"
    content = b"".join(client_for(rita).get(job.result_url).streaming_content)
    doc = Document(io.BytesIO(content))
    assert doc.core_properties.author == "rita" and doc.core_properties.title == "Pasto test study"
    header = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert header["Made by"] == "rita" and header["Coder layer"] == "every coder's excerpts"


def test_a_report_export_job_needs_a_format(rita, data):  # noqa: F811
    export_job = reverse("reports:theme-report-export-job", args=["pasto", data["plan"].pk])
    assert client_for(rita).post(export_job, {"format": "exe"}).status_code == 400
    assert not Job.objects.exists()


# ----- theme merge and its undo -----

def test_a_large_merge_runs_as_a_job_with_the_same_result(alice, book, run_jobs):  # noqa: F811
    client = client_for(alice)
    job = followed_job(post_merge(client, book))
    assert Theme.objects.filter(pk=book["source"].pk).exists()  # nothing yet
    run_jobs()
    job.refresh_from_db()
    deleted = DeletedTheme.objects.get()
    assert job.status == "succeeded" and "«Young people» merged into «Youth»." in job.message
    assert job.result_url == reverse("coding:codebook", args=["pasto"]) + \
        f"?undo={deleted.pk}#theme-{book['youth'].pk}"
    assert not Theme.objects.filter(pk=book["source"].pk).exists()
    assert CodedExcerpt.themes.through.objects.filter(theme=book["youth"]).count() == 3
    # the history credits the merge to whoever started the job
    merge = Change.objects.filter(model="coding.theme", object_id=str(book["source"].pk)).latest("pk")
    assert merge.user == alice


def test_a_merge_cancelled_before_it_runs_changes_nothing(alice, book, run_jobs):  # noqa: F811
    job = followed_job(post_merge(client_for(alice), book))
    job_cancel(job)
    run_jobs()
    assert Theme.objects.filter(pk=book["source"].pk).exists() and not DeletedTheme.objects.exists()


def test_a_merge_cancelled_at_its_end_rolls_back(alice, book, run_jobs, monkeypatch):  # noqa: F811
    job = followed_job(post_merge(client_for(alice), book))
    real = live.live_set

    def cancel_once_merged(job_id, done, total, message):
        real(job_id, done, total, message)
        if str(message) == "Moving the codings":
            live.cancel_request(job_id)  # arrives while the merge runs

    monkeypatch.setattr(live, "live_set", cancel_once_merged)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert Theme.objects.filter(pk=book["source"].pk).exists() and not DeletedTheme.objects.exists()
    assert CodedExcerpt.themes.through.objects.filter(theme=book["source"]).count() == 3


def test_a_merge_refused_by_the_service_fails_with_its_message(alice, book, run_jobs):  # noqa: F811
    job = followed_job(post_merge(client_for(alice), book))
    Theme.objects.create(study=book["youth"].study, name="Rural", parent=book["youth"])  # a clash, since
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and "«Rural»" in job.error
    assert Theme.objects.filter(pk=book["source"].pk).exists()


def test_undoing_a_large_merge_runs_as_a_job(alice, book, run_jobs):  # noqa: F811
    client = client_for(alice)
    post_merge(client, book)
    run_jobs()
    deleted = DeletedTheme.objects.get()
    response = client.post(reverse("coding:theme-restore", args=["pasto", deleted.pk]))
    job = Job.objects.get(kind="theme_restore")
    assert response["Location"] == job.get_absolute_url()
    run_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded" and "restored" in job.message
    assert CodedExcerpt.themes.through.objects.filter(theme_id=book["source"].pk).count() == 3


def test_a_large_split_runs_as_a_job(alice, book, run_jobs):  # noqa: F811
    client = client_for(alice)
    chosen = [book["e1"].pk, book["e3"].pk]
    job = followed_job(client.post(reverse("coding:theme-split", args=["pasto", book["source"].pk]), {
        "name": "Rural youth", "colour": "#123456", "excerpts": chosen}))
    assert not Theme.objects.filter(name="Rural youth").exists()
    run_jobs()
    job.refresh_from_db()
    new = Theme.objects.get(name="Rural youth")
    assert job.status == "succeeded" and "2 excerpts moved" in job.message
    assert set(CodedExcerpt.objects.filter(themes=new).values_list("pk", flat=True)) == set(chosen)
    left = CodedExcerpt.objects.filter(themes=book["source"]).values_list("pk", flat=True)
    assert list(left) == [book["e2"].pk]


def test_a_split_whose_excerpt_went_meanwhile_fails_and_changes_nothing(alice, book, run_jobs):  # noqa: F811
    split = reverse("coding:theme-split", args=["pasto", book["source"].pk])
    job = followed_job(client_for(alice).post(split, {
        "name": "Rural youth", "colour": "#123456", "excerpts": [book["e1"].pk, book["e3"].pk]}))
    CodedExcerpt.objects.filter(pk=book["e3"].pk).delete()
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and "deleted meanwhile" in job.error
    assert not Theme.objects.filter(name="Rural youth").exists()


# ----- auto-coding -----

TEXT = "Primero. La migración forzada es un reto. Y otra migración aquí.\n\nSegundo: migracion sin tilde."


@pytest.fixture
def spanish(study, participant):
    return Transcript.objects.create(study=study, participant=participant, title="Entrevista D", text=TEXT)


def test_auto_coding_many_hits_runs_as_a_job(alice, spanish, themes, run_jobs):
    job = followed_job(client_for(alice).post(reverse("reports:auto-code", args=["pasto"]), {
        "q": "migracion", "theme": themes["youth"].pk, "scope": "match", "all": "on"}))
    assert job.params["hits"] and not CodedExcerpt.objects.exists()
    run_jobs()
    job.refresh_from_db()
    run = AutoCodingRun.objects.get()
    assert job.status == "succeeded" and job.result["run"] == run.pk
    quotes = sorted(CodedExcerpt.objects.values_list("quote", flat=True))
    assert quotes == ["migracion", "migración", "migración"]
    assert all(e.quote == TEXT[e.start:e.end] and e.coder == alice for e in CodedExcerpt.objects.all())


def test_auto_coding_refuses_if_the_text_changed_before_it_ran(alice, spanish, themes, run_jobs):
    job = followed_job(client_for(alice).post(reverse("reports:auto-code", args=["pasto"]), {
        "q": "migracion", "theme": themes["youth"].pk, "scope": "match", "all": "on"}))
    Transcript.objects.filter(pk=spanish.pk).update(text="Otro texto. " + TEXT)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and "no longer hits" in job.error
    assert not CodedExcerpt.objects.exists() and not AutoCodingRun.objects.exists()
