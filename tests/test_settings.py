"""pasto_coop/settings.py: strict env helpers, safe defaults, and a clean `check --deploy`.

Settings are read once per process, so each configuration runs `manage.py` in a subprocess.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pasto_coop.settings import envbool, envint, envlist

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every variable settings.py reads; the subprocess starts with none of them unless a test sets it.
SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "TIME_ZONE",
    "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE", "LOG_LEVEL", "TRUSTED_PROXIES", "DATABASE_PREPARED_STATEMENTS",
}


def production_env():
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "ALLOWED_HOSTS": "pasto.example.org",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_COOKIES": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
    }
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return env


def manage(*args, **env):
    # DJANGO_* too: conftest sets DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy flags as an
    # error (async.E001).
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_with_production_values():
    env = production_env()
    assert len(env["SECRET_KEY"]) == 60
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_it_fails_check_deploy_with_default_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="false")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012",
                    "security.W016"):
        assert warning in result.stderr


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("SECRET_KEY", "security.W009"),
        ("SECURE_SSL_REDIRECT", "security.W008"),
        ("SECURE_COOKIES", "security.W012"),
        ("SECURE_HSTS_SECONDS", "security.W004"),
        ("SECURE_HSTS_PRELOAD", "security.W021"),
    ],
)
def test_it_needs_each_production_value(name, missing):
    env = production_env()
    del env[name]
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_it_runs_with_no_environment_variables():
    result = manage("check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("prepared, options", [
    (None, "{'server_side_binding': True, 'prepare_threshold': 5}"), ("false", "{}")])
def test_it_prepares_postgresql_statements_unless_told_not_to(prepared, options):
    """PostgreSQL: server-side binding and statements prepared after five runs, off with
    DATABASE_PREPARED_STATEMENTS=false (a pooler that does not keep them); nothing on SQLite."""
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pasto_coop"}
    if prepared:
        env["DATABASE_PREPARED_STATEMENTS"] = prepared
    show = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    result = manage("shell", "-c", show, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == options
    result = manage("shell", "-c", show)
    assert "server_side_binding" not in result.stdout


def test_it_refuses_a_trusted_proxy_that_is_not_an_address():
    result = manage("check", TRUSTED_PROXIES="10.0.0.0/8,proxy.internal")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.internal' is not an address or network" in result.stderr


def test_it_refuses_to_start_with_a_vague_boolean():
    result = manage("check", DEBUG="yes")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be 'true' or 'false', not 'yes'" in result.stderr


@pytest.mark.parametrize("value", ["yes", "1", "on", "", "tru"])
def test_it_refuses_anything_but_true_or_false(monkeypatch, value):
    monkeypatch.setenv("PASTO_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="PASTO_TEST_FLAG"):
        envbool("PASTO_TEST_FLAG", "false")


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("false", False), (" TRUE ", True), ("False", False)]
)
def test_it_reads_true_and_false(monkeypatch, value, expected):
    monkeypatch.setenv("PASTO_TEST_FLAG", value)
    assert envbool("PASTO_TEST_FLAG", "yes") is expected


def test_it_falls_back_to_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("PASTO_TEST_FLAG", raising=False)
    assert envbool("PASTO_TEST_FLAG", "true") is True
    assert envint("PASTO_TEST_FLAG", "7") == 7
    assert envlist("PASTO_TEST_FLAG", "a, b,,") == ["a", "b"]


def test_it_refuses_a_number_that_is_not_whole(monkeypatch):
    monkeypatch.setenv("PASTO_TEST_NUMBER", "1.5")
    with pytest.raises(ImproperlyConfigured, match="PASTO_TEST_NUMBER"):
        envint("PASTO_TEST_NUMBER", "0")
