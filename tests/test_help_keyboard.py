"""The keyboard and screen-reader help page (/help/keyboard/): any signed-in user, any study."""

from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

URL = reverse("help:keyboard")


def test_it_explains_each_screen_reader_and_lists_every_shortcut(steve):
    body = client_for(steve).get(URL).content.decode()
    for reader in ["NVDA (Windows)", "JAWS (Windows)", "VoiceOver (macOS)", "Orca (Linux)"]:
        assert reader in body
    # Every key the coding page's scripts answer to (static/js/coding_picker.js,
    # transcript_coding.js) has a row.
    for keys in ["<kbd>C</kbd> · <kbd>Enter</kbd>", "<kbd>N</kbd> · <kbd>P</kbd>", "<kbd>I</kbd>",
                 "<kbd>?</kbd>", "<kbd>Shift</kbd>+", "<kbd>Ctrl</kbd>+<kbd>Enter</kbd>", "<kbd>Escape</kbd>",
                 "<kbd>1</kbd>–<kbd>9</kbd>", "<kbd>Space</kbd>", "<kbd>Home</kbd> <kbd>End</kbd>"]:
        assert keys in body


def test_the_navbar_links_to_it(steve):
    assert f'href="{URL}"' in client_for(steve).get(reverse("home")).content.decode()


def test_the_coding_page_shows_the_same_shortcuts(alice, transcript):
    body = client_for(alice).get(transcript.get_absolute_url()).content.decode()
    assert '<dialog id="shortcuts"' in body and "<kbd>N</kbd> · <kbd>P</kbd>" in body
    assert f'href="{URL}"' in body


def test_it_speaks_spanish(steve):
    client = client_for(steve)
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Codificar con el teclado y un lector de pantalla" in body


def test_it_needs_a_login(db):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
