"""The language switch, the preference stored with the account, and the order in which a
page's language is decided: account > switch (cookie) > Accept-Language > the study's > English."""

import html
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.language import catalogue_version
from accounts.models import Profile
from tests.conftest import client_for


def switch(client, language, next_url="/"):
    return client.post("/accounts/language/", {"language": language, "next": next_url})


def speaks(response):
    return response["Content-Language"]


def test_it_stores_the_choice_with_the_account_and_goes_back(alice, study):
    client = client_for(alice)
    response = switch(client, "es", "/studies/pasto/")
    assert (response.status_code, response["Location"]) == (302, "/studies/pasto/")
    assert Profile.objects.get(user=alice).language == "es"
    assert speaks(client.get("/")) == "es"


def test_the_choice_follows_the_user_to_another_browser(alice):
    switch(client_for(alice), "es")
    elsewhere = client_for(alice, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    response = elsewhere.get("/")
    assert speaks(response) == "es"
    assert "Sus estudios" in response.content.decode()


def test_the_account_beats_the_cookie_and_the_browser(alice):
    Profile.objects.create(user=alice, language="en")
    client = client_for(alice, HTTP_ACCEPT_LANGUAGE="es")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert speaks(client.get("/")) == "en"


def test_automatic_clears_the_preference_and_the_cookie(alice):
    client = client_for(alice, HTTP_ACCEPT_LANGUAGE="es")
    switch(client, "en")
    assert speaks(client.get("/")) == "en"
    switch(client, "")
    assert Profile.objects.get(user=alice).language == ""
    assert speaks(client.get("/")) == "es"  # the browser's again


def test_without_an_account_the_switch_sets_the_cookie(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    switch(client, "es", "/accounts/login/")
    response = client.get("/accounts/login/")
    assert speaks(response) == "es"
    assert "Iniciar sesión" in response.content.decode()
    assert not Profile.objects.exists()


def test_a_study_page_speaks_the_studys_language_when_nothing_else_chose(alice, study, other_study):
    client = Client()  # no Accept-Language, no cookie, no preference
    client.force_login(alice)
    assert speaks(client.get("/studies/pasto/")) == "es"  # study.language == "es"
    assert speaks(client.get("/")) == "en"  # not a study page: the site's default


def test_the_browser_beats_the_study(alice, study):
    response = client_for(alice, HTTP_ACCEPT_LANGUAGE="en-GB").get("/studies/pasto/")
    assert speaks(response) == "en"


def test_a_study_tag_with_a_region_picks_the_language(alice, study):
    study.language = "es-CO"
    study.save()
    client = Client()
    client.force_login(alice)
    assert speaks(client.get("/studies/pasto/")) == "es"


def test_the_script_catalogue_follows_the_page(alice, study):
    client = Client()
    client.force_login(alice)
    body = client.get("/studies/pasto/").content.decode()
    version = catalogue_version()
    assert f'/jsi18n/?language=es&amp;v={version}"' in body
    response = client.get(f"/jsi18n/?language=es&v={version}")
    assert "Fragmento guardado:" in response.content.decode("unicode_escape")
    # Named with its version, the catalogue is kept by the browser; a new one has a new URL.
    assert "max-age=31536000" in response["Cache-Control"]
    assert "max-age" not in client.get("/jsi18n/?language=es&v=old").get("Cache-Control", "")


def test_the_script_catalogue_is_built_once_per_language_and_stays_in_its_language(alice):
    client = client_for(alice)
    english = client.get("/jsi18n/?language=en").content.decode("unicode_escape")
    spanish = client.get("/jsi18n/?language=es").content.decode("unicode_escape")
    assert "Fragmento guardado:" in spanish and "Fragmento guardado:" not in english
    assert client.get("/jsi18n/?language=en").content.decode("unicode_escape") == english
    assert client.get("/jsi18n/?language=es", HTTP_ACCEPT_LANGUAGE="en").content.decode(
        "unicode_escape") == spanish


def test_browsers_keep_the_catalogue_of_the_current_version_only(alice, study):
    client = Client()
    client.force_login(alice)
    src = re.search(r'<script src="(/jsi18n/[^"]+)"', client.get("/studies/pasto/").content.decode())[1]
    kept = client.get(html.unescape(src))
    assert kept.status_code == 200
    assert "max-age=31536000" in kept["Cache-Control"] and "immutable" in kept["Cache-Control"]
    # Another version (a page from before a deploy) or no version: asked again every time.
    for url in ("/jsi18n/?language=es&v=0ld0ld0ld0ld", "/jsi18n/?language=es"):
        assert "max-age=31536000" not in client.get(url).get("Cache-Control", "")


def test_the_catalogue_version_follows_the_compiled_catalogue(settings, tmp_path):
    mo = tmp_path / "es" / "LC_MESSAGES" / "djangojs.mo"
    mo.parent.mkdir(parents=True)
    settings.LOCALE_PATHS = [tmp_path]
    versions = []
    for content in (b"one", b"two"):
        mo.write_bytes(content)
        catalogue_version.cache_clear()
        versions.append(catalogue_version())
    catalogue_version.cache_clear()
    assert versions[0] != versions[1]


@pytest.mark.parametrize("bad", ["fr", "x" * 50])
def test_it_refuses_a_language_it_does_not_offer(alice, bad):
    response = switch(client_for(alice), bad)
    assert response.status_code == 400
    assert not Profile.objects.exists()


def test_it_refuses_to_send_the_user_elsewhere(alice):
    response = switch(client_for(alice), "es", "https://evil.example/")
    assert response["Location"] == "/"


def test_the_switch_is_in_the_navigation_with_the_choice_selected(alice):
    Profile.objects.create(user=alice, language="es")
    body = client_for(alice).get("/").content.decode()
    assert 'action="/accounts/language/"' in body
    assert '<option value="es" lang="es" selected>Español</option>' in body


def test_reading_the_preference_costs_no_query(alice):
    """The profile comes with the user (accounts.backends.ProfileBackend), not in a query of its own."""
    client = client_for(alice)
    client.get("/")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/")
        return len(captured)

    without = queries()
    Profile.objects.create(user=alice, language="es")
    assert queries() == without


def test_the_cookie_is_for_the_server_only(alice):
    response = switch(client_for(alice), "es")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert (cookie.value, cookie["httponly"], cookie["samesite"]) == ("es", True, "Lax")
