"""The Spanish catalogues are complete, compile, and reach the pages."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.conftest import client_for

CATALOGUES = sorted((Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES").glob("*.po"))


def test_both_catalogues_are_there():
    assert [p.name for p in CATALOGUES] == ["django.po", "djangojs.po"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt (make test installs it)")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.name)
def test_every_string_is_translated(po):
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_the_compiled_catalogue_translates():
    with translation.override("es"):
        assert translation.gettext("Your studies") == "Sus estudios"


def test_a_page_speaks_spanish_when_asked(alice):
    response = client_for(alice).get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Sus estudios" in response.content.decode()
    assert response["Content-Language"] == "es"


def test_the_script_catalogue_speaks_spanish(client, db):
    response = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Fragmento guardado: %s" in response.content.decode("unicode_escape")
