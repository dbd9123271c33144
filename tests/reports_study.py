"""Row builders for the report, search and browser tests: each test builds its own small study.

`code(transcript, phrase, themes, coder)` codes the first occurrence of `phrase` through the
real service, so every excerpt's quote is text[start:end] by construction.
"""

import datetime

from coding.models import Theme
from coding.services import excerpt_create
from interviews.models import Participant, Transcript


def person(code, *, sector="public", gender="female", organisation="", scope="quote", given=True,
           withdrawn=None, **extra):
    return Participant.objects.create(
        code=code, sector=sector, gender=gender, organisation=organisation, consent_given=given,
        consent_scope=scope, consent_withdrawn_on=withdrawn, **extra,
    )


def interview(participant, text, *, title=None, date=datetime.date(2009, 4, 8)):
    return Transcript.objects.create(
        participant=participant, title=title or f"Interview {participant.code}", text=text,
        interview_date=date,
    )


def code(transcript, phrase, themes, coder, *, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = transcript.text.index(phrase, start + 1)
    return excerpt_create(transcript=transcript, start=start, end=start + len(phrase), themes=themes,
                          coder=coder)


def theme(name, parent=None, **extra):
    return Theme.objects.create(name=name, parent=parent, **extra)
