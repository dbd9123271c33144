"""The cast every test draws on, and the settings browser tests need.

Cast (healthchecks style): each user says what they may reach.
"""

import os
import tempfile
import threading
import time
from pathlib import Path

# Playwright's sync API keeps an event loop in the main thread; without this, creating the
# test database raises SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from audit.models import Change  # noqa: E402
from coding.models import AutoCodingRun, Theme  # noqa: E402
from coding.services import excerpt_create, excerpt_delete, theme_delete  # noqa: E402
from interviews.models import Attribute, Transcript, TranscriptSource  # noqa: E402
from memos.services import comment_create, memo_create, memo_delete  # noqa: E402
from studies import roles  # noqa: E402
from studies.models import Membership, Role, Study  # noqa: E402
from team.models import Adjudication, Assignment  # noqa: E402
from tests.participants import participant_make  # noqa: E402

CHROMIUM = "/usr/bin/chromium"

# A browser expectation waits up to 10 s, not Playwright's 5: on a loaded 2-core CI machine a
# save can take longer than 5 s to come back, and that is not the behaviour under test.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    # Manifest storage needs collectstatic; tests serve static files straight from the finders.
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        SECURE_SSL_REDIRECT=False,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jobs"},
                "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                             "LOCATION": "sessions"}},
        MEDIA_ROOT=str(Path(tempfile.gettempdir()) / f"pasto-coop-test-media-{os.getpid()}"),
    ):
        yield


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Spanish leaves Spanish active in this thread (LocaleMiddleware activates the
    language and nothing deactivates it); each test starts and ends in the default language."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _jobs_cache():
    """Job progress, cancel requests and notices live in a cache keyed by job id; ids repeat
    between tests (each rolls back), so each test starts with it empty. So does the sessions'
    cache (settings.SESSION_ENGINE is cached_db): a session read from it outlives the rows."""
    from django.core.cache import caches

    caches["jobs"].clear()
    caches["sessions"].clear()
    yield
    caches["jobs"].clear()
    caches["sessions"].clear()


@pytest.fixture
def run_jobs(db, monkeypatch, django_capture_on_commit_callbacks):
    """Run every queued job now, through django-tasks-db's own worker loop (what
    `manage.py db_worker --batch` runs), in this test's database. The loop closes stale
    connections as a request would; inside a test's transaction that would close the test's own
    (Django's test client skips it for the same reason). What a job does once its transaction
    commits (notices, removing its upload) runs as it would outside the test's transaction."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                   startup_delay=False, max_tasks=None, worker_id="test-worker",
                   excluded_queue_names=[]).run()

    return run


@pytest.fixture
def progress_reports(monkeypatch):
    """Every progress report a job makes, (done, total, message) in order, as it reaches the cache."""
    from jobs import progress as live

    reports, real = [], live.live_set

    def record(job_id, done, total, message):
        reports.append((done, total, str(message)))
        real(job_id, done, total, message)

    monkeypatch.setattr(live, "live_set", record)
    return reports


@pytest.fixture
def site_groups(db):
    """The site groups (Site admin, Study creator). A migration and post_migrate make them, but
    transactional tests flush every table, so make sure they are there."""
    roles.roles_sync(Group, Permission)
    return {g.name: g for g in Group.objects.filter(name__in=roles.GROUP_PERMISSIONS)}


@pytest.fixture
def study(db):
    """The study the cast works in."""
    return Study.objects.create(name="Pasto test study", slug="pasto", language="es")


@pytest.fixture
def other_study(db):
    """A second study, for isolation: only otto belongs to it."""
    return Study.objects.create(name="Other study", slug="other", language="en")


def _user(django_user_model, username, *, study=None, role=None, groups=(), **extra):
    user = django_user_model.objects.create_user(username=username, password="pw", **extra)
    if study is not None:
        Membership.objects.create(study=study, user=user, role=role)
    user.groups.add(*groups)
    return user


@pytest.fixture
def alice(django_user_model, study):
    """Researcher in `study`: reads everything pseudonymous, codes transcripts, manages themes."""
    return _user(django_user_model, "alice", study=study, role=Role.RESEARCHER)


@pytest.fixture
def bob(django_user_model, study):
    """Second researcher in `study` (co-coder): same rights as alice, different coder layer."""
    return _user(django_user_model, "bob", study=study, role=Role.RESEARCHER)


@pytest.fixture
def rita(django_user_model, study):
    """Reviewer in `study`: reads transcripts, excerpts and reports; every write is refused."""
    return _user(django_user_model, "rita", study=study, role=Role.REVIEWER)


@pytest.fixture
def adam(django_user_model, study, site_groups):
    """Owner of `study` and site admin (as the old Admin role became): manages members and
    participant records, sees identifying fields, manages user accounts."""
    return _user(django_user_model, "adam", study=study, role=Role.OWNER,
                 groups=[site_groups[roles.SITE_ADMIN]])


@pytest.fixture
def sam(django_user_model, site_groups):
    """Site admin who is a member of no study: manages accounts, sees no study's content."""
    return _user(django_user_model, "sam", groups=[site_groups[roles.SITE_ADMIN]])


@pytest.fixture
def steve(django_user_model, db):
    """Stranger: logged in, member of no study; sees an empty home page and nothing else."""
    return _user(django_user_model, "steve")


@pytest.fixture
def otto(django_user_model, other_study):
    """Owner of `other_study` only: every object of `study` is a 404 for him."""
    return _user(django_user_model, "otto", study=other_study, role=Role.OWNER)


# The cast's browsers ask for English, as the tests' expectations are English. Without an
# Accept-Language header a study's pages speak the study's language, Spanish for `study`
# (accounts/language.py); tests of that build their own Client().
BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en"}


def client_for(user, **headers):
    client = Client(**(BROWSER | headers))
    client.force_login(user)
    return client


@pytest.fixture
def client():
    """pytest-django's client, asking for English like the cast's (see BROWSER)."""
    return Client(**BROWSER)


@pytest.fixture
def participant(study):
    return participant_make(
        study=study,
        code="D",
        organisation="RET",
        sector="ngo",
        gender="male",
        full_name="Secret Realname",
        contact="secret@example.org",
        consent_given=True,
        consent_scope="quote_named",
    )


@pytest.fixture
def transcript(participant):
    return Transcript.objects.create(
        study=participant.study,
        participant=participant,
        title="Interview D",
        text="Interviewer: How did it start?\n\nD: With the youth office and gender work.",
    )


@pytest.fixture
def themes(study):
    parent = Theme.objects.create(study=study, name="Strategy themes", kind="strategy", colour="#444444")
    youth = Theme.objects.create(study=study, name="Youth", parent=parent, kind="strategy", colour="#fd7e14")
    gender = Theme.objects.create(study=study, name="Gender", parent=parent, kind="strategy",
                                  colour="#e64980")
    return {"parent": parent, "youth": youth, "gender": gender}


# ----- one of everything, for tests that walk every URL -----

@pytest.fixture
def cast(alice, rita, adam, steve, sam):
    """Who a route is tried as: a non-member, each study role, and a site admin who is not a
    member (`otto`, owner of another study, probes cross-study ids separately)."""
    return {"stranger": steve, "reviewer": rita, "owner": adam, "researcher": alice, "site_admin": sam}


def failed_job(study, user):
    """A job that has failed, with a result file (so every job route has something to act on)."""
    from django.core.files.base import ContentFile

    from jobs.models import Job

    job = Job.objects.create(study=study, started_by=user, kind="test", title="Make themes",
                             task_path="tests.jobs_tasks.make_themes_task", params={"count": 1},
                             idempotency_key="k", status="failed", error="It failed.")
    if study is not None:
        job.result_file.save("result.txt", ContentFile(b"result"))
    return job
def memo_objects(study, author, transcript, theme):
    """A memo, a deleted memo and a comment thread, for the memos routes."""
    memo = memo_create(study=study, author=author, title="Note", body="Words", transcripts=[transcript])
    deleted = memo_delete(memo=memo_create(study=study, author=author, title="Gone"), user=author)
    comment = comment_create(study=study, author=author, body="Why?", theme=theme)
    return {"memo": memo, "deleted_memo": deleted, "comment": comment}


@pytest.fixture
def objects(alice, bob, adam, steve, transcript, themes):
    """One of each object a URL can name (test_permission_matrix, test_browser_hostile_text)."""
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    gone = excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["gender"]], coder=bob)
    deleted_excerpt = excerpt_delete(excerpt=gone, user=bob)
    study = transcript.study
    spare = Theme.objects.create(study=study, name="Spare", parent=themes["parent"])
    deleted_theme = theme_delete(theme=Theme.objects.create(study=study, name="Old"), user=bob,
                                 codings="remove")
    run = AutoCodingRun.objects.create(study=study, query="youth", theme=themes["youth"], coder=alice)
    source = TranscriptSource.objects.create(
        transcript=transcript, name="d.txt", content_type="text/plain", format="txt", encoding="utf-8",
        size=3, sha256="0" * 64, data=b"abc",
    )
    trashed_study = Study.objects.create(name="Gone", slug="gone", deleted_at=timezone.now())
    attribute = Attribute.objects.create(study=study, applies_to="participant", name="Age", type="number")
    return {
        **memo_objects(study, alice, transcript, spare),
        "study": study, "membership": Membership.objects.get(study=study, user=bob),
        "trashed_study": trashed_study, "participant": transcript.participant, "transcript": transcript,
        "excerpt": excerpt, "theme": spare, "user": steve,
        "deleted_excerpt": deleted_excerpt, "deleted_theme": deleted_theme, "run": run,
        "source": source, "change": Change.objects.filter(model="coding.codedexcerpt",
                                                          object_id=str(excerpt.pk)).first(),
        "job": failed_job(study, alice), "site_job": failed_job(None, adam),
        "assignment": Assignment.objects.create(study=study, transcript=transcript, coder=alice),
        "adjudication": Adjudication.objects.create(study=study, transcript=transcript, theme=themes["youth"],
                                                    start=35, end=49, action="both", adjudicator=alice),
        "attribute": attribute,
    }



# ----- browser tests -----

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded one (`playwright install` cannot work here)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# The live server's requests in flight, by the thread serving each (request_finished is sent
# from the same thread, when the server closes the response). The test client's own requests
# (SERVER_NAME "testserver") are not counted.
_serving = set()
_serving_changed = threading.Condition()


def _live_request_started(sender, environ=None, **kwargs):
    if environ is not None and environ.get("SERVER_NAME") != "testserver":
        with _serving_changed:
            _serving.add(threading.get_ident())


def _live_request_finished(sender, **kwargs):
    with _serving_changed:
        _serving.discard(threading.get_ident())
        _serving_changed.notify_all()


request_started.connect(_live_request_started, dispatch_uid="tests-live-request-started")
request_finished.connect(_live_request_finished, dispatch_uid="tests-live-request-finished")


@pytest.fixture(autouse=True)
def _live_server_settles(request):
    """A browser test ends with its tab closed but perhaps a request of that tab still being
    served (a save the page fired, a fragment it fetched). The test's tables are then emptied
    (TRUNCATE, transactional_db's flush) while that request writes: on PostgreSQL the two can
    deadlock, the flush fails, and every later test finds the last one's rows. Set up after
    transactional_db (pytest-django's own autouse helper requests it first) and before the
    test's `page`, this waits, after the tab has closed, until the live server serves nothing."""
    yield
    if "live_server" not in request.fixturenames:
        return
    deadline = time.monotonic() + 30
    with _serving_changed:
        while _serving and time.monotonic() < deadline:
            _serving_changed.wait(0.1)
    assert not _serving, "the live server was still serving a request 30 s after the test"


@pytest.fixture
def login_page(page, live_server):
    """log_in(user) makes `page` a logged-in browser tab for that user."""

    def log_in(user):
        client = client_for(user)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        return page

    return log_in
