"""Model invariants: what the database refuses on its own, and what `full_clean` adds on top.

Database checks are exercised through paths that skip validation (`create`, `bulk_create`,
`update`), so they would catch a write from a shell, a script or a forgotten `full_clean`.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coding.models import CodedExcerpt, Theme
from interviews.models import Participant, Transcript, coverage
from tests.participants import participant_make

# The conftest transcript's text starts "Interviewer: How did it start?"
INTERVIEWER = "Interviewer"


def error_codes(exc):
    """Every code a ValidationError carries, whichever field (or none) it sits on."""
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def assert_integrity_error(write):
    # The atomic block keeps the test's own transaction usable on PostgreSQL after the error.
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def excerpt(transcript, coder, start, end, **extra):
    """An unsaved excerpt whose quote matches the text unless `quote` says otherwise."""
    extra.setdefault("quote", transcript.text[start:end])
    return CodedExcerpt(study=transcript.study, transcript=transcript, coder=coder, start=start,
                        end=end, **extra)


# ----- CodedExcerpt: database -----

def test_it_saves_a_well_formed_excerpt(transcript, alice):
    saved = CodedExcerpt.objects.create(
        study=transcript.study, transcript=transcript, coder=alice, start=0, end=11, quote=INTERVIEWER
    )
    assert CodedExcerpt.objects.get(pk=saved.pk).quote == INTERVIEWER


@pytest.mark.parametrize(
    ("start", "end"),
    [(5, 5), (6, 5), (0, 0), (-1, 4), (-3, -1)],
    ids=["empty", "backwards", "empty-at-zero", "negative-start", "negative-both"],
)
def test_it_refuses_bad_offsets_on_create(transcript, alice, start, end):
    assert_integrity_error(
        lambda: CodedExcerpt.objects.create(
            study=transcript.study, transcript=transcript, coder=alice, start=start, end=end, quote="x"
        )
    )
    assert not CodedExcerpt.objects.exists()


def test_it_refuses_bad_offsets_in_bulk_create(transcript, alice):
    rows = [excerpt(transcript, alice, 0, 11), excerpt(transcript, alice, 12, 12)]
    assert_integrity_error(lambda: CodedExcerpt.objects.bulk_create(rows))
    assert not CodedExcerpt.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"end": 0}, {"end": -5}, {"start": 11}, {"start": 20}, {"start": -1}],
    ids=["backwards", "negative-end", "empty", "start-past-end", "negative-start"],
)
def test_it_refuses_bad_offsets_in_update(transcript, alice, changes):
    saved = CodedExcerpt.objects.create(
        study=transcript.study, transcript=transcript, coder=alice, start=0, end=11, quote=INTERVIEWER
    )
    assert_integrity_error(lambda: CodedExcerpt.objects.filter(pk=saved.pk).update(**changes))
    saved.refresh_from_db()
    assert (saved.start, saved.end) == (0, 11)


# ----- CodedExcerpt: validation -----

def test_it_accepts_an_excerpt_whose_quote_matches(transcript, alice):
    excerpt(transcript, alice, 0, 11).full_clean()


def test_it_accepts_an_excerpt_that_ends_at_the_end_of_the_text(transcript, alice):
    length = len(transcript.text)
    excerpt(transcript, alice, length - 5, length).full_clean()


def test_it_rejects_offsets_outside_transcript(transcript, alice):
    length = len(transcript.text)
    with pytest.raises(ValidationError) as caught:
        excerpt(transcript, alice, length - 3, length + 1, quote="x").full_clean()
    assert "offset_out_of_range" in error_codes(caught.value)


def test_it_rejects_a_quote_that_differs_from_the_text(transcript, alice):
    with pytest.raises(ValidationError) as caught:
        excerpt(transcript, alice, 0, 11, quote="Interviewee").full_clean()
    assert error_codes(caught.value) == {"quote_mismatch"}


def test_it_accepts_a_mismatched_quote_that_needs_review(transcript, alice):
    excerpt(transcript, alice, 0, 11, quote="Interviewee", needs_review=True).full_clean()


def test_it_rejects_offsets_outside_transcript_even_when_needing_review(transcript, alice):
    length = len(transcript.text)
    stale = excerpt(transcript, alice, 0, length + 10, quote="old text", needs_review=True)
    with pytest.raises(ValidationError) as caught:
        stale.full_clean()
    assert "offset_out_of_range" in error_codes(caught.value)


def test_it_rejects_an_empty_span_in_full_clean(transcript, alice):
    with pytest.raises(ValidationError):
        excerpt(transcript, alice, 4, 4, quote="x").full_clean()


# ----- Transcript -----

@pytest.mark.parametrize("text", ["one\r\ntwo", "one\rtwo", "\r"], ids=["crlf", "cr", "only-cr"])
def test_it_refuses_carriage_returns_in_transcript_text(participant, text):
    assert_integrity_error(
        lambda: Transcript.objects.create(study=participant.study, participant=participant, title="CR",
                                          text=text)
    )
    assert not Transcript.objects.exists()


def test_it_refuses_a_carriage_return_written_by_update(transcript):
    assert_integrity_error(
        lambda: Transcript.objects.filter(pk=transcript.pk).update(text="a\r\nb")
    )
    transcript.refresh_from_db()
    assert "\r" not in transcript.text


def test_it_refuses_an_empty_transcript_title(participant):
    assert_integrity_error(
        lambda: Transcript.objects.create(study=participant.study, participant=participant, title="",
                                          text="x")
    )


def test_it_rejects_text_that_is_not_nfc(participant):
    decomposed = Transcript(study=participant.study, participant=participant, title="NFD",
                            text="caf" + "e\u0301")
    with pytest.raises(ValidationError) as caught:
        decomposed.full_clean()
    assert list(caught.value.error_dict) == ["text"]


@pytest.mark.parametrize(
    "text", ["line  \nnext", "line\n", "\nline", "a\r\nb"],
    ids=["trailing-space", "trailing-newline", "leading-newline", "crlf"],
)
def test_it_rejects_text_not_in_normal_form(participant, text):
    with pytest.raises(ValidationError) as caught:
        Transcript(study=participant.study, participant=participant, title="T", text=text).clean()
    assert list(caught.value.error_dict) == ["text"]


def test_it_accepts_nfc_text(participant):
    Transcript(study=participant.study, participant=participant, title="NFC",
               text="caf\u00e9 😀\n\nمرحبا").full_clean()


# ----- Theme -----

def test_it_refuses_two_sibling_themes_with_one_name(themes):
    assert_integrity_error(
        lambda: Theme.objects.create(study=themes["parent"].study, name="Youth", parent=themes["parent"])
    )
    assert Theme.objects.filter(name="Youth").count() == 1


def test_it_allows_one_name_under_different_parents(themes):
    other = Theme.objects.create(study=themes["parent"].study, name="Analytic themes")
    Theme.objects.create(study=themes["parent"].study, name="Youth", parent=other)
    assert Theme.objects.filter(name="Youth").count() == 2


def test_it_refuses_two_top_level_themes_with_one_name(themes):
    assert_integrity_error(lambda: Theme.objects.create(study=themes["parent"].study, name="Strategy themes"))
    assert Theme.objects.filter(name="Strategy themes").count() == 1


def test_it_allows_a_top_level_theme_named_like_a_sub_theme(themes):
    Theme.objects.create(study=themes["parent"].study, name="Youth")
    assert Theme.objects.filter(name="Youth").count() == 2


def test_it_reports_duplicate_names_in_full_clean(themes):
    with pytest.raises(ValidationError):
        Theme(study=themes["parent"].study, name="Youth", parent=themes["parent"]).full_clean()


def test_it_refuses_a_theme_that_is_its_own_parent_in_the_database(themes):
    youth = themes["youth"]
    assert_integrity_error(lambda: Theme.objects.filter(pk=youth.pk).update(parent=youth.pk))


def test_it_rejects_a_theme_under_itself(themes):
    parent = themes["parent"]
    parent.parent = parent
    with pytest.raises(ValidationError) as caught:
        parent.clean()
    assert list(caught.value.error_dict) == ["parent"]


def test_it_rejects_a_theme_under_its_own_descendant(themes):
    grandchild = Theme.objects.create(study=themes["parent"].study, name="Rural youth",
                                      parent=themes["youth"])
    parent = themes["parent"]
    parent.parent = grandchild
    with pytest.raises(ValidationError) as caught:
        parent.clean()
    assert list(caught.value.error_dict) == ["parent"]


def test_it_accepts_moving_a_theme_to_another_branch(themes):
    other = Theme.objects.create(study=themes["parent"].study, name="Analytic themes")
    youth = themes["youth"]
    youth.parent = other
    youth.full_clean()


# ----- Participant -----

def test_it_refuses_consent_withdrawn_before_it_was_given(study):
    assert_integrity_error(
        lambda: participant_make(
            study=study, code="X",
            sector="ngo",
            gender="female",
            consent_given=True,
            consent_date=datetime.date(2009, 4, 8),
            consent_withdrawn_on=datetime.date(2009, 4, 7),
        )
    )
    assert not Participant.objects.exists()


def test_it_refuses_a_withdrawal_date_moved_before_consent(participant):
    Participant.objects.filter(pk=participant.pk).update(consent_date=datetime.date(2009, 4, 8))
    assert_integrity_error(
        lambda: Participant.objects.filter(pk=participant.pk).update(
            consent_withdrawn_on=datetime.date(2009, 1, 1)
        )
    )


def test_it_allows_consent_withdrawn_on_the_day_it_was_given(study):
    day = datetime.date(2009, 4, 8)
    participant_make(
        study=study, code="X", sector="ngo", gender="female", consent_given=True,
        consent_date=day, consent_withdrawn_on=day,
    )
    assert Participant.objects.filter(code="X").exists()


def test_it_refuses_an_empty_participant_code(study):
    assert_integrity_error(
        lambda: participant_make(study=study, code="", sector="ngo", gender="female")
    )


def test_it_rejects_a_consent_date_without_consent(study):
    unticked = Participant(study=study, code="X", consent_date=datetime.date(2009, 4, 8))
    with pytest.raises(ValidationError) as caught:
        unticked.full_clean()
    assert list(caught.value.error_dict) == ["consent_given"]


def test_it_accepts_a_consent_date_with_consent(study):
    participant = Participant(study=study, code="X", consent_given=True,
                              consent_date=datetime.date(2009, 4, 8))
    participant.full_clean()


def test_it_refuses_one_participant_code_twice_in_a_study(participant):
    assert_integrity_error(
        lambda: participant_make(study=participant.study, code="D", sector="ngo", gender="male")
    )
    with pytest.raises(ValidationError):
        Participant(study=participant.study, code="D").full_clean()


def test_it_allows_one_participant_code_in_two_studies(participant, other_study):
    participant_make(study=other_study, code="D", sector="ngo", gender="male")
    assert Participant.objects.filter(code="D").count() == 2


# ----- error codes -----

def _non_nfc_transcript(participant, themes):
    return Transcript(study=participant.study, participant=participant, title="NFD", text="e\u0301")


def _theme_under_itself(participant, themes):
    parent = themes["parent"]
    parent.parent = themes["youth"]
    return parent


def _date_without_consent(participant, themes):
    participant.consent_given = False
    participant.consent_date = datetime.date(2009, 4, 8)
    return participant


@pytest.mark.parametrize(
    ("make", "field", "code"),
    [
        (_non_nfc_transcript, "text", "text_not_normalised"),
        (_theme_under_itself, "parent", "theme_cycle"),
        (_date_without_consent, "consent_given", "consent_date_without_consent"),
    ],
    ids=["transcript-text", "theme-cycle", "participant-consent"],
)
def test_it_gives_each_clean_error_its_code(participant, themes, make, field, code):
    """Forms and views tell errors apart by code (house style 6). A code passed next to a dict,
    `ValidationError({field: msg}, code=...)`, is dropped by Django: it must sit on the message."""
    with pytest.raises(ValidationError) as caught:
        make(participant, themes).clean()
    assert [e.code for e in caught.value.error_dict[field]] == [code]


# ----- coverage -----

@pytest.mark.parametrize(
    ("spans", "length", "expected"),
    [
        ([], 10, 0.0),
        ([(0, 10)], 10, 1.0),
        ([(0, 5), (2, 7)], 10, 0.7),
        ([(2, 7), (0, 5)], 10, 0.7),
        ([(0, 10), (2, 4)], 20, 0.5),
        ([(0, 5), (5, 10)], 10, 1.0),
        ([(0, 2), (6, 8)], 10, 0.4),
        ([(0, 4), (0, 4), (3, 6), (8, 9)], 10, 0.7),
        ([(1, 3)], 0, 0.0),
    ],
    ids=[
        "none", "all", "overlapping", "unsorted", "nested", "touching", "disjoint",
        "duplicates-and-chain", "empty-text",
    ],
)
def test_it_counts_overlapping_spans_once(spans, length, expected):
    assert coverage(spans, length) == pytest.approx(expected)
