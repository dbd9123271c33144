"""Benchmark: the classification sheet of 1,000 participants × 30 attributes.

    .venv/bin/python bench/classification.py

Builds a fresh SQLite study in var/bench_classification.sqlite3 (set DATABASE_URL to use
another database; it is emptied first): 1,000 participants and 30 participant attributes of
every type (text, number, date, yes/no, a choice of five), every cell filled (30,000 values).
Then it measures, in this process, through Django's full request stack as a researcher:
- the sheet page (GET), median and p95 over 20 requests after one warm-up, its query count
  and the size of its HTML;
- the same page sorted by a choice column and filtered by a number range;
- the XLSX export of the whole sheet, median over 5.
The budget is 300 ms for the page on the server.
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_classification.sqlite3'}")
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

from interviews.models import AttributeValue, Participant  # noqa: E402
from interviews.services import attribute_create  # noqa: E402
from studies.models import Membership, Role, Study  # noqa: E402

PARTICIPANTS = 1_000
ATTRIBUTES = 30
TYPES = ["text", "number", "date", "boolean", "choice"]
CHOICES = ["Displaced", "Receiving", "Returned", "Mixed", "Unknown"]


def make_study(rng):
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.DATABASES["default"]["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    study = Study.objects.create(name="Bench", slug="bench", language="es")
    Membership.objects.create(study=study, user=user, role=Role.RESEARCHER)
    attributes = [
        attribute_create(study=study, applies_to="participant", name=f"Attribute {i:02}", type=TYPES[i % 5],
                         choices=CHOICES if TYPES[i % 5] == "choice" else ())
        for i in range(ATTRIBUTES)
    ]
    people = Participant.objects.bulk_create(
        Participant(study=study, code=f"P{i:04}") for i in range(PARTICIPANTS))
    rows = []
    for person in people:
        for attribute in attributes:
            value = {"study_id": study.pk, "attribute": attribute, "participant": person}
            kind = attribute.type
            if kind == "text":
                words = ["mayor", "office", "youth", "<b>", "área"]
                value["text"] = " ".join(rng.choice(words) for _ in range(3))
            elif kind == "number":
                value["number"] = Decimal(rng.randint(18, 90))
            elif kind == "date":
                value["date"] = datetime.date(2009, 1, 1) + datetime.timedelta(days=rng.randint(0, 700))
            elif kind == "boolean":
                value["boolean"] = rng.random() < 0.5
            else:
                value["choice"] = rng.choice(list(attribute.choices.all()))
            rows.append(AttributeValue(**value))
    AttributeValue.objects.bulk_create(rows, batch_size=2000)
    return user, study, attributes


def timed(fn, n):
    samples, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18], statistics.median(cpu)


@override_settings(
    ALLOWED_HOSTS=["testserver"],
    STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
              "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
)
def main():
    rng = random.Random(12)
    user, study, attributes = make_study(rng)
    client = Client()
    client.force_login(user)
    page = reverse("interviews:participant-sheet", args=[study.slug])
    response = client.get(page)
    assert response.status_code == 200 and response.content.count(b"<tr data-o=") == PARTICIPANTS
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        client.get(page)
    median, p95, cpu = timed(lambda: client.get(page), 20)
    print(f"database: {connection.vendor}; {PARTICIPANTS} participants × {ATTRIBUTES} attributes")
    print(f"sheet page: median {median:.0f} ms, p95 {p95:.0f} ms, CPU {cpu:.0f} ms, "
          f"{len(queries)} queries, {len(response.content) / 1e6:.1f} MB of HTML")
    choice = next(a for a in attributes if a.type == "choice")
    number = next(a for a in attributes if a.type == "number")
    query = f"?sort=a{choice.pk}&f_a{number.pk}=30..60"
    median, p95, cpu = timed(lambda: client.get(page + query), 20)
    print(f"sorted by a choice, filtered by a number range: median {median:.0f} ms, p95 {p95:.0f} ms")
    xlsx = reverse("interviews:participant-sheet-export-xlsx", args=[study.slug])
    median, _p95, _cpu = timed(lambda: client.get(xlsx), 5)
    print(f"XLSX export: median {median:.0f} ms")
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
