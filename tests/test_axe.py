"""axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) over every page, as each study role.

The pages come from `tests/test_permission_matrix.py`'s route table: every GET route the role is
declared to reach with a 200 and that answers HTML (downloads and JSON are left out), so a new
page is checked as soon as it is added to the table. One browser context per role, logged in
once; each page is loaded and axe runs on it as it first appears. Any violation fails, with
axe's report of which element breaks which rule.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import client_for
from tests.test_permission_matrix import MATRIX, url_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
AXE = Axe()


def html_pages(role, objects, client):
    """(route name, url) of every page `role` may GET that answers HTML."""
    for name, (needs, methods) in sorted(MATRIX.items()):
        if methods.get("GET", {}).get(role) != 200:
            continue
        url = url_for(name, needs, objects, objects["study"].slug)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            yield name, url


def violations(page):
    results = AXE.run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else ""


@pytest.mark.parametrize("role", ["owner", "researcher", "reviewer"])
def test_every_page_passes_axe(role, cast, objects, login_page, live_server):
    user = cast[role]
    page = login_page(user)
    pages = list(html_pages(role, objects, client_for(user)))
    assert len(pages) > 20  # the table, not an accident of the filter, decides what is checked
    failures = {}
    for name, url in pages:
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        report = violations(page)
        if report:
            failures[f"{name} {url}"] = report
    assert not failures, "\n\n".join(f"== {where}\n{report}" for where, report in failures.items())


def test_the_login_page_passes_axe(page, live_server, db):
    page.goto(live_server.url + "/accounts/login/")
    assert violations(page) == ""
