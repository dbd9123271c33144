"""The participants page (interviews:participant-list): every member of the study sees its
participants' pseudonyms, attributes and consent, filtered and searched; only owners see, or may
search by, names and contacts; other studies' participants never appear."""

import pytest
from django.urls import reverse

from interviews.models import Transcript
from interviews.services import attribute_create, attribute_value_set
from studies.models import Membership, Role, Study
from tests.conftest import client_for
from tests.participants import choice_filter, participant_make

URL = reverse("interviews:participant-list", args=["pasto"])
SECRETS = ("Secret Realname", "secret@example.org", "Other Realname", "+57 300 000 0000")


@pytest.fixture
def other(study):
    """A second participant who differs from D in every filtered attribute, and whose code
    appears in none of D's searchable fields."""
    return participant_make(
        study=study, code="K", organisation="Alcaldía", sector="public", gender="female",
        full_name="Other Realname", contact="+57 300 000 0000", consent_given=False,
        notes="Met at the town hall.",
    )


def listed_codes(response):
    assert response.status_code == 200
    return [p.code for p in response.context["participants"]]


def test_it_lists_the_studys_participants_with_their_transcripts(alice, transcript, other):
    response = client_for(alice).get(URL)
    assert listed_codes(response) == ["D", "K"]
    assert [p.transcript_count for p in response.context["participants"]] == [1, 0]
    body = response.content.decode()
    assert "RET" in body and "Alcaldía" in body and "May be quoted with organisation named" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (("Sector", "NGO"), ["D"]),
        (("Sector", "Public"), ["K"]),
        (("Gender", "Female"), ["K"]),
        ({"consent": "given"}, ["D"]),
        ({"consent": "not_given"}, ["K"]),
        ({"consent": "withdrawn"}, []),
        ({"scope": "quote_named"}, ["D"]),
    ],
    ids=["sector-ngo", "sector-public", "gender", "consented", "not-consented", "withdrawn", "scope"],
)
def test_it_filters_participants(alice, study, participant, other, query, expected):
    if isinstance(query, tuple):  # an attribute's choice: Sector is NGO
        query = choice_filter(study, *query)
    assert listed_codes(client_for(alice).get(URL, query)) == expected


def test_it_filters_by_two_attributes_at_once(alice, study, participant, other):
    both = {**choice_filter(study, "Sector", "Public"), **choice_filter(study, "Gender", "Female")}
    assert listed_codes(client_for(alice).get(URL, both)) == ["K"]
    neither = {**choice_filter(study, "Sector", "NGO"), **choice_filter(study, "Gender", "Female")}
    assert listed_codes(client_for(alice).get(URL, neither)) == []


def test_it_filters_by_a_studys_own_choice_attribute(alice, study, participant, other):
    wave = attribute_create(study=study, applies_to="participant", name="Wave", type="choice",
                            choices=["First", "Second"])
    attribute_value_set(attribute=wave, obj=other, raw="Second")
    response = client_for(alice).get(URL, choice_filter(study, "Wave", "Second"))
    assert listed_codes(response) == ["K"]
    assert "Wave" in response.content.decode()


@pytest.mark.parametrize("value", ["farm", "999999", "-1"])
def test_it_drops_a_filter_that_is_not_a_choice(alice, study, participant, other, value):
    """Not one of the attribute's choices (or another attribute's): the filter is dropped, not a 500."""
    sector = choice_filter(study, "Sector", "NGO")
    query = dict.fromkeys(sector, value)
    query[next(iter(choice_filter(study, "Gender", "Male")))] = next(iter(sector.values()))
    assert listed_codes(client_for(alice).get(URL, query)) == ["D", "K"]


def test_it_offers_identifying_attributes_to_owners_only(adam, alice, study, participant, other):
    """A filter on an identifying attribute would tell a researcher who holds which value."""
    origin = attribute_create(study=study, applies_to="participant", name="Birthplace", type="choice",
                              choices=["Ipiales", "Tumaco"], identifying=True)
    attribute_value_set(attribute=origin, obj=participant, raw="Tumaco")
    query = choice_filter(study, "Birthplace", "Tumaco")
    assert listed_codes(client_for(adam).get(URL, query)) == ["D"]
    researcher = client_for(alice).get(URL, query)
    assert listed_codes(researcher) == ["D", "K"]  # dropped
    assert "Birthplace" not in researcher.content.decode() and "Tumaco" not in researcher.content.decode()


@pytest.mark.parametrize(
    ("q", "expected"),
    [("k", ["K"]), ("RET", ["D"]), ("town hall", ["K"]), ("nobody", [])],
    ids=["code", "organisation", "notes", "none"],
)
def test_it_searches_participants(rita, participant, other, q, expected):
    assert listed_codes(client_for(rita).get(URL, {"q": q})) == expected


def test_it_lets_an_owner_search_by_name_and_contact(adam, participant, other):
    assert listed_codes(client_for(adam).get(URL, {"q": "Secret"})) == ["D"]
    assert listed_codes(client_for(adam).get(URL, {"q": "+57"})) == ["K"]


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_does_not_let_others_search_by_name(who, request, participant, other):
    """Otherwise a search for a guessed name would tell them which code it hides behind."""
    client = client_for(request.getfixturevalue(who))
    assert listed_codes(client.get(URL, {"q": "Realname"})) == []
    assert listed_codes(client.get(URL, {"q": "secret@"})) == []


def test_it_shows_an_owner_names_contacts_and_edit_links(adam, participant, other):
    body = client_for(adam).get(URL).content.decode()
    for secret in SECRETS:
        assert secret in body
    assert reverse("interviews:participant-update", args=["pasto", participant.pk]) in body
    assert reverse("interviews:participant-create", args=["pasto"]) in body
    assert reverse("interviews:participant-export-identifying", args=["pasto"]) in body


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_never_shows_others_names_contacts_or_edit_links(who, request, participant, other):
    body = client_for(request.getfixturevalue(who)).get(URL, {"q": ""}).content.decode()
    for secret in SECRETS:
        assert secret not in body
    assert reverse("interviews:participant-update", args=["pasto", participant.pk]) not in body
    assert reverse("interviews:participant-create", args=["pasto"]) not in body
    assert reverse("interviews:participant-export-identifying", args=["pasto"]) not in body
    assert reverse("interviews:participant-export", args=["pasto"]) in body


def test_it_lists_only_the_studys_own_participants(alice, otto, participant, other_study):
    participant_make(study=other_study, code="Z", sector="ngo", gender="male",
                               full_name="Zed Otherstudy")
    assert listed_codes(client_for(alice).get(URL)) == ["D"]
    own = client_for(otto).get(reverse("interviews:participant-list", args=["other"]))
    assert listed_codes(own) == ["Z"]
    assert "Secret Realname" not in own.content.decode()


def test_the_export_links_keep_the_filters(alice, study, participant):
    (key, value), = choice_filter(study, "Sector", "NGO").items()
    body = client_for(alice).get(URL, {key: value}).content.decode()
    assert reverse("interviews:participant-export", args=["pasto"]) + f"?{key}={value}" in body


@pytest.mark.parametrize("who", ["steve", "otto", "sam"])
def test_it_answers_404_to_non_members(who, request, participant):
    response = client_for(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 404
    assert b"RET" not in response.content


def test_it_sends_anonymous_users_to_login(client, participant):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("count", [1, 6])
def test_it_runs_a_fixed_number_of_queries(adam, study, count, django_assert_num_queries):
    """Guards against an N+1 over participants (their transcript counts or attribute values
    fetched one by one) and against other studies' participants costing anything."""
    for i in range(count):
        p = participant_make(study=study, code=f"P{i}", sector="ngo", gender="female")
        Transcript.objects.create(study=study, participant=p, title=f"T{i}", text="Words.")
        other = Study.objects.create(name=f"S{i}", slug=f"s{i}")
        Membership.objects.create(study=other, user=adam, role=Role.OWNER)
        participant_make(study=other, code=f"P{i}", sector="ngo", gender="female")
    client = client_for(adam)
    query = {**choice_filter(study, "Sector", "NGO"), "q": "P"}
    # user, membership with study; the filters' attributes and their choices;
    # participants with transcript counts; the columns' attributes and every value;
    # the menu's group permissions (adam, a site admin; none of his own: skipped)
    with django_assert_num_queries(8):
        response = client.get(URL, query)
    assert len(response.context["participants"]) == count
    cells = [p.attribute_cells for p in response.context["participants"]]
    assert cells == [["", "NGO", "Female"]] * count  # Organisation, Sector, Gender: no organisation
