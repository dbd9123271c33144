"""Benchmark: themes by a custom attribute over 100,000 excerpts.

    .venv/bin/python bench/crosstab.py          # SQLite, var/bench_crosstab.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pasto_bench_crosstab .venv/bin/python bench/crosstab.py
    .venv/bin/python bench/crosstab.py --reuse  # the timings again, on the database built last time

Builds a fresh study (the SQLite file is deleted first; a PostgreSQL database is flushed, so
never point it at a real one): 500 participants with one transcript each (about 4,000
characters), 50 themes (5 parents of 9), 100,000 excerpts of 20-200 characters with 1-3 themes
each (quote == text[start:end] by construction), and 30 participant attributes of every type
with every value filled, plus a transcript attribute. 2% of the participants withdrew consent.
Then, through Django's whole request stack as a researcher, after one warm-up, median and p95
of 10 requests:
- the crosstab by a choice attribute (five groups);
- the crosstab by a number attribute grouped into ranges ("30, 45, 60");
- the crosstab by a transcript attribute;
and the page's query count with 30 attributes and with 60 (it must not grow).
The budget is 500 ms.
"""

import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_crosstab.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasto_coop.settings")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from coding.models import CodedExcerpt, Theme  # noqa: E402
from interviews.models import AttributeValue, Participant, Transcript  # noqa: E402
from interviews.services import attribute_create  # noqa: E402
from studies.models import Membership, Role, Study  # noqa: E402

PARTICIPANTS = 500
EXCERPTS = 100_000
ATTRIBUTES = 30
TYPES = ["choice", "number", "date", "boolean", "text"]
WORDS = "de la el que y en los cooperación migración juventud género territorio the youth office".split()


def build(rng):
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.DATABASES["default"]["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    study = Study.objects.create(name="Bench", slug="bench")
    Membership.objects.create(study=study, user=user, role=Role.RESEARCHER)
    parents = [Theme.objects.create(study=study, name=f"Parent {i}") for i in range(5)]
    themes = parents + [Theme.objects.create(study=study, name=f"Theme {p}.{i}", parent=parent)
                        for p, parent in enumerate(parents) for i in range(9)]
    people = Participant.objects.bulk_create(
        Participant(study=study, code=f"P{i:03}", consent_given=True,
                    consent_scope="quote",
                    consent_withdrawn_on=datetime.date(2010, 1, 1) if rng.random() < 0.02 else None)
        for i in range(PARTICIPANTS))
    texts = [" ".join(rng.choice(WORDS) for _ in range(600))[:4000] for _ in people]
    transcripts = Transcript.objects.bulk_create(
        Transcript(study=study, participant=p, title=f"Interview {p.code}", text=t)
        for p, t in zip(people, texts, strict=True))
    rows = []
    for _ in range(EXCERPTS):
        transcript = rng.choice(transcripts)
        start = rng.randrange(0, len(transcript.text) - 250)
        end = start + rng.randint(20, 200)
        rows.append(CodedExcerpt(study_id=study.pk, transcript=transcript, start=start, end=end,
                                 quote=transcript.text[start:end], coder=user))
    created = CodedExcerpt.objects.bulk_create(rows, batch_size=2000)
    leaves = themes[5:]
    CodedExcerpt.themes.through.objects.bulk_create(
        [CodedExcerpt.themes.through(codedexcerpt_id=e.pk, theme_id=t.pk)
         for e in created for t in rng.sample(leaves, rng.randint(1, 3))], batch_size=5000)
    attributes = add_attributes(rng, study, people, 0, ATTRIBUTES)
    mode = attribute_create(study=study, applies_to="transcript", name="Mode", type="choice",
                            choices=["In person", "Phone", "Video"])
    AttributeValue.objects.bulk_create(
        AttributeValue(study=study, attribute=mode, transcript=t, choice=rng.choice(list(mode.choices.all())))
        for t in transcripts)
    analyze()
    return user, study, attributes, mode


def analyze():
    """Fresh statistics after the bulk inserts, as a live database keeps them (autovacuum)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def add_attributes(rng, study, people, first, count):
    attributes = [
        attribute_create(study=study, applies_to="participant", name=f"Attribute {i:02}", type=TYPES[i % 5],
                         choices=["A", "B", "C", "D", "E"] if TYPES[i % 5] == "choice" else ())
        for i in range(first, first + count)
    ]
    values = []
    for attribute in attributes:
        choices = list(attribute.choices.all())
        for person in people:
            value = random_value(rng, attribute.type, choices)
            values.append(AttributeValue(study=study, attribute=attribute, participant=person,
                                         **{attribute.type: value}))
    AttributeValue.objects.bulk_create(values, batch_size=5000)
    return attributes


def random_value(rng, kind, choices):
    if kind == "choice":
        return rng.choice(choices)
    if kind == "number":
        return Decimal(rng.randint(18, 80))
    if kind == "date":
        return datetime.date(2009, 1, 1) + datetime.timedelta(days=rng.randint(0, 300))
    if kind == "boolean":
        return rng.random() < 0.5
    return rng.choice(WORDS)


def timed(client, url, n=10):
    """Median and p95 wall time, and median CPU time of this process (SQLite's work included)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    samples, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18], statistics.median(cpu)


def count_queries(client, url):
    seen = []
    with connection.execute_wrapper(lambda execute, sql, *args: seen.append(sql) or execute(sql, *args)):
        client.get(url)
    return len(seen)


@override_settings(
    ALLOWED_HOSTS=["testserver"],
    STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
              "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
)
def main():
    rng = random.Random(2009)
    t0 = time.perf_counter()
    if "--reuse" in sys.argv[1:] and Study.objects.filter(slug="bench").exists():
        study = Study.objects.get(slug="bench")
        user = get_user_model().objects.get(username="bench")
        attributes = list(study.attributes.filter(applies_to="participant").order_by("pk")[:ATTRIBUTES])
        mode = study.attributes.get(applies_to="transcript", name="Mode")
    else:
        user, study, attributes, mode = build(rng)
    print(f"database: {connection.vendor}; built in {time.perf_counter() - t0:.0f} s: "
          f"{CodedExcerpt.objects.filter(study=study).count()} excerpts, {PARTICIPANTS} participants, "
          f"{ATTRIBUTES} participant attributes")
    client = Client()
    client.force_login(user)
    page = reverse("reports:attribute-crosstab", args=[study.slug])
    choice = next(a for a in attributes if a.type == "choice")
    number = next(a for a in attributes if a.type == "number")
    cases = [("by a choice attribute (5 groups)", f"?attribute=a{choice.pk}"),
             ("by a number in ranges 30, 45, 60", f"?attribute=a{number.pk}&ranges=30%2C45%2C60"),
             ("by a transcript attribute", f"?attribute=a{mode.pk}")]
    for label, query in cases:
        median, p95, cpu = timed(client, page + query)
        print(f"crosstab {label}: median {median:.0f} ms, p95 {p95:.0f} ms, CPU median {cpu:.0f} ms")
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if "--reuse" in sys.argv[1:]:
        return  # adding attributes would change the database measured next time
    before = count_queries(client, page + cases[0][1])
    add_attributes(rng, study, list(Participant.objects.filter(study=study)), ATTRIBUTES, ATTRIBUTES)
    after = count_queries(client, page + cases[0][1])
    print(f"queries: {before} with {ATTRIBUTES} attributes, {after} with {2 * ATTRIBUTES}")


if __name__ == "__main__":
    main()
