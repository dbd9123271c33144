"""A job's page in real Chromium: the progress bar and the status line follow the worker's
reports live (static/js/job_progress.js polls the JSON status), and when the job ends the page
shows its result, under the Content-Security-Policy without errors."""

import pytest
from playwright.sync_api import expect

from jobs import progress as live
from jobs.services import job_start
from tests.jobs_tasks import make_themes_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_follows_the_job_until_it_ends(login_page, live_server, alice, study, run_jobs):
    job, _ = job_start(study=study, user=alice, kind="test", title="Make themes", task=make_themes_task,
                       key="k", params={"count": 3})
    page = login_page(alice)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + job.get_absolute_url())
    status = page.get_by_role("status")
    expect(status).to_contain_text("Queued")
    bar = page.get_by_label("Progress")
    assert page.evaluate("document.getElementById('job-progress').hasAttribute('value')") is False

    live.live_set(job.pk, 2, 5, "Importing the transcripts")  # what a worker reports
    expect(status).to_contain_text("2 / 5")
    expect(status).to_contain_text("Importing the transcripts")
    expect(bar).to_have_attribute("max", "5")
    assert page.evaluate("document.getElementById('job-progress').value") == 2

    run_jobs()  # the job runs and ends; the page notices and reloads with its result
    expect(status).to_contain_text("Succeeded", timeout=10000)
    expect(page.get_by_role("listitem").filter(has_text="3 themes")).to_be_visible()
    assert page.evaluate("document.getElementById('job-progress').value") == 3
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    assert errors == []
