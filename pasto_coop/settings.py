"""pasto-coop settings: every value that differs between machines comes from the environment.

It runs with no environment variables set (a local SQLite study under var/). The README lists
every variable; `manage.py check --deploy` is clean once the production ones are set.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def envbool(name, default):
    value = os.environ.get(name, default).strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}")
    return value == "true"


def envint(name, default):
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")
# The default key is for local use only; check --deploy flags it (W009) until SECRET_KEY is set.
SECRET_KEY = env("SECRET_KEY", "django-insecure-local-only-pasto-coop-do-not-deploy")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "studies",
    "jobs",
    "interviews",
    "audit",
    "coding",
    "team",
    "memos",
    "reports",
    "exchange",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pasto_coop.middleware.security_headers",
    "pasto_coop.middleware.reject_invalid_utf8",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware and the user: the account's language preference wins (README, "Languages").
    "accounts.language.user_language_middleware",
    "audit.context.current_user_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pasto_coop.urls"
WSGI_APPLICATION = "pasto_coop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studies.context_processors.study",
                "jobs.context_processors.job_notices",
                "accounts.context_processors.language_switch",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'pasto_coop.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # WAL lets readers work while one coder writes; IMMEDIATE takes the write lock at BEGIN, so
    # a second writer waits up to `timeout` seconds instead of failing with "database is locked".
    # Connections are kept (CONN_MAX_AGE above), as on PostgreSQL: opening one, with these
    # pragmas and the functions coding.models registers, cost 1 ms of CPU on every request. An
    # idle connection in autocommit holds no lock and no snapshot.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if POSTGRESQL and envbool("DATABASE_PREPARED_STATEMENTS", "true"):
    # Values sent apart from the query (server-side binding), and each query psycopg has run
    # five times on a connection prepared there: PostgreSQL then stops parsing and, after its
    # own first custom plans, planning the queries every page repeats (the user, the
    # membership, a page's query): 4.9 -> 3.3 ms of its CPU a page of the excerpt browser at
    # 100,000 excerpts. Set DATABASE_PREPARED_STATEMENTS=false behind a pooler in transaction
    # mode that does not keep prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's, with the user's profile (their language) read in the same query as the user.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins allowed per username and per address within the window (seconds).
LOGIN_FAILURES_PER_USER = envint("LOGIN_FAILURES_PER_USER", "5")
LOGIN_FAILURES_PER_IP = envint("LOGIN_FAILURES_PER_IP", "20")
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", "900")
# Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed. Empty: the limit
# counts REMOTE_ADDR only and the header is ignored.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network") from None
# The limit is checked in authentication itself, so the admin's login is limited too.
# The login limit and the profile read with the user (accounts.backends).
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# What the language switch offers: each language named in itself, whatever the page's language.
LANGUAGE_AUTONYMS = {"en": "English", "es": "Español"}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "America/Bogota")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads a background job works from, and the files it makes (a .qdpx export). Workers on other
# machines need this folder shared (README, "Background jobs").
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"  # never served directly: job files go through an access-checked view

# Background jobs (jobs app): Django's Tasks API (the django-tasks backport). The database
# backend is the default, so nothing else needs running but `manage.py db_worker` (make run
# starts one). TASKS_BACKEND=rq picks RQ on Redis (pip install django-tasks-rq; REDIS_URL).
if env("TASKS_BACKEND", "database") == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": env("REDIS_URL", "redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif env("TASKS_BACKEND", "database") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'rq'")
# Live progress, cancel requests and finished-job notices (jobs.progress): a file cache shared by
# the server and the workers of one machine; REDIS_URL makes it Redis, for workers on several.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "jobs": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
        if env("REDIS_URL") else
        {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
         "LOCATION": env("JOBS_CACHE_DIR", str(BASE_DIR / "var" / "jobs-cache"))}
    ),
}
JOBS_CACHE = "jobs"
# Sessions are read from a cache every worker shares (a file cache, or Redis with REDIS_URL) and
# written through to the database (cached_db): a page costs no session query, and a logout, which
# deletes the session from both, ends it for every worker at once. A per-process cache would not
# do: another worker would go on accepting a session logged out elsewhere.
CACHES["sessions"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL"),
     "KEY_PREFIX": "sessions"}
    if env("REDIS_URL") else
    {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
     "LOCATION": env("SESSIONS_CACHE_DIR", str(BASE_DIR / "var" / "sessions-cache")),
     # culling (a third of the entries, at random) only sends a session back to the database
     "OPTIONS": {"MAX_ENTRIES": 20_000}}
)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
# A running job whose worker has not reported for this long (seconds) is taken as lost and marked
# failed (a worker on this machine is checked directly: its process is gone).
JOBS_STALE_SECONDS = envint("JOBS_STALE_SECONDS", "600")
# Below these sizes the work stays in the request (it takes well under a second); above them it
# becomes a background job with a progress bar.
JOBS_INLINE_LIMITS = {
    "qdpx_import_bytes": envint("JOBS_INLINE_QDPX_BYTES", str(1024 * 1024)),
    "theme_merge_codings": envint("JOBS_INLINE_MERGE_CODINGS", "300"),
    "auto_code_hits": envint("JOBS_INLINE_AUTO_CODE_HITS", "100"),
    "report_quotes": envint("JOBS_INLINE_REPORT_QUOTES", "2000"),
    # a transcript upload: its good files, and their bytes in all
    "upload_files": envint("JOBS_INLINE_UPLOAD_FILES", "10"),
    "upload_bytes": envint("JOBS_INLINE_UPLOAD_BYTES", str(2 * 1024 * 1024)),
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS. Off by default for local runs; production turns each on (README, "Production").
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The language switch's cookie (accounts.views.language_set): scripts never read it.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
if env("SECURE_PROXY_SSL_HEADER"):
    # For a TLS-terminating proxy that sets e.g. X-Forwarded-Proto: https.
    SECURE_PROXY_SSL_HEADER = (env("SECURE_PROXY_SSL_HEADER"), "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))

# Transcript import: the largest file (or pasted text) accepted, in MB. Pasted text arrives as a
# form field, so the non-file part of a request may be that large too.
MAX_UPLOAD_MB = envint("MAX_UPLOAD_MB", "10")
DATA_UPLOAD_MAX_MEMORY_SIZE = (MAX_UPLOAD_MB + 1) * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
