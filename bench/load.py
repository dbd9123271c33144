"""Load test: 50 simulated researchers against gunicorn with 2 workers, on loopback.

    .venv/bin/python bench/load.py                       # SQLite (var/load.sqlite3)
    .venv/bin/python bench/load.py --postgres            # PostgreSQL database pasto_load
    .venv/bin/python bench/load.py --clients 50 --seconds 60

Each simulated researcher arrives within the first 5 s and logs in (login latency is reported
apart: password hashing is slow on purpose), then until time is up: reads a transcript's
coding page, codes a passage, sometimes edits the memo of one of its own excerpts, reads theme
reports, and reads the home and transcript list pages, pausing 0.5-1.5 s between actions (a
person reading). Only 127.0.0.1 is contacted. At the end it prints the requests served, the
errors, the latency percentiles, and compares the excerpts in the database with those the
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
    def __init__(self, index, base, transcripts, deadline, results, urls):
        super().__init__(daemon=True)
        self.index, self.base, self.transcripts, self.urls = index, base, transcripts, urls
        self.deadline, self.results = deadline, results
        self.rng = random.Random(index)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.saved = {}  # excerpt id -> memo the server confirmed

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
        self.results[kind].append((time.perf_counter() - t0) * 1000)
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
            excerpt = json.loads(payload)["excerpt"]
            self.saved[excerpt["id"]] = (excerpt["memo"], excerpt["version"], excerpt)

    def edit_memo(self):
        pk = self.rng.choice(list(self.saved))
        memo, version, excerpt = self.saved[pk]
        new_memo = f"memo {self.index} {secrets.token_hex(3)}"
        status, payload = self.request(
            self.urls["excerpt-update"](pk),
            {"start_utf16": excerpt["start_utf16"], "end_utf16": excerpt["end_utf16"],
             "themes": excerpt["themes"], "memo": new_memo, "version": version},
            json_reply=True,
        )
        if status == 200:
            updated = json.loads(payload)["excerpt"]
            self.saved[pk] = (updated["memo"], updated["version"], updated)

    def run(self):
        time.sleep(self.rng.uniform(0, 5))  # researchers arrive over the first seconds
        if not self.log_in():
            return
        while time.monotonic() < self.deadline:
            roll = self.rng.random()
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
            time.sleep(self.rng.uniform(0.5, 1.5))


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
    themes = list(Theme.objects.filter(study__slug=STUDY).values_list("pk", flat=True))
    urls = {
        "coding": lambda pk: reverse("coding:transcript-coding", args=[STUDY, pk]),
        "excerpt-create": lambda pk: reverse("coding:excerpt-create", args=[STUDY, pk]),
        "excerpt-update": lambda pk: reverse("coding:excerpt-update", args=[STUDY, pk]),
        "theme-report": lambda pk: reverse("reports:theme-report", args=[STUDY, pk]),
        "transcript-list": reverse("transcripts:transcript-list", args=[STUDY]),
    }
    results = {"latencies": [], "logins": [], "errors": [], "themes": themes}

    pidfile = ROOT / "var" / "load-gunicorn.pid"
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "pasto_coop.wsgi", "--workers", "2",
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
        clients = [Researcher(i, base, transcripts, deadline, results, urls) for i in range(args.clients)]
        t0 = time.monotonic()
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        elapsed = time.monotonic() - t0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    promised = {pk: memo for c in clients for pk, (memo, _, _) in c.saved.items()}
    stored = dict(CodedExcerpt.objects.exclude(pk__in=before).values_list("pk", "memo"))
    lost = set(promised) - set(stored)
    unexpected = set(stored) - set(promised)
    stale = [pk for pk, memo in promised.items() if pk in stored and stored[pk] != memo]
    lat = results["latencies"]
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; gunicorn 2 sync workers; "
          f"{args.clients} researchers for {elapsed:.0f} s")
    print(f"requests: {len(lat)} ({len(lat) / elapsed:.1f}/s), errors: {len(results['errors'])}")
    print(f"latency ms: p50 {statistics.median(lat):.1f}, p95 {percentile(lat, 95):.1f}, "
          f"p99 {percentile(lat, 99):.1f}, max {max(lat):.1f}")
    print(f"excerpts: {len(promised)} confirmed saved, {len(stored)} in the database, lost {len(lost)}, "
          f"unconfirmed extra (a double save would show here) {len(unexpected)}, "
          f"memo mismatches {len(stale)}")
    if results["logins"]:
        logins = results["logins"]
        print(f"logins (apart): {len(logins) // 2}, median {statistics.median(logins):.0f} ms")
    for error in results["errors"][:10]:
        print("  error:", error)
    ok = not results["errors"] and not lost and not unexpected and not stale and percentile(lat, 95) < 300
    print("target (0 errors, 0 lost or duplicated, p95 < 300 ms):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
