"""The classification sheets (interviews.sheet_views): participants or transcripts as rows,
attributes as columns, edited cell by cell, sorted and filtered by any column, exported as CSV
and XLSX. Identifying attributes reach the study's owners only."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from interviews.models import AttributeValue, Participant
from interviews.services import attribute_create, attribute_value_set
from tests.conftest import client_for
from tests.participants import participant_make, record_attribute


def url(name, study, **query):
    address = reverse(f"interviews:{name}", args=[study.slug])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def attrs(study):
    def make(name, kind, **kw):
        return attribute_create(study=study, applies_to="participant", name=name, type=kind, **kw)
    return {"age": make("Age", "number"), "wave": make("Wave", "choice", choices=["First", "Second"]),
            "home": make("Home address", "text", identifying=True)}


@pytest.fixture
def people(study, attrs, participant):
    rows = {"D": participant}
    for code, age, wave in (("A", "51", "Second"), ("B", "34", "First"), ("C", "", "First")):
        rows[code] = participant_make(study=study, code=code, gender="female")
        attribute_value_set(attribute=attrs["age"], obj=rows[code], raw=age)
        attribute_value_set(attribute=attrs["wave"], obj=rows[code], raw=wave)
    attribute_value_set(attribute=attrs["home"], obj=participant, raw="12 Calle Secreta")
    return rows


def codes(response):
    body = response.content.decode()
    tbody = body[body.index("<tbody>"):body.index("</tbody>")]
    return [cell.split("</th>")[0] for cell in tbody.split('<th scope="row">')[1:]]


def test_it_shows_participants_and_their_attributes(people, alice, study):
    response = client_for(alice).get(url("participant-sheet", study))
    assert response.status_code == 200
    assert codes(response) == ["A", "B", "C", "D"]
    body = response.content.decode()
    assert "<td data-c=" in body and ">51</td>" in body and ">Second</td>" in body


@pytest.mark.parametrize(("query", "expected"), [
    ({"sort": "a{age}"}, ["B", "A", "C", "D"]),  # empty cells last
    ({"sort": "a{age}", "dir": "desc"}, ["A", "B", "C", "D"]),
    ({"sort": "a{wave}", "dir": "desc"}, ["A", "B", "C", "D"]),  # by the list's order, not the label's
    ({"f_a{wave}": "first"}, ["B", "C"]),
    ({"f_a{age}": "40.."}, ["A"]),
    ({"f_a{age}": "30..40"}, ["B"]),
    ({"f_a{age}": "34"}, ["B"]),
    ({"f_code": "d"}, ["D"]),
    ({"f_a{gender}": "Female"}, ["A", "B", "C"]),  # Gender: an attribute like the others
    ({"f_a{organisation}": "re"}, ["D"]),  # text: a part of it
    ({"sort": "code", "dir": "desc"}, ["D", "C", "B", "A"]),
])
def test_it_sorts_and_filters_by_any_column(people, attrs, alice, study, query, expected):
    ids = {"age": attrs["age"].pk, "wave": attrs["wave"].pk,
           **{field: record_attribute(study, field).pk for field in ("gender", "organisation")}}
    query = {k.format(**ids): v.format(**ids) for k, v in query.items()}
    assert codes(client_for(alice).get(url("participant-sheet", study, **query))) == expected


def test_identifying_attributes_reach_owners_only(people, attrs, adam, alice, rita, study):
    assert "12 Calle Secreta" in client_for(adam).get(url("participant-sheet", study)).content.decode()
    for user in (alice, rita):
        client = client_for(user)
        for name in ("participant-sheet", "participant-sheet-export-csv", "participant-attributes"):
            body = client.get(url(name, study)).content.decode("utf-8-sig")
            assert "Calle Secreta" not in body and "Home address" not in body, (user, name)
        book = load_workbook(io.BytesIO(client.get(url("participant-sheet-export-xlsx", study)).content))
        cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row]
        assert "12 Calle Secreta" not in cells and "Home address" not in cells


def test_a_cell_is_saved_in_place(people, attrs, alice, study):
    response = client_for(alice).post(url("participant-sheet-cell", study),
                                      {"obj": people["C"].pk, "attribute": attrs["age"].pk,
                                       "value": " 29.50 "})
    assert response.status_code == 200
    assert response.json() == {"value": "29.5"}
    assert AttributeValue.objects.get(participant=people["C"], attribute=attrs["age"]).number == 29.5


def test_a_bad_cell_gets_its_message_and_nothing_changes(people, attrs, alice, study):
    response = client_for(alice).post(url("participant-sheet-cell", study),
                                      {"obj": people["A"].pk, "attribute": attrs["age"].pk, "value": "old"})
    assert response.status_code == 400
    assert response.json()["error"] == "Age: “old” is not a number (write 34 or 2.5)."
    assert AttributeValue.objects.get(participant=people["A"], attribute=attrs["age"]).number == 51


def test_a_researcher_cannot_reach_an_identifying_cell(people, attrs, alice, study):
    response = client_for(alice).post(url("participant-sheet-cell", study),
                                      {"obj": people["D"].pk, "attribute": attrs["home"].pk, "value": "x"})
    assert response.status_code == 404
    assert AttributeValue.objects.get(attribute=attrs["home"]).text == "12 Calle Secreta"


def test_reviewers_cannot_edit_cells(people, attrs, rita, study):
    response = client_for(rita).post(url("participant-sheet-cell", study),
                                     {"obj": people["C"].pk, "attribute": attrs["age"].pk, "value": "3"})
    assert response.status_code == 403


def test_another_studys_participant_is_a_404(attrs, alice, study, other_study):
    stranger = participant_make(study=other_study, code="Z", gender="male")
    response = client_for(alice).post(url("participant-sheet-cell", study),
                                      {"obj": stranger.pk, "attribute": attrs["age"].pk, "value": "3"})
    assert response.status_code == 404
    assert not AttributeValue.objects.filter(participant=stranger, attribute=attrs["age"]).exists()


def test_a_researcher_adds_a_participant_by_pseudonym(attrs, alice, study):
    response = client_for(alice).post(url("participant-sheet-add", study), {
        "code": "P9", f"a{attrs['age'].pk}": "44", f"a{attrs['wave'].pk}": "Second",
        "full_name": "Should Be Ignored"})
    assert response.status_code == 302
    added = Participant.objects.get(study=study, code="P9")
    assert added.full_name == "" and added.contact == ""
    stored = added.attribute_values.select_related("attribute", "choice")
    assert {v.attribute.name: str(v.value) for v in stored} == {"Age": "44.00000000", "Wave": "Second"}


def test_the_add_form_has_no_name_field(attrs, alice, study):
    body = client_for(alice).get(url("participant-sheet", study)).content.decode()
    form = body[body.index('id="add-heading"'):]
    assert 'name="code"' in form and "full_name" not in form and 'name="contact"' not in form


def test_a_bad_new_row_adds_nothing(attrs, alice, study):
    response = client_for(alice).post(url("participant-sheet-add", study), {
        "code": "P9", f"a{attrs['age'].pk}": "many"})
    assert response.status_code == 400
    assert "Age: “many” is not a number" in response.content.decode()
    assert not Participant.objects.filter(code="P9").exists()


def test_a_taken_code_is_refused(people, alice, study):
    response = client_for(alice).post(url("participant-sheet-add", study), {"code": "A"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_the_csv_export_holds_what_the_sheet_shows(people, alice, study, attrs):
    first_wave = {f"f_a{attrs['wave'].pk}": "First"}
    response = client_for(alice).get(url("participant-sheet-export-csv", study, **first_wave))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # Organisation, Sector and Gender are attributes, after Age and Wave (made first here)
    assert rows[0] == ["Code", "Age", "Wave", "Organisation", "Sector", "Gender"]
    assert rows[1:] == [["B", "34", "First", "", "", "Female"], ["C", "", "First", "", "", "Female"]]


def test_the_xlsx_export_types_its_cells(people, alice, study):
    response = client_for(alice).get(url("participant-sheet-export-xlsx", study))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][0] == "A" and rows[1][1] == 51 and rows[1][2] == "Second" and rows[1][5] == "Female"


def test_the_transcript_sheet_works_the_same_way(transcript, alice, study):
    wave = attribute_create(study=study, applies_to="transcript", name="Interview wave", type="number")
    client = client_for(alice)
    response = client.post(url("transcript-sheet-cell", study),
                           {"obj": transcript.pk, "attribute": wave.pk, "value": "2"})
    assert response.json() == {"value": "2"}
    body = client.get(url("transcript-sheet", study)).content.decode()
    assert "Interview wave" in body and transcript.title in body and ">2</td>" in body


def test_a_transcript_attribute_is_not_a_participant_cell(transcript, participant, alice, study):
    wave = attribute_create(study=study, applies_to="transcript", name="Wave", type="number")
    response = client_for(alice).post(url("participant-sheet-cell", study),
                                      {"obj": participant.pk, "attribute": wave.pk, "value": "2"})
    assert response.status_code == 404


def _grow(study, participants, attributes):
    made = [attribute_create(study=study, applies_to="participant", name=f"Attr {i}",
                             type="choice" if i % 2 else "number", choices=["x", "y"] if i % 2 else ())
            for i in range(attributes)]
    for i in range(participants):
        person = participant_make(study=study, code=f"Q{i:03}", gender="male")
        for attribute in made:
            raw = "x" if attribute.type == "choice" else str(i)
            attribute_value_set(attribute=attribute, obj=person, raw=raw)


@pytest.mark.parametrize(("participants", "attributes"), [(2, 2), (12, 10)])
def test_the_sheet_costs_the_same_queries_whatever_its_size(study, alice, participants, attributes,
                                                             django_assert_num_queries):
    """Guards against a query per row or per column (values, choices): the membership, the
    attributes, their choices, the participants, the values of each type present (here three:
    numbers, choices, and text for Organisation, made with Sector and Gender; five at most);
    plus the user (the session comes from its cache; the menu's permission check is free for a
    user known to hold none)."""
    _grow(study, participants, attributes)
    client = client_for(alice)
    sort = f"a{study.attributes.first().pk}"
    with django_assert_num_queries(8):
        response = client.get(url("participant-sheet", study, sort=sort))
    assert len(codes(response)) == participants
