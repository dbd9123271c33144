"""Identifying participant fields (full name, contact) never reach a page or export of the
browse-and-report views, for researchers or reviewers, whatever the consent scope; and consent
is each study's own: a participant code that may be quoted in one study says nothing about the
same code in another."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.reports_study import code, interview, person, theme

SECRETS = ("Secret Realname", "secret@example.org", "Other Realname", "other@example.org",
           "Twin Realname", "twin@example.org")


@pytest.fixture
def data(alice, study, participant, transcript, themes):
    code(transcript, "youth office", [themes["youth"]], alice)
    only = person(study, "O", scope="interview_only", full_name="Other Realname", contact="other@example.org")
    code(interview(only, "The youth office again."), "youth office", [themes["youth"]], alice)
    return themes


@pytest.fixture
def twin(otto, other_study):
    """In the other study, participant "D" withdrew and "Q" may be quoted without naming their
    organisation; their words would be recognisable in any report of `study`."""
    youth = theme(other_study, "Youth")
    gone = person(other_study, "D", organisation="RET", scope="quote_named",
                  withdrawn=datetime.date(2010, 1, 1), full_name="Twin Realname", contact="twin@example.org")
    quoted = person(other_study, "Q", organisation="Hidden Office", scope="quote")
    code(interview(gone, "Twin youth office withdrawn words."), "youth office withdrawn", [youth], otto)
    code(interview(quoted, "Twin youth office quotable words."), "youth office quotable", [youth], otto)
    return {"youth": youth}


def urls(slug, youth):
    report = reverse("reports:theme-report", args=[slug, youth.pk])
    return [
        reverse("reports:excerpt-browser", args=[slug]), reverse("reports:excerpt-export-csv", args=[slug]),
        reverse("reports:search", args=[slug]) + "?q=youth", report, report + "?print=on",
        reverse("reports:theme-report-csv", args=[slug, youth.pk]),
        reverse("reports:study-overview", args=[slug]), reverse("reports:theme-matrix", args=[slug]),
        reverse("reports:theme-cooccurrence", args=[slug]),
    ]


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_no_report_page_or_text_export_shows_identifying_fields(who, request, data, twin):
    client = client_for(request.getfixturevalue(who))
    for url in urls("pasto", data["youth"]):
        response = client.get(url)
        assert response.status_code == 200, url
        body = body_of(response)
        for secret in SECRETS:
            assert secret not in body, (url, secret)


@pytest.mark.parametrize("name", ["docx", "xlsx"])
def test_binary_exports_hold_no_identifying_fields(rita, data, name):
    response = client_for(rita).get(reverse(f"reports:theme-report-{name}", args=["pasto", data["youth"].pk]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    for secret in SECRETS:
        assert secret not in text


def test_consent_is_each_studys_own(alice, otto, data, twin):
    """D may be quoted by name in `study` and withdrew in the other study: every report of the
    other study leaves D out, and names no organisation that consent does not allow."""
    ours = body_of(client_for(alice).get(reverse("reports:theme-report", args=["pasto", data["youth"].pk])))
    assert "youth office" in ours and "RET" in ours
    for url in urls("other", twin["youth"]):
        response = client_for(otto).get(url)
        assert response.status_code == 200, url
        body = body_of(response)
        assert "withdrawn words" not in body and "youth office withdrawn" not in body, url
        listed = body.split('id="excerpts"')[-1]  # the browser's filter menu lists organisations
        assert "Hidden Office" not in listed, url
        for secret in SECRETS:
            assert secret not in body, (url, secret)
    report = client_for(otto).get(reverse("reports:theme-report", args=["other", twin["youth"].pk]))
    numbers = report.context["report"]
    assert (numbers.totals.participants, numbers.left_out.withdrawn) == (1, 1)
    assert [e.quote for e in report.context["page"]] == ["youth office quotable"]
