"""Script and HTML typed into any text field render as text on every page, in real Chromium:
no dialog fires and no element is injected."""

import pytest

from coding.models import Theme
from coding.services import excerpt_create
from interviews.models import Participant, Transcript, TranscriptSource
from jobs.models import Job
from studies.models import Study
from tests.conftest import client_for
from tests.participants import attributes_set
from tests.test_permission_matrix import MATRIX, url_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '"><img id=pwned src=x onerror=alert(1)><script id=pwned>alert(2)</script>'


def html_pages(user, role, objects):
    """The URL of every page the table lets `role` GET that answers HTML (downloads are left out:
    the browser would save them, not show them)."""
    client = client_for(user)
    for name, (needs, methods) in MATRIX.items():
        if methods.get("GET", {}).get(role) != 200:
            continue
        url = url_for(name, needs, objects, objects["study"].slug)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            yield name, url


@pytest.fixture
def hostile(alice, objects):
    transcript = objects["transcript"]
    Participant.objects.filter(pk=transcript.participant_id).update(notes=PAYLOAD, full_name=PAYLOAD)
    attributes_set(transcript.participant, organisation=PAYLOAD)  # an ordinary text attribute
    Transcript.objects.filter(pk=transcript.pk).update(title="T " + PAYLOAD)
    TranscriptSource.objects.filter(transcript=transcript).update(name=PAYLOAD + ".txt")
    Study.objects.filter(pk=objects["study"].pk).update(name="S " + PAYLOAD, description=PAYLOAD)
    theme = Theme.objects.create(study=objects["study"], name=PAYLOAD, description=PAYLOAD,
                                 inclusion_criteria=PAYLOAD)
    Job.objects.filter(pk=objects["job"].pk).update(title=PAYLOAD, error=PAYLOAD, message=PAYLOAD,
                                                    result={"lines": [PAYLOAD]})
    transcript.refresh_from_db()
    transcript.text = transcript.text + "\n\n" + PAYLOAD
    transcript.save()
    start = transcript.text.index(PAYLOAD)
    excerpt_create(transcript=transcript, start=start, end=start + len(PAYLOAD), themes=[theme],
                   coder=alice, memo=PAYLOAD)
    return objects


@pytest.mark.parametrize("role", ["researcher", "owner"])
def test_no_page_runs_or_injects_typed_markup(role, cast, hostile, login_page, live_server):
    page = login_page(cast[role])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visited = 0
    for name, url in list(html_pages(cast[role], role, hostile)):
        page.goto(live_server.url + url)
        assert page.locator("#pwned").count() == 0, name
        visited += 1
    assert dialogs == []
    assert visited > 10
    # and the markup is shown as the text it is
    page.goto(live_server.url + hostile["transcript"].get_absolute_url())
    assert PAYLOAD in page.locator("#transcript-text").inner_text()
