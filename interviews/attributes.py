"""Attribute values as people type them and read them: parsing a cell by the attribute's type
(with a clear message and a code when it is not one), and showing a stored value back in the
form it is typed in, so that an exported sheet imports again unchanged."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from interviews.models import VALUE_COLUMNS, AttributeType
from studies.prepared import Prepared, in_list

YES = {"yes", "y", "true", "1", "sí", "si", "s"}
NO = {"no", "n", "false", "0"}
MAX_TEXT = 1000
MAX_DIGITS, DECIMAL_PLACES = 24, 8


def parse_value(attribute, raw):
    """The typed value of `raw` (a string, or what a spreadsheet cell holds) for `attribute`,
    None for an empty cell; ValidationError with a message naming the attribute otherwise.
    A choice attribute needs its choices loaded (Attribute.objects.visible prefetches them)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    parse = PARSERS[attribute.type]
    return parse(attribute, raw)


def _bad(attribute, message, code, **params):
    return ValidationError(message, code=code, params={"name": attribute.name, **params})


def _text(attribute, raw):
    value = str(raw).strip()
    if len(value) > MAX_TEXT:
        raise _bad(attribute, _("%(name)s: at most %(max)d characters."), "attribute_text_too_long",
                   max=MAX_TEXT)
    return value


def _number(attribute, raw):
    if isinstance(raw, bool):
        raise _bad(attribute, _("%(name)s: “%(value)s” is not a number."), "attribute_not_number", value=raw)
    text = str(raw).strip().replace(" ", "")
    try:
        value = Decimal(text) if not isinstance(raw, float) else Decimal(repr(raw))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise _bad(attribute, _("%(name)s: “%(value)s” is not a number (write 34 or 2.5)."),
                   "attribute_not_number", value=text)
    value = value.normalize() if value else Decimal(0)
    if value.as_tuple().exponent < -DECIMAL_PLACES or value.adjusted() >= MAX_DIGITS - DECIMAL_PLACES:
        raise _bad(attribute, _("%(name)s: “%(value)s” has too many digits."), "attribute_number_too_long",
                   value=text)
    return value


def _date(attribute, raw):
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _bad(attribute, _("%(name)s: “%(value)s” is not a date (write it as 2009-04-07)."),
                   "attribute_not_date", value=text) from None


def _boolean(attribute, raw):
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise _bad(attribute, _("%(name)s: “%(value)s” is not yes or no."), "attribute_not_boolean", value=raw)


def _choice(attribute, raw):
    text = str(raw).strip()
    for choice in attribute.choices.all():
        if choice.label.casefold() == text.casefold():
            return choice
    labels = ", ".join(choice.label for choice in attribute.choices.all())
    raise _bad(attribute, _("%(name)s: “%(value)s” is not one of its choices (%(choices)s)."),
               "attribute_not_choice", value=text, choices=labels)


PARSERS = {
    AttributeType.TEXT: _text, AttributeType.NUMBER: _number, AttributeType.DATE: _date,
    AttributeType.BOOLEAN: _boolean, AttributeType.CHOICE: _choice,
}


def format_number(value):
    """34, 2.5, -0.125: no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def display_value(attribute_type, value, choice_labels=None):
    """A stored value as text, the way parse_value reads it back. `value` is the typed column's
    content (a choice's id for choices, looked up in `choice_labels`)."""
    if value is None:
        return ""
    if attribute_type == AttributeType.NUMBER:
        return format_number(value)
    if attribute_type == AttributeType.DATE:
        return value.isoformat()
    if attribute_type == AttributeType.BOOLEAN:
        return str(_("yes") if value else _("no"))
    if attribute_type == AttributeType.CHOICE:
        return str(choice_labels.get(value, "")) if choice_labels is not None else str(value)
    return value


def value_column(attribute):
    """The AttributeValue field holding this attribute's values (the choice's id for choices)."""
    column = VALUE_COLUMNS[attribute.type]
    return "choice_id" if column == "choice" else column


# ----- participants as reports show them -----

# The text attribute a citation names as the participant's organisation, where consent is
# "May be quoted with organisation named": the participant attribute with one of these names
# (any case), non-identifying. Migration 0011 made it from the old record field.
ORGANISATION_NAMES = {"organisation", "organization", "organización", "organizacion", "institution",
                      "institución", "institucion"}


def is_organisation(attribute):
    return (attribute.type == AttributeType.TEXT and not attribute.identifying
            and attribute.name.strip().casefold() in ORGANISATION_NAMES)


@dataclass
class Profiles:
    """Participants as every member may see them in reports: the study's non-identifying
    participant attributes, in order, and each participant's values shown as text."""

    attributes: list
    values: dict  # participant id -> {attribute id: value as shown}

    def row(self, participant_id):
        """The participant's values, one per attribute ("" where none)."""
        values = self.values.get(participant_id, {})
        return [values.get(attribute.pk, "") for attribute in self.attributes]

    @property
    def choice_attributes(self):
        return [attribute for attribute in self.attributes if attribute.type == AttributeType.CHOICE]

    def choice_row(self, participant_id):
        """The participant's choice values, in attribute order ("" where none): what a citation
        says of them ("NGO · Male") and the quote exports' columns."""
        values = self.values.get(participant_id, {})
        return [values.get(attribute.pk, "") for attribute in self.choice_attributes]

    def organisation(self, participant_id):
        values = self.values.get(participant_id, {})
        return next((values[a.pk] for a in self.attributes if is_organisation(a) and a.pk in values), "")


def _participant_values(_shape, *, study, attributes, participants=None):
    from interviews.models import AttributeValue

    rows = AttributeValue.objects.filter(study_id=study, attribute_id__in=attributes,
                                         participant__isnull=False)
    if participants is not None:
        rows = rows.filter(participant_id__in=participants)
    return rows.values_list("participant_id", "attribute_id", "text", "number", "date", "boolean",
                            "choice__label")


# Read for every page of the excerpt browser: compiled once per process and shape
# (studies.prepared).
PARTICIPANT_VALUES = Prepared(_participant_values)


def participant_profiles(study, participant_ids=None, *, identifying=False, attributes=None):
    """Profiles of `study`'s participants (only `participant_ids`, if given); identifying
    attributes only with `identifying` (owners' participants page and export, never a report).
    Two queries: the attributes, then the values with their choices' labels; one given
    `attributes`, the study's attributes read already (any order, any kind: the participants'
    are kept)."""
    from interviews.models import Attribute, AttributeTarget

    if attributes is not None:
        attributes = sorted((a for a in attributes if a.applies_to == AttributeTarget.PARTICIPANT
                             and (identifying or not a.identifying)), key=lambda a: (a.order, a.name))
    else:
        attributes = Attribute.objects.filter(study=study, applies_to=AttributeTarget.PARTICIPANT)
        if not identifying:
            attributes = attributes.filter(identifying=False)
        attributes = list(attributes.order_by("order", "name"))
    values = {}
    if attributes:
        ids = {"participants": in_list(sorted(participant_ids))} if participant_ids is not None else {}
        rows = PARTICIPANT_VALUES.run(study=getattr(study, "pk", study),
                                      attributes=[a.pk for a in attributes], **ids)
        types = {attribute.pk: attribute.type for attribute in attributes}
        for pk, attribute_id, text, number, date, boolean, label in rows:
            kind = types[attribute_id]
            value = {AttributeType.TEXT: text, AttributeType.NUMBER: number, AttributeType.DATE: date,
                     AttributeType.BOOLEAN: boolean, AttributeType.CHOICE: label}[kind]
            values.setdefault(pk, {})[attribute_id] = display_value(kind, value, None)
    return Profiles(attributes, values)
