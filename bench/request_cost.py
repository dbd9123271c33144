"""What one request costs: CPU and queries per request type of the load test (bench/load.py).

    .venv/bin/python bench/request_cost.py               # SQLite (var/request_cost.sqlite3)
    .venv/bin/python bench/request_cost.py --postgres    # PostgreSQL database pasto_request_cost
    REQUEST_COST_DB=pasto_mine .venv/bin/python bench/request_cost.py --postgres  # another one
    .venv/bin/python bench/request_cost.py --runs 200 --profile "coding page"

Makes a fresh database (migrate, `load_demo`, DEBUG off), adds researchers to the demo's Pasto
study as bench/load.py does, saves --preload excerpts over its transcripts (2,000: the middle
of a 200-researcher run at the target's pace; on PostgreSQL then ANALYZE, as autovacuum does
under load), logs the researchers in, and then, in this one
process and through Django's full request stack (the test client: every middleware, the
session, the templates), sends the load test's requests to its URLs (load.page_urls) as it
sends them: the coding page of a random transcript, an excerpt save
(JSON), a memo edit of an excerpt saved before (JSON), the home page, the transcript list, and
a theme report (only measured; other branches own it). The requests are interleaved, round
after round, with the researchers taking turns, so what a page caches between requests is as
warm or cold as under load: saves between two coding pages change the transcript's excerpts.

Per request type it prints the median CPU time of this process (time.process_time: Django's
work and the test client's small share; wall time beside it), the queries (median), and on
PostgreSQL the CPU of the connection's backend (read from /proc, clock ticks, so given as the
mean over the runs). Then the load average. --profile NAME runs cProfile (CPU time) over that
request type and prints the top functions by cumulative time (PROFILE_SORT=tottime: by own
time); --sql prints each request type's statements.
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDY = "pasto"
KINDS = ("coding page", "excerpt save", "memo edit", "home", "transcript list", "theme report")


def database_url(postgres):
    if postgres:
        name = os.environ.get("REQUEST_COST_DB", "pasto_request_cost")  # one per concurrent run
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    return f"sqlite:///{ROOT / 'var' / 'request_cost.sqlite3'}"


def fresh_database(url):
    if url.startswith("sqlite"):
        (ROOT / "var").mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base.replace("postgres://", "postgresql://") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def backend_cpu_ms(connection):
    """CPU ms the PostgreSQL backend of `connection` has used (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


class Researcher:
    """One logged-in researcher, sending bench/load.py's requests through the test client."""

    def __init__(self, user, urls, transcripts, themes, rng):
        from django.test import Client

        self.client = Client()
        self.client.force_login(user)
        self.client.get("/")  # the CSRF cookie, as a browser has it after its first page
        self.urls, self.transcripts, self.themes, self.rng = urls, transcripts, themes, rng
        self.saved = {}  # excerpt id -> its JSON as the server last confirmed it
        self.transcript = None

    def send(self, kind):
        """One request of `kind`; returns the response (asserted successful)."""
        rng, headers = self.rng, {"HTTP_ACCEPT": "application/json"}
        if kind == "coding page":
            self.transcript = rng.choice(self.transcripts)
            response = self.client.get(self.urls["coding"](self.transcript[0]))
        elif kind == "excerpt save":
            pk, text = self.transcript or rng.choice(self.transcripts)
            start = rng.randrange(0, max(1, len(text) - 80))
            end = min(len(text), start + rng.randint(10, 80))
            response = self.client.post(self.urls["excerpt-create"](pk), {
                "start_utf16": start, "end_utf16": end, "themes": [rng.choice(self.themes)]}, **headers)
            assert response.status_code == 201, response.content
            excerpt = response.json()["excerpt"]
            self.saved[excerpt["id"]] = excerpt
            return response
        elif kind == "memo edit":
            if not self.saved:
                self.send("excerpt save")
            pk = rng.choice(list(self.saved))
            excerpt = self.saved[pk]
            response = self.client.post(self.urls["excerpt-update"](pk), {
                "start_utf16": excerpt["s"], "end_utf16": excerpt["e"], "themes": excerpt["t"],
                "memo": f"memo {rng.randrange(10**6)}", "version": excerpt["v"]}, **headers)
            assert response.status_code == 200, response.content
            self.saved[pk] = response.json()["excerpt"]
            return response
        elif kind == "home":
            response = self.client.get("/")
        elif kind == "transcript list":
            response = self.client.get(self.urls["transcript-list"])
        else:
            response = self.client.get(self.urls["theme-report"](rng.choice(self.themes)))
        assert response.status_code == 200, (kind, response.status_code)
        return response


def preload_excerpts(study, users, count, rng):
    """`count` excerpts by the researchers over the study's transcripts, saved as the save view
    saves them (coding.services.excerpt_create): the study as it is halfway through a load run."""
    from coding.models import Theme
    from coding.services import excerpt_create
    from interviews.models import Transcript

    transcripts = list(Transcript.objects.filter(study=study))
    themes = list(Theme.objects.filter(study=study, is_codable=True))
    for _ in range(count):
        transcript = rng.choice(transcripts)
        start = rng.randrange(0, max(1, len(transcript.text) - 80))
        end = min(len(transcript.text), start + rng.randint(10, 80))
        excerpt_create(transcript=transcript, start=start, end=end, themes=[rng.choice(themes)],
                       coder=rng.choice(users))


def setup(researchers, seed, preload):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from load import page_urls

    from coding.models import Theme
    from interviews.models import Transcript
    from studies.models import Role, Study
    from studies.services import membership_add

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the manifest
    study = Study.objects.get(slug=STUDY)
    users = []
    for i in range(researchers):
        user = User.objects.create(username=f"load{i}")
        membership_add(study=study, user=user, role=Role.RESEARCHER)
        users.append(user)
    transcripts = list(Transcript.objects.filter(study=study).values_list("pk", "text"))
    themes = list(Theme.objects.filter(study=study, is_codable=True).values_list("pk", flat=True))
    urls = page_urls()  # bench/load.py's own
    rng = random.Random(seed)
    preload_excerpts(study, users, preload, rng)
    if connection.vendor == "postgresql":
        # As autovacuum does a minute into a load run: without it PostgreSQL plans the reports
        # for the demo's 42 excerpts, not 2,000 (the theme report's quotes took 3 times longer).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return [Researcher(u, urls, transcripts, themes, random.Random(rng.random())) for u in users]


def measure(researchers, runs, warmup):
    """{kind: (cpu ms list, wall ms list, query counts, backend cpu ms summed)}: `runs` rounds,
    each researcher in turn sending one request of every kind (the coding page before its save)."""
    from django.db import connection

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1  # cheaper than CaptureQueriesContext, which keeps every statement
        return execute(sql, params, many, context)

    found = {kind: ([], [], [], 0.0) for kind in KINDS}
    for round_ in range(warmup + runs):
        researcher = researchers[round_ % len(researchers)]
        for kind in KINDS:
            backend0 = backend_cpu_ms(connection)
            queries[0] = 0
            with connection.execute_wrapper(count):
                t0, c0 = time.perf_counter(), time.process_time()
                researcher.send(kind)
                cpu, wall = time.process_time() - c0, time.perf_counter() - t0
            if round_ < warmup:
                continue
            cpus, walls, counts, backend = found[kind]
            cpus.append(cpu * 1000)
            walls.append(wall * 1000)
            counts.append(queries[0])
            if backend0 is not None:
                found[kind] = (cpus, walls, counts, backend + backend_cpu_ms(connection) - backend0)
    return found


def profile(researchers, kind, runs):
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for the database
    for i in range(runs):
        researcher = researchers[i % len(researchers)]
        if kind == "excerpt save":
            researcher.send("coding page")
        profiler.enable()
        researcher.send(kind)
        profiler.disable()
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(45)


def show_sql(researchers):
    """One request of each type, with the SQL it sent."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for kind in KINDS:
        with CaptureQueriesContext(connection) as queries:
            researchers[0].send(kind)
        print(f"--- {kind}: {len(queries)} queries")
        for q in queries:
            print("  ", q["sql"][:300])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--runs", type=int, default=100, help="requests of each type measured")
    parser.add_argument("--warmup", type=int, default=10, help="rounds sent before measuring")
    parser.add_argument("--researchers", type=int, default=10)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--preload", type=int, default=2000,
                        help="excerpts saved before measuring (a 200-researcher run at the target "
                             "pace saves about 30 a second: 2,000 is its middle)")
    parser.add_argument("--profile", choices=KINDS, help="cProfile this request type instead")
    parser.add_argument("--sql", action="store_true", help="print each request type's SQL instead")
    args = parser.parse_args()

    url = database_url(args.postgres)
    fresh_database(url)
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="pasto_coop.settings", DEBUG="false",
                      ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    from django.db import connection

    researchers = setup(args.researchers, args.seed, args.preload)
    if args.sql:
        measure(researchers, 0, args.warmup)
        show_sql(researchers)
        return
    if args.profile:
        measure(researchers, 0, args.warmup)
        profile(researchers, args.profile, args.runs)
        return
    load_before = os.getloadavg()
    found = measure(researchers, args.runs, args.warmup)
    load_after = os.getloadavg()
    postgres = connection.vendor == "postgresql"
    print(f"database: {connection.vendor}; {args.preload} excerpts saved first; {args.runs} requests of "
          f"each type after {args.warmup} warm-up rounds, {args.researchers} researchers taking turns")
    print(f"{'request':<18}{'CPU ms p50':>11}{'wall p50':>10}{'queries':>9}"
          + (f"{'PG CPU ms (mean)':>18}" if postgres else ""))
    for kind, (cpus, walls, counts, backend) in found.items():
        line = (f"{kind:<18}{statistics.median(cpus):>11.1f}{statistics.median(walls):>10.1f}"
                f"{statistics.median(counts):>9.0f}")
        if postgres:
            line += f"{backend / len(cpus):>18.1f}"
        print(line)
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in load_before)} before, "
          f"{' '.join(f'{x:.2f}' for x in load_after)} after")


if __name__ == "__main__":
    main()
