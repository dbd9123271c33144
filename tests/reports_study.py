"""Row builders for the report, search and browser tests: each test builds its own small study.

Participants and themes are made in the study passed first (the conftest `study`, or a second
study for isolation tests); a transcript belongs to its participant's study.
`code(transcript, phrase, themes, coder)` codes the first occurrence of `phrase` through the
real service, so every excerpt's quote is text[start:end] by construction.
"""

import datetime

from coding.models import Theme
from coding.services import excerpt_create
from interviews.models import Transcript
from tests.participants import participant_make


def person(study, code, *, sector="public", gender="female", organisation="", scope="quote", given=True,
           withdrawn=None, **extra):
    return participant_make(
        study=study, code=code, sector=sector, gender=gender, organisation=organisation, consent_given=given,
        consent_scope=scope, consent_withdrawn_on=withdrawn, **extra,
    )


def interview(participant, text, *, title=None, date=datetime.date(2009, 4, 8)):
    return Transcript.objects.create(
        study=participant.study, participant=participant, title=title or f"Interview {participant.code}",
        text=text, interview_date=date,
    )


def code(transcript, phrase, themes, coder, *, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = transcript.text.index(phrase, start + 1)
    return excerpt_create(transcript=transcript, start=start, end=start + len(phrase), themes=themes,
                          coder=coder)


def theme(study, name, parent=None, **extra):
    return Theme.objects.create(study=study, name=name, parent=parent, **extra)


def twin_study(study, user):
    """The same small data set in `study`, coded by `user` (a member of it): two consenting
    participants (one quote_named, one interview_only), one who withdrew, a theme with a
    sub-theme and one more theme, excerpts that overlap and share themes. Isolation tests build
    it in two studies and check each study's reports show exactly one copy."""
    from studies.models import Membership, Role

    Membership.objects.get_or_create(study=study, user=user, defaults={"role": Role.RESEARCHER})
    parent = theme(study, "Results")
    child = theme(study, "Planning", parent=parent)
    other = theme(study, "Alliances")
    named = person(study, "D", sector="ngo", gender="male", organisation=f"Org {study.slug}",
                   scope="quote_named")
    only = person(study, "I", sector="public", scope="interview_only")
    gone = person(study, "W", withdrawn=datetime.date(2010, 1, 1))
    td = interview(named, f"D: migración planning alpha beta gamma {study.slug}.")
    ti = interview(only, f"I: migración without money {study.slug}.")
    tw = interview(gone, f"W: migración withdrawn {study.slug}.")
    return {
        "parent": parent, "child": child, "other": other, "named": named, "only": only, "gone": gone,
        "td": td, "ti": ti, "tw": tw,
        "x1": code(td, "planning alpha", [child], user),
        "x2": code(td, "alpha beta", [child, other], user),
        "x3": code(ti, "without money", [parent], user),
        "x4": code(tw, "withdrawn", [child], user),
    }


def noise(study, coder, count):
    """`count` participants in `study`, each with a transcript and an excerpt coded with two
    themes (one a sub-theme), overlapping another: rows a study-scoped read must never touch,
    for query-count tests that grow another study alongside the one under test."""
    parent = theme(study, "Noise")
    child = theme(study, "Noise child", parent=parent)
    for i in range(count):
        transcript = interview(person(study, f"N{i:03}"), "noise words here migración")
        code(transcript, "noise words", [parent, child], coder)
        code(transcript, "words here", [child], coder)
