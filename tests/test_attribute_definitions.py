"""The attribute pages (interviews.sheet_views): researchers and owners define, change and
delete attributes; reviewers read them; identifying ones are the owners' only."""

import pytest
from django.urls import reverse

from interviews.models import Attribute, AttributeValue
from interviews.services import attribute_create, attribute_value_set
from tests.conftest import client_for


@pytest.fixture
def secret(study):
    return attribute_create(study=study, applies_to="participant", name="Home address", type="text",
                            identifying=True)


def test_a_researcher_defines_a_choice_attribute(alice, study):
    response = client_for(alice).post(reverse("interviews:participant-attribute-create", args=[study.slug]), {
        "name": "Displacement status", "type": "choice", "choices": "Displaced\nReceiving community\n\n",
        "description": "From the intake form"})
    assert response.status_code == 302
    attribute = Attribute.objects.get(study=study, name="Displacement status")
    assert attribute.applies_to == "participant" and not attribute.identifying
    assert [c.label for c in attribute.choices.all()] == ["Displaced", "Receiving community"]


def test_a_transcript_attribute_is_defined_on_its_own_page(alice, study):
    client_for(alice).post(reverse("interviews:transcript-attribute-create", args=[study.slug]),
                           {"name": "Interviewer", "type": "text"})
    assert Attribute.objects.get(name="Interviewer").applies_to == "transcript"


def test_a_bad_definition_gets_a_message_and_nothing_is_saved(alice, study):
    response = client_for(alice).post(reverse("interviews:participant-attribute-create", args=[study.slug]),
                                      {"name": "Wave", "type": "choice", "choices": "One\none"})
    assert response.status_code == 400
    assert "listed twice" in response.content.decode()
    assert not Attribute.objects.exists()


def test_reviewers_read_but_cannot_define(rita, study, secret):
    client = client_for(rita)
    assert client.get(reverse("interviews:participant-attributes", args=[study.slug])).status_code == 200
    response = client.post(reverse("interviews:participant-attribute-create", args=[study.slug]),
                           {"name": "Age", "type": "number"})
    assert response.status_code == 403


def test_identifying_attributes_are_listed_for_owners_only(adam, alice, rita, study, secret):
    page = reverse("interviews:participant-attributes", args=[study.slug])
    assert "Home address" in client_for(adam).get(page).content.decode()
    for user in (alice, rita):
        assert "Home address" not in client_for(user).get(page).content.decode()


def test_a_researcher_cannot_open_or_unflag_an_identifying_attribute(alice, study, secret):
    client = client_for(alice)
    edit = reverse("interviews:attribute-update", args=[study.slug, secret.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "Home address", "identifying": ""}).status_code == 404
    secret.refresh_from_db()
    assert secret.identifying


def test_an_owner_renames_and_reorders(adam, study, secret):
    response = client_for(adam).post(reverse("interviews:attribute-update", args=[study.slug, secret.pk]),
                                     {"name": "Address", "identifying": "on", "order": "5"})
    assert response.status_code == 302
    secret.refresh_from_db()
    assert (secret.name, secret.order, secret.identifying, secret.type) == ("Address", 5, True, "text")


def test_deleting_removes_the_values(alice, study, participant):
    age = attribute_create(study=study, applies_to="participant", name="Age", type="number")
    attribute_value_set(attribute=age, obj=participant, raw="3")
    response = client_for(alice).post(reverse("interviews:attribute-delete", args=[study.slug, age.pk]))
    assert response.status_code == 302
    assert not Attribute.objects.filter(pk=age.pk).exists()
    assert not AttributeValue.objects.filter(attribute_id=age.pk).exists()


def test_another_studys_attribute_is_a_404(otto, study, other_study):
    age = attribute_create(study=study, applies_to="participant", name="Age", type="number")
    response = client_for(otto).post(reverse("interviews:attribute-delete", args=[other_study.slug, age.pk]))
    assert response.status_code == 404
    assert Attribute.objects.filter(pk=age.pk).exists()
