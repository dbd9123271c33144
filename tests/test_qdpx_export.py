"""exchange.qdpx_export.study_export: one study as a REFI-QDA project (.qdpx).

Also home to the helpers the other test_qdpx_* modules share (a rich study, the validator).
"""

import io
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from exchange.qdpx_export import study_export
from exchange.refi import GUID_NAMESPACE, guid
from interviews.models import Transcript
from tests.participants import participant_make

SHARED = Path(settings.BASE_DIR).parent / "shared" / "refi-qda"
VALIDATOR = SHARED / "validate.py"
NS = {"q": "urn:QDA-XML:project:1.0"}
TEXT_D = ("Interviewer: How did it start? 😀\n\nD: With the youth office, the café and gender work.\t"
          "Tabs stay.\n\nInterviewer: And then?")
TEXT_FOLLOW_UP = "Ñandú 𝄞 music, and a second talk about migration."


def span(text, words):
    start = text.index(words)
    return start, start + len(words)


def study_build(study, alice, bob):
    """Fills `study` with everything the export must carry: a three-level theme tree with
    criteria and kinds, a participant with identifying fields and one without transcripts,
    characters outside the BMP, two coders on one span, memos with markup and CRLF, and an
    excerpt flagged for review."""
    strategy = Theme.objects.create(study=study, name="Strategy themes", kind="strategy",
                                    colour="#444444", description="The strategy's own themes.", order=0)
    youth = Theme.objects.create(study=study, name="Youth", parent=strategy, kind="strategy",
                                 colour="#fd7e14", description="Young people.",
                                 inclusion_criteria="Ages 14 to 28.", exclusion_criteria="Children.",
                                 order=0)
    gender = Theme.objects.create(study=study, name="Gender", parent=strategy, kind="strategy",
                                  colour="#E64980", order=1)
    recruitment = Theme.objects.create(study=study, name="Recruitment", parent=youth, colour="#123abc",
                                       order=0)
    analytic = Theme.objects.create(study=study, name="Analytic themes", colour="#495057", order=1)
    d = participant_make(study=study, code="D", organisation="RET", sector="ngo", gender="male",
                                   full_name="Secret Realname", contact="secret@example.org",
                                   notes="Admin-only note", consent_given=True, consent_scope="quote_named")
    participant_make(study=study, code="I", sector="public", gender="female", consent_given=True)
    interview = Transcript.objects.create(study=study, participant=d, title="Interview D", text=TEXT_D,
                                          interview_date=date(2009, 4, 8), language="es",
                                          source_filename="d.docx", created_by=alice)
    follow_up = Transcript.objects.create(study=study, participant=d, title="Follow-up", text=TEXT_FOLLOW_UP)
    start, end = span(TEXT_D, "youth office")
    excerpts = {
        "alice": excerpt_create(transcript=interview, start=start, end=end, themes=[youth],
                                coder=alice, memo='Why <this> & "that"\r\nsecond line'),
        "bob": excerpt_create(transcript=interview, start=start, end=end, themes=[youth, gender],
                              coder=bob, memo="Bob's view"),
        "emoji": excerpt_create(transcript=interview, start=TEXT_D.index("😀"), end=len(TEXT_D),
                                themes=[gender, analytic], coder=alice),
        "music": excerpt_create(transcript=follow_up, start=0, end=TEXT_FOLLOW_UP.index(","),
                                themes=[recruitment], coder=bob),
    }
    stale = excerpt_create(transcript=follow_up, start=TEXT_FOLLOW_UP.index("migration"),
                           end=len(TEXT_FOLLOW_UP) - 1, themes=[analytic], coder=alice)
    CodedExcerpt.objects.filter(pk=stale.pk).update(needs_review=True, review_reason="text_changed",
                                                    quote="emigration")
    excerpts["stale"] = stale
    return {"study": study, "themes": {t.name: t for t in Theme.objects.filter(study=study)},
            "participant": d,
            "transcripts": [interview, follow_up], "excerpts": excerpts}


def export_bytes(study):
    out = io.BytesIO()
    study_export(out, study=study)
    return out.getvalue()


def project_xml(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return ET.fromstring(archive.read("project.qde"))


def validate_strict(data, tmp_path, name="study.qdpx"):
    """Run ../shared/refi-qda/validate.py --strict on `data`; skip where ../shared is absent."""
    if not VALIDATOR.is_file():
        pytest.skip(f"{VALIDATOR} is absent (a user's clone): the REFI-QDA validator cannot run")
    path = tmp_path / name
    path.write_bytes(data)
    result = subprocess.run([sys.executable, str(VALIDATOR), "--strict", str(path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def built(study, alice, bob):
    return study_build(study, alice, bob)


@pytest.fixture
def elsewhere(other_study, otto):
    """Another study's rows, with names, codes and titles that clash with `built`'s: none may
    reach the export of `study`."""
    theme = Theme.objects.create(study=other_study, name="Youth", colour="#000000")
    p = participant_make(study=other_study, code="D", organisation="Other org", sector="public",
                                   gender="female", consent_given=True)
    t = Transcript.objects.create(study=other_study, participant=p, title="Interview D",
                                  text="Another study's secret words.")
    excerpt_create(transcript=t, start=0, end=7, themes=[theme], coder=otto, memo="Otto's memo")
    return other_study


def test_it_writes_the_project_and_one_text_file_per_transcript(built):
    with zipfile.ZipFile(io.BytesIO(export_bytes(built["study"]))) as archive:
        names = archive.namelist()
    expected = {f"sources/{guid('transcript', t.pk)}.txt" for t in built["transcripts"]}
    assert set(names) == expected | {"project.qde"}


def test_it_writes_each_text_byte_for_byte_without_a_bom(built):
    with zipfile.ZipFile(io.BytesIO(export_bytes(built["study"]))) as archive:
        for transcript in built["transcripts"]:
            data = archive.read(f"sources/{guid('transcript', transcript.pk)}.txt")
            assert data == transcript.text.encode("utf-8")
            assert not data.startswith(b"\xef\xbb\xbf")


def test_it_passes_the_validator_in_strict_mode(built, tmp_path):
    report = validate_strict(export_bytes(built["study"]), tmp_path)
    assert "RESULT: PASS (0 error(s), 0 warning(s), strict)" in report


def test_it_passes_the_validator_for_an_empty_study(study, tmp_path):
    validate_strict(export_bytes(study), tmp_path)


def test_it_is_byte_identical_when_run_twice(built):
    assert export_bytes(built["study"]) == export_bytes(built["study"])


def test_it_changes_when_the_study_changes(built):
    before = export_bytes(built["study"])
    Theme.objects.filter(name="Youth").update(colour="#000000")
    assert export_bytes(built["study"]) != before


def test_it_never_writes_identifying_or_admin_only_fields(built):
    data = export_bytes(built["study"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (b"Secret Realname", b"secret@example.org", b"Admin-only note"):
        assert secret not in everything


def test_it_writes_positions_in_code_points_of_the_stored_text(built):
    root = project_xml(export_bytes(built["study"]))
    emoji = built["excerpts"]["emoji"]
    selection = root.find(f".//q:PlainTextSelection[@guid='{guid('excerpt', emoji.pk)}']", NS)
    assert int(selection.get("startPosition")) == TEXT_D.index("😀") == emoji.start
    assert int(selection.get("endPosition")) == len(TEXT_D)
    assert selection.get("name") == TEXT_D[emoji.start :]


def test_it_writes_one_selection_per_span_with_one_coding_per_theme_and_coder(built, alice, bob):
    root = project_xml(export_bytes(built["study"]))
    first = built["excerpts"]["alice"]
    selection = root.find(f".//q:PlainTextSelection[@guid='{guid('excerpt', first.pk)}']", NS)
    codings = {(c.get("creatingUser"), c.find("q:CodeRef", NS).get("targetGUID"))
               for c in selection.findall("q:Coding", NS)}
    youth, gender = built["themes"]["Youth"], built["themes"]["Gender"]
    assert codings == {
        (guid("user", alice.pk), guid("theme", youth.pk)),
        (guid("user", bob.pk), guid("theme", youth.pk)),
        (guid("user", bob.pk), guid("theme", gender.pk)),
    }
    assert len(root.findall(".//q:PlainTextSelection", NS)) == 4  # five excerpts, four spans


def test_it_writes_memos_as_notes_referenced_from_their_selection(built, alice):
    root = project_xml(export_bytes(built["study"]))
    first = built["excerpts"]["alice"]
    selection = root.find(f".//q:PlainTextSelection[@guid='{guid('excerpt', first.pk)}']", NS)
    refs = [r.get("targetGUID") for r in selection.findall("q:NoteRef", NS)]
    notes = {n.get("guid"): n for n in root.findall("q:Notes/q:Note", NS)}
    memo = notes[refs[0]]
    assert memo.find("q:PlainTextContent", NS).text == 'Why <this> & "that"\r\nsecond line'
    assert memo.get("creatingUser") == guid("user", alice.pk)
    assert [notes[r].find("q:PlainTextContent", NS).text for r in refs[1:]] == ["Bob's view"]


def test_it_writes_participants_as_cases_linked_to_their_transcripts(built):
    root = project_xml(export_bytes(built["study"]))
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    cases = {c.get("name"): c for c in root.findall("q:Cases/q:Case", NS)}
    assert set(cases) == {"D", "I"}
    values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
              for v in cases["D"].findall("q:VariableValue", NS)}
    # Organisation, Sector and Gender are the study's attributes: ordinary variables, typed
    assert values == {"Organisation": "RET", "Sector": "NGO", "Gender": "Male",
                      "consent_given": "true", "consent_scope": "quote_named"}
    assert [r.get("targetGUID") for r in cases["D"].findall("q:SourceRef", NS)] == [
        guid("transcript", t.pk) for t in built["transcripts"]]
    assert cases["I"].findall("q:SourceRef", NS) == []


def test_it_writes_transcript_fields_as_source_variables(built):
    root = project_xml(export_bytes(built["study"]))
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    source = root.find(f".//q:TextSource[@guid='{guid('transcript', built['transcripts'][0].pk)}']", NS)
    values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
              for v in source.findall("q:VariableValue", NS)}
    assert values == {"interview_date": "2009-04-08", "language": "es", "source_filename": "d.docx"}
    assert source.get("name") == "Interview D"


def test_it_writes_the_theme_tree_with_colours_descriptions_criteria_and_kinds(built):
    root = project_xml(export_bytes(built["study"]))
    top = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [c.get("name") for c in top] == ["Strategy themes", "Analytic themes"]
    youth = top[0].find("q:Code[@name='Youth']", NS)
    assert youth.get("color") == "#fd7e14"
    assert youth.find("q:Description", NS).text == (
        "Young people.\n\nInclusion criteria: Ages 14 to 28.\n\nExclusion criteria: Children.")
    assert youth.find("q:Code", NS).get("name") == "Recruitment"
    assert top[0].find("q:Code[@name='Gender']", NS).get("color") == "#E64980"
    sets = {s.get("name"): {m.get("targetGUID") for m in s.findall("q:MemberCode", NS)}
            for s in root.findall("q:Sets/q:Set", NS)}
    themes = built["themes"]
    assert sets["pasto-coop theme kind: strategy"] == {
        guid("theme", themes[n].pk) for n in ("Strategy themes", "Youth", "Gender")}


def test_it_writes_every_coder_as_a_user(built, alice, bob):
    root = project_xml(export_bytes(built["study"]))
    users = {u.get("guid"): u.get("name") for u in root.findall("q:Users/q:User", NS)}
    assert users == {guid("user", alice.pk): "alice", guid("user", bob.pk): "bob"}


def test_it_keeps_a_stale_quote_as_the_selection_name(built):
    root = project_xml(export_bytes(built["study"]))
    stale = built["excerpts"]["stale"]
    selection = root.find(f".//q:PlainTextSelection[@guid='{guid('excerpt', stale.pk)}']", NS)
    assert selection.get("name") == "emigration"


def test_it_replaces_characters_xml_cannot_hold_and_counts_them(built, tmp_path):
    CodedExcerpt.objects.filter(pk=built["excerpts"]["bob"].pk).update(memo="bell \x07 here")
    out = io.BytesIO()
    summary = study_export(out, study=built["study"])
    assert summary.replaced_characters == 1
    validate_strict(out.getvalue(), tmp_path)


def test_it_counts_what_it_wrote(built, elsewhere):
    summary = study_export(io.BytesIO(), study=built["study"])
    assert summary.counts == {"participants": 2, "themes": 5, "coders": 2, "transcripts": 2,
                              "excerpts": 5, "codings": 7, "memos": 2}


@pytest.mark.parametrize("transcripts", [1, 5])
def test_it_runs_a_fixed_number_of_queries(alice, participant, themes, transcripts, elsewhere,
                                           django_assert_num_queries):
    """Guards against an N+1 over transcripts, excerpts or their themes and coders, or over the
    studies."""
    for i in range(transcripts):
        t = Transcript.objects.create(study=participant.study, participant=participant, title=f"T{i}",
                                      text="Some words here")
        excerpt_create(transcript=t, start=0, end=4, themes=[themes["youth"]], coder=alice,
                       memo="memo")
    # themes, participants, attributes, their choices, attribute values, excerpt-theme links,
    # excerpts, transcripts, coders, journal memos (none here: their links' six prefetches are
    # skipped; tests/test_qdpx_memos.py counts them)
    with django_assert_num_queries(10):
        study_export(io.BytesIO(), study=participant.study)


# ----- one study only -----

def test_it_never_writes_another_studys_rows(built, elsewhere, otto):
    data = export_bytes(built["study"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (b"Another study's secret words", b"Otto's memo", b"Other org", b"#000000", b"otto"):
        assert secret not in everything
    root = project_xml(data)
    assert len(root.findall(".//q:TextSource", NS)) == 2
    assert [c.get("name") for c in root.findall("q:Cases/q:Case", NS)] == ["D", "I"]


def test_it_writes_the_other_study_alone(built, elsewhere, otto):
    root = project_xml(export_bytes(elsewhere))
    assert root.get("name") == "Other study"
    assert [s.get("name") for s in root.findall(".//q:TextSource", NS)] == ["Interview D"]
    assert [c.get("name") for c in root.findall(".//q:Code", NS)] == ["Youth"]
    assert [u.get("name") for u in root.findall("q:Users/q:User", NS)] == ["otto"]


def test_it_names_the_project_after_the_study_and_carries_its_description(built, tmp_path):
    study = built["study"]
    study.description = "Two coders & <one> codebook."
    study.save()
    data = export_bytes(study)
    root = project_xml(data)
    assert root.get("name") == "Pasto test study"
    assert root.find("q:Description", NS).text == "Two coders & <one> codebook.\n\nStudy language: es"
    validate_strict(data, tmp_path)


@pytest.mark.parametrize("keys", [("theme", 7), ("coding", 12, 7), ("user", 1), ("theme-kind", "strategy")])
def test_its_guids_are_uuid5_of_the_fixed_namespace(keys):
    assert guid(*keys) == str(uuid.uuid5(GUID_NAMESPACE, ":".join(map(str, keys))))
