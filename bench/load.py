"""Load test: simulated researchers against gunicorn on loopback.

    .venv/bin/python bench/load.py                       # SQLite (var/load.sqlite3)
    .venv/bin/python bench/load.py --postgres            # PostgreSQL database pasto_load
    .venv/bin/python bench/load.py --clients 50 --seconds 60
    # issue 17's targets: people pause 2-4 s, one REFI-QDA import runs meanwhile as a job
    .venv/bin/python bench/load.py --postgres --clients 200 --seconds 120 --workers 4 \
        --pause 2 4 --arrive 30 --qdpx-import
    .venv/bin/python bench/load.py --clients 50 --seconds 120 --workers 4 --pause 2 4 --qdpx-import

Every simulated researcher first logs in, before the measured window and as many at a time as
gunicorn has workers (logins are timed and reported apart: hashing a password is slow on
purpose). Then the window opens: each researcher starts within --arrive seconds and until time
is up reads a transcript's coding page, codes a passage, sometimes edits the memo of one of its
own excerpts, reads theme reports, and reads the home and transcript list pages, pausing
0.5-1.5 s between actions (a person reading; --pause sets the range). Like a browser with a
cache, it fetches what a page links (styles, scripts, the script catalogue) again only when its
copy's Cache-Control max-age has run out. Only 127.0.0.1 is contacted.

With --qdpx-import, the demo study is exported to a .qdpx first; 10 s into the window an
importer (a study creator) uploads it at /studies/import/ as a new study, which queues a
background job (JOBS_INLINE_QDPX_BYTES=0 sends even this small file to the job path), and a
`manage.py db_worker` running beside gunicorn does the import while the importer polls the job's
status as its progress bar does.

At the end it prints the requests served, the errors, the latency percentiles (all, and coding
requests alone: the coding page, excerpt saves and memo edits), and per page the server's own
time (gunicorn's access log, matched to each request by an X-Load-Id header) against the time
the client waited: the difference is time spent waiting for a free worker. It reports the CPU
time of gunicorn, of the job worker, of this client process and of the PostgreSQL backends, and
the load average, then compares the excerpts in the database with those the clients were told
were saved.
"""

import argparse
import html
import http.cookiejar
import json
import os
import random
import re
import resource
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
IMPORTER = "load-importer"
CODING = ("coding page", "excerpt save", "memo edit")
ASSET = re.compile(r'(?:src|href)="(/(?:static|jsi18n)/[^"]+)"')


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
    # One hash for every account (the same password): setting up 200 accounts would otherwise
    # hash 200 times before the test starts. Each login still checks the password in full.
    script = (
        "from django.contrib.auth.hashers import make_password\n"
        "from django.contrib.auth.models import Group, User\n"
        "from studies.models import Role, Study\n"
        "from studies.roles import STUDY_CREATOR\n"
        "from studies.services import membership_add\n"
        f"study = Study.objects.get(slug='{STUDY}')\n"
        f"hashed = make_password('{PASSWORD}')\n"
        f"for i in range({clients}):\n"
        "    u = User.objects.create(username=f'load{i}', password=hashed)\n"
        "    membership_add(study=study, user=u, role=Role.RESEARCHER)\n"
        f"importer = User.objects.create(username='{IMPORTER}', password=hashed)\n"
        "importer.groups.add(Group.objects.get(name=STUDY_CREATOR))\n"
    )
    run([PY, "manage.py", "shell", "-c", script], env)


def page_urls():
    """The URLs a researcher's actions ask for (bench/request_cost.py measures the same ones)."""
    from django.urls import reverse

    return {
        "coding": lambda pk: reverse("coding:transcript-coding", args=[STUDY, pk]),
        "excerpt-create": lambda pk: reverse("coding:excerpt-create", args=[STUDY, pk]),
        "excerpt-update": lambda pk: reverse("coding:excerpt-update", args=[STUDY, pk]),
        "theme-report": lambda pk: reverse("reports:theme-report", args=[STUDY, pk]),
        "transcript-list": reverse("transcripts:transcript-list", args=[STUDY]),
    }


def multipart(fields, files):
    """A multipart/form-data body (urllib has no encoder): ({name: value}, {name: (filename, bytes)})."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
              f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
              for name, (filename, content) in files.items()]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Client(threading.Thread):
    """One signed-in browser: a cookie jar, and every request recorded as (name, ms, status, id)."""

    def __init__(self, username, base, results, start, logins):
        super().__init__(daemon=True)
        self.username, self.base, self.results, self.start_event = username, base, results, start
        self.logins = logins  # a semaphore: how many log in at the same time
        self.cache = {}  # asset URL -> until when the browser may use its copy (Cache-Control max-age)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.sent = 0
        self.logged_in = False
        self.ready = threading.Event()  # set once the login has answered

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, name, path, data=None, json_reply=False, body=None, content_type=None,
                with_headers=False):
        self.sent += 1
        load_id = f"{self.username}.{self.sent}"
        headers = {"X-Load-Id": load_id}
        if json_reply:
            headers["Accept"] = "application/json"
        if data is not None:
            body, content_type = urllib.parse.urlencode(data, doseq=True).encode(), None
        if body is not None:
            headers["X-CSRFToken"] = self.csrf()
            headers["Referer"] = self.base + path
            if content_type:
                headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        t0 = time.perf_counter()
        url, headers = None, {}
        try:
            with self.opener.open(req, timeout=60) as resp:
                status, payload, url, headers = resp.status, resp.read(), resp.geturl(), resp.headers
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        except OSError as exc:
            status, payload = 0, str(exc).encode()
        elapsed = (time.perf_counter() - t0) * 1000
        self.results["requests"].append((name, elapsed, status, load_id))
        if status == 0 or status >= 400:
            self.results["errors"].append((path, status, payload[:200]))
        if status == 200 and headers.get("Content-Type", "").startswith("text/html"):
            self.assets(payload)
        return (status, payload, url, headers) if with_headers else (status, payload, url)

    def assets(self, page):
        """Fetch what a page links (styles, scripts, the script catalogue) as a browser with a
        cache does: again only once its copy's Cache-Control max-age has run out (none: every time)."""
        now = time.monotonic()
        for path in dict.fromkeys(html.unescape(p) for p in ASSET.findall(page.decode(errors="replace"))):
            if self.cache.get(path, 0) > now:
                continue
            name = "script catalogue" if path.startswith("/jsi18n/") else "static file"
            status, _, _, headers = self.request(name, path, with_headers=True)
            max_age = re.search(r"max-age=(\d+)", headers.get("Cache-Control", "") if headers else "")
            self.cache[path] = now + int(max_age[1]) if max_age else 0

    def log_in(self):
        # Before the window, a few at a time; the redirect after the POST (the home page) is
        # followed, and timed with it.
        with self.logins:
            self.request("login page", "/accounts/login/")
            status, _, _ = self.request("login", "/accounts/login/",
                                        {"username": self.username, "password": PASSWORD})
        self.logged_in = status == 200 and any(c.name == "sessionid" for c in self.jar)
        self.ready.set()


class Researcher(Client):
    def __init__(self, index, base, results, start, logins, transcripts, deadline, urls, pause, arrive):
        super().__init__(f"load{index}", base, results, start, logins)
        self.pause, self.arrive, self.deadline = pause, arrive, deadline
        self.index, self.transcripts, self.urls = index, transcripts, urls
        self.rng = random.Random(index)
        self.saved = {}  # excerpt id -> memo the server confirmed

    def code_passage(self):
        pk, text = self.rng.choice(self.transcripts)
        self.request("coding page", self.urls["coding"](pk))
        start = self.rng.randrange(0, max(1, len(text) - 80))
        end = min(len(text), start + self.rng.randint(10, 80))
        status, payload, _ = self.request(
            "excerpt save", self.urls["excerpt-create"](pk),
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
        status, payload, _ = self.request(
            "memo edit", self.urls["excerpt-update"](pk),
            {"start_utf16": excerpt["s"], "end_utf16": excerpt["e"],
             "themes": excerpt["t"], "memo": new_memo, "version": version},
            json_reply=True,
        )
        if status == 200:
            updated = json.loads(payload)["excerpt"]
            self.saved[pk] = (updated.get("m", ""), updated["v"], updated)

    def run(self):
        self.log_in()
        self.start_event.wait()
        if not self.logged_in:
            return
        time.sleep(self.rng.uniform(0, self.arrive))  # researchers start over the first seconds
        while time.monotonic() < self.deadline[0]:
            roll = self.rng.random()
            if roll < 0.5:
                self.code_passage()
            elif roll < 0.7 and self.saved:
                self.edit_memo()
            elif roll < 0.8:
                theme = self.rng.choice(self.results["themes"])
                self.request("theme report", self.urls["theme-report"](theme))
            elif roll < 0.9:
                self.request("home", "/")
            else:
                self.request("transcript list", self.urls["transcript-list"])
            time.sleep(self.rng.uniform(*self.pause))


class Importer(Client):
    """A study creator who uploads the .qdpx at /studies/import/ (a background job) `delay` s into
    the window, then polls the job's status every second, as its page's progress bar does."""

    def __init__(self, base, results, start, logins, qdpx, delay):
        super().__init__(IMPORTER, base, results, start, logins)
        self.qdpx, self.delay = qdpx, delay
        self.outcome = None  # (seconds from upload to the job's end, its last state)

    def run(self):
        self.log_in()
        self.start_event.wait()
        if not self.logged_in:
            return
        time.sleep(self.delay)
        started = time.monotonic()
        self.request("import page", "/studies/import/")
        body, content_type = multipart({"name": "Imported under load"},
                                       {"file": (self.qdpx.name, self.qdpx.read_bytes())})
        status, _, url = self.request("import upload", "/studies/import/", body=body,
                                      content_type=content_type)
        if status != 200 or "/jobs/" not in (url or ""):
            self.outcome = (time.monotonic() - started, {"status": f"upload answered {status} at {url}"})
            return
        status_path = urllib.parse.urlsplit(url).path + "status/"
        while True:
            time.sleep(1)
            status, payload, _ = self.request("job status", status_path, json_reply=True)
            state = json.loads(payload) if status == 200 else {"status": f"HTTP {status}"}
            if status != 200 or not state.get("active"):
                self.outcome = (time.monotonic() - started, state)
                return


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def server_times(access_log):
    """{X-Load-Id: the server's time for it in ms} from gunicorn's access log (format set below)."""
    times = {}
    for line in access_log.read_text().splitlines():
        load_id, _, micros = line.partition(" ")
        if load_id != "-" and micros.isdecimal():
            times[load_id] = times.get(load_id, 0) + int(micros) / 1000  # a redirect's two requests
    return times


def proc_cpu(pids):
    """{pid: CPU seconds (user + system) used so far} for the processes still alive."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def children(parent):
    """The pids of `parent`'s child processes (gunicorn's workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdecimal():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def backend_pids(env):
    """The PostgreSQL backends serving the load's database (their connections stay open)."""
    import psycopg

    url = env["DATABASE_URL"].replace("postgres://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")]


class WindowCPU:
    """CPU seconds each part used during the window: gunicorn's workers, the job worker, the
    PostgreSQL backends (those open at its start and end) and this client process."""

    def __init__(self, server, job_worker, env):
        self.server, self.job_worker, self.env = server, job_worker, env

    def sample(self):
        postgres = "postgres" in self.env["DATABASE_URL"]
        pids = {"gunicorn workers": children(self.server.pid),
                "job worker": [self.job_worker.pid] if self.job_worker else [],
                "PostgreSQL backends": backend_pids(self.env) if postgres else []}
        return {part: proc_cpu(found) for part, found in pids.items()} | {
            "this client": {0: cpu_seconds(resource.getrusage(resource.RUSAGE_SELF))}}

    def start(self):
        self.before = self.sample()

    def stop(self):
        after = self.sample()
        # A process that started during the window counts from 0; one that ended is not seen.
        return {part: sum(cpu - self.before[part].get(pid, 0) for pid, cpu in found.items())
                for part, found in after.items()}


def report_pages(requests, served, elapsed):
    """Per page: how many, the client's p50/p95, the server's p50/p95, and the p95 of the wait
    (client time minus server time, for each request: queueing for a worker, and the network)."""
    print(f"{'page':<16}{'n':>6}{'client p50':>12}{'p95':>8}{'server p50':>12}{'p95':>8}"
          f"{'wait p50':>10}{'p95':>8}  (ms)")
    names = sorted({r[0] for r in requests}, key=lambda n: (n not in CODING, n))
    for name in names:
        rows = [r for r in requests if r[0] == name]
        client = [r[1] for r in rows]
        server = [served[r[3]] for r in rows if r[3] in served]
        wait = [r[1] - served[r[3]] for r in rows if r[3] in served]
        line = f"{name:<16}{len(rows):>6}{statistics.median(client):>12.0f}{percentile(client, 95):>8.0f}"
        if server:
            line += (f"{statistics.median(server):>12.0f}{percentile(server, 95):>8.0f}"
                     f"{statistics.median(wait):>10.0f}{percentile(wait, 95):>8.0f}")
        print(line)
    busy = sum(served.get(r[3], 0) for r in requests) / 1000
    print(f"server time summed over the window's requests: {busy:.0f} s in {elapsed:.0f} s "
          f"({busy / elapsed:.2f} workers busy on average)")


def cpu_seconds(usage):
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker (more than 1: the gthread worker class)")
    parser.add_argument("--pause", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"),
                        help="seconds a researcher pauses between actions")
    parser.add_argument("--arrive", type=float, default=5,
                        help="researchers start within this many s of the window's opening")
    parser.add_argument("--qdpx-import", action="store_true",
                        help="import the demo study's .qdpx as a new study, as a background job, "
                             "while the researchers work")
    args = parser.parse_args()

    env = dict(os.environ)
    env.update(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pasto_load" if args.postgres
        else f"sqlite:///{ROOT / 'var' / 'load.sqlite3'}",
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
        LOGIN_FAILURES_PER_IP="1000",
        JOBS_INLINE_QDPX_BYTES="0",  # the demo's .qdpx is small: send it to the job path anyway
        JOBS_CACHE_DIR=str(ROOT / "var" / "load-jobs-cache"),
    )
    prepare(env, args.clients)

    sys.path.insert(0, str(ROOT))
    os.environ.update(DATABASE_URL=env["DATABASE_URL"], DJANGO_SETTINGS_MODULE="pasto_coop.settings")
    import django

    django.setup()
    from coding.models import CodedExcerpt, Theme
    from interviews.models import Transcript
    from studies.models import Study

    transcripts = list(Transcript.objects.filter(study__slug=STUDY).values_list("pk", "text"))
    before = set(CodedExcerpt.objects.values_list("pk", flat=True))
    themes = list(Theme.objects.filter(study__slug=STUDY, is_codable=True).values_list("pk", flat=True))
    urls = page_urls()
    results = {"requests": [], "errors": [], "themes": themes}
    qdpx = ROOT / "var" / "load-demo.qdpx"
    if args.qdpx_import:
        run([PY, "manage.py", "export_qdpx", str(qdpx), "--study", STUDY, "--include-withdrawn"], env)
        exported = (Transcript.objects.filter(study__slug=STUDY).count(),
                    CodedExcerpt.objects.filter(study__slug=STUDY).count())

    pidfile = ROOT / "var" / "load-gunicorn.pid"
    access_log = ROOT / "var" / "load-access.log"
    access_log.unlink(missing_ok=True)
    workers = ["--workers", str(args.workers)]
    if args.threads > 1:
        workers += ["--worker-class", "gthread", "--threads", str(args.threads)]
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "pasto_coop.wsgi", *workers,
         "--bind", f"127.0.0.1:{args.port}", "--pid", str(pidfile), "--no-control-socket",
         "--log-level", "warning", "--access-logfile", str(access_log),
         "--access-logformat", "%({x-load-id}i)s %(D)s"],
        cwd=ROOT, env=env,
    )
    job_worker = None
    if args.qdpx_import:
        run([PY, "manage.py", "jobs_recover"], env)
        job_worker = subprocess.Popen(
            [PY, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    try:
        # Everyone logs in first, as many at a time as there are workers (timed apart: hashing a
        # password takes most of a second of CPU by design); the window opens after the last.
        start, logins = threading.Event(), threading.Semaphore(args.workers)
        deadline = [0.0]
        clients = [Researcher(i, base, results, start, logins, transcripts, deadline, urls,
                              tuple(args.pause), args.arrive) for i in range(args.clients)]
        importer = (Importer(base, results, start, logins, qdpx, min(10, args.seconds / 4))
                    if args.qdpx_import else None)
        everyone = clients + ([importer] if importer else [])
        t_login = time.monotonic()
        for c in everyone:
            c.start()
        for c in everyone:
            c.ready.wait()
        login_seconds = time.monotonic() - t_login
        login_times = [r[1] for r in results["requests"] if r[0] == "login"]
        in_window = len(results["requests"])
        load_before = os.getloadavg()
        window_cpu = WindowCPU(server, job_worker, env)
        window_cpu.start()
        t0 = time.monotonic()
        deadline[0] = t0 + args.seconds
        start.set()
        for c in everyone:
            c.join()
        elapsed = time.monotonic() - t0
        load_after = os.getloadavg()
        cpu = window_cpu.stop()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if job_worker is not None:
            job_worker.send_signal(signal.SIGTERM)
            job_worker.wait(timeout=30)

    promised = {pk: memo for c in clients for pk, (memo, _, _) in c.saved.items()}
    stored = dict(CodedExcerpt.objects.filter(study__slug=STUDY).exclude(pk__in=before)
                  .values_list("pk", "memo"))  # not the imported study's
    lost = set(promised) - set(stored)
    unexpected = set(stored) - set(promised)
    stale = [pk for pk, memo in promised.items() if pk in stored and stored[pk] != memo]
    window = results["requests"][in_window:]
    lat = [r[1] for r in window]
    coding = [r[1] for r in window if r[0] in CODING]
    served = server_times(access_log)
    server_kind = (f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers")
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; gunicorn {args.workers} {server_kind}; "
          f"{args.clients} researchers for {elapsed:.0f} s, pausing {args.pause[0]:g}-{args.pause[1]:g} s")
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in load_before)} at the window's "
          f"start, {' '.join(f'{x:.2f}' for x in load_after)} at its end")
    print(f"logins (before the window, {args.workers} at a time): {len(login_times)} in "
          f"{login_seconds:.0f} s, "
          f"median {statistics.median(login_times):.0f} ms, p95 {percentile(login_times, 95):.0f} ms "
          "(the password check and the home page it leads to)")
    print(f"requests: {len(lat)} ({len(lat) / elapsed:.1f}/s), errors: {len(results['errors'])}")
    print(f"latency ms: p50 {statistics.median(lat):.1f}, p95 {percentile(lat, 95):.1f}, "
          f"p99 {percentile(lat, 99):.1f}, max {max(lat):.1f}")
    if coding:
        print(f"coding requests: {len(coding)}, p50 {statistics.median(coding):.1f}, "
              f"p95 {percentile(coding, 95):.1f}, p99 {percentile(coding, 99):.1f} ms")
    report_pages(window, served, elapsed)
    print("CPU s in the window: " + ", ".join(f"{part} {secs:.0f}" for part, secs in cpu.items())
          + f"; {sum(cpu.values()):.0f} s of CPU in {elapsed:.0f} s on {os.cpu_count()} cores; "
          f"gunicorn {cpu['gunicorn workers'] / max(1, len(lat)) * 1000:.1f} ms of CPU a request")
    print(f"excerpts: {len(promised)} confirmed saved, {len(stored)} in the database, lost {len(lost)}, "
          f"unconfirmed extra (a double save would show here) {len(unexpected)}, "
          f"memo mismatches {len(stale)}")
    imported_ok = True
    if importer is not None:
        took, state = importer.outcome or (None, {"status": "no answer"})
        new = Study.objects.filter(name="Imported under load").first()
        got = ((Transcript.objects.filter(study=new).count(), CodedExcerpt.objects.filter(study=new).count())
               if new else (0, 0))
        imported_ok = state.get("status") == "succeeded" and got == exported
        print(f"qdpx import as a background job: {state.get('status')} {state.get('message', '')!r}, "
              f"{took or 0:.1f} s from upload to its end; the new study has {got[0]} transcripts and "
              f"{got[1]} excerpts (the file: {exported[0]} and {exported[1]})")
    for error in results["errors"][:10]:
        print("  error:", error)
    ok = (not results["errors"] and not lost and not unexpected and not stale and imported_ok
          and percentile(coding or lat, 95) < 300)
    print("target (0 errors, 0 lost or duplicated, coding p95 < 300 ms):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
