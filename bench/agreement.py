"""Benchmark: inter-coder agreement for 3 coders over 100 transcripts of 10,000 characters each,
with 20 themes (the team coding issue's target: under 2 s).

    .venv/bin/python bench/agreement.py            # SQLite, in var/bench_agreement.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasto_bench_agreement .venv/bin/python bench/agreement.py

It rebuilds its database from scratch (a PostgreSQL database named in DATABASE_URL is dropped
and created again; never point it at a real study), then generates one study: 100 transcripts
of 10,000 characters, 20 themes, three researchers who are each assigned every transcript.
The first coder makes 40 excerpts of 20-400 characters per transcript with one or two themes;
the second and third copy each with probability 0.8 (boundaries moved by up to 15 characters,
a theme swapped with probability 0.1) and add 8 of their own: about 13,000 excerpts, by
bulk_create, quote == text[start:end] for every one.

It times team.reads.agreement_report (what the page, its exports and `manage.py agreement`
call: the database reads and the computation) and the computation alone, each the median of
five runs after one warm-up, and prints the overall figures so that a change that breaks them
shows.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_agreement.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasto_coop.settings")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from coding.models import CodedExcerpt, Theme  # noqa: E402
from interviews.models import Participant, Transcript  # noqa: E402
from studies.models import Membership, Role, Study  # noqa: E402
from team import agreement  # noqa: E402
from team.models import Assignment  # noqa: E402
from team.reads import agreement_report  # noqa: E402

TRANSCRIPTS, LENGTH, THEMES = 100, 10_000, 20
FIRST_CODER_EXCERPTS, OWN_EXCERPTS = 40, 8
WORDS = ("cooperación migración juventud género territorio estrategia proceso municipio alianza "
         "de la el que y").split()


def fresh_database():
    db = settings.DATABASES["default"]
    connection.close()
    if connection.vendor == "sqlite":
        Path(db["NAME"]).parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                             password=db["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def text(rng):
    out = []
    while sum(len(w) + 1 for w in out) <= LENGTH + 1:
        out.append(rng.choice(WORDS))
    return " ".join(out)[:LENGTH]


def build(rng):
    fresh_database()
    users = [get_user_model().objects.create_user(name, password="bench-password-1")
             for name in ("ana", "bea", "cruz")]
    study = Study.objects.create(name="Agreement bench", slug="bench", language="es")
    Membership.objects.bulk_create([Membership(study=study, user=u, role=Role.RESEARCHER) for u in users])
    themes = Theme.objects.bulk_create([Theme(study=study, name=f"Theme {i:02}", order=i)
                                        for i in range(THEMES)])
    people = Participant.objects.bulk_create([Participant(study=study, code=f"P{i:03}", consent_given=True)
                                              for i in range(TRANSCRIPTS)])
    transcripts = Transcript.objects.bulk_create([
        Transcript(study=study, participant=p, title=f"Interview {i}", text=text(rng))
        for i, p in enumerate(people)
    ])
    Assignment.objects.bulk_create([Assignment(study=study, transcript=t, coder=u)
                                    for t in transcripts for u in users])
    planned = []  # (transcript, coder, start, end, theme ids)

    def span(start=None, end=None):
        if start is None:
            start = rng.randrange(0, LENGTH - 420)
            end = start + rng.randint(20, 400)
        return start, end

    for t in transcripts:
        first = []
        for _ in range(FIRST_CODER_EXCERPTS):
            start, end = span()
            first.append((start, end, rng.sample(range(THEMES), rng.randint(1, 2))))
        planned += [(t, users[0], s, e, th) for s, e, th in first]
        for coder in users[1:]:
            for s, e, th in first:
                if rng.random() < 0.8:
                    s2 = max(0, s + rng.randint(-15, 15))
                    e2 = min(LENGTH, max(s2 + 1, e + rng.randint(-15, 15)))
                    th2 = [rng.randrange(THEMES) if rng.random() < 0.1 else x for x in th]
                    planned.append((t, coder, s2, e2, sorted(set(th2))))
            for _ in range(OWN_EXCERPTS):
                s, e = span()
                planned.append((t, coder, s, e, [rng.randrange(THEMES)]))
    excerpts = CodedExcerpt.objects.bulk_create([
        CodedExcerpt(study=study, transcript=t, coder=c, start=s, end=e, quote=t.text[s:e])
        for t, c, s, e, _ in planned
    ], batch_size=2000)
    Link = CodedExcerpt.themes.through
    Link.objects.bulk_create([Link(codedexcerpt_id=x.pk, theme_id=themes[k].pk)
                              for x, (*_rest, ks) in zip(excerpts, planned, strict=True) for k in ks],
                             batch_size=5000)
    return study, users, len(excerpts)


def timed(fn, runs=5):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), result


def main():
    rng = random.Random(13)
    started = time.perf_counter()
    study, users, n_excerpts = build(rng)
    print(f"built {TRANSCRIPTS} transcripts × {LENGTH:,} characters, {THEMES} themes, 3 coders, "
          f"{n_excerpts:,} excerpts in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    median, worst, report = timed(lambda: agreement_report(study, users))
    print(f"agreement_report (database + computation): median {median:.2f} s, slowest {worst:.2f} s")
    overall = report.overall
    print(f"  overall α = {overall.alpha:.3f} (n = {overall.alpha_units:,} character–theme units), "
          f"segment agreement = {overall.segment:.3f} ({overall.excerpt_count:,} codings)")
    # the computation alone, on arrays read once
    import numpy as np

    codings = []
    t_index = {t: i for i, t in enumerate(Transcript.objects.filter(study=study).order_by("pk")
                                          .values_list("pk", flat=True))}
    c_index = {u.pk: j for j, u in enumerate(users)}
    h_index = {pk: k for k, pk in enumerate(Theme.objects.filter(study=study).values_list("pk", flat=True))}
    for t, c, h, s, e in CodedExcerpt.themes.through.objects.filter(codedexcerpt__study=study).values_list(
            "codedexcerpt__transcript_id", "codedexcerpt__coder_id", "theme_id", "codedexcerpt__start",
            "codedexcerpt__end"):
        codings.append((t_index[t], c_index[c], h_index[h], s, e))
    layers = agreement.Layers(lengths=np.full(TRANSCRIPTS, LENGTH),
                              assigned=np.ones((TRANSCRIPTS, 3), dtype=bool),
                              codings=np.array(codings, dtype=np.int64), n_themes=THEMES)
    median, worst, _result = timed(lambda: agreement.compute(layers))
    print(f"agreement.compute alone: median {median:.2f} s, slowest {worst:.2f} s")
    print(f"command: .venv/bin/python manage.py agreement bench --coders ana,bea,cruz --format text "
          f"(with DATABASE_URL={settings.DATABASES['default']['NAME']})")


if __name__ == "__main__":
    main()
