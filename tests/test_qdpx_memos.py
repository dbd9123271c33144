"""Memos through REFI-QDA: exported as Notes with NoteRefs, Links and PlainTextSelections (valid
under validate.py --strict), imported back exactly; a QualCoder project's journal and annotation
come in linked where the file links them; private memos never leave the study."""

import io

import pytest

from coding.services import excerpt_create
from exchange.qdpx_export import study_export
from exchange.qdpx_import import study_import
from memos.models import Memo
from memos.services import memo_create
from tests.test_qdpx_export import project_xml, validate_strict
from tests.test_qdpx_import import g, project, qdpx, run, source


def export_bytes(study):
    out = io.BytesIO()
    study_export(out, study=study)
    return out.getvalue()


@pytest.fixture
def journal(study, alice, bob, transcript, themes, participant):
    """A memo linked to every kind of object, an annotation, a memo pinned to a passage of a
    transcript it is also linked to, and a private memo."""
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    theory = memo_create(study=study, author=alice, title="Youth theory", type="theory",
                         body="Young people *leave*.\n\n- one\n- two", themes=[themes["youth"]])
    memo_create(study=study, author=bob, title="Everything", type="method", body="Links to all.",
                transcripts=[transcript], themes=[themes["gender"]], participants=[participant],
                excerpts=[excerpt], linked_memos=[theory])
    memo_create(study=study, author=bob, title="Interviewer", body="Check the question wording",
                spans=[(transcript, 0, 11)])
    memo_create(study=study, author=alice, title="Both", type="todo", body="pinned and linked",
                transcripts=[transcript], spans=[(transcript, 38, 49)])
    memo_create(study=study, author=alice, title="Secret", body="never exported", private=True,
                transcripts=[transcript])
    return study


def memos_snapshot(study):
    """Every memo with its links, keyed by what survives a move between studies."""
    out = {}
    for m in Memo.objects.filter(study=study).order_by("title"):
        out[m.title] = {
            "body": m.body, "type": m.type, "author": m.author.username, "private": m.private,
            "transcripts": sorted(t.title for t in m.transcripts.all()),
            "themes": sorted(t.name for t in m.themes.all()),
            "participants": sorted(p.code for p in m.participants.all()),
            "excerpts": sorted((e.transcript.title, e.start, e.end) for e in m.excerpts.all()),
            "memos": sorted(o.title for o in m.linked_memos.all()),
            "spans": sorted((s.transcript.title, s.start, s.end, s.quote) for s in m.spans.all()),
        }
    return out


def test_memos_are_notes_the_validator_accepts(journal, tmp_path):
    data = export_bytes(journal)
    validate_strict(data, tmp_path)
    root = project_xml(data)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    notes = {n.get("name"): n for n in root.iterfind("q:Notes/q:Note", ns)}
    assert {"Youth theory", "Everything", "Interviewer", "Both"} <= set(notes)
    assert "Secret" not in notes and b"never exported" not in data
    # the annotation: a codeless selection of the transcript, noted with the memo
    annotation = next(s for s in root.iterfind("q:Sources/q:TextSource/q:PlainTextSelection", ns)
                      if s.find("q:NoteRef", ns) is not None and s.find("q:Coding", ns) is None
                      and s.find("q:NoteRef", ns).get("targetGUID") == notes["Interviewer"].get("guid"))
    assert (annotation.get("startPosition"), annotation.get("endPosition"), annotation.get("name")) == (
        "0", "11", "Interviewer")
    source_refs = {r.get("targetGUID") for r in root.iterfind("q:Sources/q:TextSource/q:NoteRef", ns)}
    assert notes["Everything"].get("guid") in source_refs
    assert root.find("q:Links/q:Link", ns) is not None  # the participant link


def test_a_round_trip_keeps_every_memo_link_and_span(journal, alice):
    data = export_bytes(journal)
    report = study_import(io.BytesIO(data), owner=alice, file_name="study.qdpx")
    expected = memos_snapshot(journal)
    del expected["Secret"]
    assert memos_snapshot(report.study) == expected
    assert report.imported["study_memos"] == 4
    assert "note" not in report.unmapped


def test_exporting_again_after_a_round_trip_gives_the_same_notes(journal, alice):
    first = study_import(io.BytesIO(export_bytes(journal)), owner=alice, file_name="a.qdpx").study
    second = study_import(io.BytesIO(export_bytes(first)), owner=alice, file_name="b.qdpx").study
    assert memos_snapshot(second) == memos_snapshot(first)


# A QualCoder 4 project export, written the way QualCoder's refi.py writes it (NOTES.md §3):
# positions in UTF-16 units, the journal a Note whose text lives in sources/, the annotation a
# Note holding a PlainTextSelection with a NoteRef from its TextSource. (No QualCoder sample is
# kept in ../shared/refi-qda/samples, so the test writes one.)
P02_TEXT = "Interviewer: 🌱 What did the question mean?\nP02: I was not sure."
QUALCODER = project(
    f'<Users><User guid="{g(1)}" name="alice"/><User guid="{g(2)}" name="bob"/></Users>'
    f'<CodeBook><Codes><Code guid="{g(10)}" name="Doubt" isCodable="true" color="#aa0000"/>'
    f'</Codes></CodeBook>'
    + source(20, f'<PlainTextSelection guid="{g(30)}" name="I was not sure" startPosition="49" '
                 f'endPosition="63" creatingUser="{g(2)}"><Coding guid="{g(40)}" creatingUser="{g(2)}">'
                 f'<CodeRef targetGUID="{g(10)}"/></Coding></PlainTextSelection>',
             name="P02", extra=f'<NoteRef targetGUID="{g(61)}"/>')
    + f'<Notes><Note guid="{g(60)}" name="Reflexive memo" plainTextPath="internal://{g(60)}.txt" '
      f'creatingUser="{g(1)}" creationDateTime="2026-01-10T09:00:00Z"/>'
      f'<Note guid="{g(61)}" name="Check the question wording" creatingUser="{g(2)}">'
      f'<PlainTextContent>Check the question wording</PlainTextContent>'
      f'<PlainTextSelection guid="{g(62)}" startPosition="16" endPosition="42" creatingUser="{g(2)}"/>'
      f'</Note></Notes>',
    origin="QualCoder 3.6")


def test_a_qualcoder_journal_and_annotation_are_imported(db):
    report = run(qdpx(QUALCODER, {f"sources/{g(20)}.txt": "\ufeff" + P02_TEXT,
                                  f"sources/{g(60)}.txt": "I came to this study as an outsider."}))
    journal = Memo.objects.get(title="Reflexive memo")
    assert journal.body == "I came to this study as an outsider."
    assert journal.author.username == "alice" and not journal.spans.exists()
    annotation = Memo.objects.get(title="Check the question wording")
    span = annotation.spans.get()
    assert span.transcript.title == "P02" and annotation.author.username == "bob"
    assert span.quote == "What did the question mean" == span.transcript.text[span.start:span.end]
    assert not annotation.transcripts.exists()  # the NoteRef says where the passage is
    assert "note" not in report.unmapped  # no longer "attached to nothing we import"
    assert report.imported["study_memos"] == 2


def test_a_note_on_a_source_becomes_a_memo_linked_to_its_transcript(db):
    qde = project(source(20, name="T", extra=f'<NoteRef targetGUID="{g(60)}"/>')
                  + f'<Notes><Note guid="{g(60)}" name="About T"><PlainTextContent>context'
                    f'</PlainTextContent></Note></Notes>')
    run(qdpx(qde, {f"sources/{g(20)}.txt": "some text"}))
    memo = Memo.objects.get()
    assert (memo.title, memo.body, [t.title for t in memo.transcripts.all()]) == ("About T", "context", ["T"])


@pytest.mark.parametrize("count", [1, 6])
def test_the_export_reads_memos_in_a_fixed_number_of_queries(study, alice, transcript, themes, participant,
                                                             count, django_assert_num_queries):
    """Guards against an N+1 over memos or their links."""
    for i in range(count):
        memo_create(study=study, author=alice, title=f"M{i}", transcripts=[transcript],
                    themes=[themes["youth"]], participants=[participant], spans=[(transcript, 0, 11)])
    # themes, participants, attributes, their choices, attribute values, excerpt-theme links,
    # excerpts, transcripts, coders; memos and their transcripts, themes, participants, excerpts,
    # linked memos, spans
    with django_assert_num_queries(16):
        study_export(io.BytesIO(), study=study)
