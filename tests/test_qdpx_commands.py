"""`manage.py export_qdpx --study` and `manage.py import_qdpx --owner`: back up a study, and
restore it as a new study."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from interviews.models import Participant, Transcript
from studies.models import Role, Study
from tests.test_qdpx_export import study_build, validate_strict
from tests.test_qdpx_import import CODES, USERS, coding, g, project, qdpx, selection, study_rows


def command(command_name, *args, **options):
    out, err = StringIO(), StringIO()
    call_command(command_name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def rows():
    return [m.objects.count() for m in (Study, Theme, Participant, Transcript, CodedExcerpt)]


def test_it_backs_up_a_study_and_restores_it_as_a_new_one(study, alice, bob, adam, tmp_path):
    study_build(study, alice, bob)
    before = study_rows(study)
    backup = tmp_path / "backup.qdpx"
    out, _err = command("export_qdpx", str(backup), study="pasto")
    assert f"Wrote {backup}: 2 participants, 2 transcripts, 5 themes, 5 excerpts (7 codings)" in out
    assert "Not in the file: Participants' names" in out
    validate_strict(backup.read_bytes(), tmp_path, "checked.qdpx")

    out, _err = command("import_qdpx", str(backup), owner="adam")
    restored = Study.objects.get(slug="pasto-test-study")
    assert "New study: Pasto test study (pasto-test-study)" in out
    assert "Imported: 5 themes, 2 participants, 2 transcripts, 5 excerpts, 7 codings, 2 memos" in out
    assert "Merged: 2 users" in out  # alice and bob already have their accounts
    assert study_rows(study) == before
    assert [v for k, v in study_rows(restored).items() if k not in ("state", "changes", "members")] == [
        v for k, v in before.items() if k not in ("state", "changes", "members")]
    assert list(restored.memberships.values_list("user__username", "role")) == [("adam", Role.OWNER)]


def test_it_exports_only_the_study_named(study, other_study, alice, bob, otto, tmp_path):
    study_build(study, alice, bob)
    out, _err = command("export_qdpx", str(tmp_path / "other.qdpx"), study="other")
    assert "0 participants, 0 transcripts, 0 themes, 0 excerpts" in out


def test_it_refuses_an_unknown_study(db, tmp_path):
    with pytest.raises(CommandError, match="No study nothing"):
        command("export_qdpx", str(tmp_path / "x.qdpx"), study="nothing")
    assert list(tmp_path.iterdir()) == []


def test_it_takes_the_name_given(alice, tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_bytes(qdpx(project(CODES)).getvalue())
    out, _err = command("import_qdpx", str(path), owner="alice", name="Renamed")
    assert "New study: Renamed (renamed)" in out
    assert Study.objects.get(slug="renamed").created_by == alice


def test_it_writes_the_same_bytes_twice(study, alice, bob, tmp_path):
    study_build(study, alice, bob)
    command("export_qdpx", str(tmp_path / "a.qdpx"), study="pasto")
    command("export_qdpx", str(tmp_path / "b.qdpx"), study="pasto")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_it_refuses_to_export_into_a_missing_folder(study, tmp_path):
    with pytest.raises(CommandError, match="No folder"):
        command("export_qdpx", str(tmp_path / "missing" / "x.qdpx"), study="pasto")


def test_it_shows_the_progress_of_a_large_import(alice, tmp_path):
    sources = "".join(
        f'<TextSource guid="{g(1000 + i)}" name="Interview {i}" plainTextPath="internal://{g(1000 + i)}.txt">'
        f'{selection(2000 + i, 0, 5, coding(3000 + i, 12))}</TextSource>'
        for i in range(40)
    )
    files = {f"sources/{g(1000 + i)}.txt": f"alpha beta {i}" for i in range(40)}
    path = tmp_path / "large.qdpx"
    path.write_bytes(qdpx(project(USERS + CODES + f"<Sources>{sources}</Sources>"), files).getvalue())
    out, err = command("import_qdpx", str(path), owner="alice")
    assert "  sources: 2/40 (5%)" in err and "  sources: 40/40 (100%)" in err
    assert CodedExcerpt.objects.count() == 40
    assert "Imported: 2 users, 3 themes, 40 participants, 40 transcripts" in out


def test_it_credits_the_named_user(alice, tmp_path):
    bare = f'<Coding guid="{g(40)}"><CodeRef targetGUID="{g(12)}"/></Coding>'
    body = (CODES + f'<Sources><TextSource guid="{g(20)}" name="I" plainTextPath="internal://{g(20)}.txt">'
            f'{selection(30, 0, 5, bare, user=None)}</TextSource></Sources>')
    path = tmp_path / "x.qdpx"
    path.write_bytes(qdpx(project(body), {f"sources/{g(20)}.txt": "alpha beta"}).getvalue())
    command("import_qdpx", str(path), owner="alice")
    assert CodedExcerpt.objects.get().coder == alice
    assert Transcript.objects.get().created_by == alice


def test_it_refuses_an_unknown_owner_or_file_and_makes_no_study(db, tmp_path):
    with pytest.raises(CommandError, match="No file"):
        command("import_qdpx", str(tmp_path / "nothing.qdpx"), owner="nobody")
    path = tmp_path / "x.qdpx"
    path.write_bytes(qdpx(project(CODES)).getvalue())
    with pytest.raises(CommandError, match="No user nobody"):
        command("import_qdpx", str(path), owner="nobody")
    with pytest.raises(CommandError, match="--owner"):
        command("import_qdpx", str(path))
    assert not Study.objects.exists()


def test_it_refuses_a_broken_file_and_changes_nothing(transcript, themes, alice, tmp_path):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    before = rows()
    path = tmp_path / "broken.qdpx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="broken.qdpx: The file is not a readable zip archive"):
        command("import_qdpx", str(path), owner="alice")
    assert rows() == before
