"""Benchmark: the coding page on a long, heavily coded transcript.

    .venv/bin/python bench/coding_page.py            # or: make bench

Builds a fresh SQLite study in var/bench.sqlite3 (set DATABASE_URL to use another database):
ten 100,000-character transcripts (about 16,000 words each) with 2,000 excerpts each over 20
themes, many overlapping: 20,000 excerpts in the study. Then it measures, in this process,
through Django's full request stack:
- rendering the coding page of one transcript (GET), median and p95 over 30 requests after one
  warm-up, and the size of its HTML (the excerpt data is inside it);
- saving an excerpt (POST, as the browser sends it), median and p95 over 50 saves;
- the page's query count with 200 and with 2,000 excerpts (it must not grow);
- the same render after 6,000 more excerpts on that transcript (8,000 on it, 26,000 in all);
and, in Debian's Chromium through Playwright against a local server, at 2,000 excerpts:
- navigation start until a selection has been made and the picker is open (median of 5 loads);
- Save pressed until the new highlight is drawn (median of 5 saves, no reload);
- the longest task while scrolling the whole transcript, a screen a frame (PerformanceObserver).
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
MORE_EXCERPTS = 6_000  # the second render: 8,000 on the transcript
TRANSCRIPTS = 10  # 20,000 excerpts in the study
THEMES = 20


def make_text(rng):
    turns, length = [], 0
    while length < TEXT_LENGTH:
        speaker = "Interviewer" if len(turns) % 2 == 0 else "D"
        turn = f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
        turns.append(turn)
        length += len(turn) + 2
    return "\n\n".join(turns)[:TEXT_LENGTH].rstrip()


def add_excerpts(transcript, themes, user, rng, count):
    """Setup only: bulk inserts that respect the invariant (quote == text[start:end])."""
    text = transcript.text
    rows = []
    for _ in range(count):
        start = rng.randrange(0, len(text) - 500)
        end = start + rng.randint(20, 400)
        rows.append(CodedExcerpt(study_id=transcript.study_id, transcript=transcript, start=start,
                                 end=end, quote=text[start:end], coder=user))
    created = CodedExcerpt.objects.bulk_create(rows, batch_size=500)
    links = [
        CodedExcerpt.themes.through(codedexcerpt_id=e.pk, theme_id=t.pk)
        for e in created
        for t in rng.sample(themes, rng.randint(1, 3))
    ]
    CodedExcerpt.themes.through.objects.bulk_create(links, batch_size=1000)


def make_study(rng):
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.DATABASES["default"]["NAME"]) + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    study = Study.objects.create(name="Bench", slug="bench", language="es")
    Membership.objects.create(study=study, user=user, role=Role.RESEARCHER)
    participant = Participant.objects.create(study=study, code="B1")
    themes = [
        Theme.objects.create(study=study, name=f"Theme {i:02}", colour=f"#{rng.randrange(0x1000000):06x}")
        for i in range(THEMES)
    ]
    transcripts = []
    for i in range(TRANSCRIPTS):
        transcript = Transcript.objects.create(study=study, participant=participant, title=f"Bench {i}",
                                               text=make_text(rng))
        add_excerpts(transcript, themes, user, rng, EXCERPTS)
        transcripts.append(transcript)
    return user, transcripts[0], themes


def timed(fn, n):
    """Median and p95 wall-clock ms of `fn` over n calls, and the median CPU ms of this process
    (on a machine other jobs load, the CPU figure is the steadier one)."""
    samples, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18], statistics.median(cpu)


def measure_render(client, transcript):
    url = transcript.get_absolute_url()

    def render():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    size = len(render().content)
    return timed(render, 30), size


def measure_server(user, transcript, themes, rng):
    client = Client()
    client.force_login(user)
    page, size = measure_render(client, transcript)
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
        client.get(transcript.get_absolute_url())
    return page, size, save_times, len(full), client


SELECT_PARAGRAPH = """(n) => {
  const p = document.querySelectorAll('#transcript-text p.turn')[n];
  const r = document.createRange(); r.setStart(p.firstChild, 3); r.setEnd(p.firstChild, 40);
  const s = getSelection(); s.removeAllRanges(); s.addRange(r);
}"""

# Ticks pin 1, presses Save, and resolves with the ms until a frame shows one more highlight.
SAVE_TO_HIGHLIGHT = """() => new Promise((resolve) => {
  const drawn = () => Array.from(CSS.highlights).filter(([n]) => n.startsWith('pc-t'))
    .reduce((n, [, h]) => n + h.size, 0);
  const before = drawn();
  const t0 = performance.now();
  document.getElementById('picker-form').requestSubmit();
  const check = () => drawn() > before ? resolve(performance.now() - t0) : requestAnimationFrame(check);
  check();
})"""

# Scrolls the whole page a screen a frame; resolves with the long tasks seen meanwhile.
SCROLL_LONG_TASKS = """() => new Promise((resolve) => {
  const tasks = [];
  const observer = new PerformanceObserver((list) => {
    list.getEntries().forEach((e) => tasks.push(e.duration));
  });
  observer.observe({ type: 'longtask' });
  let y = 0, frames = 0;
  const step = () => {
    window.scrollTo(0, y);
    y += window.innerHeight;
    frames++;
    if (y < document.documentElement.scrollHeight + window.innerHeight) requestAnimationFrame(step);
    else setTimeout(() => { observer.disconnect(); resolve({ tasks: tasks, frames: frames }); }, 200);
  };
  requestAnimationFrame(step);
})"""


def measure_browser(client, transcript):
    """In Chromium: navigation start until a selection is made and the picker is open (median of
    5 loads after a warm-up); Save until the new highlight is drawn (median of 5); the long
    tasks while scrolling the whole transcript."""
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
    opened, saved = [], []
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
            page.evaluate(SELECT_PARAGRAPH, 3)
            page.keyboard.press("c")
            page.wait_for_selector("#picker:not([hidden])")
            opened.append(page.evaluate("() => performance.now()"))
        for n in range(5):
            page.evaluate(SELECT_PARAGRAPH, 5 + n)
            page.keyboard.press("c")
            page.wait_for_selector("#picker:not([hidden])")
            page.keyboard.press("1")
            saved.append(page.evaluate(SAVE_TO_HIGHLIGHT))
        page.goto(base + transcript.get_absolute_url())
        page.wait_for_selector("#transcript-text p.turn")
        scrolled = page.evaluate(SCROLL_LONG_TASKS)
        browser.close()
    server.shutdown()
    return statistics.median(opened[1:]), statistics.median(saved), scrolled


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
        print(f"study: {TRANSCRIPTS} transcripts of {len(transcript.text):,} characters "
              f"({len(transcript.text.split()):,} words), {CodedExcerpt.objects.count():,} excerpts, "
              f"{THEMES} themes ({time.perf_counter() - t0:.1f} s to build) on {connection.vendor}")
        print("load average before: {:.1f} {:.1f} {:.1f} on {} cores".format(*os.getloadavg(),
                                                                              os.cpu_count()))
        page, size, save, queries_full, client = measure_server(user, transcript, themes, rng)
        (page_med, page_p95, page_cpu), (save_med, save_p95, save_cpu) = page, save
        on_page = CodedExcerpt.objects.filter(transcript=transcript).count()
        print(f"coding page render, {on_page:,} excerpts: median {page_med:.1f} ms, p95 {page_p95:.1f} ms, "
              f"CPU {page_cpu:.1f} ms (target: median <= 40 ms)")
        print(f"coding page HTML with its data: {size / 1024:.0f} KB (target: <= 600 KB)")
        print(f"excerpt save: median {save_med:.1f} ms, p95 {save_p95:.1f} ms, CPU {save_cpu:.1f} ms "
              f"(target: median <= 5 ms)")
        interactive, save_to_highlight, scrolled = measure_browser(client, transcript)
        print(f"chromium: selection made and picker open {interactive:.0f} ms after navigation "
              f"start, median of 5 (target: <= 600 ms)")
        print(f"chromium: Save to highlight drawn {save_to_highlight:.0f} ms, median of 5, no reload "
              f"(target: <= 100 ms)")
        print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
        longest = max(scrolled["tasks"], default=0)
        print(f"chromium: scrolling the whole transcript ({scrolled['frames']} screens): "
              f"{len(scrolled['tasks'])} long tasks, longest {longest:.0f} ms (target: none over 100 ms)")
        add_excerpts(transcript, themes, user, rng, MORE_EXCERPTS)
        on_page = CodedExcerpt.objects.filter(transcript=transcript).count()
        (big_med, big_p95, big_cpu), big_size = measure_render(client, transcript)
        print(f"coding page render, {on_page:,} excerpts ({CodedExcerpt.objects.count():,} in the study): "
              f"median {big_med:.1f} ms, p95 {big_p95:.1f} ms, CPU {big_cpu:.1f} ms, "
              f"{big_size / 1024:.0f} KB (target: median <= 120 ms)")
        with CaptureQueriesContext(connection) as big:
            client.get(transcript.get_absolute_url())
        on_transcript = CodedExcerpt.objects.filter(transcript=transcript).order_by("pk")
        CodedExcerpt.objects.filter(pk__in=list(on_transcript.values_list("pk", flat=True)[200:])).delete()
        with CaptureQueriesContext(connection) as small:
            client.get(transcript.get_absolute_url())
        print(f"queries: {len(small)} with 200 excerpts, {queries_full} with 2,000+, "
              f"{len(big)} with {on_page:,}")


if __name__ == "__main__":
    main()
