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


def _msgids(po):
    """The msgids of a .po file (msgctxt-qualified), read with gettext's msgcat (one per line)."""
    out = subprocess.run(["msgcat", "--no-wrap", "--no-location", str(po)], capture_output=True, text=True,
                         check=True).stdout
    ids, context = set(), ""
    for line in out.splitlines():
        if line.startswith("msgctxt "):
            context = line[8:]
        elif line.startswith("msgid "):
            ids.add((context, line[6:]))
            context = ""
    ids.discard(("", '""'))
    return ids


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (make test installs it)")
def test_makemessages_on_a_fresh_checkout_finds_nothing_new(tmp_path):
    """Every translatable string of the code is in the committed catalogues, and nothing stale is:
    makemessages run on a copy of the tracked files gives the same msgids."""
    base = Path(settings.BASE_DIR)
    tracked = subprocess.run(["git", "ls-files"], cwd=base, capture_output=True, text=True, check=True).stdout
    for name in tracked.splitlines():
        if (base / name).is_file():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(base / name, tmp_path / name)
    python = str(base / ".venv" / "bin" / "python") if (base / ".venv").exists() else "python3"
    for domain in ("django", "djangojs"):
        subprocess.run([python, "manage.py", "makemessages", "-l", "es", "-d", domain, "--ignore=.venv",
                        "--ignore=bench", "--ignore=staticfiles"],
                       cwd=tmp_path, capture_output=True, check=True)
        fresh = tmp_path / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"
        committed = base / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"
        assert len(_msgids(committed)) > 20 and _msgids(fresh) == _msgids(committed), domain
