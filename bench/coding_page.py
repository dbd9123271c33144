"""Benchmark: the coding page on a long, heavily coded transcript.

    .venv/bin/python bench/coding_page.py            # or: make bench

Builds a fresh SQLite study in var/bench.sqlite3 (set DATABASE_URL to use another database):
one 100,000-character transcript (about 16,000 words) with 2,000 excerpts over 20 themes, many
overlapping. Then it measures, in this process, through Django's full request stack:
- rendering the coding page (GET), median and p95 over 30 requests after one warm-up;
- saving an excerpt (POST, as the browser sends it), median and p95 over 50 saves;
- the page's query count with 200 and with 2,000 excerpts (it must not grow);
and, in Debian's Chromium through Playwright against a local server, the time from navigation
start until a selection has been made and the theme picker is open (median of 5 loads).
"""

import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasto_coop.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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
from interviews.models import Participant, Transcript  # noqa: E402
from studies.models import Membership, Role, Study  # noqa: E402

WORDS = (
    "de la el que y en los a se del las un por con no una su para es al lo como más pero "
    "of the and to in is it we that this was for on are with as they be at "
    "cooperación migración juventud género territorio estrategia proceso municipio alianza "
    "confianza participación desarrollo comunidad internacional the youth office gender forced "
    "inland migration environment cooperation strategy process municipality trust partnership "
    "learning communication knowledge planning execution impact challenge"
).split()
TEXT_LENGTH = 100_000
EXCERPTS = 2_000
THEMES = 20


def make_text(rng):
    turns, length = [], 0
    while length < TEXT_LENGTH:
        speaker = "Interviewer" if len(turns) % 2 == 0 else "D"
        turn = f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
        turns.append(turn)
        length += len(turn) + 2
    return "\n\n".join(turns)[:TEXT_LENGTH].rstrip()


def make_study(rng):
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.DATABASES["default"]["NAME"]) + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    study = Study.objects.create(name="Bench", slug="bench", language="es")
    Membership.objects.create(study=study, user=user, role=Role.RESEARCHER)
    participant = Participant.objects.create(study=study, code="B1", sector="ngo", gender="female")
    text = make_text(rng)
    transcript = Transcript.objects.create(study=study, participant=participant, title="Bench", text=text)
    themes = [
        Theme.objects.create(study=study, name=f"Theme {i:02}", colour=f"#{rng.randrange(0x1000000):06x}")
        for i in range(THEMES)
    ]
    # Setup only: bulk inserts that respect the invariant (quote == text[start:end]).
    rows = []
    for _ in range(EXCERPTS):
        start = rng.randrange(0, len(text) - 500)
        end = start + rng.randint(20, 400)
        rows.append(
            CodedExcerpt(study=study, transcript=transcript, start=start, end=end, quote=text[start:end],
                         coder=user)
        )
    CodedExcerpt.objects.bulk_create(rows, batch_size=500)
    links = [
        CodedExcerpt.themes.through(codedexcerpt_id=e.pk, theme_id=t.pk)
        for e in CodedExcerpt.objects.all()
        for t in rng.sample(themes, rng.randint(1, 3))
    ]
    CodedExcerpt.themes.through.objects.bulk_create(links, batch_size=1000)
    return user, transcript, themes


def timed(fn, n):
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def measure_server(user, transcript, themes, rng):
    client = Client()
    client.force_login(user)
    url = transcript.get_absolute_url()

    def render():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    render()
    page = timed(render, 30)

    create_url = reverse("coding:excerpt-create", args=[transcript.study.slug, transcript.pk])

    def save():
        start = rng.randrange(0, len(transcript.text) - 300)
        response = client.post(
            create_url,
            {"start_utf16": start, "end_utf16": start + 120, "themes": [themes[0].pk]},
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 201, response.content

    save_times = timed(save, 50)

    with CaptureQueriesContext(connection) as full:
        render()
    return page, save_times, len(full), client


def measure_browser(client, transcript):
    """Median ms from navigation start until text is selected and the picker is open."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from playwright.sync_api import sync_playwright

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = WSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(StaticFilesHandler(WSGIHandler()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    samples = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        )
        context = browser.new_context()
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
        )
        page = context.new_page()
        for _ in range(6):
            page.goto(base + transcript.get_absolute_url(), wait_until="commit")
            page.wait_for_selector("#transcript-text p.turn")
            page.evaluate(
                """() => {
                  const p = document.querySelectorAll('#transcript-text p.turn')[3];
                  const r = document.createRange(); r.selectNodeContents(p);
                  const s = getSelection(); s.removeAllRanges(); s.addRange(r);
                }"""
            )
            page.keyboard.press("c")
            page.wait_for_selector("#picker[open]")
            samples.append(page.evaluate("() => performance.now()"))
            if os.environ.get("BENCH_VERBOSE"):
                print(page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
                  return {responseStart: n.responseStart, responseEnd: n.responseEnd,
                          domInteractive: n.domInteractive, dcl: n.domContentLoadedEventEnd,
                          load: n.loadEventEnd, now: performance.now()}; }"""))
        browser.close()
    server.shutdown()
    return statistics.median(samples[1:])


def main():
    rng = random.Random(2009)
    with override_settings(
        ALLOWED_HOSTS=["testserver", "127.0.0.1"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        t0 = time.perf_counter()
        user, transcript, themes = make_study(rng)
        print(f"study: {len(transcript.text):,} characters, "
              f"{len(transcript.text.split()):,} words, {CodedExcerpt.objects.count():,} excerpts, "
              f"{THEMES} themes ({time.perf_counter() - t0:.1f} s to build) on {connection.vendor}")
        (page_med, page_p95), (save_med, save_p95), queries_full, client = measure_server(
            user, transcript, themes, rng
        )
        print(f"coding page render: median {page_med:.1f} ms, p95 {page_p95:.1f} ms "
              f"(target: median < 150 ms)")
        print(f"excerpt save:       median {save_med:.1f} ms, p95 {save_p95:.1f} ms "
              f"(target: median < 30 ms)")
        interactive = measure_browser(client, transcript)
        print(f"chromium: selection made and picker open {interactive:.0f} ms after navigation "
              f"start, median of 5 (target: < 1000 ms)")
        total = CodedExcerpt.objects.count()
        CodedExcerpt.objects.filter(pk__in=list(
            CodedExcerpt.objects.order_by("pk").values_list("pk", flat=True)[200:]
        )).delete()
        with CaptureQueriesContext(connection) as small:
            client.get(transcript.get_absolute_url())
        print(f"queries: {len(small)} with 200 excerpts, {queries_full} with {total:,}")


if __name__ == "__main__":
    main()
