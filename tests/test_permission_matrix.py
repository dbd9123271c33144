"""Every URL pattern, requested as each of five users, against a declared table of what each
role may do. A view with no entry in the table fails `test_every_view_is_in_the_table`.

Roles, in the order the request loop uses (the researcher last, so a write that succeeds for
them does not hide what the others would have met):
    anonymous, stranger (logged in, no role), reviewer, admin, researcher.

A status in the table is what that role gets from a GET, or from a POST with an empty body.
An empty POST to a write view shows the permission check without changing anything: 403 for a
role that may not write, 400 (the form's message) or a redirect for one that may. The Django
admin (namespace "admin") has its own permission system and its own tests
(test_admin_participants.py); the password-reset flow is Django's and reachable by anyone.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import client_for

ROLES = ("anonymous", "stranger", "reviewer", "admin", "researcher")
LOGIN = "login"  # a redirect to the login page
EXCLUDED_NAMESPACES = {"admin"}


def everyone(status):
    return dict.fromkeys(ROLES, status)


def roles(anonymous=LOGIN, stranger=403, reviewer=403, admin=403, researcher=403):
    return {"anonymous": anonymous, "stranger": stranger, "reviewer": reviewer, "admin": admin,
            "researcher": researcher}


READERS = roles(reviewer=200, admin=200, researcher=200)
ADMINS = roles(admin=200)
RESEARCHERS = roles(researcher=200)
TRANSCRIPT_EDITORS = roles(admin=200, researcher=200)  # researchers and admins bring text in
POST_ONLY = roles(stranger=405, reviewer=405, admin=405, researcher=405)

# route name -> (object the URL needs, {method: {role: status}})
MATRIX = {
    "home": (None, {"GET": roles(stranger=200, reviewer=200, admin=200, researcher=200)}),
    "login": (None, {"GET": everyone(200), "POST": everyone(200)}),
    "logout": (None, {"POST": everyone(LOGIN)}),
    "password_change": (None, {"GET": roles(stranger=200, reviewer=200, admin=200, researcher=200)}),
    "password_change_done": (None, {"GET": roles(stranger=200, reviewer=200, admin=200, researcher=200)}),
    "password_reset": (None, {"GET": everyone(200)}),
    "password_reset_done": (None, {"GET": everyone(200)}),
    "password_reset_confirm": ("reset", {"GET": everyone(200)}),
    "password_reset_complete": (None, {"GET": everyone(200)}),
    "javascript-catalog": (None, {"GET": everyone(200)}),
    # accounts
    "accounts:user-list": (None, {"GET": ADMINS}),
    "accounts:user-create": (None, {"GET": ADMINS, "POST": roles(admin=400)}),
    "accounts:user-update": ("user", {"GET": ADMINS, "POST": roles(admin=302)}),
    # audit
    "audit:history-log": (None, {"GET": ADMINS}),
    "audit:excerpt-history": ("excerpt", {"GET": READERS}),
    "audit:excerpt-revert": ("change", {"POST": roles(researcher=302)}),
    "audit:trash": (None, {"GET": RESEARCHERS}),
    # interviews
    "interviews:transcript-list": (None, {"GET": READERS}),
    "interviews:transcript-upload": (None, {"GET": TRANSCRIPT_EDITORS,
                                            "POST": roles(admin=400, researcher=400)}),
    "interviews:transcripts-anonymise": (None, {"GET": TRANSCRIPT_EDITORS,
                                                "POST": roles(admin=400, researcher=400)}),
    "interviews:transcript-review": ("transcript", {"GET": READERS}),
    "interviews:transcript-text-edit": ("transcript", {"GET": TRANSCRIPT_EDITORS,
                                                       "POST": roles(admin=400, researcher=400)}),
    "interviews:transcript-anonymise": ("transcript", {"GET": TRANSCRIPT_EDITORS,
                                                       "POST": roles(admin=400, researcher=400)}),
    # the original file may hold names anonymised since: admins only
    "interviews:transcript-source": ("source", {"GET": ADMINS}),
    "interviews:excerpt-review-accept": ("excerpt", {"GET": POST_ONLY, "POST": roles(researcher=302)}),
    # coding: the coding page and excerpt writes
    "coding:transcript-coding": ("transcript", {"GET": READERS}),
    "coding:excerpt-create": ("transcript", {"GET": POST_ONLY, "POST": roles(researcher=302)}),
    "coding:excerpt-update": ("excerpt", {"GET": POST_ONLY, "POST": roles(researcher=302)}),
    "coding:excerpt-delete": ("excerpt", {"GET": POST_ONLY, "POST": roles(researcher=302)}),
    "coding:excerpt-restore": ("deleted_excerpt", {"GET": POST_ONLY, "POST": roles(researcher=302)}),
    "coding:theme-create": (None, {"GET": POST_ONLY, "POST": roles(researcher=400)}),
    "coding:transcript-excerpts": ("transcript", {"GET": roles(reviewer=400, admin=400, researcher=400)}),
    "coding:speaker-code": ("transcript", {"GET": POST_ONLY, "POST": roles(researcher=400)}),
    # codebook
    "coding:codebook": (None, {"GET": READERS}),
    "coding:codebook-export-qdc": (None, {"GET": READERS}),
    "coding:codebook-export-csv": (None, {"GET": READERS}),
    "coding:codebook-import": (None, {"GET": RESEARCHERS, "POST": roles(researcher=400)}),
    "coding:codebook-theme-create": (None, {"GET": RESEARCHERS, "POST": roles(researcher=400)}),
    "coding:theme-update": ("theme", {"GET": RESEARCHERS, "POST": roles(researcher=400)}),
    "coding:theme-move": ("theme", {"GET": POST_ONLY, "POST": roles(researcher=400)}),
    "coding:theme-merge": ("theme", {"GET": RESEARCHERS, "POST": roles(researcher=400)}),
    "coding:theme-split": ("theme", {"GET": RESEARCHERS, "POST": roles(researcher=400)}),
    "coding:theme-delete": ("theme", {"GET": RESEARCHERS, "POST": roles(researcher=302)}),
    "coding:theme-restore": ("deleted_theme", {"GET": POST_ONLY, "POST": roles(researcher=302)}),
    # browse, search, reports
    "coding:excerpt-browser": (None, {"GET": READERS}),
    "coding:excerpt-export-csv": (None, {"GET": READERS}),
    "coding:search": (None, {"GET": READERS}),
    "coding:auto-code": (None, {"GET": POST_ONLY, "POST": roles(researcher=400)}),
    "coding:auto-coding-undo": ("run", {"GET": POST_ONLY, "POST": roles(researcher=302)}),
    "coding:theme-report": ("theme", {"GET": READERS}),
    "coding:theme-report-docx": ("theme", {"GET": READERS}),
    "coding:theme-report-xlsx": ("theme", {"GET": READERS}),
    "coding:theme-report-csv": ("theme", {"GET": READERS}),
    "coding:study-overview": (None, {"GET": READERS}),
    "coding:theme-matrix": (None, {"GET": READERS}),
    "coding:theme-cooccurrence": (None, {"GET": READERS}),
    # REFI-QDA exchange: whole-study copies, for the roles that bring data in and keep it
    "exchange:exchange": (None, {"GET": TRANSCRIPT_EDITORS}),
    "exchange:study-export": (None, {"GET": TRANSCRIPT_EDITORS}),
    "exchange:study-import": (None, {"GET": POST_ONLY, "POST": roles(admin=400, researcher=400)}),
}


def walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            nested = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from walk(pattern.url_patterns, nested)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


def test_every_view_is_in_the_table():
    missing = [name for name in ROUTES if name not in MATRIX]
    assert not missing, f"add these views to MATRIX in {__file__}: {missing}"
    stale = [name for name in MATRIX if name not in ROUTES]
    assert not stale, f"these MATRIX entries name no view: {stale}"


def url_for(name, needs, objects):
    if needs is None:
        return reverse(name)
    if needs == "reset":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    if needs == "change":
        change = objects["change"]
        return reverse(name, kwargs={"pk": change.object_id, "change_pk": change.pk})
    if needs == "source":
        return reverse(name, args=[objects["source"].transcript_id])
    return reverse(name, args=[objects[needs].pk])


def observed(status_code, response):
    if status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return status_code


@pytest.mark.parametrize("name", ROUTES)
def test_each_role_gets_what_the_table_declares(name, cast, objects):
    needs, methods = MATRIX[name]
    got, want = {}, {}
    for method, expected in methods.items():
        for role in ROLES:
            client = client_for(cast[role]) if role != "anonymous" else Client()
            url = url_for(name, needs, objects)
            response = client.get(url) if method == "GET" else client.post(url, {})
            got[(method, role)] = observed(response.status_code, response)
            want[(method, role)] = expected[role]
    assert got == want
