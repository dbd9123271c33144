"""Participant CSV exports (interviews:participant-export, -export-identifying): every member
may export pseudonyms, attributes and consent; only owners get names and contacts; the page's
filters apply; other studies' participants never appear."""

import csv
import io

import pytest
from django.urls import reverse

from interviews.services import attribute_create, attribute_value_set
from tests.conftest import client_for
from tests.participants import choice_filter, participant_make

EXPORT = reverse("interviews:participant-export", args=["pasto"])
IDENTIFYING = reverse("interviews:participant-export-identifying", args=["pasto"])


@pytest.fixture
def other(study):
    return participant_make(
        study=study, code="K", organisation="Alcaldía", sector="public", gender="female",
        full_name="Other Realname", contact="+57 300 000 0000", consent_given=False,
    )


@pytest.fixture
def elsewhere(other_study):
    return participant_make(study=other_study, code="Z", sector="ngo", gender="male",
                                      full_name="Zed Otherstudy")


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.parametrize("who", ["alice", "rita", "adam"])
def test_it_exports_pseudonyms_attributes_and_consent_only(who, request, participant, elsewhere):
    response = client_for(request.getfixturevalue(who)).get(EXPORT)
    assert 'filename="participants.csv"' in response["Content-Disposition"]
    (row,) = csv_rows(response)
    assert row == {
        "code": "D", "Organisation": "RET", "Sector": "NGO", "Gender": "Male",
        "consent_given": "True", "consent_date": "", "consent_scope": "quote_named",
        "consent_withdrawn_on": "",
    }
    assert b"Secret Realname" not in response.content and b"Zed" not in response.content


def test_it_exports_in_code_order_with_the_filters(alice, participant, other):
    assert [r["code"] for r in csv_rows(client_for(alice).get(EXPORT))] == ["D", "K"]
    public = choice_filter(participant.study, "Sector", "Public")
    assert [r["code"] for r in csv_rows(client_for(alice).get(EXPORT, public))] == ["K"]


def test_an_owner_exports_names_and_contacts(adam, participant, other, elsewhere):
    response = client_for(adam).get(IDENTIFYING)
    assert 'filename="participants-identifying.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [(r["code"], r["full_name"], r["contact"]) for r in rows] == [
        ("D", "Secret Realname", "secret@example.org"),
        ("K", "Other Realname", "'+57 300 000 0000"),  # a leading + would run as a formula
    ]
    assert rows[0]["Sector"] == "NGO"


def test_only_the_identifying_export_holds_identifying_attributes(adam, participant, other):
    origin = attribute_create(study=participant.study, applies_to="participant", name="Birthplace",
                              type="text", identifying=True)
    attribute_value_set(attribute=origin, obj=participant, raw="Tumaco")
    plain = client_for(adam).get(EXPORT)
    assert "Birthplace" not in csv_rows(plain)[0] and b"Tumaco" not in plain.content
    rows = csv_rows(client_for(adam).get(IDENTIFYING))
    assert [r["Birthplace"] for r in rows] == ["Tumaco", ""]


def test_an_owner_may_search_the_identifying_export_by_name(adam, participant, other):
    assert [r["code"] for r in csv_rows(client_for(adam).get(IDENTIFYING, {"q": "Other Real"}))] == ["K"]


def test_the_pseudonymous_export_ignores_a_search_by_name(adam, alice, participant):
    """Nobody learns from the plain export which code a guessed name hides behind."""
    assert csv_rows(client_for(alice).get(EXPORT, {"q": "Realname"})) == []
    assert csv_rows(client_for(adam).get(EXPORT, {"q": "Realname"})) == []


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_refuses_the_identifying_export_to_researchers_and_reviewers(who, request, participant):
    response = client_for(request.getfixturevalue(who)).get(IDENTIFYING)
    assert response.status_code == 403
    assert b"Secret Realname" not in response.content


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, participant):
    client = client_for(request.getfixturevalue(who))
    for url in (EXPORT, IDENTIFYING):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Secret Realname" not in response.content


def test_an_owner_exports_only_his_own_study(otto, participant, elsewhere):
    response = client_for(otto).get(reverse("interviews:participant-export-identifying", args=["other"]))
    assert [(r["code"], r["full_name"]) for r in csv_rows(response)] == [("Z", "Zed Otherstudy")]


def test_it_sends_anonymous_users_to_login(client, participant):
    for url in (EXPORT, IDENTIFYING):
        assert client.get(url).status_code == 302
