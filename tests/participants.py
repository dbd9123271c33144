"""Participants with the attributes most tests describe them by: Organisation (text), Sector and
Gender (choices), ordinary attributes of the study since interviews migration 0011, made here on
first use with the same names and English choices as that migration.

`participant_make(study=..., code=..., sector="ngo", gender="male", organisation="RET", ...)`
takes the values as the old record fields stored them, so that a test reads as it did, and
stores them through the same service as the classification sheet."""

from interviews.models import Attribute, AttributeTarget, Participant
from interviews.services import attribute_create, attribute_value_set

SECTORS = {"private": "Private", "public": "Public", "ngo": "NGO", "civil_society": "Civil society",
           "international": "International organisation"}
GENDERS = {"female": "Female", "male": "Male", "non_binary": "Non-binary", "undisclosed": "Not disclosed"}
# old field -> (attribute name, its choices as {old value: label}, None for text)
FIELDS = {"organisation": ("Organisation", None), "sector": ("Sector", SECTORS),
          "gender": ("Gender", GENDERS)}


def record_attribute(study, field):
    """The study's Organisation, Sector or Gender attribute. The first use makes all three, in
    that order after the study's other attributes, as the migration makes them."""
    name, _choices = FIELDS[field]
    existing = {a.name: a for a in Attribute.objects.filter(
        study=study, applies_to=AttributeTarget.PARTICIPANT, name__in=[n for n, _c in FIELDS.values()])}
    if name not in existing:
        for other, choices in FIELDS.values():
            if other not in existing:
                existing[other] = attribute_create(
                    study=study, applies_to=AttributeTarget.PARTICIPANT, name=other,
                    type="text" if choices is None else "choice",
                    choices=list(choices.values()) if choices else ())
    return existing[name]


def attributes_set(participant, **values):
    """Set organisation=, sector=, gender= (old field values; "" or None leaves it empty)."""
    for field, value in values.items():
        if value:
            choices = FIELDS[field][1]
            attribute_value_set(attribute=record_attribute(participant.study, field), obj=participant,
                                raw=choices[value] if choices else value)
    return participant


def participant_make(*, study, code, organisation="", sector="", gender="", **fields):
    """Participant.objects.create with the old record fields as attributes."""
    participant = Participant.objects.create(study=study, code=code, **fields)
    return attributes_set(participant, organisation=organisation, sector=sector, gender=gender)


def attribute_value(participant, name):
    """The participant's value of the attribute `name`, as shown (a choice's label), or None."""
    value = participant.attribute_values.select_related("choice").filter(attribute__name=name).first()
    if value is None:
        return None
    return value.choice.label if value.choice_id else value.value


def choice_filter(study, name, label):
    """The participants page's GET filter for the choice `label` of the attribute `name`."""
    attribute = Attribute.objects.get(study=study, applies_to=AttributeTarget.PARTICIPANT, name=name)
    return {f"a{attribute.pk}": str(attribute.choices.get(label=label).pk)}
