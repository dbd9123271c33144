"""Imports point downward only: each app may import the apps below it, never one above it.

studies ← interviews ← coding ← memos ← reports, exchange, audit; accounts sits beside studies and
uses only it; demo sits on top. A module that imports upward (at the top or inside a function)
fails here with its line."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

# Each app and the project apps it may import.
ALLOWED = {
    "studies": set(),
    "accounts": {"studies"},
    "interviews": {"studies"},
    "coding": {"studies", "interviews"},
    "memos": {"studies", "interviews", "coding"},
    "reports": {"studies", "interviews", "coding", "memos"},
    "exchange": {"studies", "interviews", "coding", "memos"},
    "audit": {"studies", "interviews", "coding", "memos"},
    "demo": {"studies", "interviews", "coding", "accounts"},
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


@pytest.mark.parametrize("app", ["studies", "accounts", "interviews", "coding", "memos", "reports"])
def test_no_app_dodges_the_rule_with_get_model(app):
    base = Path(settings.BASE_DIR) / app
    dodges = [
        str(path.relative_to(base.parent))
        for path in sorted(base.rglob("*.py"))
        if "migrations" not in path.parts and "get_model(" in path.read_text()
    ]
    assert dodges == []
