import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

PAGES = [reverse("login"), reverse("home"), reverse("study:members", args=["pasto"])]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_security_headers(alice, path):
    response = client_for(alice).get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("style-src-attr")[0]  # no inline script or <style>
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_csrf_is_enforced(alice, transcript, themes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = reverse("coding:excerpt-create", args=[transcript.study.slug, transcript.pk])
    response = client.post(url, {"start_utf16": 0, "end_utf16": 5, "themes": [themes["youth"].pk]})
    assert response.status_code == 403
    assert b"CSRF" in response.content
    from coding.models import CodedExcerpt

    assert not CodedExcerpt.objects.exists()
