"""Writes that span models: participant records, and importing a transcript (its participant,
text, first version and original file together). Views and the import command call the same
functions. Changing a transcript's text moves its excerpts, so it lives in coding
(coding/transcript_text.py)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from interviews.attributes import parse_value, value_column
from interviews.models import (
    Attribute,
    AttributeChoice,
    AttributeTarget,
    AttributeType,
    AttributeValue,
    Participant,
    TextChange,
    Transcript,
    TranscriptSource,
    TranscriptVersion,
)

# ----- participant records -----

# What a participant record holds besides its study: its code and notes, consent, and the
# identifying fields only the study's owners see. Everything else about a participant (sector,
# gender, organisation, age...) is the study's own attributes.
PARTICIPANT_FIELDS = (
    "code", "notes", "consent_given", "consent_date",
    "consent_scope", "consent_withdrawn_on", "full_name", "contact",
)


def _code_taken(code):
    return ValidationError(
        {"code": ValidationError(
            _("A participant with the code %(code)s already exists in this study."),
            code="participant_exists", params={"code": code})})


def _participant_save(participant):
    """full_clean (the code unique within the study included), then save; a code taken by
    someone else meanwhile is the same clear error, never a 500."""
    participant.full_clean()
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        raise _code_taken(participant.code) from None
    return participant


@transaction.atomic
def participant_create(*, study, code, attribute_values=None, **details):
    """A participant of `study`. The upload page gives a code only; the owners' participants
    page also gives consent and identifying `details` (see PARTICIPANT_FIELDS) and
    `attribute_values` ({attribute: parsed value or None}), saved together or not at all."""
    unknown = set(details) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    code = code.strip()
    if Participant.objects.filter(study=study, code=code).exists():
        raise _code_taken(code)
    participant = _participant_save(Participant(study=study, code=code, **details))
    for attribute, value in (attribute_values or {}).items():
        attribute_value_store(attribute, participant, value)
    return participant


@transaction.atomic
def participant_update(*, participant, attribute_values=None, **fields):
    """Change a participant record and its `attribute_values` ({attribute: parsed value or
    None}) together (owners' participants page). The study never changes."""
    unknown = set(fields) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(participant, name, value.strip() if isinstance(value, str) else value)
    _participant_save(participant)
    for attribute, value in (attribute_values or {}).items():
        attribute_value_store(attribute, participant, value)
    return participant


# ----- import -----

@transaction.atomic
def transcript_import(*, study, parsed, title, user=None, participant=None, new_participant=None,
                      interview_date=None, language=None):
    """Store a parsed file as a transcript, with its first version and its original bytes.

    `new_participant` ({code}) creates the participant in the same
    transaction, so a refused transcript never leaves a participant behind. The same bytes
    imported twice for one participant are refused. The same text imported from another file
    (a .docx and its .txt) is kept, with `duplicate_of` naming the transcript it repeats so the
    caller can warn. `language` defaults to the study's."""
    if new_participant:
        participant = participant_create(study=study, **new_participant)
    if participant.study_id != study.pk:
        raise ValidationError(_("That participant belongs to another study."), code="participant_other_study")
    duplicate = (
        TranscriptSource.objects.filter(sha256=parsed.sha256, transcript__participant=participant)
        .select_related("transcript")
        .first()
    )
    if duplicate:
        raise ValidationError(
            _("%(name)s: this file was already imported for participant %(code)s, as “%(title)s”.")
            % {"name": parsed.name, "code": participant.code, "title": duplicate.transcript.title},
            code="duplicate",
        )
    same_text = (
        Transcript.objects.filter(participant=participant, versions__change=TextChange.IMPORT,
                                  versions__text=parsed.text)
        .only("pk", "title").first()
    )
    transcript = Transcript(
        study=study, participant=participant, title=title.strip()[:200], interview_date=interview_date,
        language=language or study.language, text=parsed.text, cues=parsed.cues,
        source_filename=parsed.name[:255],
        created_by=user, updated_by=user,
    )
    transcript.full_clean()
    transcript.save()
    TranscriptVersion.objects.create(
        study_id=transcript.study_id, transcript=transcript, number=transcript.text_version,
        text=transcript.text, cues=transcript.cues, change=TextChange.IMPORT, created_by=user,
        note=f"{parsed.format}: {parsed.name}"[:300],
    )
    TranscriptSource.objects.create(
        transcript=transcript, name=parsed.name[:255], content_type=parsed.content_type,
        format=parsed.format, encoding=parsed.encoding, size=len(parsed.data),
        sha256=parsed.sha256, data=parsed.data, uploaded_by=user,
    )
    transcript.duplicate_of = same_text
    return transcript


def duplicate_warning(transcript):
    """The warning for a transcript whose text repeats one imported before, or None."""
    if transcript.duplicate_of is None:
        return None
    return _("%(name)s: the same text was already imported for participant %(code)s, as “%(title)s”. "
             "Both are kept; check whether one is a duplicate.") % {
        "name": transcript.source_filename or transcript.title, "code": transcript.participant.code,
        "title": transcript.duplicate_of.title}
# ----- attributes -----

def _clean_choices(choices):
    """Choice labels, stripped, empty lines dropped; a label given twice is refused."""
    labels = [label.strip() for label in choices if label.strip()]
    seen = set()
    for label in labels:
        if label.casefold() in seen:
            raise ValidationError({"choices": ValidationError(
                _("The choice “%(label)s” is listed twice."), code="attribute_choice_twice",
                params={"label": label})})
        seen.add(label.casefold())
    return labels


def _attribute_save(attribute):
    attribute.full_clean()
    try:
        with transaction.atomic():
            attribute.save()
    except IntegrityError:
        raise ValidationError({"name": ValidationError(
            _("This study already has an attribute named %(name)s."), code="attribute_exists",
            params={"name": attribute.name})}) from None
    return attribute


@transaction.atomic
def attribute_create(*, study, applies_to, name, type, description="", identifying=False, order=None,
                     choices=()):
    """A new attribute of `study` for its participants or its transcripts. A choice attribute
    needs its list of choices, in order; other types take none."""
    labels = _clean_choices(choices)
    if type == AttributeType.CHOICE and not labels:
        raise ValidationError({"choices": ValidationError(
            _("A choice attribute needs its list of choices, one per line."), code="attribute_no_choices")})
    if type != AttributeType.CHOICE and labels:
        raise ValidationError({"choices": ValidationError(
            _("Only a choice attribute has a list of choices."), code="attribute_choices_unexpected")})
    if order is None:
        order = Attribute.objects.filter(study=study, applies_to=applies_to).count()
    attribute = _attribute_save(Attribute(
        study=study, applies_to=applies_to, name=name.strip(), type=type,
        description=description.strip(), identifying=identifying, order=order))
    AttributeChoice.objects.bulk_create(
        AttributeChoice(attribute=attribute, label=label, order=i) for i, label in enumerate(labels))
    return attribute


@transaction.atomic
def attribute_update(*, attribute, name, description="", identifying=False, order=0, choices=None):
    """Rename, describe, flag or move an attribute; its type never changes (its values would not
    survive). For a choice attribute `choices` is the whole new list in order: labels kept keep
    their values, new labels are added, and a label still in use cannot be removed."""
    attribute.name, attribute.description = name.strip(), description.strip()
    attribute.identifying, attribute.order = identifying, order
    _attribute_save(attribute)
    if attribute.type != AttributeType.CHOICE or choices is None:
        return attribute
    labels = _clean_choices(choices)
    if not labels:
        raise ValidationError({"choices": ValidationError(
            _("A choice attribute needs its list of choices, one per line."), code="attribute_no_choices")})
    existing = {choice.label: choice for choice in attribute.choices.all()}
    gone = [choice for label, choice in existing.items() if label not in labels]
    used = AttributeValue.objects.filter(choice__in=gone).values_list("choice__label", flat=True).distinct()
    if used:
        raise ValidationError({"choices": ValidationError(
            _("These choices are still given to someone and cannot be removed: %(labels)s."),
            code="attribute_choice_in_use", params={"labels": ", ".join(sorted(used))})})
    AttributeChoice.objects.filter(pk__in=[choice.pk for choice in gone]).delete()
    for i, label in enumerate(labels):
        choice = existing.get(label) or AttributeChoice(attribute=attribute, label=label)
        choice.order = i
        choice.save()
    return attribute


@transaction.atomic
def attribute_delete(*, attribute):
    """An attribute and every value of it."""
    AttributeValue.objects.filter(attribute=attribute).delete()
    attribute.delete()


def _owner_field(attribute, obj):
    """"participant" or "transcript": the AttributeValue field that points at `obj`, after checking
    that `obj` is of the attribute's kind and study."""
    kind = AttributeTarget.PARTICIPANT if isinstance(obj, Participant) else AttributeTarget.TRANSCRIPT
    if kind != attribute.applies_to or not isinstance(obj, Participant | Transcript):
        raise ValidationError(_("%(name)s is not an attribute of this kind of record.")
                              % {"name": attribute.name}, code="attribute_wrong_target")
    if obj.study_id != attribute.study_id:
        raise ValidationError(_("That attribute belongs to another study."), code="attribute_other_study")
    return kind.value


def attribute_value_store(attribute, obj, value):
    """Store an already parsed `value` (None removes it). The caller holds the transaction."""
    field = _owner_field(attribute, obj)
    lookup = {"attribute": attribute, field: obj}
    if value is None:
        AttributeValue.objects.filter(**lookup).delete()
        return None
    column = value_column(attribute)
    stored = value.pk if column == "choice_id" else value
    row, _created = AttributeValue.objects.update_or_create(
        **lookup, defaults={"study_id": attribute.study_id, column: stored})
    return row


@transaction.atomic
def attribute_value_set(*, attribute, obj, raw):
    """Set `attribute` of a participant or transcript `obj` from what someone typed: parsed by
    the attribute's type, or a ValidationError with a message and nothing saved. An empty `raw`
    clears the value."""
    value = parse_value(attribute, raw)
    attribute_value_store(attribute, obj, value)
    return value


@transaction.atomic
def participant_add_to_sheet(*, study, code, values):
    """A participant added on the classification sheet: a pseudonym code and attribute values,
    never a name. `values` maps attributes to typed strings; one bad value refuses the whole row."""
    errors = []
    parsed = []
    for attribute, raw in values.items():
        try:
            parsed.append((attribute, parse_value(attribute, raw)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if not code.strip():
        errors.insert(0, _("Give the participant a pseudonym code."))
    if errors:
        raise ValidationError(errors)
    participant = participant_create(study=study, code=code)
    for attribute, value in parsed:
        attribute_value_store(attribute, participant, value)
    return participant


@transaction.atomic
def sheet_import_apply(*, study, new_codes, changes):
    """Apply a classification sheet import the preview showed: create the participants of
    `new_codes`, then store each (record or new code, attribute, parsed value) of `changes`.
    One transaction: any refusal leaves the study as it was."""
    created = {code: participant_create(study=study, code=code)
               for code in new_codes}
    for obj, attribute, value in changes:
        attribute_value_store(attribute, created[obj] if isinstance(obj, str) else obj, value)
    return created
