"""Identifying participant fields (full name, contact) never reach a page or export of the
browse-and-report views, for researchers or reviewers, whatever the consent scope."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.reports_study import code, interview, person

SECRETS = ("Secret Realname", "secret@example.org", "Other Realname", "other@example.org")


@pytest.fixture
def study(alice, participant, transcript, themes):
    code(transcript, "youth office", [themes["youth"]], alice)
    only = person("O", scope="interview_only", full_name="Other Realname", contact="other@example.org")
    code(interview(only, "The youth office again."), "youth office", [themes["youth"]], alice)
    return themes


def urls(themes):
    report = reverse("reports:theme-report", args=[themes["youth"].pk])
    return [
        reverse("reports:excerpt-browser"), reverse("reports:excerpt-export-csv"),
        reverse("reports:search") + "?q=youth", report, report + "?print=on",
        reverse("reports:theme-report-csv", args=[themes["youth"].pk]),
        reverse("reports:study-overview"), reverse("reports:theme-matrix"),
        reverse("reports:theme-cooccurrence"),
    ]


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_no_report_page_or_text_export_shows_identifying_fields(who, request, study):
    client = client_for(request.getfixturevalue(who))
    for url in urls(study):
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        body = content.decode("utf-8")
        for secret in SECRETS:
            assert secret not in body, (url, secret)


@pytest.mark.parametrize("name", ["docx", "xlsx"])
def test_binary_exports_hold_no_identifying_fields(rita, study, name):
    import io
    import zipfile

    response = client_for(rita).get(reverse(f"reports:theme-report-{name}", args=[study["youth"].pk]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    for secret in SECRETS:
        assert secret not in text
