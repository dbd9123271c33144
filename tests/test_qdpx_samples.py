"""Every file in ../shared/refi-qda/samples/ imports with the content its SOURCES.md lists.

The samples are real tools' files; they are read where they are and never copied into the
project. On a clone without ../shared the tests skip and say why."""

import zipfile
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from coding.models import CodedExcerpt, Theme
from exchange.qdpx_import import study_import
from exchange.textmap import decode
from interviews.models import Transcript
from interviews.text import normalise_text
from tests.test_qdpx_export import SHARED
from tests.test_qdpx_import import importer, study_rows

SAMPLES = SHARED / "samples"
ATLAS_BLANK = "atlasti-win-23.2.3_blank-atlas-project.qdpx"
ATLAS_TARGET = "atlasti-win-23.2.3_target-atlas-project.qdpx"
ATLAS_QDC = "atlasti-win-23.4.0_codebook_from-requal-test.qdc"
MAXQDA = "maxqda-24.7.0_ICLS_Conf_Themes_just10.qdpx"
NVIVO_WIN = "nvivo-win-12.6_oltas.qdpx"
NVIVO_MAC = "nvivo-mac-15.0.0_qc-project.qdpx"
ALL = [ATLAS_BLANK, ATLAS_TARGET, ATLAS_QDC, MAXQDA, NVIVO_WIN, NVIVO_MAC]


def sample_import(name):
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (a user's clone has no ../shared): real-tool samples cannot run")
    with path.open("rb") as handle:
        return study_import(handle, owner=importer(), file_name=name)


def depth(theme):
    levels = 1
    while theme.parent_id:
        theme, levels = theme.parent, levels + 1
    return levels


def usernames():
    return set(get_user_model().objects.values_list("username", flat=True))


def test_it_imports_the_blank_atlas_project_with_an_empty_codebook(db):
    report = sample_import(ATLAS_BLANK)
    assert not Theme.objects.exists()
    assert usernames() == {"Enric_Llagostera", "ATLAS.ti", "ines"}
    assert report.skipped == {} and report.unmapped == {}


def test_it_keeps_the_atlas_three_node_hierarchy(db):
    sample_import(ATLAS_TARGET)
    commits = Theme.objects.get(name="Commits", parent=None)
    assert sorted(commits.children.values_list("name", flat=True)) == [
        "2022-02-11T10:39:25Z cdbfd92", "2022-05-10T02:05:59Z 19e4dce"]
    assert Theme.objects.count() == 3


def test_it_imports_the_atlas_codebook_and_reports_its_code_group(db):
    report = sample_import(ATLAS_QDC)
    code = Theme.objects.get()
    assert (code.name, code.colour, code.description) == ("code1", "#46AA00", "description")
    assert report.unmapped["set"].examples == ["code group 1: kategorie 1 (1 codes, 0 sources, 0 notes)"]


def test_it_imports_the_maxqda_codebook_sources_and_user(db):
    report = sample_import(MAXQDA)
    assert Theme.objects.count() == 307
    assert {depth(t) for t in Theme.objects.select_related("parent__parent")} == {1, 2}
    parent = Theme.objects.get(name="Additional Themes and Ideas")
    assert parent.colour == "#ef8256"
    assert parent.description.startswith("This category encompasses a range of specific theoretical")
    assert parent.children.get(name="THEME - Affordances").description == (
        "This code is applied when a paper includes the idea of affordances.")
    assert not Theme.objects.filter(description="").exists()
    assert Transcript.objects.count() == 10
    assert "ICLS 2024 3-10" in set(Transcript.objects.values_list("title", flat=True))
    with zipfile.ZipFile(SAMPLES / MAXQDA) as archive:
        raw = decode(archive.read("sources/C5E4C960-5296-4FDE-8C63-DEABA4E17F92.txt"))[0]
    assert Transcript.objects.get(title="ICLS 2024 3-10").text == normalise_text(raw)
    assert "johnb" in usernames()
    assert [e.split(" (")[0] for e in report.unmapped["set"].examples] == ["ICLS 2024", "ICLS 2025"]


@pytest.mark.parametrize(("start", "end", "begins", "finishes", "theme"), [
    (233, 409, "Na mi van? Nem mertétek kötelezővé tenni?", "nem haltok meg covidban.", "fenyegetés"),
    (2943, 2994, "A Politikusoknak kötemező, ja leszavazták maguknak!",
     "A Politikusoknak kötemező, ja leszavazták maguknak!", None),
    (19579, 21417, "Természetesen a transzhumanista ügynök", None, None),
])
def test_it_reads_nvivo_windows_utf16_positions(db, start, end, begins, finishes, theme):
    """The selections SOURCES.md names, found by their UTF-16 positions, read as text."""
    sample_import(NVIVO_WIN)
    matches = [e for e in CodedExcerpt.objects.prefetch_related("themes") if e.quote.startswith(begins)]
    assert len(matches) == 1
    found = matches[0]
    if finishes:
        assert found.quote.rstrip().endswith(finishes)
    if theme:
        assert theme in {t.name for t in found.themes.all()}


def test_it_merges_nvivo_repeated_selections_and_credits_the_coding_user(db):
    report = sample_import(NVIVO_WIN)
    assert CodedExcerpt.objects.count() == 20  # 97 selections over 20 spans, one coder
    assert set(CodedExcerpt.objects.values_list("coder__username", flat=True)) == {"floriansipos"}
    assert report.imported["codings"] == 97
    assert Theme.objects.count() == 60
    assert max(depth(t) for t in Theme.objects.select_related("parent__parent")) == 3
    transcript = Transcript.objects.get()
    assert transcript.title == "videos_selection" and "\r" not in transcript.text
    for excerpt in CodedExcerpt.objects.select_related("transcript"):
        excerpt.full_clean()
    assert any("UTF-16" in m for m in report.tolerated)


def test_it_keeps_the_nvivo_mac_seven_level_tree_and_both_users(db):
    report = sample_import(NVIVO_MAC)
    assert Theme.objects.count() == 262
    assert max(depth(t) for t in Theme.objects.all()) == 7
    assert {"chrisp", "cp"} <= usernames()
    assert report.skipped["empty"].count == 2  # both sources hold only "\n"


@pytest.mark.parametrize("name", ALL)
def test_it_makes_a_second_study_when_a_sample_is_imported_again(db, name):
    first = sample_import(name)
    before, users = study_rows(first.study), get_user_model().objects.count()
    second = sample_import(name)
    assert second.study != first.study
    assert study_rows(first.study) == before
    assert get_user_model().objects.count() == users  # the same accounts, matched by username
    counted = ("themes", "participants", "transcripts", "excerpts", "codings", "members")
    assert [study_rows(second.study)[k] for k in counted] == [before[k] for k in counted]
    assert second.imported - Counter(users=second.imported["users"]) == (
        first.imported - Counter(users=first.imported["users"]))
