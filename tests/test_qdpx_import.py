"""exchange.qdpx_import.study_import: a file becomes a new study; files other tools write, and
how each deviation is read.

Every file here is built by the test, shaped like what NOTES.md says each tool writes."""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import Change
from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from exchange.qdpx_import import study_import
from exchange.textmap import SourceText
from interviews.models import Attribute, AttributeValue, Participant, Transcript
from memos.models import Memo
from studies.models import Membership, Role, Study

NS = "urn:QDA-XML:project:1.0"


def g(n):
    """A GUID for test element number n."""
    return f"00000000-0000-4000-8000-{n:012d}"


def qdpx(qde, files=None, qde_name="project.qde"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, data in (files or {}).items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    out.seek(0)
    return out


def project(body, origin="Some Tool 1.0", ns=NS):
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project{xmlns} name="p" origin="{origin}">'
            f"{body}</Project>")


USERS = f'<Users><User guid="{g(1)}" name="Exporting User"/><User guid="{g(2)}" name="coder"/></Users>'
CODES = (f'<CodeBook><Codes><Code guid="{g(10)}" name="Threat" isCodable="true" color="#aa0000">'
         f'<Code guid="{g(11)}" name="Vaccine" isCodable="true"/></Code>'
         f'<Code guid="{g(12)}" name="Trust" isCodable="true" color="#00aa00"/></Codes></CodeBook>')


def coding(n, code, user=2):
    return f'<Coding guid="{g(n)}" creatingUser="{g(user)}"><CodeRef targetGUID="{g(code)}"/></Coding>'


def selection(n, start, end, *codings, name="", user=1, extra=""):
    creator = f' creatingUser="{g(user)}"' if user else ""
    return (f'<PlainTextSelection guid="{g(n)}" name="{name}" startPosition="{start}" '
            f'endPosition="{end}"{creator}>{extra}{"".join(codings)}</PlainTextSelection>')


def source(n, *selections, name="Interview", folder="sources", extra=""):
    return (f'<Sources><TextSource guid="{g(n)}" name="{name}" plainTextPath="internal://{g(n)}.txt">'
            f'{"".join(selections)}{extra}</TextSource></Sources>')


def importer():
    """Who imports when a test does not say: a user of no study."""
    return get_user_model().objects.get_or_create(username="ines")[0]


def run(archive, **kwargs):
    kwargs.setdefault("owner", importer())
    kwargs.setdefault("file_name", "test.qdpx")
    return study_import(archive, **kwargs)


def study_rows(study):
    """What a study holds, counted, and its log: a study an import must leave untouched."""
    return {
        "themes": Theme.objects.filter(study=study).count(),
        "participants": Participant.objects.filter(study=study).count(),
        "transcripts": Transcript.objects.filter(study=study).count(),
        "excerpts": CodedExcerpt.objects.filter(study=study).count(),
        "codings": CodedExcerpt.themes.through.objects.filter(codedexcerpt__study=study).count(),
        "members": Membership.objects.filter(study=study).count(),
        "changes": Change.objects.filter(study=study).count(),
        "state": list(Theme.objects.filter(study=study).order_by("pk").values_list(
            "pk", "name", "parent_id", "colour", "order")),
    }


def utf16(text):
    return len(text.encode("utf-16-le")) // 2


def excerpt():
    return CodedExcerpt.objects.select_related("coder").get()


# ----- positions -----

def test_it_reads_utf16_positions_with_a_bom_and_crlf_in_nvivo_files(db):
    raw = "😀😀 first line\r\nthe café team helped\r\nlast"
    start = utf16(raw[: raw.index("the café")])
    end = start + utf16("the café team helped")
    qde = project(USERS + CODES + source(20, selection(30, start, end, coding(40, 12))),
                  origin="NVivo for Windows 12.6")
    report = run(qdpx(qde, {f"Sources/{g(20)}.txt": b"\xef\xbb\xbf" + raw.encode()}))
    assert excerpt().quote == "the café team helped"
    assert Transcript.objects.get().text == "😀😀 first line\nthe café team helped\nlast"
    assert any("UTF-16" in m for m in report.tolerated)
    assert any("Sources" in m for m in report.tolerated)
    assert any("byte-order mark" in m for m in report.tolerated)


def test_it_reads_utf16_positions_in_qualcoder_files_and_merges_repeated_selections(db):
    text = "Before 😀 the café team helped. After."
    start = utf16(text[: text.index("the café")])
    end = start + utf16("the café team helped")
    quote = "the café team helped"
    qde = project(USERS + CODES + source(
        20, selection(30, start, end, coding(40, 10), name=quote),
        selection(31, start, end, coding(41, 12), name=quote)), origin="QualCoder 3.5")
    run(qdpx(qde, {f"sources/{g(20)}.txt": "\ufeff" + text}))
    found = excerpt()
    assert found.quote == quote
    assert sorted(found.themes.values_list("name", flat=True)) == ["Threat", "Trust"]


@pytest.mark.parametrize(("units", "expected"), [("utf16", "beta gamma"), ("codepoints", "beta gamma")])
def test_it_lets_the_selection_names_decide_the_units_of_an_unknown_tool(db, units, expected):
    text = "😀😀😀 alpha beta gamma delta"
    start = text.index("beta")
    if units == "utf16":
        start = utf16(text[:start])
    end = start + len("beta gamma")
    qde = project(USERS + CODES + source(20, selection(30, start, end, coding(40, 12), name=expected)),
                  origin="Unknown QDA 2")
    run(qdpx(qde, {f"sources/{g(20)}.txt": text}))
    assert excerpt().quote == expected


def test_it_keeps_code_points_for_a_tool_that_follows_the_standard(db):
    text = "😀 alpha beta"
    qde = project(USERS + CODES + source(20, selection(30, 8, 12, coding(40, 12))),
                  origin="ATLAS.ti for Windows 23.2.3")
    run(qdpx(qde, {f"sources/{g(20)}.txt": text}))
    assert excerpt().quote == "beta"


def test_it_moves_offsets_with_line_endings_trailing_spaces_and_blank_lines(db):
    raw = "\r\n\r\nLine one  \r\nLine two\r\n\r\nLine three \r\n"
    start = raw.index("Line three")
    qde = project(USERS + CODES + source(20, selection(30, start, start + 10, coding(40, 12))))
    run(qdpx(qde, {f"sources/{g(20)}.txt": raw}))
    transcript = Transcript.objects.get()
    assert transcript.text == "Line one\nLine two\n\nLine three"
    assert excerpt().quote == "Line three"
    excerpt().full_clean()


def test_it_composes_decomposed_accents_and_keeps_the_selection_on_its_word(db):
    raw = "Cafe\u0301 con leche, cafe\u0301 solo"
    start = raw.index("cafe\u0301 solo")
    qde = project(USERS + CODES + source(20, selection(30, start, len(raw), coding(40, 12))))
    run(qdpx(qde, {f"sources/{g(20)}.txt": raw}))
    assert Transcript.objects.get().text == "Café con leche, café solo"
    assert excerpt().quote == "café solo"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from(["", " ", "  ", "\t", "\r\n", "\n", "\r", " \r\n", "\r\n\r\n", "😀", "e\u0301"]),
    st.text(alphabet="abcdé", min_size=1, max_size=6),
), min_size=1, max_size=12))
def test_it_maps_every_word_to_the_same_word_in_the_stored_text(pieces):
    raw = "".join(sep + word for sep, word in pieces)
    text = SourceText(raw)
    at = 0
    for sep, word in pieces:
        at += len(sep)
        start, end = text.position(at), text.position(at + len(word))
        assert text.text[start:end] == word
        at += len(word)


def test_it_skips_selections_outside_their_text_and_swaps_reversed_ones(db):
    text = "alpha beta gamma"
    qde = project(USERS + CODES + source(
        20, selection(30, 6, 999, coding(40, 12)), selection(31, 10, 6, coding(41, 12))))
    report = run(qdpx(qde, {f"sources/{g(20)}.txt": text}))
    assert excerpt().quote == "beta"
    assert report.skipped["outside"].count == 1


# ----- archive layout and XML shapes -----

@pytest.mark.parametrize("ns", ["urn:QDA-XML:project:1:0", "urn:QDA-XML:project:0:4", ""])
def test_it_accepts_odd_namespaces(db, ns):
    report = run(qdpx(project(USERS + CODES, ns=ns)))
    assert Theme.objects.count() == 3
    assert any("namespace" in m for m in report.tolerated)


def test_it_accepts_empty_containers(db):
    body = ("<Users/><CodeBook><Codes/></CodeBook><Variables/><Cases/><Sources/><Notes/><Links/>"
            "<Sets/><Description/>")
    report = run(qdpx(project(body)))
    assert not Theme.objects.exists() and not Transcript.objects.exists()
    assert report.skipped == {} and report.unmapped == {}


def test_it_accepts_a_project_xml_with_another_name(db):
    report = run(qdpx(project(CODES), qde_name="Trial.qde"))
    assert Theme.objects.count() == 3
    assert any("Trial.qde" in m for m in report.tolerated)


def test_it_accepts_a_project_zipped_inside_a_folder(db):
    qde = project(USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12))))
    run(qdpx(qde, {f"Study/sources/{g(20)}.txt": "alpha beta"}, qde_name="Study/project.qde"))
    assert excerpt().quote == "alpha"


def test_it_imports_a_codebook_file_with_criteria_and_kinds(db):
    qdc = (f'\ufeff<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="pasto-coop">'
           f'<Codes><Code guid="{g(10)}" name="Youth" isCodable="true" color="#fd7e14"><Description>'
           "Young people.\n\nInclusion criteria: Ages 14 to 28.\n\nExclusion criteria: Children."
           f'</Description><Code guid="{g(11)}" name="Recruitment" isCodable="true"/></Code></Codes>'
           f'<Sets><Set guid="{g(50)}" name="pasto-coop theme kind: strategy">'
           f'<MemberCode guid="{g(10)}"/></Set></Sets></CodeBook>')
    run(io.BytesIO(qdc.encode()))
    youth = Theme.objects.get(name="Youth")
    assert (youth.description, youth.inclusion_criteria, youth.exclusion_criteria) == (
        "Young people.", "Ages 14 to 28.", "Children.")
    assert youth.kind == "strategy"
    assert Theme.objects.get(name="Recruitment").kind == "strategy"  # inherited from its parent


@pytest.mark.parametrize(("given_colour", "stored"), [
    ("#abc", "#aabbcc"), ("#11223344", "#112233"), ("#A0B0C0", "#A0B0C0"), ("red", None), ("", None),
])
def test_it_normalises_colours(db, given_colour, stored):
    colour = f' color="{given_colour}"' if given_colour else ""
    code = f'<Code guid="{g(10)}" name="C" isCodable="true"{colour}/>'
    qde = project(f"<CodeBook><Codes>{code}</Codes></CodeBook>")
    run(qdpx(qde))
    theme = Theme.objects.get()
    theme.full_clean()
    if stored:
        assert theme.colour == stored


# ----- coders, memos, cases -----

def test_it_takes_the_coder_from_the_coding_before_the_selection(db):
    qde = project(USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12, user=2), user=1)))
    run(qdpx(qde, {f"sources/{g(20)}.txt": "alpha beta"}))
    assert excerpt().coder.username == "coder"
    assert get_user_model().objects.filter(username="Exporting_User").exists()


def test_it_credits_the_importing_user_with_codings_that_name_no_coder(db):
    bare = f'<Coding guid="{g(40)}"><CodeRef targetGUID="{g(12)}"/></Coding>'
    body = CODES + source(20, selection(30, 0, 5, bare, user=None))
    run(qdpx(project(body), {f"sources/{g(20)}.txt": "alpha beta"}))
    assert excerpt().coder == importer()


def test_it_imports_memos_from_descriptions_note_refs_and_links(db):
    notes = (f'<Notes><Note guid="{g(60)}" name="n1" creatingUser="{g(2)}"><PlainTextContent>From a NoteRef'
             f'</PlainTextContent></Note><Note guid="{g(61)}" name="n2"><PlainTextContent>From a Link'
             f'</PlainTextContent></Note><Note guid="{g(62)}" name="n3"><PlainTextContent>On the coding'
             f'</PlainTextContent></Note></Notes>'
             f'<Links><Link guid="{g(70)}" originGUID="{g(61)}" targetGUID="{g(30)}"/></Links>')
    coded = (f'<Coding guid="{g(40)}" creatingUser="{g(2)}"><CodeRef targetGUID="{g(12)}"/>'
             f'<NoteRef targetGUID="{g(62)}"/></Coding>')
    sel = selection(30, 0, 5, coded, extra="<Description>From the description</Description>").replace(
        "</PlainTextSelection>", f'<NoteRef targetGUID="{g(60)}"/></PlainTextSelection>')
    run(qdpx(project(USERS + CODES + source(20, sel) + notes), {f"sources/{g(20)}.txt": "alpha beta"}))
    assert set(excerpt().memo.split("\n\n")) == {
        "From the description", "From a NoteRef", "From a Link", "On the coding"}


def test_it_keeps_a_comment_on_a_coded_span_and_pins_one_elsewhere_as_an_annotation(db):
    comment = selection(31, 0, 5, extra="<Description>A comment</Description>")
    lonely = selection(32, 6, 10, extra="<Description>Alone</Description>")
    qde = project(USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12)), comment, lonely))
    report = run(qdpx(qde, {f"sources/{g(20)}.txt": "alpha beta"}))
    assert excerpt().memo == "A comment"
    memo = Memo.objects.get()
    span = memo.spans.get()
    assert (memo.body, span.start, span.end, span.quote) == ("Alone", 6, 10, "beta")
    assert "comment" not in report.unmapped and report.imported["study_memos"] == 1


def test_it_turns_cases_into_participants_with_their_attributes_and_transcripts(db):
    body = (USERS + CODES +
            f'<Variables><Variable guid="{g(80)}" name="Sector" typeOfVariable="Text"/>'
            f'<Variable guid="{g(81)}" name="gender" typeOfVariable="Text"/>'
            f'<Variable guid="{g(82)}" name="organization" typeOfVariable="Text"/>'
            f'<Variable guid="{g(83)}" name="age" typeOfVariable="Integer"/></Variables>'
            f'<Cases><Case guid="{g(90)}" name="P01">'
            f'<VariableValue><VariableRef targetGUID="{g(80)}"/><TextValue>NGO</TextValue></VariableValue>'
            f'<VariableValue><VariableRef targetGUID="{g(81)}"/><TextValue>Female</TextValue></VariableValue>'
            f'<VariableValue><VariableRef targetGUID="{g(82)}"/><TextValue>RET</TextValue></VariableValue>'
            f'<VariableValue><VariableRef targetGUID="{g(83)}"/><IntegerValue>40</IntegerValue>'
            "</VariableValue>"
            f'<SourceRef targetGUID="{g(20)}"/><SourceRef targetGUID="{g(99)}"/></Case></Cases>'
            + source(20, selection(30, 0, 5, coding(40, 12))))
    report = run(qdpx(project(body), {f"sources/{g(20)}.txt": "alpha beta"}))
    participant = Participant.objects.get()
    assert participant.code == "P01"
    # every variable becomes the study's own attribute, named and typed as the file says
    values = {v.attribute.name: (v.attribute.type, v.value) for v in
              AttributeValue.objects.select_related("attribute").filter(participant=participant)}
    assert values == {"Sector": ("text", "NGO"), "gender": ("text", "Female"),
                      "organization": ("text", "RET"), "age": ("number", 40)}
    assert Transcript.objects.get().participant == participant
    assert "variable" not in report.unmapped
    assert report.skipped["case_source"].count == 1


def test_it_gives_a_source_no_case_claims_a_participant_named_after_it(db):
    body = (USERS + CODES + f'<Variables><Variable guid="{g(80)}" name="sector" typeOfVariable="Text"/>'
            f'</Variables><Cases><Case guid="{g(90)}"><VariableValue><VariableRef targetGUID="{g(80)}"/>'
            f'<TextValue>public</TextValue></VariableValue><SourceRef targetGUID="{g(20)}"/></Case></Cases>'
            + source(20, name="Mayor's office, 2009"))
    run(qdpx(project(body), {f"sources/{g(20)}.txt": "alpha beta"}))
    transcript = Transcript.objects.get()
    assert transcript.participant.code == "Mayor's office, 2009"
    # a nameless case's variables are its documents' (MAXQDA): an attribute of the transcript
    values = transcript.attribute_values.select_related("attribute")
    assert [(v.attribute.name, v.attribute.applies_to, v.value) for v in values] == [
        ("sector", "transcript", "public")]
    assert not transcript.participant.attribute_values.exists()


def test_it_gives_a_participant_no_attribute_the_file_does_not_have(db):
    """Nothing is invented: no sector or gender where the file says none."""
    report = run(qdpx(project(USERS + CODES + source(20)), {f"sources/{g(20)}.txt": "alpha beta"}))
    assert Participant.objects.get().code == "Interview"
    assert not Attribute.objects.exists() and not AttributeValue.objects.exists()
    assert "sector" not in report.unmapped


def test_it_codes_a_whole_source(db):
    body = USERS + CODES + source(20, extra=coding(40, 12))
    run(qdpx(project(body), {f"sources/{g(20)}.txt": "alpha beta\n"}))
    assert (excerpt().start, excerpt().end, excerpt().quote) == (0, 10, "alpha beta")


# ----- a new study -----

def test_it_makes_a_new_study_owned_by_the_importer_and_nobody_else(db):
    qde = project(USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12))))
    report = run(qdpx(qde, {f"sources/{g(20)}.txt": "alpha beta"}))
    study = Study.objects.get()
    assert report.study == study
    assert (study.name, study.slug, study.created_by) == ("p", "p", importer())
    assert list(study.memberships.values_list("user__username", "role")) == [("ines", Role.OWNER)]
    assert report.merged["users"] == 0 and report.imported["users"] == 2  # coders get no membership


def test_it_sets_the_new_study_on_every_row_it_makes(db):
    qde = project(USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12), coding(41, 10))))
    study = run(qdpx(qde, {f"sources/{g(20)}.txt": "alpha beta"})).study
    for model in (Theme, Participant, Transcript, CodedExcerpt):
        assert model.objects.exists()
        assert set(model.objects.values_list("study", flat=True)) == {study.pk}
    for row in CodedExcerpt.themes.through.objects.select_related("codedexcerpt", "theme"):
        assert row.codedexcerpt.study_id == row.theme.study_id == study.pk


def test_it_leaves_other_studies_untouched(alice, transcript, themes, other_study, otto):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    Theme.objects.create(study=other_study, name="Threat")
    before = {s.pk: study_rows(s) for s in Study.objects.all()}
    # The same names as the existing studies' themes, participant D, a transcript like theirs.
    body = (f'<CodeBook><Codes><Code guid="{g(10)}" name="Strategy themes" isCodable="true">'
            f'<Code guid="{g(11)}" name="Youth" isCodable="true"/></Code>'
            f'<Code guid="{g(12)}" name="Threat" isCodable="true"/></Codes></CodeBook>'
            f'<Cases><Case guid="{g(90)}" name="D"><SourceRef targetGUID="{g(20)}"/></Case></Cases>'
            + source(20, selection(30, 0, 5, coding(40, 11)), name="Interview D"))
    report = run(qdpx(project(body), {f"sources/{g(20)}.txt": transcript.text}), owner=alice)
    assert {s.pk: study_rows(s) for s in Study.objects.exclude(pk=report.study.pk)} == before
    assert study_rows(report.study) | {"state": None, "changes": None} == {
        "themes": 3, "participants": 1, "transcripts": 1, "excerpts": 1, "codings": 1, "members": 1,
        "state": None, "changes": None}
    assert Participant.objects.filter(code="D").count() == 2


def test_it_makes_a_second_study_when_the_same_file_comes_twice(db):
    files = {f"sources/{g(20)}.txt": "alpha beta"}
    qde = project(USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12), coding(41, 10))))
    first = run(qdpx(qde, files)).study
    before = study_rows(first)
    report = run(qdpx(qde, files))
    assert (first.slug, report.study.slug) == ("p", "p-2")
    assert study_rows(first) == before
    assert study_rows(report.study) | {"state": None, "changes": None} == before | {
        "state": None, "changes": None}
    assert report.merged == {"users": 2}


@pytest.mark.parametrize(("project_name", "file_name", "name", "slug"), [
    ("Pasto Open to the World", "x.qdpx", "Pasto Open to the World", "pasto-open-to-the-world"),
    ("  Ñandú café  ", "x.qdpx", "Ñandú café", "nandu-cafe"),
    ("", "Field notes 2009.qdpx", "Field notes 2009", "field-notes-2009"),
    ("研究", "x.qdpx", "研究", "study"),
    ("Import", "x.qdpx", "Import", "import-2"),  # /studies/import/ is the import page itself
    ("A" * 300, "x.qdpx", "A" * 200, "a" * 46),
])
def test_it_names_the_study_after_the_project(db, project_name, file_name, name, slug):
    xml = project(CODES).replace('name="p"', f'name="{project_name}"')
    study = run(qdpx(xml), file_name=file_name).study
    assert (study.name, study.slug) == (name, slug)


def test_it_counts_up_until_the_short_name_is_free(study, other_study):
    Study.objects.create(name="Taken", slug="pasto-2", deleted_at="2026-01-01T00:00Z")  # in the trash
    slugs = [run(qdpx(project(CODES).replace('name="p"', 'name="Pasto"'))).study.slug for _ in range(2)]
    assert slugs == ["pasto-3", "pasto-4"]


def test_it_takes_the_name_the_importer_gives(db):
    study = run(qdpx(project(CODES)), name="My own name").study
    assert (study.name, study.slug) == ("My own name", "my-own-name")


def test_it_describes_the_study_with_the_project_description_notes_and_language(db):
    body = (USERS + CODES + f'<Variables><Variable guid="{g(80)}" name="language" typeOfVariable="Text"/>'
            f'</Variables><Sources><TextSource guid="{g(20)}" name="I" plainTextPath="internal://{g(20)}.txt">'
            f'<VariableValue><VariableRef targetGUID="{g(80)}"/><TextValue>es</TextValue></VariableValue>'
            f'</TextSource></Sources><Notes><Note guid="{g(60)}" name="n"><PlainTextContent>A project memo.'
            f'</PlainTextContent></Note></Notes><Description>Interviews in Pasto.</Description>'
            f'<NoteRef targetGUID="{g(60)}"/>')
    report = run(qdpx(project(body), {f"sources/{g(20)}.txt": "alpha beta"}))
    study = Study.objects.get()
    assert study.description == "Interviews in Pasto.\n\nA project memo."
    assert study.language == "es"
    assert "project_memo" not in report.unmapped and "note" not in report.unmapped


# ----- what cannot be mapped -----

def test_it_reports_what_it_cannot_map(db):
    body = (USERS + CODES + f'<Cases><Case guid="{g(12)}" name="Case node"/></Cases><Sources>'
            f'<PDFSource guid="{g(21)}" name="Scan" path="internal://{g(21)}.pdf"/>'
            f'<TextSource guid="{g(22)}" name="Elsewhere" plainTextPath="relative://x.txt"/>'
            f'<TextSource guid="{g(23)}" name="Gone" plainTextPath="internal://{g(23)}.txt"/>'
            f'<TextSource guid="{g(24)}" name="Word only" richTextPath="internal://{g(24)}.docx"/>'
            f'</Sources><Sets><Set guid="{g(50)}" name="Wave 1"><Description>first</Description>'
            f'<MemberSource targetGUID="{g(21)}"/></Set></Sets>'
            f'<Graphs><Graph guid="{g(51)}"/></Graphs><Description>Project memo</Description>')
    report = run(qdpx(project(body)))
    assert set(report.unmapped) >= {"case_node", "media", "external", "rich_only", "set",
                                    "ignored_Graphs"}
    assert report.skipped["missing"].examples == ["Gone"]
    assert report.unmapped["set"].examples == ["Wave 1: first (0 codes, 1 sources, 0 notes)"]
    assert not Theme.objects.filter(name="Trust").exists()  # its GUID is a case's: an NVivo case node
    assert not Transcript.objects.exists()
