"""Benchmark: export a large study as REFI-QDA (.qdpx), then import it as a new study.

    .venv/bin/python bench/qdpx_roundtrip.py            # --validate also runs validate.py --strict

Builds a fresh SQLite study in var/bench_qdpx.sqlite3 (set DATABASE_URL to use another
database; it is emptied): 500 transcripts of about 20,000 characters (a few emoji among the
words), 100,000 excerpts of 20-400 characters over 30 themes (1-3 themes each), by 5 coders,
one in twenty with a memo. Setup writes with bulk_create, keeping quote == text[start:end].
Then it measures, in this process (wall-clock time, and this process's CPU time: the database
server's work shows only in the first):
- the export (`study_export`), its queries and the file's size;
- the import as a new study beside the first (`study_import`, one transaction), its queries;
- and checks that every excerpt came back in the new study with the same span, quote, coder
  and themes, and that the first study is unchanged.
"""

import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_qdpx.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasto_coop.settings")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from coding.models import CodedExcerpt, Theme  # noqa: E402
from exchange.qdpx_export import study_export  # noqa: E402
from exchange.qdpx_import import study_import  # noqa: E402
from interviews.models import Participant, Transcript  # noqa: E402
from studies import roles  # noqa: E402
from studies.services import study_create  # noqa: E402

TRANSCRIPTS = 500
EXCERPTS = 100_000
THEMES = 30
CODERS = 5
TEXT_LENGTH = 20_000
WORDS = (
    "de la el que y en los a se del las un por con no una su para es al lo como más pero "
    "of the and to in is it we that this was for on are with as they be at "
    "cooperación migración juventud género territorio estrategia proceso municipio alianza "
    "confianza participación desarrollo comunidad internacional youth office gender forced "
    "inland migration environment cooperation strategy process municipality trust 😀"
).split()
VALIDATOR = ROOT.parent / "shared" / "refi-qda" / "validate.py"


def make_text(rng):
    turns, length = [], 0
    while length < TEXT_LENGTH:
        speaker = "Interviewer" if len(turns) % 2 == 0 else "P"
        turn = f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
        turns.append(turn)
        length += len(turn) + 2
    return "\n\n".join(turns)[:TEXT_LENGTH].rstrip()


def database_empty():
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.DATABASES["default"]["NAME"]) + suffix).unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
    else:
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        roles.roles_sync(Group, Permission)


def make_study(rng):
    """The benchmark's study (bulk_create skips save(), so every row names its study)."""
    database_empty()
    User = get_user_model()
    coders = User.objects.bulk_create([User(username=f"coder{i}") for i in range(CODERS)])
    study = study_create(name="Bench study", slug="bench", creator=coders[0])
    themes = []
    for i in range(THEMES):
        parent = themes[rng.randrange(len(themes))] if i >= 5 else None
        themes.append(Theme.objects.create(study=study, name=f"Theme {i:02}", parent=parent, order=i,
                                           colour=f"#{rng.randrange(0x1000000):06x}"))
    participants = Participant.objects.bulk_create(
        [Participant(study=study, code=f"P{i:03}")
         for i in range(TRANSCRIPTS // 2)])
    transcripts = Transcript.objects.bulk_create([
        Transcript(study=study, participant=participants[i // 2], title=f"Interview {i:03}",
                   text=make_text(rng))
        for i in range(TRANSCRIPTS)
    ])
    # Setup only: bulk inserts that respect the invariant (quote == text[start:end]).
    rows = []
    for i in range(EXCERPTS):
        t = transcripts[i % TRANSCRIPTS]
        start = rng.randrange(0, len(t.text) - 500)
        end = start + rng.randint(20, 400)
        rows.append(CodedExcerpt(study=study, transcript=t, start=start, end=end, quote=t.text[start:end],
                                 coder=rng.choice(coders), memo="A memo." if i % 20 == 0 else ""))
    CodedExcerpt.objects.bulk_create(rows, batch_size=2000)
    links = [CodedExcerpt.themes.through(codedexcerpt_id=e.pk, theme_id=theme.pk)
             for e in rows for theme in rng.sample(themes, rng.randint(1, 3))]
    CodedExcerpt.themes.through.objects.bulk_create(links, batch_size=5000)
    return study


def excerpt_fingerprint(study):
    """Every excerpt of `study` as (transcript title, start, end, quote, coder, sorted theme
    names, memo)."""
    names = dict(Theme.objects.filter(study=study).values_list("pk", "name"))
    themes = {}
    for excerpt_id, theme_id in CodedExcerpt.themes.through.objects.filter(
            codedexcerpt__study=study).values_list("codedexcerpt_id", "theme_id"):
        themes.setdefault(excerpt_id, []).append(names[theme_id])
    return sorted(
        (title, start, end, quote, coder, tuple(sorted(themes[pk])), memo)
        for pk, title, start, end, quote, coder, memo in CodedExcerpt.objects.filter(
            study=study).values_list(
            "pk", "transcript__title", "start", "end", "quote", "coder__username", "memo")
    )


class Queries:
    """Counts the statements a block sends (an executemany counts once)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def peak_reset():
    """Linux: reset this process's peak resident memory (VmHWM), so each phase gets its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    rng = random.Random(2009)
    t0 = time.perf_counter()
    study = make_study(rng)
    built = time.perf_counter() - t0
    before = excerpt_fingerprint(study)

    out, export_queries = io.BytesIO(), Queries()
    peak_reset()
    with connection.execute_wrapper(export_queries):
        t0, c0 = time.perf_counter(), time.process_time()
        summary = study_export(out, study=study)
        exported, export_cpu = time.perf_counter() - t0, time.process_time() - c0
    export_peak = peak_mb()
    data = out.getvalue()
    again = io.BytesIO()
    study_export(again, study=study)

    validated = ""
    if "--validate" in sys.argv and VALIDATOR.is_file():
        with tempfile.NamedTemporaryFile(suffix=".qdpx") as handle:
            handle.write(data)
            handle.flush()
            t0 = time.perf_counter()
            result = subprocess.run([sys.executable, str(VALIDATOR), "--strict", "--quiet", handle.name],
                                    capture_output=True, text=True)
            validated = (f"{'PASS' if result.returncode == 0 else 'FAIL'} in "
                         f"{time.perf_counter() - t0:.0f} s")

    import_queries = Queries()
    peak_reset()
    with connection.execute_wrapper(import_queries):
        t0, c0 = time.perf_counter(), time.process_time()
        report = study_import(io.BytesIO(data), owner=study.created_by, file_name="bench.qdpx")
        imported, import_cpu = time.perf_counter() - t0, time.process_time() - c0
    import_peak = peak_mb()
    after = excerpt_fingerprint(report.study)
    first_unchanged = excerpt_fingerprint(study) == before

    print(f"Database: {connection.vendor}. Study built in {built:.1f} s: {summary.counts['transcripts']} "
          f"transcripts, {summary.counts['excerpts']:,} excerpts, {summary.counts['codings']:,} "
          f"codings, {summary.counts['themes']} themes, {summary.counts['coders']} coders.")
    print(f"Export: {exported:.1f} s ({export_cpu:.1f} s CPU here), {export_queries.count} queries, "
          f"{len(data) / 1e6:.1f} MB (.qdpx), peak memory {export_peak:.0f} MB; a second export is "
          f"byte-identical: {data == again.getvalue()}.")
    if validated:
        print(f"validate.py --strict: {validated}.")
    print(f"Import as the new study {report.study.slug}: {imported:.1f} s ({import_cpu:.1f} s CPU here), "
          f"{import_queries.count:,} queries, "
          f"peak memory {import_peak:.0f} MB; {report.imported['excerpts']:,} excerpts, "
          f"{report.imported['codings']:,} codings; skipped {sum(i.count for i in report.skipped.values())}.")
    print(f"Every excerpt back in the new study with the same span, quote, coder, themes and memo: "
          f"{after == before}; the first study unchanged: {first_unchanged}.")


if __name__ == "__main__":
    main()
