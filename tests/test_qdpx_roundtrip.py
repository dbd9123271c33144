"""Round trip: export study A, import the file, get a new study B with exactly A's content; A and
every other study stay as they were."""

import io

from django.contrib.auth import get_user_model

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create, excerpt_update
from demo.loader import demo_load
from exchange.qdpx_export import study_export
from exchange.qdpx_import import study_import
from interviews.models import AttributeValue, Participant, Transcript
from studies.models import Membership, Role
from tests.test_qdpx_export import study_build
from tests.test_qdpx_import import study_rows


def theme_path(theme, by_id):
    names = []
    while theme is not None:
        names.append(theme.name)
        theme = by_id.get(theme.parent_id)
    return tuple(reversed(names))


def study_snapshot(study):
    """Everything a study is, keyed by what survives a move between studies (codes, titles,
    theme paths, usernames) rather than by primary keys. The study's language travels in the
    project description ("Study language: es"), the themes' second-language texts in theirs."""
    themes = {t.pk: t for t in Theme.objects.filter(study=study)}
    excerpts = CodedExcerpt.objects.filter(study=study).select_related(
        "transcript__participant", "coder").prefetch_related("themes")
    return {
        "study": (study.name, study.description, study.language),
        "participants": sorted(Participant.objects.filter(study=study).values_list("code", flat=True)),
        # organisation, sector and gender among them (ordinary attributes since interviews 0011)
        "attributes": sorted(
            (v.participant.code if v.participant_id else None,
             v.transcript.title if v.transcript_id else None, v.attribute.name, v.attribute.type,
             v.text, v.number, v.date, v.boolean, v.choice.label if v.choice_id else None)
            for v in AttributeValue.objects.filter(study=study).select_related(
                "participant", "transcript", "attribute", "choice")),
        "transcripts": {
            (t.participant.code, t.title): (t.text, t.interview_date, t.language, t.source_filename,
                                            t.created_by.username if t.created_by else None, t.created_at)
            for t in Transcript.objects.filter(study=study).select_related("participant", "created_by")
        },
        "themes": {theme_path(t, themes): (t.kind, t.colour, t.description, t.inclusion_criteria,
                                           t.exclusion_criteria, t.order, t.is_codable, t.name_second,
                                           t.description_second, t.inclusion_criteria_second,
                                           t.exclusion_criteria_second)
                   for t in themes.values()},
        "excerpts": sorted(
            (e.transcript.participant.code, e.transcript.title, e.start, e.end, e.quote,
             e.coder.username, tuple(sorted(theme_path(t, themes) for t in e.themes.all())), e.memo,
             e.needs_review, e.review_reason, e.created_at)
            for e in excerpts
        ),
        "coders": sorted(set(CodedExcerpt.objects.filter(study=study).values_list(
            "coder__username", flat=True))),
    }


def export_then_import(study, owner):
    out = io.BytesIO()
    study_export(out, study=study)
    out.seek(0)
    return study_import(out, owner=owner, file_name="study.qdpx")


def test_it_reproduces_the_demo_study_exactly_as_a_new_study(db):
    users, loaded = demo_load()
    pasto, other = loaded[0][0], loaded[1][0]
    # Give it a second coder and memos, so both count.
    tomas = users["tomas"]
    first = CodedExcerpt.objects.filter(study=pasto).order_by("pk").first()
    excerpt_update(excerpt=first, version=first.version, start=first.start, end=first.end,
                   themes=list(first.themes.all()), memo="Maria's memo:\nthe plan comes first.")
    excerpt_create(transcript=first.transcript, start=first.start, end=first.end,
                   themes=list(first.themes.all()), coder=tomas, memo="Tomás agrees.")
    pasto.description = "The paper's study."
    pasto.save()
    before = study_snapshot(pasto)
    untouched = {s.pk: (study_snapshot(s), study_rows(s)) for s in (pasto, other)}
    assert len(before["participants"]) > 1 and len(before["excerpts"]) > 10
    assert len(before["coders"]) == 2

    report = export_then_import(pasto, owner=users["olga"])

    assert report.study not in (pasto, other)
    assert study_snapshot(report.study) == before
    assert {s.pk: (study_snapshot(s), study_rows(s)) for s in (pasto, other)} == untouched
    assert report.skipped == {}
    assert report.imported["excerpts"] == len(before["excerpts"])
    assert report.imported["participants"] == len(before["participants"])


def test_it_reproduces_astral_and_control_characters_shared_spans_and_stale_quotes(study, alice, bob):
    built = study_build(study, alice, bob)
    # A control character XML cannot hold: the selection's name loses it, the quote must not.
    odd = Transcript.objects.create(study=study, participant=built["participant"], title="Form feed",
                                    text="Page one\x0cpage two")
    excerpt_create(transcript=odd, start=0, end=len(odd.text), themes=[built["themes"]["Youth"]],
                   coder=alice)
    before = study_snapshot(study)

    report = export_then_import(study, owner=alice)

    assert study_snapshot(report.study) == before
    assert study_snapshot(study) == before


def test_it_keeps_the_export_of_each_study_to_itself(study, other_study, alice, bob, otto):
    """Export A, import it as B: exporting A again gives the same bytes, with nothing of B."""
    study_build(study, alice, bob)
    first = io.BytesIO()
    study_export(first, study=study)
    copy = export_then_import(study, owner=otto).study
    Theme.objects.create(study=copy, name="Only in the copy")
    again = io.BytesIO()
    study_export(again, study=study)
    assert again.getvalue() == first.getvalue()
    assert b"Only in the copy" not in again.getvalue()


def test_it_gives_coders_without_an_account_one_without_password_or_membership(study, alice, bob):
    study_build(study, alice, bob)
    out = io.BytesIO()
    study_export(out, study=study)
    # A backup restored where bob has no account any more.
    CodedExcerpt.objects.filter(coder=bob).delete()
    bob.delete()
    out.seek(0)
    report = study_import(out, owner=alice, file_name="study.qdpx")
    bob = get_user_model().objects.get(username="bob")
    assert not bob.has_usable_password()
    assert CodedExcerpt.objects.filter(study=report.study, coder=bob).count() == 2
    assert list(Membership.objects.filter(study=report.study).values_list("user__username", "role")) == [
        ("alice", Role.OWNER)]
    assert not Membership.objects.filter(user=bob).exists()
