"""Editing a participant record (interviews:participant-update): the study's owners only; another
study's participant is a 404 whoever asks."""

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.services import attribute_create
from studies.models import Study
from tests.conftest import client_for
from tests.participants import attribute_value, participant_make, record_attribute


def url(participant, slug="pasto"):
    return reverse("interviews:participant-update", args=[slug, participant.pk])


@pytest.fixture
def fields(participant):
    """The form's field names of D's Organisation, Sector and Gender attributes."""
    return {field: f"a{record_attribute(participant.study, field).pk}"
            for field in ("organisation", "sector", "gender")}


def data(fields=None, **changes):
    fields = fields or {}
    attributes = {fields[key]: changes.pop(key) for key in list(changes) if key in fields}
    return {**{fields[k]: v for k, v in {"organisation": "RET", "sector": "NGO", "gender": "Male"}.items()
               if k in fields},
            **attributes, "code": "D", "notes": "",
            "consent_given": "on", "consent_date": "", "consent_scope": "quote_named",
            "consent_withdrawn_on": "", "full_name": "Secret Realname",
            "contact": "secret@example.org", **changes}


def test_it_shows_an_owner_the_whole_record(adam, participant, fields):
    response = client_for(adam).get(url(participant))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Secret Realname" in body and "secret@example.org" in body
    assert f'name="{fields["organisation"]}"' in body and 'value="RET"' in body
    assert '<option value="NGO" selected>NGO</option>' in body
    assert '<option value="Male" selected>Male</option>' in body


def test_an_owner_changes_the_attributes_with_the_record(adam, participant, fields):
    response = client_for(adam).post(url(participant), data(fields, sector="Public", organisation="",
                                                            notes="Moved."))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.notes == "Moved."
    assert attribute_value(participant, "Sector") == "Public"
    assert attribute_value(participant, "Organisation") is None  # emptied: no value at all
    assert attribute_value(participant, "Gender") == "Male"


def test_a_bad_attribute_value_saves_nothing(adam, participant, fields):
    age = attribute_create(study=participant.study, applies_to="participant", name="Age", type="number")
    response = client_for(adam).post(url(participant), {
        **data(fields, sector="Public", notes="Changed"), f"a{age.pk}": "old"})
    assert response.status_code == 400
    assert "Age: “old” is not a number" in response.content.decode()
    participant.refresh_from_db()
    assert participant.notes == "" and attribute_value(participant, "Sector") == "NGO"
    assert attribute_value(participant, "Age") is None


def test_an_owner_records_a_withdrawal_and_a_new_contact(adam, participant):
    response = client_for(adam).post(url(participant), data(
        consent_date="2009-04-08", consent_withdrawn_on="2010-01-31", contact="new@example.org"))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert str(participant.consent_withdrawn_on) == "2010-01-31"
    assert participant.contact == "new@example.org"
    assert participant.study.slug == "pasto"


def test_an_owner_renames_the_code(adam, participant):
    assert client_for(adam).post(url(participant), data(code="D2")).status_code == 302
    participant.refresh_from_db()
    assert participant.code == "D2"


def test_it_refuses_a_code_taken_in_the_study(adam, participant, study):
    participant_make(study=study, code="K", sector="public", gender="female")
    response = client_for(adam).post(url(participant), data(code="K"))
    assert response.status_code == 400
    assert "already exists in this study" in response.content.decode()
    participant.refresh_from_db()
    assert participant.code == "D"


def test_it_refuses_a_withdrawal_before_consent(adam, participant):
    response = client_for(adam).post(url(participant), data(consent_date="2009-04-08",
                                                            consent_withdrawn_on="2009-01-01"))
    assert response.status_code == 400
    participant.refresh_from_db()
    assert participant.consent_withdrawn_on is None


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_researchers_and_reviewers(who, request, participant):
    client = client_for(request.getfixturevalue(who))
    response = client.get(url(participant))
    assert response.status_code == 403
    assert b"Secret Realname" not in response.content
    assert client.post(url(participant), data(full_name="Changed")).status_code == 403
    participant.refresh_from_db()
    assert participant.full_name == "Secret Realname"


def test_it_forbids_owners_of_an_archived_study(adam, participant):
    Study.objects.filter(pk=participant.study_id).update(archived_at=timezone.now())
    assert client_for(adam).post(url(participant), data(full_name="Changed")).status_code == 403
    participant.refresh_from_db()
    assert participant.full_name == "Secret Realname"


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, participant):
    response = client_for(request.getfixturevalue(who)).get(url(participant))
    assert response.status_code == 404
    assert b"Secret Realname" not in response.content


def test_an_owner_of_another_study_gets_404_through_his_own(otto, participant, other_study):
    """otto owns `other`: pasto's participant id under his study's address is not found."""
    client = client_for(otto)
    response = client.get(url(participant, slug=other_study.slug))
    assert response.status_code == 404
    assert b"Secret Realname" not in response.content
    assert client.post(url(participant, slug=other_study.slug), data(full_name="Hijacked")).status_code == 404
    participant.refresh_from_db()
    assert participant.full_name == "Secret Realname"


def test_it_answers_404_for_a_missing_participant(adam, study):
    missing = reverse("interviews:participant-update", args=["pasto", 99999])
    assert client_for(adam).get(missing).status_code == 404


def test_it_sends_anonymous_users_to_login(client, participant):
    assert client.post(url(participant), data(full_name="Changed")).status_code == 302
