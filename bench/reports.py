"""Benchmark: browse-and-report pages on a large generated study, beside another as large.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasto_bench5 .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py          # SQLite, in var/bench_reports.sqlite3
    .venv/bin/python bench/reports.py --small  # a tenth of the size, to try it out
    .venv/bin/python bench/reports.py --search # only "bench"'s 500 transcripts, only the searches
    .venv/bin/python bench/reports.py --small --browse --reuse  # only the page-by-page listing,
                                                                # on the database built last time

It rebuilds its database from scratch (a PostgreSQL database named in DATABASE_URL is dropped
and created again; never point it at a real study), then generates two studies of the same
shape: "bench", which every figure measures, and "noise", which no figure should feel (every
report reads one study's rows only). Each has 500 participants with one transcript each (about
40,000 characters, 20 million in all), 50 themes (5 parents of 9) and 100,000 excerpts of
20-400 characters with 1-3 themes each, by bulk_create: quote == text[start:end] for every
excerpt. The three coders are researchers in both studies; the reviewer who reads the reports
is a member of "bench" only. The words follow a long-tailed distribution: a few function
words everywhere, Spanish and English topic words (with accents) in most transcripts, and
thousands of rare words in a few each.

Every figure goes through Django's whole request stack in this process (test client, DEBUG
off), after one warm-up request (for the page-by-page listing, one whole listing), and is the
median (and p95) of repeated requests, with the
median CPU time of this process (on a shared machine the steadier figure; on PostgreSQL it
leaves out the server's own work).
"""

import html
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_reports.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasto_coop.settings")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from coding.models import CodedExcerpt, Theme  # noqa: E402
from interviews.lemmas import word_forms_update  # noqa: E402
from interviews.models import AttributeValue, Participant, Transcript  # noqa: E402
from interviews.services import attribute_create  # noqa: E402
from studies.models import Membership, Role, Study  # noqa: E402

PARTICIPANTS = 500
EXCERPTS = 100_000
PARENTS, CHILDREN = 5, 9
TEXT_LENGTH = 40_000
FUNCTION_WORDS = (
    "de la el que y en los a se del las un por con no una su para es al lo como más pero "
    "of the and to in is it we that this was for on are with as they be at I you"
).split()
TOPIC_WORDS = (
    "cooperación migración juventud género territorio estrategia proceso municipio alianza "
    "confianza participación desarrollo comunidad internacional desplazamiento educación salud "
    "empleo liderazgo mujeres violencia campesinos indígenas biodiversidad agua planeación "
    "youth gender forced inland migration environment cooperation strategy process municipality "
    "trust partnership learning communication knowledge planning execution impact challenge"
).split()
RARE_WORDS = [f"{a}{b}{c}" for a in ("ka", "lu", "mo", "ni", "pe", "ro", "su", "ta", "vi", "zo")
              for b in ("bra", "cle", "dri", "flo", "gru", "plo", "tra", "zca")
              for c in ("ndo", "mbe", "rto", "sca", "lmo", "que", "ñez", "ción", "ble", "ria")]


def make_text(rng):
    words, length = [], 0
    while length < TEXT_LENGTH:
        r = rng.random()
        if r < 0.72:
            word = rng.choice(FUNCTION_WORDS)
        elif r < 0.995:
            word = rng.choice(TOPIC_WORDS)
        else:
            word = rng.choice(RARE_WORDS)
        words.append(word)
        length += len(word) + 1
    lines, i = [], 0
    while i < len(words):  # speaker turns of 40-160 words
        n = rng.randint(40, 160)
        speaker = "Interviewer" if len(lines) % 2 == 0 else "P"
        lines.append(f"{speaker}: " + " ".join(words[i : i + n]) + ".")
        i += n
    return "\n\n".join(lines)


def fresh_database():
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        connection.close()
        with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                             password=db["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def make_studies(rng, size, search_only=False):
    """The measured study "bench" and the study "noise" of the same shape; returns bench's
    reviewer and themes. With search_only, bench's transcripts only: no excerpts, no noise."""
    fresh_database()
    User = get_user_model()
    coders = [User.objects.create_user(name, password="bench-password-1") for name in ("ana", "bea", "cruz")]
    reviewer = User.objects.create_user("rev", password="bench-password-1")
    bench = Study.objects.create(name="Bench study", slug="bench", language="es")
    noise = Study.objects.create(name="Noise study", slug="noise", language="es")
    Membership.objects.create(study=bench, user=reviewer, role=Role.REVIEWER)
    for study in (bench, noise):
        Membership.objects.bulk_create([Membership(study=study, user=coder, role=Role.RESEARCHER)
                                        for coder in coders])
    excerpts = 0 if search_only else int(EXCERPTS * size)
    themes = fill_study(rng, bench, coders, int(PARTICIPANTS * size), excerpts)
    if not search_only:
        fill_study(rng, noise, coders, int(PARTICIPANTS * size), excerpts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return reviewer, bench, themes


def fill_attributes(rng, study, people):
    """Organisation, Sector and Gender, as migration interviews 0011 makes them of the old fields."""
    organisation = attribute_create(study=study, applies_to="participant", name="Organisation", type="text")
    values = [AttributeValue(study=study, attribute=organisation, participant=p,
                             text=f"Organisation {i % 40}") for i, p in enumerate(people)]
    sectors = ["Private", "Public", "NGO", "Civil society", "International organisation"]
    for name, labels in (("Sector", sectors), ("Gender", ["Female", "Male", "Non-binary", "Not disclosed"])):
        attribute = attribute_create(study=study, applies_to="participant", name=name, type="choice",
                                     choices=labels)
        choices = list(attribute.choices.all()[:2 if name == "Gender" else 5])
        values += [AttributeValue(study=study, attribute=attribute, participant=p, choice=rng.choice(choices))
                   for p in people]
    AttributeValue.objects.bulk_create(values, batch_size=1000)


def fill_study(rng, study, coders, participants, excerpts):
    scopes = ["quote_named"] * 60 + ["quote"] * 30 + ["interview_only"] * 5
    people = []
    for i in range(participants):
        kind = rng.random()
        people.append(Participant(
            study=study, code=f"P{i:03}", consent_given=kind > 0.02,
            consent_scope=rng.choice(scopes),
            consent_withdrawn_on="2010-01-01" if 0.02 < kind < 0.05 else None,
        ))
    people = Participant.objects.bulk_create(people)
    fill_attributes(rng, study, people)
    transcripts = Transcript.objects.bulk_create(
        [Transcript(study=study, participant=p, title=f"Interview {p.code}", text=make_text(rng),
                    language="es",
                    interview_date=f"2009-{rng.randint(4, 5):02}-{rng.randint(1, 28):02}") for p in people],
        batch_size=50,
    )
    word_forms_update(transcripts)  # bulk_create sends no post_save: the search's lemma index
    parents = [Theme.objects.create(study=study, name=f"Area {i}", order=i) for i in range(PARENTS)]
    leaves = [Theme.objects.create(study=study, name=f"Theme {p.order}.{j}", parent=p, order=j)
              for p in parents for j in range(CHILDREN)]
    themes = parents + leaves

    per_transcript = excerpts // len(transcripts)
    if not per_transcript:
        return themes
    Link = CodedExcerpt.themes.through
    for chunk in range(0, len(transcripts), 50):
        rows = []
        for transcript in transcripts[chunk : chunk + 50]:
            text = transcript.text
            for _ in range(per_transcript):
                start = rng.randrange(0, len(text) - 400)
                end = start + rng.randint(20, 400)
                rows.append(CodedExcerpt(study=study, transcript=transcript, start=start, end=end,
                                         quote=text[start:end], coder=rng.choice(coders)))
        rows = CodedExcerpt.objects.bulk_create(rows, batch_size=2000)
        links = []
        for excerpt in rows:
            picked = rng.sample(leaves, rng.randint(1, 3))
            if rng.random() < 0.05:
                picked.append(parents[0])
            links += [Link(codedexcerpt_id=excerpt.pk, theme_id=t.pk) for t in picked]
        Link.objects.bulk_create(links, batch_size=5000)
    return themes


def timed(client, url, n, *, stream=False):
    def once():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return b"".join(response.streaming_content) if stream else response.content

    once()
    samples, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        once()
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    p95 = statistics.quantiles(samples, n=20)[18] if n >= 2 else samples[0]
    return statistics.median(samples), p95, statistics.median(cpu)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def browse_pages(client, url, theme, n):
    """Every excerpt of one theme through the excerpt browser, page by page (50 excerpts), as a
    reader would list them: by the page links (whole pages) and by "More" (the next cards
    alone, ?fragment=1), each following the link the page before gave (its cursor). Wall and
    CPU time of each request (CPU: this process, SQLite included), and its queries. On
    PostgreSQL also the CPU time of this connection's server process (its /proc schedstat), so
    that the server's time of a page, Django's and PostgreSQL's, can be told from its wall time
    (which also holds the waits between the two)."""
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
    # Warm-up: one whole listing, as a server that has listed the theme once (the transcripts'
    # texts, read whole the first time a page shows one of their quotes, are kept per process),
    # so that the order of the two listings below does not decide which pays for that.
    following = f"?theme={theme.pk}"
    while following is not None:
        body = client.get(url + html.unescape(following)).content.decode()
        found = re.search(r'data-more="\?([^"]*)"', body)
        following = found and f"?{found.group(1)}"
    for label, link in (("pages", r'href="\?([^"]*)" rel="next"'), ('"More"', r'data-more="\?([^"]*)"')):
        wall, cpu, db_cpu, counts, page, shown = [], [], [], [], 1, 0
        page_url = f"{url}?theme={theme.pk}"
        while True:
            with CaptureQueriesContext(connection) as captured:
                b0 = int(backend.read_text().split()[0]) if backend else 0
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(page_url)
                wall.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                if backend:
                    db_cpu.append((int(backend.read_text().split()[0]) - b0) / 1e6)
            assert response.status_code == 200, response.status_code
            counts.append(len(captured))
            body = response.content.decode()
            shown += body.count('<li class="card mb-2" id="excerpt-')
            totals = re.search(r'data-counts="\?([^"]*)"', body)
            if totals is not None:  # page 1's totals, fetched by its script: timed on their own
                c0 = time.process_time()
                assert client.get(f"{url}?{html.unescape(totals.group(1))}").status_code == 200
                totals_cpu = (time.process_time() - c0) * 1000
            following = re.search(link, body)
            if following is None:
                break
            page_url = f"{url}?{html.unescape(following.group(1))}"
            page += 1
        later = cpu[1:] or cpu
        print(f"  page 1's totals (?counts=1), CPU {totals_cpu:.1f} ms")
        if db_cpu:
            both = [a + b for a, b in zip(cpu, db_cpu, strict=True)]
            print(f"  PostgreSQL's server process: CPU median {statistics.median(db_cpu):.1f} ms a page; "
                  f"Django's and PostgreSQL's together: median {statistics.median(both):.1f} ms, "
                  f"p95 {sorted(both)[int(len(both) * .95)]:.1f} ms")
        print(f"excerpt browser, every excerpt of one theme ({n:,}) by {label}, {page} requests: "
              f"wall median {statistics.median(wall):.1f} ms, CPU median {statistics.median(cpu):.1f} ms "
              f"(after the first: {statistics.median(later):.1f} ms, "
              f"p95 {sorted(cpu)[int(len(cpu) * .95)]:.1f} ms), "
              f"total wall {sum(wall):,.0f} ms, queries: first {counts[0]}, then {sorted(set(counts[1:]))}; "
              f"{shown:,} shown")


def peak_memory(client, url):
    """Peak Python memory (tracemalloc) while a streamed response is read chunk by chunk and
    thrown away, as a server sends it: flat if nothing holds every row at once."""
    import tracemalloc

    tracemalloc.start()
    size = 0
    for chunk in client.get(url).streaming_content:
        size += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return size, peak


def main():
    rng = random.Random(2009)
    size = 0.1 if "--small" in sys.argv[1:] else 1
    search_only = "--search" in sys.argv[1:]
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        t0 = time.perf_counter()
        if "--reuse" in sys.argv[1:] and Study.objects.filter(slug="bench").exists():
            call_command("migrate", verbosity=0)  # indexes added since the build
            reviewer = get_user_model().objects.get(username="rev")
            bench = Study.objects.get(slug="bench")
            themes = list(Theme.objects.filter(study=bench, parent=None).order_by("order")) + list(
                Theme.objects.filter(study=bench, parent__isnull=False).order_by("parent__order", "order"))
        else:
            reviewer, bench, themes = make_studies(rng, size, search_only)
        for study in Study.objects.order_by("pk"):
            chars = sum(len(t) for t in Transcript.objects.filter(study=study).values_list("text", flat=True))
            print(f"study {study.slug} on {connection.vendor}: "
                  f"{Participant.objects.filter(study=study).count()} participants, "
                  f"{Transcript.objects.filter(study=study).count()} transcripts ({chars:,} characters), "
                  f"{Theme.objects.filter(study=study).count()} themes, "
                  f"{CodedExcerpt.objects.filter(study=study).count():,} excerpts")
        print(f"({time.perf_counter() - t0:.0f} s to build both)")
        print("load average before measuring: {:.2f} {:.2f} {:.2f} ({} cores)".format(
            *os.getloadavg(), os.cpu_count()))
        client = Client()
        client.force_login(reviewer)
        leaf, parent, slug = themes[PARENTS], themes[0], bench.slug
        rows = []

        def measure(label, url, n, target="", **kwargs):
            median, p95, cpu = timed(client, url, n, **kwargs)
            rows.append((label, target, median, p95, n, queries(client, url), cpu))
            print(f"{label:<58} median {median:8.1f} ms  p95 {p95:8.1f} ms  "
                  f"CPU {cpu:8.1f} ms ({n} runs) {target}")

        search = reverse("reports:search", args=[slug])
        rare = RARE_WORDS[17]
        for label, q in (
            (f"search: a rare word ({rare})", rare),
            ("search: a topic word without its accent (migracion)", "migracion"),
            ('search: a phrase ("migración forzada")', '"migracion forzada"'),
            ("search: a word in every paragraph (the)", "the"),
            ("search by lemma: mujer (finds mujeres)", "mujer"),
            ("search by lemma: two words (mujer indígena)", "mujer indígena"),
        ):
            if "--browse" not in sys.argv[1:]:  # --browse: only the listing
                measure(label, f"{search}?q={q}", 10, "target < 300 ms")
        if search_only:
            print("load average after measuring: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            return print_table(rows)
        leaf_n = CodedExcerpt.objects.filter(themes=leaf).count()  # bench's themes: bench's excerpts
        browse_pages(client, reverse("reports:excerpt-browser", args=[slug]), leaf, leaf_n)
        if "--browse" in sys.argv[1:]:
            return
        parent_n = CodedExcerpt.objects.filter(
            themes__in=Theme.objects.filter(parent=parent)).distinct().count()
        for theme, n in ((leaf, leaf_n), (parent, parent_n)):
            url = reverse("reports:theme-report", args=[slug, theme.pk]) + "?print=on"
            measure(f"printable theme report, streamed (up to {n:,} quotes)", url, 5,
                    "target < 300 ms at 2,000", stream=True)
        export = reverse("reports:excerpt-export-csv", args=[slug])
        for label, url in (("CSV export of every excerpt", export),
                           ("printable report of the parent theme",
                            reverse("reports:theme-report", args=[slug, parent.pk]) + "?print=on")):
            size, peak = peak_memory(client, url)
            print(f"{label}: {size / 1e6:,.1f} MB sent, peak Python memory {peak / 1e6:,.1f} MB")
        if "--reports" in sys.argv[1:]:
            return
        measure(f"theme report, first page (a leaf theme, {leaf_n:,} excerpts)",
                reverse("reports:theme-report", args=[slug, leaf.pk]), 20, "target < 200 ms")
        parent_n = CodedExcerpt.objects.filter(
            themes__in=Theme.objects.filter(parent=parent)).distinct().count()
        measure(f"theme report, first page (a parent, {parent_n:,} with sub-themes)",
                reverse("reports:theme-report", args=[slug, parent.pk]), 20, "target < 200 ms")
        measure("theme × participant matrix (50 × ~480)", reverse("reports:theme-matrix", args=[slug]), 10,
                "target < 500 ms")
        export = reverse("reports:excerpt-export-csv", args=[slug])
        measure("CSV export of every excerpt of the study", export, 5, "target < 2 s", stream=True)
        measure("excerpt browser, first page", reverse("reports:excerpt-browser", args=[slug]), 10)
        measure("excerpt browser, text filter (alianza)",
                reverse("reports:excerpt-browser", args=[slug]) + "?text=alianza", 10)
        measure("study overview (frequencies, crosstabs)", reverse("reports:study-overview", args=[slug]), 10)
        measure("co-occurrence (same and overlapping excerpts)",
                reverse("reports:theme-cooccurrence", args=[slug]), 3)
        print("load average after measuring: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print_table(rows)


def print_table(rows):
    # CPU: this process's (Django, and SQLite's work; PostgreSQL's server is another process).
    print("\n| What | Median | p95 | CPU median | Queries |\n|---|---|---|---|---|")
    for label, _target, median, p95, _n, count, cpu in rows:
        print(f"| {label} | {median:,.0f} ms | {p95:,.0f} ms | {cpu:,.0f} ms | {count} |")


if __name__ == "__main__":
    main()
