"""An excerpt's number in its transcript (the 12 of a quote reference T4:12 ¶7): given by the
database on every insert path, never reused, kept through remove and restore."""

from coding.models import CodedExcerpt
from coding.services import excerpt_delete, excerpt_restore
from tests.reports_study import code, interview


def numbers(transcript):
    return dict(CodedExcerpt.objects.filter(transcript=transcript).values_list("quote", "number"))


def test_it_numbers_excerpts_per_transcript_in_coding_order(alice, participant, themes):
    first = interview(participant, "one two three", title="First")
    second = interview(participant, "alpha beta", title="Second")
    for word in ("three", "one", "two"):
        code(first, word, [themes["youth"]], alice)
    code(second, "beta", [themes["youth"]], alice)
    assert numbers(first) == {"three": 1, "one": 2, "two": 3}
    assert numbers(second) == {"beta": 1}


def test_a_number_is_never_reused_and_a_restore_keeps_its_own(alice, participant, themes):
    transcript = interview(participant, "one two three four")
    code(transcript, "one", [themes["youth"]], alice)
    last = code(transcript, "two", [themes["youth"]], alice)
    deleted = excerpt_delete(excerpt=CodedExcerpt.objects.get(pk=last.pk), user=alice)
    code(transcript, "three", [themes["youth"]], alice)
    assert numbers(transcript) == {"one": 1, "three": 3}
    excerpt_restore(deleted=deleted)
    assert numbers(transcript) == {"one": 1, "two": 2, "three": 3}


def test_bulk_inserts_are_numbered_and_a_save_keeps_the_number(alice, study, participant, themes):
    transcript = interview(participant, "abc def")
    CodedExcerpt.objects.bulk_create([
        CodedExcerpt(study=study, transcript=transcript, start=0, end=3, quote="abc", coder=alice),
        CodedExcerpt(study=study, transcript=transcript, start=4, end=7, quote="def", coder=alice),
    ])
    assert numbers(transcript) == {"abc": 1, "def": 2}
    fresh = CodedExcerpt(study=study, transcript=transcript, start=0, end=7, quote="abc def", coder=alice)
    fresh.save()  # the instance never reads back the number the database gave it
    fresh.memo = "saved again"
    fresh.save()
    assert numbers(transcript)["abc def"] == 3
