"""Bad requests get a 4xx with a message, never a 500, and save nothing."""

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, Theme
from tests.conftest import client_for

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def create_url(transcript):
    return reverse("coding:excerpt-create", args=[transcript.study.slug, transcript.pk])


@pytest.mark.parametrize(
    "start,end",
    [(-5, 3), (0, 10**6), (10**30, 10**30 + 1), ("1e9", "2e9"), ("abc", "def"), ("", ""), (5, 5)],
)
def test_bad_offsets_are_refused(alice, themes, create_url, start, end):
    response = client_for(alice).post(
        create_url, {"start_utf16": start, "end_utf16": end, "themes": [themes["youth"].pk]}, **JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not CodedExcerpt.objects.exists()


def test_a_json_body_is_refused_cleanly(alice, themes, create_url):
    response = client_for(alice).post(
        create_url, data='{"start_utf16": 0, "end_utf16": 5}', content_type="application/json", **JSON
    )
    assert response.status_code == 400
    assert not CodedExcerpt.objects.exists()


@pytest.mark.parametrize("memo", [b"%FF%FE%FA", b"\xff\xfe\xfa", b"caf%C3"])
def test_invalid_utf8_is_refused(alice, themes, create_url, memo):
    body = b"start_utf16=0&end_utf16=5&memo=" + memo + b"&themes=" + str(themes["youth"].pk).encode()
    response = client_for(alice).generic(
        "POST", create_url, body, content_type="application/x-www-form-urlencoded", **JSON
    )
    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert not CodedExcerpt.objects.exists()


def test_invalid_utf8_in_a_query_string_is_refused(alice, transcript):
    url = reverse("coding:transcript-coding", args=[transcript.study.slug, transcript.pk]) + "?coder=%FF"
    assert client_for(alice).get(url).status_code == 400


def test_valid_utf8_passes(alice, themes, create_url):
    body = b"start_utf16=0&end_utf16=5&memo=migraci%C3%B3n+%F0%9F%98%80&themes=" + str(
        themes["youth"].pk
    ).encode()
    response = client_for(alice).generic(
        "POST", create_url, body, content_type="application/x-www-form-urlencoded", **JSON
    )
    assert response.status_code == 201
    assert CodedExcerpt.objects.get().memo == "migración 😀"


def test_nul_bytes_are_refused(alice, themes, create_url):
    response = client_for(alice).post(
        create_url,
        {"start_utf16": 0, "end_utf16": 5, "themes": [themes["youth"].pk], "memo": "a\x00b"},
        **JSON,
    )
    assert response.status_code == 400
    assert not CodedExcerpt.objects.exists()


def test_an_oversized_body_is_refused(alice, themes, create_url, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client_for(alice).post(
        create_url,
        {"start_utf16": 0, "end_utf16": 5, "themes": [themes["youth"].pk], "memo": "x" * 20_000},
    )
    assert response.status_code == 400
    assert not CodedExcerpt.objects.exists()


@pytest.mark.parametrize("name", ["", "x" * 500, "\x00"])
def test_bad_theme_names_are_refused(alice, db, name):
    url = reverse("coding:theme-create", args=["pasto"])
    response = client_for(alice).post(url, {"name": name}, **JSON)
    assert response.status_code == 400
    assert not Theme.objects.exists()


@pytest.mark.parametrize("pk", ["999999999999999999999", "-1"])
def test_absurd_ids_in_urls_are_not_found(alice, db, pk):
    response = client_for(alice).get(f"/studies/pasto/coding/transcripts/{pk}/")
    assert response.status_code == 404
