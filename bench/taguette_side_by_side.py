"""Side by side with Taguette: every excerpt of one theme, page by page, on the same corpus.

    .venv/bin/python bench/taguette_side_by_side.py           # build both, then measure
    .venv/bin/python bench/taguette_side_by_side.py --reuse   # measure the databases built last time
    .venv/bin/python bench/taguette_side_by_side.py --rounds 5

Taguette is never a dependency of pasto-coop: it lives in a virtualenv of its own, outside the
repository, named by TAGUETTE_PYTHON or --taguette-python (default /work/taguette-venv/bin/python):

    python3 -m venv /work/taguette-venv && /work/taguette-venv/bin/pip install taguette==1.5.2

The corpus is issue 16's: 200 transcripts of 5,000 words, 10,000 excerpts of 20-400 characters,
50 themes (5 areas of 9 themes), each excerpt with 1-3 themes (and 5% also the first area),
all from one seed. It is generated once, in plain Python, and written into both databases:
pasto-coop's through its models (every participant consented to be quoted, so both list the
same excerpts), Taguette's through its own SQLAlchemy models (`taguette.database`), its tags
named "Area i.Theme i.j" so that Taguette's tag hierarchy is the codebook's. Both use SQLite
(Taguette's default), in var/ (pasto-coop's follows DATABASE_URL if set; it is dropped and built
again, so never point it at a real study).

Both servers run as subprocesses on 127.0.0.1: pasto-coop under gunicorn (one sync worker,
DEBUG off, static files collected as in production), Taguette as `taguette --no-browser` (its
single-user server, whose daily check for news at taguette.org is switched off: no network
here). The measured listing is what each UI requests: Taguette's highlights view for the tag
(`/api/project/<id>/highlights/<path>?page=N`, 50 a page, the JSON its page renders), and
pasto-coop's excerpt browser, 50 a page, once by the page links (whole HTML pages) and once by
"N more" (`&fragment=1`, the next cards alone). For each: the wall time seen by the client,
per request and for the whole listing, and the server process's CPU time per request (from
/proc/<pid>/task/*/schedstat, nanoseconds, every thread). Rounds alternate which server goes
first. Then, as bench/reports.py does, pasto-coop's listing again in this process (Django's
test client), with its process CPU time and queries.
"""

import html
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
CORPUS_FILE = VAR / "bench_taguette_corpus.json"
TAGUETTE_DB = VAR / "bench_taguette.sqlite3"
PASTO_DB_URL = f"sqlite:///{VAR / 'bench_taguette_pasto.sqlite3'}"
DEFAULT_TAGUETTE_PYTHON = "/work/taguette-venv/bin/python"
TAGUETTE_VERSION = "1.5.2"

SEED = 2009
TRANSCRIPTS, WORDS, EXCERPTS = 200, 5_000, 10_000
PARENTS, CHILDREN = 5, 9
CODERS = ("ana", "bea", "cruz")
PASSWORD = "bench-password-1"


# --- The corpus: plain Python, the same for both ------------------------------------------------

def make_transcript(rng, vocabulary):
    """5,000 words in speaker turns of 40-160 words, paragraphs split by a blank line; the words
    of bench/reports.py: function words (72%) and topic words with accents."""
    function_words, topic_words = vocabulary
    words = [rng.choice(function_words) if rng.random() < 0.72 else rng.choice(topic_words)
             for _ in range(WORDS)]
    turns, i = [], 0
    while i < len(words):
        n = rng.randint(40, 160)
        speaker = "Interviewer" if len(turns) % 2 == 0 else "P"
        turns.append(f"{speaker}: " + " ".join(words[i : i + n]) + ".")
        i += n
    return "\n\n".join(turns)


def make_corpus(vocabulary):
    """Themes 0-4 are the areas, 5-49 their themes (area i's are 5 + 9i .. 13 + 9i); each excerpt
    is (transcript, start, end, coder, [theme indexes])."""
    rng = random.Random(SEED)
    texts = [make_transcript(rng, vocabulary) for _ in range(TRANSCRIPTS)]
    themes = [f"Area {i}" for i in range(PARENTS)] + [
        f"Theme {i}.{j}" for i in range(PARENTS) for j in range(CHILDREN)]
    leaves = list(range(PARENTS, len(themes)))
    excerpts = []
    for t, text in enumerate(texts):
        for _ in range(EXCERPTS // TRANSCRIPTS):
            start = rng.randrange(0, len(text) - 400)
            end = start + rng.randint(20, 400)
            picked = rng.sample(leaves, rng.randint(1, 3))
            if rng.random() < 0.05:
                picked.append(0)
            excerpts.append((t, start, end, rng.randrange(len(CODERS)), picked))
    return {"texts": texts, "themes": themes, "excerpts": excerpts}


def parent_of(index):
    return None if index < PARENTS else (index - PARENTS) // CHILDREN


def tag_path(corpus, index):
    parent = parent_of(index)
    name = corpus["themes"][index]
    return name if parent is None else f"{corpus['themes'][parent]}.{name}"


# --- Taguette's side: run by Taguette's own Python ----------------------------------------------

def taguette_load(corpus_file, db_file):
    """The corpus into a new Taguette database, through Taguette's models."""
    from taguette import database

    corpus = json.loads(Path(corpus_file).read_text())
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(db_file + suffix).unlink(missing_ok=True)
    db = database.connect(f"sqlite:///{db_file}")()
    db.add(database.User(login="admin"))
    project = database.Project(name="Bench study", description="")
    db.add(project)
    db.flush()
    db.add(database.ProjectMember(project_id=project.id, user_login="admin",
                                  privileges=database.Privileges.ADMIN))
    tags = [database.Tag(project_id=project.id, path=tag_path(corpus, i), description="")
            for i in range(len(corpus["themes"]))]
    documents = [database.Document(
        name=f"Interview P{t:03}", description="", filename=f"P{t:03}.txt", project_id=project.id,
        text_direction=database.TextDirection.LEFT_TO_RIGHT,
        contents="<p>" + "</p>\n\n<p>".join(html.escape(p) for p in text.split("\n\n")) + "</p>",
    ) for t, text in enumerate(corpus["texts"])]
    db.add_all(tags + documents)
    db.flush()
    highlights, links = [], []
    for i, (t, start, end, _coder, picked) in enumerate(corpus["excerpts"], start=1):
        highlights.append({"id": i, "document_id": documents[t].id, "start_offset": start,
                           "end_offset": end, "snippet": html.escape(corpus["texts"][t][start:end])})
        links += [{"highlight_id": i, "tag_id": tags[k].id} for k in picked]
    db.execute(database.Highlight.__table__.insert(), highlights)
    db.execute(database.highlight_tags.insert(), links)
    db.commit()
    print(json.dumps({"project": project.id, "highlights": len(highlights), "links": len(links)}))


def taguette_serve(db_file, port):
    """Taguette's single-user server (`taguette --no-browser`), without its daily request for
    news to taguette.org (this machine has no network); prints its login link."""
    from taguette.web import base

    def no_news(app):
        app.messages_event.set()

    base.Application.check_messages = no_news
    from taguette.main import main as taguette_main

    sys.argv = ["taguette", "--no-browser", "--database", db_file, "--port", str(port)]
    taguette_main()


# --- Measuring, from pasto-coop's side ----------------------------------------------------------

def server_cpu_ns(pid):
    """CPU time of every thread of a process, in ns (schedstat's first field)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"server on port {port} did not start within {timeout} s")


def get(port, path, cookie):
    """One GET on a new connection (gunicorn's sync worker closes each one anyway): status, body
    and the client's wall time in ms."""
    t0 = time.perf_counter()
    connection = HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "en"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, (time.perf_counter() - t0) * 1000, response


class Server:
    def __init__(self, label, port, process, pid, cookie):
        self.label, self.port, self.process, self.pid, self.cookie = label, port, process, pid, cookie

    def fetch(self, path):
        c0 = server_cpu_ns(self.pid)
        status, body, wall, _ = get(self.port, path, self.cookie)
        cpu = (server_cpu_ns(self.pid) - c0) / 1e6
        assert status == 200, (self.label, path, status, body[:300])
        return body, wall, cpu

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_taguette(python):
    port = free_port()
    process = subprocess.Popen([python, __file__, "--taguette-serve", str(TAGUETTE_DB), str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    token = None
    for line in process.stdout:
        if "?token=" in line:
            token = line.strip().split("?token=")[1]
            break
    if token is None:
        sys.exit(f"Taguette exited ({process.wait()}) without printing its login link")
    wait_for(port, process)
    status, _, _, response = get(port, "/?token=" + token, "")
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    assert status == 302 and cookie.startswith("user="), (status, cookie)
    return Server(f"Taguette {TAGUETTE_VERSION}", port, process, process.pid, cookie)


def start_pasto(session_cookie):
    port = free_port()
    env = dict(os.environ, DEBUG="false", DATABASE_URL=os.environ["DATABASE_URL"],
               DJANGO_SETTINGS_MODULE="pasto_coop.settings", ALLOWED_HOSTS="127.0.0.1,localhost")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "pasto_coop.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--threads", "1", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, process)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    assert len(children) == 1, children
    return Server("pasto-coop", port, process, int(children[0]), session_cookie)


def list_taguette(server, project, path):
    """Every highlight of the tag, page by page, as Taguette's page asks for them."""
    url = f"/api/project/{project}/highlights/{urllib.parse.quote(path)}?page="
    walls, cpus, shown, page, pages = [], [], 0, 1, 1
    while page <= pages:
        body, wall, cpu = server.fetch(url + str(page))
        data = json.loads(body)
        pages = data["pages"]
        shown += len(data["highlights"])
        walls.append(wall)
        cpus.append(cpu)
        page += 1
    return walls, cpus, shown


def list_pasto(server, url, theme, fragment):
    """Every excerpt of the theme through the excerpt browser: by page links, or by "N more",
    each request following the link the page before gave (its cursor). Page 1's totals, which
    its script fetches once the page is shown (`data-counts`), are one request more, counted
    with the listing as Taguette's count is (its first page carries the number of pages)."""
    link = re.compile(r'data-more="\?([^"]*)"' if fragment else r'href="\?([^"]*)" rel="next"')
    page_url = f"{url}?theme={theme}"
    walls, cpus, shown = [], [], 0
    while True:
        body, wall, cpu = server.fetch(page_url)
        text = body.decode()
        shown += text.count('<li class="card mb-2" id="excerpt-')
        walls.append(wall)
        cpus.append(cpu)
        counts = re.search(r'data-counts="\?([^"]*)"', text)
        if counts is not None:
            _body, wall, cpu = server.fetch(f"{url}?{html.unescape(counts.group(1))}")
            walls.append(wall)
            cpus.append(cpu)
        following = link.search(text)
        if following is None:
            return walls, cpus, shown
        page_url = f"{url}?{html.unescape(following.group(1))}"


def summarise(label, runs):
    """runs: [(walls, cpus, shown)] of each round."""
    walls = [w for run in runs for w in run[0]]
    cpus = [c for run in runs for c in run[1]]
    totals = [sum(run[0]) for run in runs]
    cpu_totals = [sum(run[1]) for run in runs]
    requests, shown = len(runs[0][0]), runs[0][2]
    print(f"  {label:<44} {shown:>5,} excerpts, {requests:>3} requests: total wall median "
          f"{statistics.median(totals):8,.0f} ms (rounds {', '.join(f'{t:,.0f}' for t in totals)}); "
          f"per request wall median {statistics.median(walls):6.1f} ms, server CPU median "
          f"{statistics.median(cpus):6.1f} ms; server CPU for the listing "
          f"{statistics.median(cpu_totals):,.0f} ms")
    return {"label": label, "shown": shown, "requests": requests, "total": statistics.median(totals),
            "wall": statistics.median(walls), "cpu": statistics.median(cpus),
            "cpu_total": statistics.median(cpu_totals)}


# --- pasto-coop's database, in this process -----------------------------------------------------

def pasto_setup():
    os.environ.setdefault("DATABASE_URL", PASTO_DB_URL)
    os.environ["DEBUG"] = "false"
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_reports", ROOT / "bench" / "reports.py")
    bench_reports = importlib.util.module_from_spec(spec)  # django.setup(), fresh_database, browse_pages
    spec.loader.exec_module(bench_reports)
    return bench_reports


def pasto_build(bench_reports, corpus):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from coding.models import CodedExcerpt, Theme
    from interviews.lemmas import word_forms_update
    from interviews.models import AttributeValue, Participant, Transcript
    from interviews.services import attribute_create
    from studies.models import Membership, Role, Study

    bench_reports.fresh_database()
    User = get_user_model()
    coders = [User.objects.create_user(name, password=PASSWORD) for name in CODERS]
    reviewer = User.objects.create_user("rev", password=PASSWORD)
    study = Study.objects.create(name="Bench study", slug="bench", language="es")
    Membership.objects.create(study=study, user=reviewer, role=Role.REVIEWER)
    Membership.objects.bulk_create([Membership(study=study, user=c, role=Role.RESEARCHER) for c in coders])
    people = Participant.objects.bulk_create([Participant(
        study=study, code=f"P{t:03}", consent_given=True, consent_scope="quote_named")
        for t in range(TRANSCRIPTS)])
    organisation = attribute_create(study=study, applies_to="participant", name="Organisation", type="text")
    AttributeValue.objects.bulk_create([AttributeValue(study=study, attribute=organisation, participant=p,
                                                       text=f"Organisation {t % 40}")
                                        for t, p in enumerate(people)])
    transcripts = Transcript.objects.bulk_create(
        [Transcript(study=study, participant=p, title=f"Interview {p.code}", text=text, language="es",
                    interview_date="2009-05-01") for p, text in zip(people, corpus["texts"], strict=True)],
        batch_size=50)
    word_forms_update(transcripts)  # bulk_create sends no post_save: the search's lemma index
    themes = []
    for i, name in enumerate(corpus["themes"]):
        parent = parent_of(i)
        themes.append(Theme.objects.create(study=study, name=name, order=i,
                                           parent=None if parent is None else themes[parent]))
    rows = CodedExcerpt.objects.bulk_create([CodedExcerpt(
        study=study, transcript=transcripts[t], start=start, end=end,
        quote=corpus["texts"][t][start:end], coder=coders[coder])
        for t, start, end, coder, _ in corpus["excerpts"]], batch_size=2000)
    Link = CodedExcerpt.themes.through
    Link.objects.bulk_create([Link(codedexcerpt_id=row.pk, theme_id=themes[k].pk)
                              for row, (*_, picked) in zip(rows, corpus["excerpts"], strict=True)
                              for k in picked], batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def taguette_python_or_exit(args):
    python = os.environ.get("TAGUETTE_PYTHON", DEFAULT_TAGUETTE_PYTHON)
    if "--taguette-python" in args:
        python = args[args.index("--taguette-python") + 1]
    try:
        version = subprocess.run([python, "-c", "import taguette; print(taguette.__version__)"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        sys.exit(f"Taguette is not installed for {python}. Install it in a virtualenv of its own, "
                 f"outside the repository (never in pasto-coop's):\n"
                 f"    python3 -m venv /work/taguette-venv\n"
                 f"    /work/taguette-venv/bin/pip install taguette=={TAGUETTE_VERSION}\n"
                 f"and name its Python with TAGUETTE_PYTHON=... or --taguette-python ...")
    if version != TAGUETTE_VERSION:
        print(f"warning: Taguette {version}, not {TAGUETTE_VERSION}, which issue 16 measured")
    return python, version


def main():
    args = sys.argv[1:]
    if args[:1] == ["--taguette-load"]:
        return taguette_load(args[1], args[2])
    if args[:1] == ["--taguette-serve"]:
        return taguette_serve(args[1], int(args[2]))
    python, version = taguette_python_or_exit(args)
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 3
    bench_reports = pasto_setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from coding.models import CodedExcerpt, Theme
    from studies.models import Study

    VAR.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    if "--reuse" in args:
        call_command("migrate", verbosity=0)  # what was added since the build
    built = Study.objects.filter(slug="bench").exists() if "--reuse" in args else False
    if not (built and TAGUETTE_DB.exists() and CORPUS_FILE.exists()):
        corpus = make_corpus((bench_reports.FUNCTION_WORDS, bench_reports.TOPIC_WORDS))
        CORPUS_FILE.write_text(json.dumps(corpus))
        pasto_build(bench_reports, corpus)
        loaded = subprocess.run([python, __file__, "--taguette-load", str(CORPUS_FILE), str(TAGUETTE_DB)],
                                capture_output=True, text=True, check=True)
        print("Taguette database:", loaded.stdout.strip().splitlines()[-1])
    corpus = json.loads(CORPUS_FILE.read_text())
    words = sum(len(t.split()) for t in corpus["texts"])
    print(f"corpus (seed {SEED}): {len(corpus['texts'])} transcripts, {words:,} words, "
          f"{len(corpus['excerpts']):,} excerpts, {len(corpus['themes'])} themes; "
          f"built or read in {time.perf_counter() - t0:.0f} s; pasto-coop on {connection.vendor}, "
          f"Taguette {version} on SQLite")
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off, as in production

    study = Study.objects.get(slug="bench")
    reviewer = get_user_model().objects.get(username="rev")
    client = Client()
    client.force_login(reviewer)
    taguette = start_taguette(python)
    pasto = start_pasto(f"sessionid={client.cookies['sessionid'].value}")
    results, browser = [], reverse("reports:excerpt-browser", args=[study.slug])
    try:
        for index in (PARENTS, 0):  # the first leaf theme, then the first area with its themes
            theme = Theme.objects.get(study=study, name=corpus["themes"][index])
            expected = CodedExcerpt.objects.filter(themes__in=[theme.pk, *theme.children.values_list(
                "pk", flat=True)]).distinct().count()
            path = tag_path(corpus, index)
            print(f"\n{corpus['themes'][index]} (Taguette tag {path!r}): {expected:,} excerpts; "
                  f"load average {'{:.2f} {:.2f} {:.2f}'.format(*os.getloadavg())}")
            listings = {
                "taguette": lambda p=path: list_taguette(taguette, 1, p),
                "pages": lambda t=theme.pk: list_pasto(pasto, browser, t, fragment=False),
                "more": lambda t=theme.pk: list_pasto(pasto, browser, t, fragment=True),
            }
            runs = {key: [] for key in listings}
            for listing in listings.values():  # warm-up: one whole listing each
                listing()
            for r in range(rounds):
                for key in (listings if r % 2 == 0 else reversed(listings)):
                    runs[key].append(listings[key]())
            theme_results = [
                summarise(f"Taguette {version}, highlights view", runs["taguette"]),
                summarise("pasto-coop, excerpt browser by page links", runs["pages"]),
                summarise('pasto-coop, excerpt browser by "N more"', runs["more"]),
            ]
            results.append((corpus["themes"][index], expected, theme_results))
    finally:
        taguette.stop()
        pasto.stop()

    print("\npasto-coop in this process (Django's test client, as bench/reports.py; CPU is this "
          "process's, SQLite included):")
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        for name, expected, _ in results:
            theme = Theme.objects.get(study=study, name=name)
            bench_reports.browse_pages(client, browser, theme, expected)
    print("load average after measuring: {:.2f} {:.2f} {:.2f} ({} cores)".format(
        *os.getloadavg(), os.cpu_count()))
    print("\n| Theme (excerpts) | Listing | Requests | Total wall | Wall per request | "
          "Server CPU per request | Server CPU, whole listing | Taguette ÷ this: wall, server CPU |"
          "\n|---|---|---|---|---|---|---|---|")
    for name, expected, rows in results:
        for row in rows:
            print(f"| {name} ({expected:,}) | {row['label']} | {row['requests']} | {row['total']:,.0f} ms | "
                  f"{row['wall']:.1f} ms | {row['cpu']:.1f} ms | {row['cpu_total']:,.0f} ms | "
                  f"{rows[0]['total'] / row['total']:.1f}×, {rows[0]['cpu_total'] / row['cpu_total']:.1f}× |")


if __name__ == "__main__":
    main()
