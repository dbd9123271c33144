"""Safety: hostile XML and zip files are refused with a clear message, and a refused or failed
import changes nothing: no half study is left (exchange.qdpx_read, exchange.qdpx_import)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from audit.models import Change
from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from exchange import qdpx_read
from exchange.qdpx_import import _Importer, study_import
from exchange.qdpx_read import ExchangeError
from interviews.models import Participant, Transcript
from studies.models import Membership, Study
from tests.test_qdpx_import import CODES, USERS, coding, g, importer, project, qdpx, selection, source


def rows():
    return [m.objects.count() for m in (Study, Membership, Change, Theme, Participant, Transcript,
                                        CodedExcerpt)]


@pytest.fixture
def coded(transcript, themes, alice):
    """A study with something in it, so "changes nothing" means something."""
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    return rows()


def refused(data, match):
    with pytest.raises(ExchangeError, match=match):
        study_import(data if hasattr(data, "read") else io.BytesIO(data), owner=importer(),
                     file_name="hostile")


# ----- XML -----

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Description>&secret;</Description></Project>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["expansion", "external"])
@pytest.mark.parametrize("wrapped", [True, False], ids=["qdpx", "bare-xml"])
def test_it_refuses_entities_and_changes_nothing(coded, xml, wrapped):
    data = qdpx(xml) if wrapped else io.BytesIO(xml.encode())
    refused(data, "The XML could not be read safely")
    assert rows() == coded


def test_it_refuses_malformed_xml_and_changes_nothing(coded):
    refused(qdpx(project(CODES)[:-20]), "The XML could not be read safely")
    assert rows() == coded


def test_it_refuses_xml_that_is_not_refi_qda(db):
    refused(qdpx("<html><body/></html>"), r"root element is <html>")


def test_it_refuses_a_file_that_is_neither_zip_nor_xml(db):
    refused(b"%PDF-1.7 not a project", "The XML could not be read safely")


# ----- zip entries -----

def zip_with(entries, **info):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project(CODES))
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, **info) if info else name, data)
    return out.getvalue()


@pytest.mark.parametrize("name", ["../../etc/cron.d/x", "/etc/passwd", "sources/../../x.txt",
                                  "C:\\Windows\\x.txt", "sources\\..\\..\\x.txt"])
def test_it_refuses_entries_that_climb_out_of_the_archive(coded, name):
    refused(zip_with({name: b"x"}), "unsafe name")
    assert rows() == coded


def test_it_refuses_a_zip_bomb(coded):
    refused(zip_with({"sources/bomb.txt": b"\0" * (4 * 1024 * 1024)}), "zip bomb")
    assert rows() == coded


def test_it_refuses_an_entry_larger_than_the_limit(db, monkeypatch):
    monkeypatch.setattr(qdpx_read, "MAX_ENTRY_BYTES", 1000)
    refused(zip_with({"sources/big.txt": bytes(range(256)) * 8}), "at most 1000 are accepted per file")


def test_it_refuses_an_archive_larger_than_the_limit(db, monkeypatch):
    monkeypatch.setattr(qdpx_read, "MAX_TOTAL_BYTES", 5000)
    refused(zip_with({f"sources/{i}.txt": bytes(range(256)) * 4 for i in range(5)}),
            "at most 5000 are accepted")


def test_it_refuses_too_many_entries(db, monkeypatch):
    monkeypatch.setattr(qdpx_read, "MAX_ENTRIES", 3)
    refused(zip_with({f"sources/{i}.txt": b"x" for i in range(3)}), "at most 3 are accepted")


def test_it_refuses_duplicate_and_encrypted_entries(db):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", project(CODES))
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("project.qde", project(""))
    refused(out.getvalue(), "two entries named project.qde")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", project(CODES))
        archive.writestr("sources/secret.txt", b"x")
    data = bytearray(out.getvalue())
    data[data.rindex(b"PK\x01\x02") + 8] |= 0x1  # zipfile cannot write it: set "encrypted" by hand
    refused(bytes(data), "encrypted")


def test_it_stops_reading_an_entry_that_is_larger_than_its_header_says(db, monkeypatch):
    monkeypatch.setattr(qdpx_read, "MAX_ENTRY_BYTES", 600)
    # The check on the header passes (the qde is small), the bounded read does not.
    data = zip_with({})
    monkeypatch.setattr(qdpx_read, "MAX_ENTRY_BYTES", 10_000)
    archive = qdpx_read.Archive(io.BytesIO(data))
    with pytest.raises(ExchangeError, match="larger than its archive entry says"):
        archive.open(archive.qde, limit=50).read()


def test_it_refuses_an_archive_without_a_project(db):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.qde", project(CODES))
        archive.writestr("b.qde", project(CODES))
    refused(out.getvalue(), "no project.qde")


def test_it_never_reads_a_source_path_that_climbs_out(db):
    body = USERS + CODES + source(20).replace(f"internal://{g(20)}.txt", "internal://../../etc/passwd")
    report = study_import(qdpx(project(body)), owner=importer(), file_name="x.qdpx")
    assert report.skipped["missing"].count == 1
    assert not Transcript.objects.exists()


# ----- one transaction -----

def test_it_changes_nothing_when_the_database_refuses_part_of_an_import(coded, monkeypatch):
    """The study, its owner's membership, themes, users, participants and transcripts are written
    before the excerpts: a failure there must take them all back."""
    def refuse(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(_Importer, "excerpts_save", refuse)
    body = USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12)))
    refused(qdpx(project(body), {f"sources/{g(20)}.txt": "alpha beta"}),
            r"The database refused the import \(disk full\)")
    assert rows() == coded
    assert not Theme.objects.filter(name="Threat").exists()
    assert not Study.objects.filter(name="p").exists()


def test_it_changes_nothing_when_the_study_cannot_take_the_file(coded, monkeypatch):
    """A ValidationError late in the import (here: the study's description) undoes the study."""
    def refuse_described(study, *args, **kwargs):
        if study.description:
            raise ValidationError("no such study")

    monkeypatch.setattr(Study, "full_clean", refuse_described)
    body = USERS + CODES + "<Description>Refused</Description>"
    refused(qdpx(project(body)), "The study cannot take part of the file: no such study")
    assert rows() == coded
