"""Imports point downward only: each app may import the apps below it, never one above it.

studies ← interviews ← coding ← team, memos ← reports ← exchange, audit; accounts and jobs sit
beside studies and use only it (every app may use jobs); demo sits on top. A module that imports
upward (at the top or inside a function) fails here with its line."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

# Each app and the project apps it may import.
ALLOWED = {
    "studies": set(),
    "jobs": {"studies"},
    "accounts": {"studies"},
    "interviews": {"studies", "jobs"},
    "coding": {"studies", "interviews", "jobs"},
    "team": {"studies", "interviews", "coding", "jobs"},
    "memos": {"studies", "interviews", "coding", "jobs"},
    "reports": {"studies", "interviews", "coding", "team", "memos", "jobs"},
    "exchange": {"studies", "interviews", "coding", "team", "memos", "jobs"},
    "audit": {"studies", "interviews", "coding", "team", "memos", "jobs"},
    "demo": {"studies", "interviews", "coding", "accounts", "jobs"},
}
PROJECT = set(ALLOWED) | {"pasto_coop"}


def imported_apps(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in PROJECT:
                yield top, node.lineno


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_layers_below_it(app):
    base = Path(settings.BASE_DIR) / app
    wrong = [
        f"{path.relative_to(base.parent)}:{line} imports {top}"
        for path in sorted(base.rglob("*.py"))
        if "migrations" not in path.parts
        for top, line in imported_apps(path)
        if top != app and top not in ALLOWED[app]
    ]
    assert wrong == []


@pytest.mark.parametrize("app", [
    "studies", "jobs", "accounts", "interviews", "coding", "team", "memos", "reports",
])
def test_no_app_dodges_the_rule_with_get_model(app):
    base = Path(settings.BASE_DIR) / app
    dodges = [
        str(path.relative_to(base.parent))
        for path in sorted(base.rglob("*.py"))
        if "migrations" not in path.parts and "get_model(" in path.read_text()
    ]
    assert dodges == []
