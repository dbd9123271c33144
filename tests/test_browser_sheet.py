"""The classification sheet's in-place editing (static/js/sheet.js) in real Chromium: a cell
opens on Enter, saves on Enter, and a refused value stays open with the server's message."""

import pytest
from playwright.sync_api import expect

from interviews.models import AttributeValue
from interviews.services import attribute_create, attribute_value_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img id=pwned src=x onerror=alert(1)>'


@pytest.fixture
def sheet(study, participant):
    age = attribute_create(study=study, applies_to="participant", name="Age", type="number")
    wave = attribute_create(study=study, applies_to="participant", name=PAYLOAD, type="choice",
                            choices=["First", PAYLOAD])
    attribute_value_set(attribute=age, obj=participant, raw="40")
    return {"age": age, "wave": wave, "url": f"/studies/{study.slug}/transcripts/participants/sheet/"}


def test_a_cell_is_edited_in_place(sheet, alice, participant, login_page, live_server):
    page = login_page(alice)
    page.goto(live_server.url + sheet["url"])
    cell = page.locator(f'tr[data-o="{participant.pk}"] td[data-c="{sheet["age"].pk}"]')
    expect(cell).to_have_text("40")
    cell.click()
    cell.press("Enter")
    field = cell.locator("input")
    field.fill("41.50")
    field.press("Enter")
    expect(cell).to_have_text("41.5")
    assert AttributeValue.objects.get(attribute=sheet["age"]).number == 41.5


def test_a_refused_value_keeps_the_editor_open_with_the_message(sheet, alice, participant, login_page,
                                                               live_server):
    page = login_page(alice)
    page.goto(live_server.url + sheet["url"])
    cell = page.locator(f'tr[data-o="{participant.pk}"] td[data-c="{sheet["age"].pk}"]')
    cell.dblclick()
    field = cell.locator("input")
    field.fill("forty")
    field.press("Enter")
    expect(page.locator("#sheet-status")).to_have_text("Age: “forty” is not a number (write 34 or 2.5).")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert AttributeValue.objects.get(attribute=sheet["age"]).number == 40


def test_a_choice_is_picked_from_its_list_and_markup_stays_text(sheet, alice, participant, login_page,
                                                                 live_server):
    page = login_page(alice)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + sheet["url"])
    cell = page.locator(f'tr[data-o="{participant.pk}"] td[data-c="{sheet["wave"].pk}"]')
    cell.dblclick()
    cell.locator("select").select_option(PAYLOAD)
    expect(cell).to_have_text(PAYLOAD)
    assert page.locator("#pwned").count() == 0 and dialogs == []
    assert AttributeValue.objects.get(attribute=sheet["wave"]).choice.label == PAYLOAD
