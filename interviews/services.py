"""Writes that span models: participant records, and importing a transcript (its participant,
text, first version and original file together). Views and the import command call the same
functions. Changing a transcript's text moves its excerpts, so it lives in coding
(coding/transcript_text.py)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from interviews.models import (
    Participant,
    TextChange,
    Transcript,
    TranscriptSource,
    TranscriptVersion,
)

# ----- participant records -----

# What a participant record holds besides its study: pseudonymous fields, consent, and the
# identifying fields only the study's owners see.
PARTICIPANT_FIELDS = (
    "code", "organisation", "sector", "gender", "notes", "consent_given", "consent_date",
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
def participant_create(*, study, code, sector, gender, organisation="", **details):
    """A participant of `study`. The upload page gives pseudonymous fields only; the owners'
    participants page also gives consent and identifying `details` (see PARTICIPANT_FIELDS)."""
    unknown = set(details) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    code = code.strip()
    if Participant.objects.filter(study=study, code=code).exists():
        raise _code_taken(code)
    participant = Participant(study=study, code=code, sector=sector, gender=gender,
                              organisation=organisation.strip(), **details)
    return _participant_save(participant)


@transaction.atomic
def participant_update(*, participant, **fields):
    """Change a participant record (owners' participants page). The study never changes."""
    unknown = set(fields) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(participant, name, value.strip() if isinstance(value, str) else value)
    return _participant_save(participant)


# ----- import -----

@transaction.atomic
def transcript_import(*, study, parsed, title, user=None, participant=None, new_participant=None,
                      interview_date=None, language=None):
    """Store a parsed file as a transcript, with its first version and its original bytes.

    `new_participant` ({code, sector, gender, organisation}) creates the participant in the same
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
