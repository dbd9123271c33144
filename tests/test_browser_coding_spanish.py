"""The coding page in Spanish, in real Chromium: the language switch in the navigation, then the
strings the page's scripts write (Django's JavaScript catalogue) in Spanish."""

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from coding.models import CodedExcerpt
from interviews.models import Transcript
from tests.test_browser_coding import drag_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entrevista(participant):
    text = "Entrevistador: ¿Cómo empezó?\n\nD: Con la oficina de juventud y el trabajo de género."
    return Transcript.objects.create(study=participant.study, participant=participant, title="Entrevista D",
                                     text=text, language="es")


def test_the_switch_turns_the_coding_page_and_its_scripts_spanish(alice, themes, entrevista, login_page,
                                                                   live_server):
    page = login_page(alice)
    page.goto(live_server.url + entrevista.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")  # Chromium asks for English
    page.locator("#language-switch").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url == live_server.url + entrevista.get_absolute_url()
    assert Profile.objects.get(user=alice).language == "es"

    start = entrevista.text.index("oficina de juventud")
    drag_select(page, start, start + len("oficina de juventud"))
    page.keyboard.press("c")
    picker = page.locator("#picker")
    expect(picker).to_be_visible()
    picker.get_by_label("Youth", exact=True).check()
    picker.get_by_role("button", name="Guardar").click()
    # Written by the scripts, from the JavaScript catalogue:
    expect(page.locator("#status")).to_contain_text("Fragmento guardado")
    item = page.locator("#excerpt-list .excerpt-item")
    expect(item).to_have_count(1)
    expect(item.get_by_role("button", name="Editar")).to_be_visible()
    expect(item.get_by_role("button", name="Quitar")).to_be_visible()
    expect(item).to_contain_text("Historial")
    assert CodedExcerpt.objects.get().quote == "oficina de juventud"
    assert "Excerpt saved." not in page.locator("body").inner_text()


def test_the_preference_follows_the_user_to_a_new_browser(alice, themes, entrevista, login_page, live_server):
    Profile.objects.create(user=alice, language="es")
    page = login_page(alice)
    page.goto(live_server.url + entrevista.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "es")
    start = entrevista.text.index("juventud")
    drag_select(page, start, start + len("juventud"))
    page.keyboard.press("c")
    page.locator("#picker").get_by_label("Youth", exact=True).check()
    page.locator("#picker").get_by_role("button", name="Guardar").click()
    expect(page.locator("#status")).to_contain_text("Fragmento guardado")
