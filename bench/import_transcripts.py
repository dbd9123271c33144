"""Benchmark: bulk import through the management command, and re-anchoring after text changes.

    .venv/bin/python bench/import_transcripts.py

Builds a fresh SQLite database in var/bench_import.sqlite3 (set DATABASE_URL to use another).

1. Import: writes 200 transcripts of 5,000 words each into a temporary folder (101 .txt in
   UTF-8, Windows-1252 or UTF-16; 33 each of .docx made with python-docx, .vtt and .srt), with a
   CSV mapping them to 13 participants, then times `manage.py import_transcripts --study bench` on it, in this
   process: a dry run, the real run, and a second run (which skips every file).
2. Re-anchoring: one 100,000-character transcript with 2,000 excerpts; times
   `transcript_text_update` (diff, re-anchoring, database writes, new version) for a typo fix
   near the top (every excerpt shifts), a name replaced 100+ times by a plain edit (excerpts
   quoting it are flagged) and by `transcript_anonymise` (they are not), a paragraph deleted, and
   200 scattered word changes; median of 5 runs each, the edit and its undo alternating.
"""

import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_import.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasto_coop.settings")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

import docx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from django.db import connection  # noqa: E402

from coding.models import CodedExcerpt  # noqa: E402
from coding.transcript_text import transcript_anonymise, transcript_text_update  # noqa: E402
from interviews.models import Participant, Transcript  # noqa: E402
from interviews.reanchor import Anchor, TextMapping, reanchor  # noqa: E402
from interviews.services import attribute_create  # noqa: E402
from studies.models import Study  # noqa: E402

WORDS = (
    "de la el que y en los a se del las un por con no una su para es al lo como más pero "
    "cooperación migración juventud género territorio estrategia proceso municipio alianza "
    "confianza participación desarrollo comunidad internacional José María Pasto Nariño "
    "the youth office gender forced inland migration environment cooperation strategy process"
).split()
FILES = 200
WORDS_PER_FILE = 5_000
PARTICIPANTS = [chr(ord("A") + i) for i in range(13)]


def fresh_database():
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.DATABASES["default"]["NAME"]) + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def turns(rng, words):
    """Speaker turns of 20-120 words until `words` words are used."""
    out, used, speaker = [], 0, 0
    while used < words:
        n = min(rng.randint(20, 120), words - used)
        label = "Interviewer" if speaker % 2 == 0 else "P"
        out.append(f"{label}: " + " ".join(rng.choice(WORDS) for _ in range(n)))
        used, speaker = used + n, speaker + 1
    return out


def stamp(seconds, sep):
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02}:{m:02}:{s:02}{sep}000"


def subtitles(rng, words, *, vtt):
    """Cues of 6-14 words, 3 s apart, each cue line starting with its speaker's label."""
    lines = ["WEBVTT", ""] if vtt else []
    for n, turn in enumerate(turns(rng, words)):
        label, _, text = turn.partition(": ")
        chunk = text.split()
        for i in range(0, len(chunk), 10):
            t = 3 * (n * 20 + i // 10)
            sep = "." if vtt else ","
            if not vtt:
                lines.append(str(len(lines) // 4 + 1))
            lines.append(f"{stamp(t, sep)} --> {stamp(t + 3, sep)}")
            body = " ".join(chunk[i : i + 10])
            lines.append(f"<v {label}>{body}" if vtt else (f"{label}: {body}" if i == 0 else body))
            lines.append("")
    return "\n".join(lines)


def write_files(folder, rng):
    rows = []
    for i in range(FILES):
        kind = i % 6
        name = f"interview_{i:03}." + ["txt", "txt", "txt", "docx", "vtt", "srt"][kind]
        path = folder / name
        if kind < 3:
            text = "\r\n".join(turns(rng, WORDS_PER_FILE))
            path.write_bytes(text.encode(["utf-8", "cp1252", "utf-16"][kind]))
        elif kind == 3:
            document = docx.Document()
            for turn in turns(rng, WORDS_PER_FILE):
                document.add_paragraph(turn)
            document.save(path)
        else:
            path.write_text(subtitles(rng, WORDS_PER_FILE, vtt=kind == 4), encoding="utf-8")
        rows.append({"file": name, "participant": PARTICIPANTS[i % 13], "interview_date": "2009-04-08",
                     "language": "es", "Sector": "NGO", "Gender": "Female"})
    with (folder / "map.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return sum(p.stat().st_size for p in folder.iterdir())


def timed_command(*args):
    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("import_transcripts", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        print(out.getvalue())
        raise SystemExit(f"import failed: {exc}") from None
    return time.perf_counter() - started, out.getvalue().splitlines()[0]


def bench_import(rng, study):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = write_files(folder, rng)
        args = (str(folder), "--study", study.slug, "--csv", str(folder / "map.csv"), "--no-progress")
        dry, _ = timed_command(*args, "--dry-run")
        real, summary = timed_command(*args)
        again, _ = timed_command(*args)
    words = sum(len(t.split()) for t in Transcript.objects.values_list("text", flat=True))
    print(f"Import: {FILES} files, {size / 1e6:.1f} MB, {words:,} words stored "
          f"({Transcript.objects.count()} transcripts, {Participant.objects.count()} participants)")
    print(f"  dry run                      {dry:6.1f} s")
    print(f"  import                       {real:6.1f} s   ({1000 * real / FILES:.0f} ms a file, "
          f"{words / real:,.0f} words/s)")
    print(f"  second run (all skipped)     {again:6.1f} s")
    print(f"  command summary: {summary}")


# ----- re-anchoring -----

def long_text(rng, length=100_000):
    text = "\n\n".join(turns(rng, length // 5))
    text = text[:length]
    return text[: text.rfind(" ")].rstrip()


def build_coded(rng, study):
    user = get_user_model().objects.create_user("bench-coder")
    participant = Participant.objects.create(study=study, code="R1")
    text = long_text(rng)
    transcript = Transcript.objects.create(study=study, participant=participant, title="Long", text=text)
    rows = []
    for _ in range(2_000):
        start = rng.randrange(0, len(text) - 500)
        end = start + rng.randint(20, 400)
        rows.append(CodedExcerpt(study=study, transcript=transcript, start=start, end=end,
                                 quote=text[start:end], coder=user))
    CodedExcerpt.objects.bulk_create(rows, batch_size=500)
    return user, transcript


def edits(text, rng):
    words = text.split(" ")
    scattered = list(words)
    for i in rng.sample(range(len(words)), 200):
        scattered[i] = scattered[i].upper()
    middle = text.index("\n\n", len(text) // 2)
    end = text.index("\n\n", middle + 2)
    return {
        "typo fix near the top (all 2,000 shift)": text.replace("Interviewer: ", "Interviewer:  x ", 1),
        f"name replaced {text.count('José')} times": text.replace("José", "P3"),
        "paragraph deleted in the middle": text[:middle] + text[end:],
        "200 scattered word changes": " ".join(scattered),
    }


def bench_reanchor(rng, study):
    user, transcript = build_coded(rng, study)
    original = transcript.text
    anchors = [Anchor(e.start, e.end, e.quote) for e in CodedExcerpt.objects.filter(transcript=transcript)]
    print(f"Re-anchoring: {len(original):,}-character transcript, {len(anchors):,} excerpts "
          "(median of 5; service = diff, re-anchoring, writes and the new version)")
    for label, new in edits(original, rng).items():
        pure, service, flagged = [], [], 0
        for _ in range(5):
            started = time.perf_counter()
            reanchor(original, new, anchors, mapping=TextMapping(original, new))
            pure.append(time.perf_counter() - started)
            started = time.perf_counter()
            summary = transcript_text_update(transcript=transcript, text=new, user=user)
            service.append(time.perf_counter() - started)
            flagged = summary.changed + summary.deleted
            transcript_text_update(transcript=transcript, text=original, user=user)  # undo
        print(f"  {label:<42} diff+anchors {1000 * statistics.median(pure):6.0f} ms   "
              f"service {1000 * statistics.median(service):6.0f} ms   ({flagged} flagged)")
    times, rewritten = [], 0
    for _ in range(5):
        started = time.perf_counter()
        ((_t, count, summary),) = transcript_anonymise(transcripts=[transcript], name="José",
                                                       pseudonym="P3", user=user)
        times.append(time.perf_counter() - started)
        rewritten = summary.moved
        transcript_text_update(transcript=transcript, text=original, user=user)  # undo
    label = f"anonymise: name replaced {count} times"
    print(f"  {label:<42} {'':>23}service {1000 * statistics.median(times):6.0f} ms   "
          f"({rewritten} excerpts moved or quoting P3, 0 flagged)")


def main():
    rng = random.Random(2009)
    started = time.perf_counter()
    fresh_database()
    print(f"Database: {connection.vendor}; Python {sys.version.split()[0]}; {os.cpu_count()} cores")
    study = Study.objects.create(name="Benchmark", slug="bench")
    for name, choices in (("Sector", ["Public", "NGO"]), ("Gender", ["Female", "Male"])):  # the CSV's columns
        attribute_create(study=study, applies_to="participant", name=name, type="choice", choices=choices)
    bench_import(rng, study)
    bench_reanchor(rng, study)
    print(f"Total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
