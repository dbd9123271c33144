"""Adding a participant record (interviews:participant-create): the study's owners only, with
consent and the identifying name and contact; the code is unique within the study."""

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.models import AttributeValue, Participant
from interviews.services import attribute_create
from studies.models import Study
from tests.conftest import client_for
from tests.participants import attribute_value, participant_make, record_attribute

URL = reverse("interviews:participant-create", args=["pasto"])


@pytest.fixture
def fields(study):
    """The form's field names of the study's Organisation, Sector, Gender and Age attributes."""
    age = attribute_create(study=study, applies_to="participant", name="Age", type="number")
    attributes = {field: record_attribute(study, field) for field in ("organisation", "sector", "gender")}
    return {**{field: f"a{a.pk}" for field, a in attributes.items()}, "age": f"a{age.pk}"}


def data(fields, **changes):
    changes = {fields.get(key, key): value for key, value in changes.items()}
    return {fields["organisation"]: "Fundación", fields["sector"]: "NGO", fields["gender"]: "Female",
            fields["age"]: "34", "code": "N1", "notes": "", "consent_given": "on",
            "consent_date": "2009-04-08",
            "consent_scope": "quote", "consent_withdrawn_on": "", "full_name": "Nueva Persona",
            "contact": "nueva@example.org", **changes}


def test_it_shows_the_form_with_identifying_fields_and_attributes(adam, study, fields):
    response = client_for(adam).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="full_name"' in body and 'name="contact"' in body and 'name="consent_scope"' in body
    for name in fields.values():
        assert f'name="{name}"' in body
    assert '<option value="Not disclosed">Not disclosed</option>' in body  # Gender's choices


def test_an_owner_adds_a_participant_with_its_attributes(adam, study, fields):
    response = client_for(adam).post(URL, data(fields))
    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:participant-list", args=["pasto"])
    p = Participant.objects.get()
    assert (p.study, p.code, p.full_name, p.contact) == (study, "N1", "Nueva Persona", "nueva@example.org")
    assert [attribute_value(p, name) for name in ("Organisation", "Sector", "Gender")] == [
        "Fundación", "NGO", "Female"]
    assert attribute_value(p, "Age") == 34
    assert p.consent_given and str(p.consent_date) == "2009-04-08" and p.consent_scope == "quote"


def test_an_empty_attribute_stores_no_value(adam, study, fields):
    assert client_for(adam).post(URL, data(fields, sector="", age="")).status_code == 302
    p = Participant.objects.get()
    assert attribute_value(p, "Sector") is None and attribute_value(p, "Age") is None
    assert attribute_value(p, "Gender") == "Female"


def test_a_code_used_in_another_study_is_fine(adam, study, other_study, fields):
    participant_make(study=other_study, code="N1", sector="ngo", gender="male")
    assert client_for(adam).post(URL, data(fields)).status_code == 302
    assert Participant.objects.filter(code="N1").count() == 2


def test_it_refuses_a_code_already_in_the_study(adam, participant, fields):
    response = client_for(adam).post(URL, data(fields, code="D"))
    assert response.status_code == 400
    assert "A participant with the code D already exists in this study." in response.content.decode()
    assert Participant.objects.count() == 1


@pytest.mark.parametrize("changes, message", [
    ({"code": ""}, "This field is required."),
    ({"sector": "farm"}, "Select a valid choice."),
    ({"age": "thirty"}, "Age: “thirty” is not a number"),
    ({"consent_date": "2009-13-45"}, "Enter a valid date."),
    ({"consent_given": ""}, "A consent date is set, so tick"),
    ({"consent_withdrawn_on": "2009-01-01"}, "Consent cannot be withdrawn before it was given."),
])
def test_it_refuses_bad_input_and_saves_nothing(adam, study, fields, changes, message):
    response = client_for(adam).post(URL, data(fields, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Participant.objects.exists() and not AttributeValue.objects.exists()


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_researchers_and_reviewers(who, request, study, fields):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, data(fields)).status_code == 403
    assert not Participant.objects.exists()


def test_it_forbids_owners_of_an_archived_study(adam, study, fields):
    Study.objects.filter(pk=study.pk).update(archived_at=timezone.now())
    assert client_for(adam).post(URL, data(fields)).status_code == 403
    assert not Participant.objects.exists()


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, study, fields):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, data(fields)).status_code == 404
    assert not Participant.objects.exists()


def test_it_sends_anonymous_users_to_login(client, study, fields):
    assert client.post(URL, data(fields)).status_code == 302
    assert not Participant.objects.exists()
