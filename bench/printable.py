"""Benchmark: the printable theme report at exactly 2,000 and 20,000 quotes, and the theme
report page of those themes and of the demo study (issue 16, issue 17's load test).

    .venv/bin/python bench/printable.py              # builds var/bench_printable.sqlite3, measures
    .venv/bin/python bench/printable.py --reuse      # measures the database built last time
    .venv/bin/python bench/printable.py --demo       # only the theme report pages of the demo study
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasto_bench_print .venv/bin/python bench/printable.py

It rebuilds its database from scratch (a PostgreSQL database named in DATABASE_URL is dropped
and created again; never point it at a real study). The study has 200 participants with one
transcript each (about 40,000 characters, in speaker turns; one in five a subtitle transcript
with a cue time every 200 characters), three choice attributes and an organisation. Of the
participants, 190 may be quoted (quote_named or quote) and 10 may not (interview only, withdrawn,
never consented). Theme "Two thousand" has exactly 2,000 excerpts from quotable participants
(plus 100 that consent leaves out), "Twenty thousand" exactly 20,000 (plus 1,000 left out);
each excerpt may also carry one or two of eight other themes, which the report lists.

Every figure goes through Django's whole request stack in this process (test client, DEBUG
off), after one warm-up request: the median (and spread) of --runs requests of the wall time and
of this process's CPU time (time.process_time: SQLite's work included, PostgreSQL's not), the
queries, and for 20,000 quotes the peak Python memory (tracemalloc) while the response is read
chunk by chunk and thrown away. The load average is printed before and after.

--demo loads the demo studies (demo.loader.demo_load) into var/bench_printable_demo.sqlite3 and
measures each of the Pasto study's theme report pages (not printable: the page reviewers and
researchers read, 50 quotes) as a researcher, as issue 17's load test reads them.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEMO = "--demo" in sys.argv[1:]
DB_FILE = ROOT / "var" / ("bench_printable_demo.sqlite3" if DEMO else "bench_printable.sqlite3")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DB_FILE}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasto_coop.settings")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.reports import fresh_database, peak_memory  # noqa: E402
from coding.models import CodedExcerpt, Theme  # noqa: E402
from interviews.models import AttributeValue, Participant, Transcript  # noqa: E402
from interviews.services import attribute_create  # noqa: E402
from studies.models import Membership, Role, Study  # noqa: E402

PARTICIPANTS, UNQUOTABLE = 200, 10
TEXT_LENGTH = 40_000
SIZES = {"Two thousand": 2_000, "Twenty thousand": 20_000}
WORDS = ("de la el que y en los se del las un por con no una su para es al lo como más pero "
         "cooperación migración juventud género territorio estrategia proceso municipio alianza "
         "confianza participación desarrollo comunidad <script> & \"comillas\" 'apóstrofo'").split()


def make_text(rng):
    turns, length = [], 0
    while length < TEXT_LENGTH:
        speaker = "Entrevistador" if len(turns) % 2 == 0 else "P"
        turn = f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 160))) + "."
        turns.append(turn)
        length += len(turn) + 2
    return "\n\n".join(turns)


def build(rng):
    """The study, its reviewer, and {theme name: theme} of SIZES."""
    fresh_database()
    User = get_user_model()
    coders = [User.objects.create_user(name, password="bench-password-1") for name in ("ana", "bea", "cruz")]
    reviewer = User.objects.create_user("rev", password="bench-password-1")
    study = Study.objects.create(name="Printable bench", slug="printable", language="es")
    Membership.objects.create(study=study, user=reviewer, role=Role.REVIEWER)
    Membership.objects.bulk_create([Membership(study=study, user=c, role=Role.RESEARCHER) for c in coders])
    people = []
    for i in range(PARTICIPANTS):
        if i < UNQUOTABLE:  # interview only, withdrawn, never consented
            kind = i % 3
            people.append(Participant(study=study, code=f"X{i:02}", consent_given=kind != 2,
                                      consent_scope="interview_only" if kind == 0 else "quote",
                                      consent_withdrawn_on="2010-01-01" if kind == 1 else None))
        else:
            people.append(Participant(study=study, code=f"P{i:03}", consent_given=True,
                                      consent_scope=rng.choice(["quote_named", "quote"])))
    people = Participant.objects.bulk_create(people)
    organisation = attribute_create(study=study, applies_to="participant", name="Organisation", type="text")
    values = [AttributeValue(study=study, attribute=organisation, participant=p,
                             text=f"Organización {i % 40}") for i, p in enumerate(people)]
    for name, labels in (("Sector", ["Privado", "Público", "ONG", "Sociedad civil"]),
                         ("Género", ["Mujer", "Hombre", "No binario"]), ("Región", ["Norte", "Sur"])):
        attribute = attribute_create(study=study, applies_to="participant", name=name, type="choice",
                                     choices=labels)
        choices = list(attribute.choices.all())
        values += [AttributeValue(study=study, attribute=attribute, participant=p, choice=rng.choice(choices))
                   for p in people]
    AttributeValue.objects.bulk_create(values, batch_size=1000)
    transcripts = []
    for i, p in enumerate(people):
        text = make_text(rng)
        cues = ([{"offset": o, "time": o // 20} for o in range(0, len(text), 200)] if i % 5 == 0 else [])
        transcripts.append(Transcript(study=study, participant=p, title=f"Entrevista {p.code}", text=text,
                                      cues=cues, language="es",
                                      interview_date=f"2009-{rng.randint(4, 5):02}-{rng.randint(1, 28):02}"))
    transcripts = Transcript.objects.bulk_create(transcripts, batch_size=50)
    others = [Theme.objects.create(study=study, name=f"Otro tema {j}", order=j + 2) for j in range(8)]
    themes = {name: Theme.objects.create(study=study, name=name, order=i) for i, name in enumerate(SIZES)}
    quotable = [t for t in transcripts if not t.participant.code.startswith("X")]
    unquotable = [t for t in transcripts if t.participant.code.startswith("X")]
    numbers = {}
    Link = CodedExcerpt.themes.through
    for name, n in SIZES.items():
        picks = [rng.choice(quotable) for _ in range(n)] + [rng.choice(unquotable) for _ in range(n // 20)]
        for chunk in range(0, len(picks), 5000):
            rows = []
            for transcript in picks[chunk : chunk + 5000]:
                start = rng.randrange(0, len(transcript.text) - 400)
                end = start + rng.randint(20, 400)
                numbers[transcript.pk] = numbers.get(transcript.pk, 0) + 1
                rows.append(CodedExcerpt(study=study, transcript=transcript, start=start, end=end,
                                         quote=transcript.text[start:end], coder=rng.choice(coders),
                                         number=numbers[transcript.pk]))
            rows = CodedExcerpt.objects.bulk_create(rows, batch_size=2000)
            links = []
            for excerpt in rows:
                links.append(Link(codedexcerpt_id=excerpt.pk, theme_id=themes[name].pk))
                links += [Link(codedexcerpt_id=excerpt.pk, theme_id=t.pk)
                          for t in rng.sample(others, rng.randint(0, 2))]
            Link.objects.bulk_create(links, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return reviewer, study, themes


def timed(client, url, runs):
    """Median and range of wall and CPU ms over `runs` requests after a warm-up, the queries of
    one, and the body of the last."""
    def once():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return b"".join(response.streaming_content) if response.streaming else response.content

    executed = []  # not CaptureQueriesContext: the request's start clears connection.queries

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        body = once()
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        body = once()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu, len(executed), body


def spread(samples):
    return f"{statistics.median(samples):7.1f} ms (min {min(samples):.1f}, max {max(samples):.1f})"


def load_average(when):
    print("load average {}: {:.2f} {:.2f} {:.2f} ({} cores)".format(when, *os.getloadavg(), os.cpu_count()))


def printable(runs):
    rng = random.Random(2009)
    t0 = time.perf_counter()
    if "--reuse" in sys.argv[1:] and Study.objects.filter(slug="printable").exists():
        reviewer, study = get_user_model().objects.get(username="rev"), Study.objects.get(slug="printable")
        themes = {name: Theme.objects.get(study=study, name=name) for name in SIZES}
    else:
        reviewer, study, themes = build(rng)
    print(f"{connection.vendor}: {Transcript.objects.filter(study=study).count()} transcripts, "
          f"{CodedExcerpt.objects.filter(study=study).count():,} excerpts "
          f"({time.perf_counter() - t0:.0f} s to build or open)")
    client = Client()
    client.force_login(reviewer)
    load_average("before measuring")
    for name, n in SIZES.items():
        url = reverse("reports:theme-report", args=[study.slug, themes[name].pk]) + "?print=on"
        wall, cpu, queries, body = timed(client, url, runs if n <= 2000 else max(3, runs // 3))
        quoted = body.count(b'<blockquote class="mb-2')
        assert quoted == n, (quoted, n)
        print(f"printable report, {quoted:,} quotes: wall {spread(wall)}, CPU {spread(cpu)}, "
              f"{queries} queries, {len(body) / 1e6:.1f} MB")
        if n > 2000:
            size, peak = peak_memory(client, url)
            print(f"printable report, {quoted:,} quotes: {size / 1e6:.1f} MB sent, "
                  f"peak Python memory {peak / 1e6:.1f} MB")
        page = url.removesuffix("?print=on")  # the same report, 50 quotes a page
        wall, cpu, queries, _body = timed(client, page, runs)
        print(f"theme report page (first 50 of {n:,} quotes): wall {spread(wall)}, CPU {spread(cpu)}, "
              f"{queries} queries")
    load_average("after measuring")


def demo_pages(runs):
    from demo.loader import demo_load
    from studies.services import membership_add

    fresh_database()
    demo_load()
    study = Study.objects.get(slug="pasto")
    researcher = get_user_model().objects.create_user("bench-researcher", password="bench-password-1")
    membership_add(study=study, user=researcher, role=Role.RESEARCHER)
    client = Client()
    client.force_login(researcher)
    load_average("before measuring")
    rows = []
    for theme in Theme.objects.filter(study=study).order_by("pk"):
        page = reverse("reports:theme-report", args=[study.slug, theme.pk])
        wall, cpu, queries, _body = timed(client, page, runs)
        rows.append((statistics.median(wall), statistics.median(cpu), queries))
    load_average("after measuring")
    walls, cpus, counts = zip(*rows, strict=True)
    print(f"theme report page, the {len(rows)} themes of the demo's Pasto study, each the median of {runs}: "
          f"wall median {statistics.median(walls):.1f} ms (max {max(walls):.1f}), "
          f"CPU median {statistics.median(cpus):.1f} ms (max {max(cpus):.1f}), "
          f"queries {min(counts)}-{max(counts)}")


def main():
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 9
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                  "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    ):
        demo_pages(runs) if DEMO else printable(runs)


if __name__ == "__main__":
    main()
