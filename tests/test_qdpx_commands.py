"""`manage.py export_qdpx` and `manage.py import_qdpx`: back up and restore a study."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from interviews.models import Participant, Transcript
from tests.test_qdpx_export import study_build, validate_strict
from tests.test_qdpx_import import CODES, USERS, coding, g, project, qdpx, selection


def command(name, *args, **options):
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def rows():
    return [m.objects.count() for m in (Theme, Participant, Transcript, CodedExcerpt)]


def study_delete():
    CodedExcerpt.objects.all().delete()
    Transcript.objects.all().delete()
    Participant.objects.all().delete()
    while Theme.objects.exists():
        Theme.objects.filter(children__isnull=True).delete()


def test_it_backs_up_and_restores_a_study(alice, bob, tmp_path):
    study_build(alice, bob)
    before = rows()
    backup = tmp_path / "backup.qdpx"
    out, _err = command("export_qdpx", str(backup))
    assert f"Wrote {backup}: 2 participants, 2 transcripts, 5 themes, 5 excerpts (7 codings)" in out
    assert "Not in the file: Participants' names" in out
    validate_strict(backup.read_bytes(), tmp_path, "checked.qdpx")

    study_delete()
    out, _err = command("import_qdpx", str(backup))
    assert rows() == before
    assert "Imported: 5 themes, 2 participants, 2 transcripts, 5 excerpts, 7 codings, 2 memos" in out
    assert "Merged: 2 users" in out  # alice and bob still have their accounts


def test_it_writes_the_same_bytes_twice(alice, bob, tmp_path):
    study_build(alice, bob)
    command("export_qdpx", str(tmp_path / "a.qdpx"))
    command("export_qdpx", str(tmp_path / "b.qdpx"))
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_it_refuses_to_export_into_a_missing_folder(db, tmp_path):
    with pytest.raises(CommandError, match="No folder"):
        command("export_qdpx", str(tmp_path / "missing" / "x.qdpx"))


def test_it_shows_the_progress_of_a_large_import(db, tmp_path):
    sources = "".join(
        f'<TextSource guid="{g(1000 + i)}" name="Interview {i}" plainTextPath="internal://{g(1000 + i)}.txt">'
        f'{selection(2000 + i, 0, 5, coding(3000 + i, 12))}</TextSource>'
        for i in range(40)
    )
    files = {f"sources/{g(1000 + i)}.txt": f"alpha beta {i}" for i in range(40)}
    path = tmp_path / "large.qdpx"
    path.write_bytes(qdpx(project(USERS + CODES + f"<Sources>{sources}</Sources>"), files).getvalue())
    out, err = command("import_qdpx", str(path))
    assert "  sources: 2/40 (5%)" in err and "  sources: 40/40 (100%)" in err
    assert CodedExcerpt.objects.count() == 40
    assert "Imported: 2 users, 3 themes, 40 participants, 40 transcripts" in out


def test_it_credits_the_named_user(alice, tmp_path):
    bare = f'<Coding guid="{g(40)}"><CodeRef targetGUID="{g(12)}"/></Coding>'
    body = (CODES + f'<Sources><TextSource guid="{g(20)}" name="I" plainTextPath="internal://{g(20)}.txt">'
            f'{selection(30, 0, 5, bare, user=None)}</TextSource></Sources>')
    path = tmp_path / "x.qdpx"
    path.write_bytes(qdpx(project(body), {f"sources/{g(20)}.txt": "alpha beta"}).getvalue())
    command("import_qdpx", str(path), user="alice")
    assert CodedExcerpt.objects.get().coder == alice
    assert Transcript.objects.get().created_by == alice


def test_it_refuses_an_unknown_user_or_file(db, tmp_path):
    with pytest.raises(CommandError, match="No file"):
        command("import_qdpx", str(tmp_path / "nothing.qdpx"))
    path = tmp_path / "x.qdpx"
    path.write_bytes(qdpx(project(CODES)).getvalue())
    with pytest.raises(CommandError, match="No user nobody"):
        command("import_qdpx", str(path), user="nobody")


def test_it_refuses_a_broken_file_and_changes_nothing(transcript, themes, alice, tmp_path):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    before = rows()
    path = tmp_path / "broken.qdpx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="broken.qdpx: The file is not a readable zip archive"):
        command("import_qdpx", str(path))
    assert rows() == before
