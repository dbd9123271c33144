"""Load test: simulated researchers against gunicorn on loopback.

    .venv/bin/python bench/load.py                       # SQLite (var/load.sqlite3)
    .venv/bin/python bench/load.py --postgres            # PostgreSQL database pasto_load
    .venv/bin/python bench/load.py --clients 50 --seconds 60
    # issue 17's targets: people pause 2-4 s, one REFI-QDA import runs meanwhile
    .venv/bin/python bench/load.py --postgres --clients 200 --seconds 120 --workers 4 \
        --pause 2 4 --arrive 30 --qdpx-import
    .venv/bin/python bench/load.py --clients 50 --seconds 120 --workers 4 --pause 2 4 --qdpx-import

Each simulated researcher arrives within the first 5 s and logs in (login latency is reported
apart: password hashing is slow on purpose), then until time is up: reads a transcript's
coding page, codes a passage, sometimes edits the memo of one of its own excerpts, reads theme
reports, and reads the home and transcript list pages, pausing 0.5-1.5 s between actions (a
person reading; --pause sets the range). Only 127.0.0.1 is contacted. With --qdpx-import, the
demo study is exported to a .qdpx first and `manage.py import_qdpx` imports it as a new study
while the researchers work (10 s in): a long write beside theirs. At the end it prints the
requests served, the errors, the latency percentiles (all, and coding requests alone: the coding
page, excerpt saves and memo edits), and compares the excerpts in the database with those the
clients were told were saved.
"""

import argparse
import http.cookiejar
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "load-test-passphrase-2009"
STUDY = "pasto"  # the demo's Pasto study (load_demo); every simulated researcher joins it


def run(cmd, env):
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env, clients):
    if env["DATABASE_URL"].startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(str(ROOT / "var" / "load.sqlite3") + suffix).unlink(missing_ok=True)
    else:
        base = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        import psycopg

        with psycopg.connect(base.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    run([PY, "manage.py", "migrate", "--noinput"], env)
    run([PY, "manage.py", "load_demo"], env)
    run([PY, "manage.py", "collectstatic", "--noinput"], env)
    script = (
        "from django.contrib.auth.models import User\n"
        "from studies.models import Role, Study\n"
        "from studies.services import membership_add\n"
        f"study = Study.objects.get(slug='{STUDY}')\n"
        f"for i in range({clients}):\n"
        f"    u = User.objects.create_user(f'load{{i}}', password='{PASSWORD}')\n"
        "    membership_add(study=study, user=u, role=Role.RESEARCHER)\n"
    )
    run([PY, "manage.py", "shell", "-c", script], env)


class Researcher(threading.Thread):
    def __init__(self, index, base, transcripts, deadline, results, urls, pause=(0.5, 1.5), arrive=5):
        super().__init__(daemon=True)
        self.pause, self.arrive = pause, arrive
        self.index, self.base, self.transcripts, self.urls = index, base, transcripts, urls
        self.deadline, self.results = deadline, results
        self.rng = random.Random(index)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.saved = {}  # excerpt id -> memo the server confirmed
        self.coding = False  # whether the current request is a coding one (timed apart too)

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path, data=None, json_reply=False, kind="latencies"):
        headers = {"Accept": "application/json"} if json_reply else {}
        if data is not None:
            headers["X-CSRFToken"] = self.csrf()
            headers["Referer"] = self.base + path
            body = urllib.parse.urlencode(data, doseq=True).encode()
        else:
            body = None
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        t0 = time.perf_counter()
        try:
            with self.opener.open(req, timeout=30) as resp:
                status, payload = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        except OSError as exc:
            status, payload = 0, str(exc).encode()
        elapsed = (time.perf_counter() - t0) * 1000
        self.results[kind].append(elapsed)
        if self.coding:
            self.results["coding"].append(elapsed)
        if status == 0 or status >= 400:
            self.results["errors"].append((path, status, payload[:200]))
        return status, payload

    def log_in(self):
        # Logins are timed apart: hashing a password (PBKDF2, 1,000,000 rounds) is slow by design.
        self.request("/accounts/login/", kind="logins")
        status, _ = self.request(
            "/accounts/login/", {"username": f"load{self.index}", "password": PASSWORD}, kind="logins"
        )
        return status in (200, 302)

    def code_passage(self):
        pk, text = self.rng.choice(self.transcripts)
        self.request(self.urls["coding"](pk))
        start = self.rng.randrange(0, max(1, len(text) - 80))
        end = min(len(text), start + self.rng.randint(10, 80))
        status, payload = self.request(
            self.urls["excerpt-create"](pk),
            {"start_utf16": start, "end_utf16": end, "themes": [self.rng.choice(self.results["themes"])]},
            json_reply=True,
        )
        if status == 201:
            excerpt = json.loads(payload)["excerpt"]  # compact keys: coding.highlight.excerpt_json
            self.saved[excerpt["id"]] = (excerpt.get("m", ""), excerpt["v"], excerpt)

    def edit_memo(self):
        pk = self.rng.choice(list(self.saved))
        memo, version, excerpt = self.saved[pk]
        new_memo = f"memo {self.index} {secrets.token_hex(3)}"
        status, payload = self.request(
            self.urls["excerpt-update"](pk),
            {"start_utf16": excerpt["s"], "end_utf16": excerpt["e"],
             "themes": excerpt["t"], "memo": new_memo, "version": version},
            json_reply=True,
        )
        if status == 200:
            updated = json.loads(payload)["excerpt"]
            self.saved[pk] = (updated.get("m", ""), updated["v"], updated)

    def run(self):
        time.sleep(self.rng.uniform(0, self.arrive))  # researchers arrive over the first seconds
        if not self.log_in():
            return
        while time.monotonic() < self.deadline:
            roll = self.rng.random()
            self.coding = roll < 0.5 or (roll < 0.7 and bool(self.saved))
            if roll < 0.5:
                self.code_passage()
            elif roll < 0.7 and self.saved:
                self.edit_memo()
            elif roll < 0.8:
                self.request(self.urls["theme-report"](self.rng.choice(self.results["themes"])))
            elif roll < 0.9:
                self.request("/")
            else:
                self.request(self.urls["transcript-list"])
            self.coding = False
            time.sleep(self.rng.uniform(*self.pause))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--pause", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"),
                        help="seconds a researcher pauses between actions")
    parser.add_argument("--arrive", type=float, default=5, help="researchers arrive within this many s")
    parser.add_argument("--qdpx-import", action="store_true",
                        help="import the demo study's .qdpx as a new study while the researchers work")
    args = parser.parse_args()

    env = dict(os.environ)
    env.update(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pasto_load" if args.postgres
        else f"sqlite:///{ROOT / 'var' / 'load.sqlite3'}",
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
        LOGIN_FAILURES_PER_IP="1000",
    )
    prepare(env, args.clients)

    sys.path.insert(0, str(ROOT))
    os.environ.update(DATABASE_URL=env["DATABASE_URL"], DJANGO_SETTINGS_MODULE="pasto_coop.settings")
    import django

    django.setup()
    from django.urls import reverse

    from coding.models import CodedExcerpt, Theme
    from interviews.models import Transcript

    transcripts = list(Transcript.objects.filter(study__slug=STUDY).values_list("pk", "text"))
    before = set(CodedExcerpt.objects.values_list("pk", flat=True))
    themes = list(Theme.objects.filter(study__slug=STUDY, is_codable=True).values_list("pk", flat=True))
    urls = {
        "coding": lambda pk: reverse("coding:transcript-coding", args=[STUDY, pk]),
        "excerpt-create": lambda pk: reverse("coding:excerpt-create", args=[STUDY, pk]),
        "excerpt-update": lambda pk: reverse("coding:excerpt-update", args=[STUDY, pk]),
        "theme-report": lambda pk: reverse("reports:theme-report", args=[STUDY, pk]),
        "transcript-list": reverse("transcripts:transcript-list", args=[STUDY]),
    }
    results = {"latencies": [], "coding": [], "logins": [], "errors": [], "themes": themes}
    qdpx = ROOT / "var" / "load-demo.qdpx"
    if args.qdpx_import:
        run([PY, "manage.py", "export_qdpx", str(qdpx), "--study", STUDY, "--include-withdrawn"], env)

    pidfile = ROOT / "var" / "load-gunicorn.pid"
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "pasto_coop.wsgi", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{args.port}", "--pid", str(pidfile), "--no-control-socket",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    try:
        deadline = time.monotonic() + args.seconds
        clients = [Researcher(i, base, transcripts, deadline, results, urls, pause=tuple(args.pause),
                              arrive=args.arrive) for i in range(args.clients)]
        t0 = time.monotonic()
        for c in clients:
            c.start()
        importer = None
        if args.qdpx_import:
            time.sleep(min(10, args.seconds / 4))
            started = time.monotonic()
            importer = subprocess.run(
                [PY, "manage.py", "import_qdpx", str(qdpx), "--owner", "load0",
                 "--name", "Imported under load"],
                cwd=ROOT, env=env, capture_output=True, text=True,
            )
            import_seconds = time.monotonic() - started
        for c in clients:
            c.join()
        elapsed = time.monotonic() - t0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    promised = {pk: memo for c in clients for pk, (memo, _, _) in c.saved.items()}
    stored = dict(CodedExcerpt.objects.filter(study__slug=STUDY).exclude(pk__in=before)
                  .values_list("pk", "memo"))  # not the imported study's
    lost = set(promised) - set(stored)
    unexpected = set(stored) - set(promised)
    stale = [pk for pk, memo in promised.items() if pk in stored and stored[pk] != memo]
    lat = results["latencies"]
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; gunicorn {args.workers} sync workers; "
          f"{args.clients} researchers for {elapsed:.0f} s, pausing {args.pause[0]:g}-{args.pause[1]:g} s")
    print(f"requests: {len(lat)} ({len(lat) / elapsed:.1f}/s), errors: {len(results['errors'])}")
    print(f"latency ms: p50 {statistics.median(lat):.1f}, p95 {percentile(lat, 95):.1f}, "
          f"p99 {percentile(lat, 99):.1f}, max {max(lat):.1f}")
    print(f"excerpts: {len(promised)} confirmed saved, {len(stored)} in the database, lost {len(lost)}, "
          f"unconfirmed extra (a double save would show here) {len(unexpected)}, "
          f"memo mismatches {len(stale)}")
    coding = results["coding"]
    if coding:
        print(f"coding requests: {len(coding)}, p50 {statistics.median(coding):.1f}, "
              f"p95 {percentile(coding, 95):.1f}, p99 {percentile(coding, 99):.1f} ms")
    if importer is not None:
        print(f"qdpx import beside them: exit {importer.returncode} in {import_seconds:.1f} s")
        if importer.returncode:
            print(importer.stderr[-500:])
    if results["logins"]:
        logins = results["logins"]
        print(f"logins (apart): {len(logins) // 2}, median {statistics.median(logins):.0f} ms")
    for error in results["errors"][:10]:
        print("  error:", error)
    ok = (not results["errors"] and not lost and not unexpected and not stale
          and percentile(coding or lat, 95) < 300 and (importer is None or importer.returncode == 0))
    print("target (0 errors, 0 lost or duplicated, coding p95 < 300 ms):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
