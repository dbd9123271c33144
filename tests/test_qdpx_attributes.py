"""A study's own attributes through REFI-QDA (exchange.qdpx_export, exchange.qdpx_import): each
participant a Case with typed VariableValues and SourceRefs to its transcripts, transcript
attributes on the TextSource; back into typed attributes on import; QualCoder's dangling case
SourceRefs matched to sources by name; identifying attributes never exported."""

import datetime
import io
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from exchange.qdpx_export import study_export
from exchange.qdpx_import import study_import
from interviews.models import Attribute, AttributeValue, Participant, Transcript
from interviews.services import attribute_create, attribute_value_set
from studies.models import Study

VALIDATE = Path("/work/shared/refi-qda/validate.py")


@pytest.fixture
def described(study, participant, transcript):
    """Attributes of every type on the participant D and its transcript, one identifying."""
    make = lambda name, kind, **kw: attribute_create(study=study, applies_to="participant",  # noqa: E731
                                                      name=name, type=kind, **kw)
    values = {
        make("Age", "number", description="In years"): "34",
        make("Weight share", "number"): "-0.125",
        make("Displaced on", "date"): "2007-11-03",
        make("Leads a group", "boolean"): "yes",
        make("Role", "text"): "Adviser <to> the “mayor” & co",
        make("Wave", "choice", choices=["First", "Second", "Third"]): "Second",
        make("Home address", "text", identifying=True): "Calle Secreta 12",
    }
    for attribute, raw in values.items():
        attribute_value_set(attribute=attribute, obj=participant, raw=raw)
    mode = attribute_create(study=study, applies_to="transcript", name="Mode", type="choice",
                            choices=["In person", "Phone"])
    attribute_value_set(attribute=mode, obj=transcript, raw="Phone")
    wave = attribute_create(study=study, applies_to="transcript", name="Interview wave", type="number")
    attribute_value_set(attribute=wave, obj=transcript, raw="2")
    return study


def exported(study):
    buffer = io.BytesIO()
    study_export(buffer, study=study)
    return buffer.getvalue()


def imported(data, user, name="Back"):
    report = study_import(io.BytesIO(data), owner=user, name=name, file_name="back.qdpx")
    return report.study, report


def snapshot(study):
    """Every attribute with its type, description, choices and values, by record name."""
    out = {}
    for attribute in Attribute.objects.filter(study=study).prefetch_related("choices"):
        values = {}
        for v in AttributeValue.objects.filter(attribute=attribute).select_related(
                "participant", "transcript", "choice"):
            owner = v.participant.code if v.participant else v.transcript.title
            values[owner] = v.choice.label if v.choice else v.value
        out[(attribute.applies_to, attribute.name)] = (
            attribute.type, attribute.description, [c.label for c in attribute.choices.all()], values)
    return out


def test_a_round_trip_keeps_every_attribute_value_and_type(described, adam):
    before = snapshot(described)
    back, report = imported(exported(described), adam)
    after = snapshot(back)
    del before[("participant", "Home address")]  # identifying: never exported
    assert after == before
    assert after[("participant", "Age")][3] == {"D": Decimal(34)}
    assert after[("participant", "Displaced on")][3] == {"D": datetime.date(2007, 11, 3)}
    assert after[("participant", "Leads a group")][3] == {"D": True}
    # D's organisation, sector and gender come back as typed attributes too
    assert [after[("participant", name)][:1] + (after[("participant", name)][3],)
            for name in ("Organisation", "Sector", "Gender")] == [
        ("text", {"D": "RET"}), ("choice", {"D": "NGO"}), ("choice", {"D": "Male"})]
    assert after[("participant", "Sector")][2] == [
        "Private", "Public", "NGO", "Civil society", "International organisation"]
    assert report.imported["attribute_values"] == 11


def test_identifying_attributes_never_leave(described):
    data = exported(described)
    qde = zipfile.ZipFile(io.BytesIO(data)).read("project.qde").decode()
    assert "Home address" not in qde and "Calle Secreta" not in qde
    assert "Secret Realname" not in qde


def test_cases_carry_typed_values_and_their_transcripts(described, transcript):
    qde = zipfile.ZipFile(io.BytesIO(exported(described))).read("project.qde").decode()
    case = qde[qde.index('<Case '):qde.index("</Case>")]
    assert "<FloatValue>34</FloatValue>" in case and "<FloatValue>-0.125</FloatValue>" in case
    assert "<DateValue>2007-11-03</DateValue>" in case and "<BooleanValue>true</BooleanValue>" in case
    assert "<TextValue>Second</TextValue>" in case
    assert "<TextValue>Adviser &lt;to&gt; the “mayor” &amp; co</TextValue>" in case
    assert case.count("<SourceRef ") == 1
    assert 'typeOfVariable="Boolean"' in qde and 'typeOfVariable="Date"' in qde


@pytest.mark.skipif(not VALIDATE.exists(), reason="the shared REFI-QDA validator is not here")
def test_the_export_is_valid_for_the_standard(described, tmp_path):
    path = tmp_path / "study.qdpx"
    path.write_bytes(exported(described))
    result = subprocess.run([sys.executable, str(VALIDATE), "--strict", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def g(n):
    return f"00000000-0000-4000-8000-{n:012d}"


def qualcoder_project():
    """Two cases whose SourceRefs point at file-name GUIDs (as QualCoder 4 writes them), with a
    sector outside our five and an age; two sources named after the cases' files."""
    variables = (f'<Variables><Variable guid="{g(80)}" name="sector" typeOfVariable="Text"/>'
                 f'<Variable guid="{g(81)}" name="age" typeOfVariable="Float"/></Variables>')
    cases = "".join(
        f'<Case guid="{g(90 + i)}" name="P0{i}"><Description/>'
        f'<VariableValue><VariableRef targetGUID="{g(80)}"/><TextValue>{sector}</TextValue></VariableValue>'
        f'<VariableValue><VariableRef targetGUID="{g(81)}"/><FloatValue>{age}</FloatValue></VariableValue>'
        f'<SourceRef targetGUID="{g(70 + i)}"/></Case>'
        for i, sector, age in ((1, "hospitality", 34), (2, "health", 51)))
    sources = "".join(
        f'<TextSource guid="{g(20 + i)}" name="P0{i} interview.txt" '
        f'plainTextPath="internal://{g(20 + i)}.txt"></TextSource>' for i in (1, 2))
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="QC" origin="QualCoder 4.0"><Users><User guid="{g(1)}" name="coder"/></Users>'
           f"{variables}<Cases>{cases}</Cases><Sources>{sources}</Sources></Project>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
        for i in (1, 2):
            archive.writestr(f"sources/{g(20 + i)}.txt", f"Interview P0{i}: some words.")
    return buffer.getvalue()


def test_a_dangling_case_source_ref_is_matched_by_name_and_reported(adam, db):
    study, report = imported(qualcoder_project(), adam, name="QC")
    assert sorted(Participant.objects.filter(study=study).values_list("code", flat=True)) == ["P01", "P02"]
    assert {t.title: t.participant.code for t in Transcript.objects.filter(study=study)} == {
        "P01 interview.txt": "P01", "P02 interview.txt": "P02"}
    matched = report.unmapped["case_source_by_name"]
    assert matched.count == 2 and matched.examples == ["P01 → P01 interview.txt", "P02 → P02 interview.txt"]
    assert "case_source" not in report.skipped


def test_qualcoders_case_attributes_are_kept(adam, db):
    study, _report = imported(qualcoder_project(), adam, name="QC")
    values = {(v.participant.code, v.attribute.name): v.value
              for v in AttributeValue.objects.filter(study=study).select_related("participant", "attribute")}
    assert values == {("P01", "sector"): "hospitality", ("P02", "sector"): "health",
                      ("P01", "age"): Decimal(34), ("P02", "age"): Decimal(51)}
    assert Attribute.objects.get(study=study, name="age").type == "number"
    assert not Study.objects.filter(name="QC").exclude(pk=study.pk).exists()


def test_a_value_that_does_not_fit_its_type_is_reported(adam, db):
    data = qualcoder_project()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as archive:
        for item in source.namelist():
            content = source.read(item)
            if item == "project.qde":
                content = content.replace(b"<FloatValue>51</FloatValue>", b"<FloatValue>old</FloatValue>")
            archive.writestr(item, content)
    study, report = imported(buffer.getvalue(), adam, name="QC")
    assert report.unmapped["attribute_value"].count == 1
    assert AttributeValue.objects.filter(study=study, attribute__name="age").count() == 1
