"""Participant records in the admin: admins see and export names; staff researchers never do."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from interviews.models import Participant
from tests.conftest import client_for

CHANGELIST = reverse("admin:interviews_participant_changelist")


def change_url(participant):
    return reverse("admin:interviews_participant_change", args=[participant.pk])


@pytest.fixture
def other(db):
    """A second participant who differs from D in every filtered attribute, and whose code
    appears in none of D's searchable fields."""
    return Participant.objects.create(
        code="K",
        organisation="Alcaldía",
        sector="public",
        gender="female",
        full_name="Other Realname",
        contact="+57 300 000 0000",
        consent_given=False,
    )


@pytest.fixture
def staff_alice(alice):
    """alice as a staff user: she reaches the admin with a researcher's permissions."""
    alice.is_staff = True
    alice.save()
    assert alice.has_perm("interviews.view_participant")
    return alice


def listed_codes(response):
    assert response.status_code == 200
    return [p.code for p in response.context["cl"].result_list]


def export(client, action, *participants):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [p.pk for p in participants], "index": 0},
    )


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


# ----- admin -----

def test_it_lists_participants_for_an_admin(adam, participant, other):
    response = client_for(adam).get(CHANGELIST)
    assert listed_codes(response) == ["D", "K"]
    assert "RET" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sector__exact": "ngo"}, ["D"]),
        ({"sector__exact": "public"}, ["K"]),
        ({"gender__exact": "female"}, ["K"]),
        ({"consent_given__exact": "1"}, ["D"]),
        ({"consent_given__exact": "0"}, ["K"]),
        ({"consent_scope__exact": "quote_named"}, ["D"]),
    ],
    ids=["sector-ngo", "sector-public", "gender", "consented", "not-consented", "scope"],
)
def test_it_filters_participants(adam, participant, other, query, expected):
    assert listed_codes(client_for(adam).get(CHANGELIST, query)) == expected


@pytest.mark.parametrize(
    ("q", "expected"), [("k", ["K"]), ("RET", ["D"]), ("nobody", [])], ids=["code", "org", "none"]
)
def test_it_searches_participants(adam, participant, other, q, expected):
    assert listed_codes(client_for(adam).get(CHANGELIST, {"q": q})) == expected


def test_it_lets_an_admin_search_by_name(adam, participant, other):
    assert listed_codes(client_for(adam).get(CHANGELIST, {"q": "Secret"})) == ["D"]


def test_it_shows_an_admin_the_identifying_fields(adam, participant):
    response = client_for(adam).get(change_url(participant))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert {"full_name", "contact"} <= set(form.fields)
    body = response.content.decode()
    assert "Secret Realname" in body
    assert "secret@example.org" in body


def test_it_shows_transcripts_inline(adam, transcript):
    response = client_for(adam).get(change_url(transcript.participant))
    (inline,) = response.context["inline_admin_formsets"]
    assert [form.instance for form in inline.formset] == [transcript]
    assert "Interview D" in response.content.decode()


def test_it_exports_pseudonyms_and_attributes_only(adam, participant, other):
    response = export(client_for(adam), "export_csv", participant)
    assert 'filename="participants.csv"' in response["Content-Disposition"]
    (row,) = csv_rows(response)
    assert row == {
        "code": "D",
        "organisation": "RET",
        "sector": "ngo",
        "gender": "male",
        "consent_given": "True",
        "consent_date": "",
        "consent_scope": "quote_named",
        "consent_withdrawn_on": "",
    }
    body = response.content.decode()
    assert "Secret Realname" not in body
    assert "secret@example.org" not in body


def test_it_exports_every_selected_participant_in_code_order(adam, participant, other):
    rows = csv_rows(export(client_for(adam), "export_csv", other, participant))
    assert [row["code"] for row in rows] == ["D", "K"]


def test_it_exports_names_and_contacts_when_asked(adam, participant, other):
    response = export(client_for(adam), "export_csv_identifying", participant, other)
    assert 'filename="participants-identifying.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [(r["code"], r["full_name"], r["contact"]) for r in rows] == [
        ("D", "Secret Realname", "secret@example.org"),
        ("K", "Other Realname", "+57 300 000 0000"),
    ]
    assert rows[0]["sector"] == "ngo"


# ----- a staff researcher -----

def test_it_hides_identifying_fields_from_a_staff_researcher(staff_alice, transcript):
    response = client_for(staff_alice).get(change_url(transcript.participant))
    assert response.status_code == 200
    fields = {
        field["name"] if isinstance(field, dict) else field
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line.fields
    }
    assert "code" in fields
    assert not {"full_name", "contact"} & fields
    body = response.content.decode()
    assert "Secret Realname" not in body
    assert "secret@example.org" not in body


def test_it_offers_a_staff_researcher_only_the_pseudonymous_export(staff_alice, participant):
    response = client_for(staff_alice).get(CHANGELIST)
    assert listed_codes(response) == ["D"]
    actions = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "export_csv" in actions
    assert "export_csv_identifying" not in actions


def test_it_refuses_the_identifying_export_to_a_staff_researcher(staff_alice, participant):
    response = export(client_for(staff_alice), "export_csv_identifying", participant)
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert b"Secret Realname" not in response.content


def test_it_gives_a_staff_researcher_the_pseudonymous_export(staff_alice, participant):
    (row,) = csv_rows(export(client_for(staff_alice), "export_csv", participant))
    assert row["code"] == "D"
    assert "full_name" not in row


def test_it_does_not_let_a_staff_researcher_search_by_name(staff_alice, participant):
    """Otherwise a search for a guessed name would tell her which code it hides behind."""
    assert listed_codes(client_for(staff_alice).get(CHANGELIST, {"q": "Realname"})) == []
    assert listed_codes(client_for(staff_alice).get(CHANGELIST, {"q": "secret@"})) == []


def test_it_shows_identifying_fields_to_staff_with_the_permission(staff_alice, participant):
    staff_alice.user_permissions.add(
        Permission.objects.get(codename="view_identifying_fields")
    )
    response = client_for(staff_alice).get(change_url(participant))
    assert "Secret Realname" in response.content.decode()


# ----- no admin access -----

@pytest.mark.parametrize("url", [CHANGELIST, "change"], ids=["changelist", "change"])
def test_it_sends_anonymous_users_to_the_admin_login(client, participant, url):
    url = change_url(participant) if url == "change" else url
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_sends_non_staff_users_to_the_admin_login(rita, participant):
    response = client_for(rita).get(change_url(participant))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_refuses_an_anonymous_export(client, participant):
    response = export(client, "export_csv_identifying", participant)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
