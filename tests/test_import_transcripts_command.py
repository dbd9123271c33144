"""`manage.py import_transcripts --study SLUG`: into one study; files or folders, a CSV mapping
files to participants, a progress bar, a summary, a dry run; bad files reported by name while
good ones are kept."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from interviews.models import AttributeValue, Participant, Transcript, TranscriptSource
from studies.models import Study
from tests.import_files import SRT, VTT, make_docx, make_zip_bomb
from tests.participants import attribute_value, participant_make, record_attribute

CSV = """file,participant,title,interview_date,language,sector,gender,organisation
a.txt,D,Interview D,2009-04-08,es,,,
sub/b.docx,N1,,2009-05-02,,ngo,female,Fundación
c.vtt,N1,Video,,,,,
d.srt,D,,,,,,
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes("Interviewer: ¿Cómo?\r\nD: José.".encode("cp1252"))
    (tmp_path / "sub" / "b.docx").write_bytes(make_docx(["Interviewer: Hola", "P: La migración."]))
    (tmp_path / "c.vtt").write_text(VTT, encoding="utf-8")
    (tmp_path / "d.srt").write_text(SRT, encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "map.csv").write_text(CSV, encoding="utf-8")
    return tmp_path


def run(*args, study="pasto", **options):
    out, err = StringIO(), StringIO()
    call_command("import_transcripts", *map(str, args), "--study", study, stdout=out, stderr=err,
                 **options)
    return out.getvalue(), err.getvalue()


def run_failing(*args, study="pasto", **options):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_transcripts", *map(str, args), "--study", study, stdout=out, stderr=err,
                     **options)
    return out.getvalue(), str(info.value)


def test_it_imports_a_folder_with_a_csv(folder, participant, alice):
    out, err = run(folder, "--csv", folder / "map.csv", "--progress", "--user", "alice")
    assert Transcript.objects.count() == 4
    a = Transcript.objects.get(source_filename="a.txt")
    assert (a.title, a.participant, str(a.interview_date), a.language) == ("Interview D", participant,
                                                                           "2009-04-08", "es")
    assert a.text == "Interviewer: ¿Cómo?\n\nD: José."
    assert a.created_by == alice
    b = Transcript.objects.get(source_filename="b.docx")
    assert (b.title, b.participant.code) == ("b", "N1")
    # the CSV's sector, gender and organisation columns name the study's attributes (any case)
    assert [attribute_value(b.participant, name) for name in ("Organisation", "Sector", "Gender")] == [
        "Fundación", "NGO", "Female"]
    assert b.text == "Interviewer: Hola\n\nP: La migración."
    assert len(Transcript.objects.get(title="Video").cues) == 3
    assert len(Transcript.objects.get(source_filename="d.srt").cues) == 3
    assert "Imported 4 transcripts" in out and "for 2 participants (1 new)" in out
    assert "[##############################] 4/4" in err
    assert set(Transcript.objects.values_list("study__slug", flat=True)) == {"pasto"}
    assert b.participant.study == participant.study


def test_a_dry_run_checks_everything_and_saves_nothing(folder, participant):
    out, _ = run(folder, "--csv", folder / "map.csv", "--dry-run", "--no-progress")
    assert "Would import 4 transcripts" in out and "(1 new)" in out
    assert "Dry run: nothing was saved." in out
    assert not Transcript.objects.exists()
    assert list(Participant.objects.values_list("code", flat=True)) == ["D"]


def test_it_keeps_the_good_files_and_reports_the_bad_ones(folder, participant):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bomb.docx").write_bytes(make_zip_bomb())
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04")
    out, error = run_failing(folder, "--csv", folder / "map.csv", "--participant", "D")
    assert "3 files refused" in error
    assert "Imported 4 transcripts" in out
    assert "Refused 3 files:" in out
    assert "empty.txt: the file is empty." in out
    assert "bomb.docx: the part word/document.xml is compressed" in out
    assert "slides.pptx: the extension .pptx is not accepted" in out
    assert Transcript.objects.count() == TranscriptSource.objects.count() == 4


def test_it_names_files_without_a_participant(folder, participant):
    (folder / "extra.txt").write_text("D: hi", encoding="utf-8")
    out, _ = run_failing(folder, "--csv", folder / "map.csv")
    assert "extra.txt: no participant: add the file to the CSV or pass --participant." in out


def test_it_refuses_a_new_participant_without_attributes(tmp_path, study):
    """A code the study does not have, with nothing said of it, is more likely a typo."""
    record_attribute(study, "sector")
    (tmp_path / "a.txt").write_text("D: hi", encoding="utf-8")
    (tmp_path / "m.csv").write_text("file,participant,sector,hobby\na.txt,Z9,,chess\n", encoding="utf-8")
    out, _ = run_failing(tmp_path, "--csv", tmp_path / "m.csv")
    assert "a.txt: participant Z9 does not exist; give some of its attributes in the CSV" in out
    assert not Participant.objects.exists()


def test_it_reports_a_bad_date_and_a_bad_sector_by_file(tmp_path, participant):
    (tmp_path / "a.txt").write_text("D: one", encoding="utf-8")
    (tmp_path / "b.txt").write_text("D: two", encoding="utf-8")
    (tmp_path / "m.csv").write_text(
        "file,participant,interview_date,sector,gender\na.txt,D,8 April 2009,,\nb.txt,Q,,farm,male\n",
        encoding="utf-8")
    out, _ = run_failing(tmp_path, "--csv", tmp_path / "m.csv")
    assert "a.txt: the interview date '8 April 2009' is not YYYY-MM-DD." in out
    assert "b.txt: Sector: “farm” is not one of its choices (Private, Public, NGO" in out
    assert not Transcript.objects.exists() and Participant.objects.count() == 1


def test_running_it_again_skips_what_was_imported(folder, participant):
    run(folder, "--csv", folder / "map.csv")
    out, _ = run(folder, "--csv", folder / "map.csv")
    assert "Imported 0 transcripts" in out
    assert "Skipped 4 files already imported:" in out
    assert Transcript.objects.count() == 4


def test_it_takes_single_files_and_a_default_participant(folder, participant):
    out, _ = run(folder / "a.txt", folder / "d.srt", "--participant", "D")
    assert Transcript.objects.filter(participant=participant).count() == 2
    assert set(Transcript.objects.values_list("language", flat=True)) == {"es"}  # the study's


def test_it_takes_a_language_for_rows_without_one(folder, participant):
    run(folder / "d.srt", "--participant", "D", "--language", "qu")
    assert Transcript.objects.get().language == "qu"


def test_it_reports_a_missing_path(tmp_path, participant):
    out, _ = run_failing(tmp_path / "nope", "--participant", "D")
    assert f"{tmp_path / 'nope'}: no such file or folder." in out


def test_it_lists_csv_rows_that_match_no_file(folder, participant):
    (folder / "map.csv").write_text(CSV + "ghost.txt,D,,,,,,\n", encoding="utf-8")
    out, _ = run(folder, "--csv", folder / "map.csv")
    assert "The CSV names 1 file that was not found:\n  ghost.txt" in out


def test_it_stops_on_a_csv_without_the_needed_columns(folder, study):
    (folder / "bad.csv").write_text("name,who\na.txt,D\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.csv: the CSV needs the columns file and participant"):
        run(folder, "--csv", folder / "bad.csv")
    assert not Transcript.objects.exists()


# ----- the study -----

def test_it_requires_a_study(folder, participant):
    with pytest.raises(CommandError, match="--study"):
        call_command("import_transcripts", str(folder / "a.txt"), "--participant", "D",
                     stdout=StringIO(), stderr=StringIO())
    assert not Transcript.objects.exists()


def test_it_stops_on_an_unknown_study(folder, participant):
    with pytest.raises(CommandError, match="No study with the short name 'nope'"):
        run(folder / "a.txt", "--participant", "D", study="nope")
    assert not Transcript.objects.exists()


def test_it_stops_on_an_archived_study(folder, participant):
    Study.objects.filter(pk=participant.study_id).update(archived_at=timezone.now())
    with pytest.raises(CommandError, match="archived"):
        run(folder / "a.txt", "--participant", "D")
    assert not Transcript.objects.exists()


def test_it_finds_participants_in_the_study_only(folder, participant, other_study):
    """Codes are unique per study: "D" of another study is not pasto's D, and a code that only
    another study has is not found."""
    participant_make(study=other_study, code="Q", sector="ngo", gender="male")
    theirs_d = participant_make(study=other_study, code="D", sector="ngo", gender="male")
    run(folder / "a.txt", "--participant", "D")
    assert Transcript.objects.get().participant == participant
    assert not theirs_d.transcripts.exists()
    out, _ = run_failing(folder / "d.srt", "--participant", "Q")
    assert "d.srt: participant Q does not exist" in out


def test_it_creates_new_participants_in_the_study(folder, participant, other_study):
    participant_make(study=other_study, code="N1", sector="ngo", gender="male")
    run(folder, "--csv", folder / "map.csv")
    new = Participant.objects.get(study=participant.study, code="N1")
    assert attribute_value(new, "Organisation") == "Fundación" and new.transcripts.count() == 2
    assert not AttributeValue.objects.filter(study=other_study, text="Fundación").exists()


def test_it_warns_about_the_same_text_imported_twice(tmp_path, participant):
    (tmp_path / "a.txt").write_bytes(b"D: the same interview")
    (tmp_path / "b.txt").write_bytes(b"D: the same interview\r\n")  # other bytes, same text
    out, _ = run(tmp_path, "--participant", "D")
    assert "Imported 2 transcripts" in out
    assert "Warnings for 1 file:" in out
    assert "b.txt: the same text was already imported for participant D, as “a”." in out
