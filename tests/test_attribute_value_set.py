"""interviews.services.attribute_value_set and the attribute definitions' services: a value
is parsed by its attribute's type, a bad one is refused with a message and nothing is saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from interviews.models import AttributeValue, Participant
from interviews.services import (
    attribute_create,
    attribute_delete,
    attribute_update,
    attribute_value_set,
)


@pytest.fixture
def participant(study):
    """D with no attribute values (the conftest's has Organisation, Sector and Gender): this
    module counts every AttributeValue row."""
    return Participant.objects.create(study=study, code="D")


@pytest.fixture
def attrs(study):
    make = lambda name, kind, **kw: attribute_create(study=study, applies_to="participant", name=name,  # noqa: E731
                                                      type=kind, **kw)
    return {
        "age": make("Age", "number"), "born": make("Born", "date"), "lead": make("Leads a group", "boolean"),
        "role": make("Role", "text"),
        "wave": make("Wave", "choice", choices=["First", "Second", "Third"]),
    }


@pytest.mark.parametrize(("key", "raw", "expected"), [
    ("age", "34", Decimal(34)), ("age", " 2.5 ", Decimal("2.5")), ("age", "-0.125", Decimal("-0.125")),
    ("born", "1975-03-09", datetime.date(1975, 3, 9)), ("lead", "Yes", True), ("lead", "no", False),
    ("lead", "sí", True), ("role", "  Mayor’s adviser ", "Mayor’s adviser"),
])
def test_it_stores_each_type_in_its_column(attrs, participant, key, raw, expected):
    attribute_value_set(attribute=attrs[key], obj=participant, raw=raw)
    row = AttributeValue.objects.get(attribute=attrs[key], participant=participant)
    assert row.value == expected


def test_it_matches_a_choice_by_its_label_whatever_the_case(attrs, participant):
    attribute_value_set(attribute=attrs["wave"], obj=participant, raw="second")
    assert AttributeValue.objects.get(participant=participant).choice.label == "Second"


@pytest.mark.parametrize(("key", "raw", "code", "words"), [
    ("age", "thirty", "attribute_not_number", "is not a number"),
    ("age", "1e400", "attribute_number_too_long", "too many digits"),
    ("age", "0.000000001", "attribute_number_too_long", "too many digits"),
    ("age", "NaN", "attribute_not_number", "is not a number"),
    ("born", "09/03/1975", "attribute_not_date", "is not a date"),
    ("born", "1975-02-30", "attribute_not_date", "is not a date"),
    ("lead", "maybe", "attribute_not_boolean", "is not yes or no"),
    ("wave", "Fourth", "attribute_not_choice", "First, Second, Third"),
    ("role", "x" * 1001, "attribute_text_too_long", "at most 1000"),
])
def test_it_rejects_a_bad_value_with_a_message_and_saves_nothing(attrs, participant, key, raw, code, words):
    attribute_value_set(attribute=attrs[key], obj=participant, raw={
        "age": "5", "born": "2000-01-01", "lead": "yes", "wave": "First", "role": "kept"}[key])
    before = list(AttributeValue.objects.values_list("pk", "text", "number", "date", "boolean", "choice"))
    with pytest.raises(ValidationError) as caught:
        attribute_value_set(attribute=attrs[key], obj=participant, raw=raw)
    assert caught.value.error_list[0].code == code
    assert words in caught.value.messages[0]
    assert caught.value.messages[0].startswith(attrs[key].name + ":")
    after = AttributeValue.objects.values_list("pk", "text", "number", "date", "boolean", "choice")
    assert list(after) == before


def test_an_empty_value_removes_the_row(attrs, participant):
    attribute_value_set(attribute=attrs["age"], obj=participant, raw="40")
    attribute_value_set(attribute=attrs["age"], obj=participant, raw="  ")
    assert not AttributeValue.objects.exists()


def test_setting_twice_keeps_one_value(attrs, participant):
    attribute_value_set(attribute=attrs["age"], obj=participant, raw="40")
    attribute_value_set(attribute=attrs["age"], obj=participant, raw="41")
    assert list(AttributeValue.objects.values_list("number", flat=True)) == [Decimal(41)]


def test_it_refuses_a_participant_of_another_study(attrs, other_study):
    stranger = Participant.objects.create(study=other_study, code="Z")
    with pytest.raises(ValidationError) as caught:
        attribute_value_set(attribute=attrs["age"], obj=stranger, raw="40")
    assert caught.value.error_list[0].code == "attribute_other_study"
    assert not AttributeValue.objects.exists()


def test_it_refuses_a_transcript_for_a_participant_attribute(attrs, transcript):
    with pytest.raises(ValidationError) as caught:
        attribute_value_set(attribute=attrs["age"], obj=transcript, raw="40")
    assert caught.value.error_list[0].code == "attribute_wrong_target"


def test_the_database_keeps_one_value_per_object_and_attribute(attrs, participant, study):
    AttributeValue.objects.create(study=study, attribute=attrs["age"], participant=participant, number=1)
    with pytest.raises(IntegrityError):
        AttributeValue.objects.create(study=study, attribute=attrs["age"], participant=participant, number=2)


def test_the_database_refuses_two_typed_values_in_one_row(attrs, participant, study):
    with pytest.raises(IntegrityError):
        AttributeValue.objects.create(study=study, attribute=attrs["age"], participant=participant, number=1,
                                      text="one")


def test_a_choice_attribute_needs_choices(study):
    with pytest.raises(ValidationError) as caught:
        attribute_create(study=study, applies_to="participant", name="Wave", type="choice", choices=["", " "])
    assert caught.value.error_dict["choices"][0].code == "attribute_no_choices"


def test_a_name_is_unique_per_study_and_kind(study, attrs):
    with pytest.raises(ValidationError) as caught:
        attribute_create(study=study, applies_to="participant", name="Age", type="text")
    assert "already has an attribute" in caught.value.messages[0]
    attribute_create(study=study, applies_to="transcript", name="Age", type="text")  # transcripts' own


def test_a_choice_in_use_cannot_be_removed(attrs, participant):
    attribute_value_set(attribute=attrs["wave"], obj=participant, raw="Second")
    with pytest.raises(ValidationError) as caught:
        attribute_update(attribute=attrs["wave"], name="Wave", choices=["First", "Third"])
    assert caught.value.error_dict["choices"][0].code == "attribute_choice_in_use"
    assert [c.label for c in attrs["wave"].choices.all()] == ["First", "Second", "Third"]


def test_choices_can_be_reordered_and_added_keeping_values(attrs, participant):
    attribute_value_set(attribute=attrs["wave"], obj=participant, raw="Second")
    attribute_update(attribute=attrs["wave"], name="Wave", choices=["Third", "Second", "First", "Fourth"])
    assert [c.label for c in attrs["wave"].choices.all()] == ["Third", "Second", "First", "Fourth"]
    assert AttributeValue.objects.get(participant=participant).choice.label == "Second"


def test_deleting_an_attribute_deletes_its_values(attrs, participant):
    attribute_value_set(attribute=attrs["wave"], obj=participant, raw="Second")
    attribute_delete(attribute=attrs["wave"])
    assert not AttributeValue.objects.exists()
