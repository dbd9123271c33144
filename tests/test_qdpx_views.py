"""The Exchange page, the .qdpx download and the import upload (exchange/views.py)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from interviews.models import Participant, Transcript
from tests.conftest import client_for
from tests.test_qdpx_export import validate_strict
from tests.test_qdpx_import import CODES, USERS, coding, g, project, qdpx, selection, source

PAGE = reverse("exchange:exchange")
EXPORT = reverse("exchange:study-export")
IMPORT = reverse("exchange:study-import")


def upload(name="other-tool.qdpx", body=None, files=None):
    body = body or USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12)))
    files = files if files is not None else {f"sources/{g(20)}.txt": "alpha beta"}
    return SimpleUploadedFile(name, qdpx(project(body, origin="NVivo 14"), files).getvalue())


def rows():
    return [m.objects.count() for m in (Theme, Participant, Transcript, CodedExcerpt)]


# ----- the page -----

@pytest.mark.parametrize("user", ["alice", "adam"])
def test_it_shows_export_and_import_to_researchers_and_admins(request, user):
    response = client_for(request.getfixturevalue(user)).get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert EXPORT in content and IMPORT in content
    assert 'enctype="multipart/form-data"' in content


@pytest.mark.parametrize("user", ["rita", "steve"])
def test_it_forbids_reviewers_and_strangers_the_page(request, user):
    assert client_for(request.getfixturevalue(user)).get(PAGE).status_code == 403


def test_it_sends_anonymous_users_to_login(db, client):
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(IMPORT).status_code == 302


def test_it_links_the_page_from_the_menu_for_researchers_only(alice, rita):
    assert PAGE in client_for(alice).get(reverse("home")).content.decode()
    assert PAGE not in client_for(rita).get(reverse("home")).content.decode()


def test_it_runs_a_fixed_number_of_queries_for_the_page(alice, django_assert_num_queries):
    """The page reads nothing per row; this guards against it starting to."""
    client = client_for(alice)
    # session, user, user permissions, group permissions
    with django_assert_num_queries(4):
        client.get(PAGE)


# ----- export -----

@pytest.mark.parametrize("user", ["alice", "adam"])
def test_it_downloads_the_study_as_a_valid_qdpx(request, user, transcript, themes, tmp_path):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]],
                   coder=request.getfixturevalue("bob"))
    response = client_for(request.getfixturevalue(user)).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="pasto-coop-study-')
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"Secret Realname" not in archive.read("project.qde")
        assert transcript.text.encode() in [archive.read(n) for n in archive.namelist()]
    validate_strict(data, tmp_path)


@pytest.mark.parametrize("user", ["rita", "steve"])
def test_it_forbids_reviewers_and_strangers_the_export(request, user, transcript):
    assert client_for(request.getfixturevalue(user)).get(EXPORT).status_code == 403


@pytest.mark.parametrize("transcripts", [1, 4])
def test_it_exports_in_a_fixed_number_of_queries(alice, participant, themes, transcripts,
                                                  django_assert_num_queries):
    """Guards against an N+1 over transcripts or excerpts in the download."""
    for i in range(transcripts):
        t = Transcript.objects.create(participant=participant, title=f"T{i}", text="Some words here")
        excerpt_create(transcript=t, start=0, end=4, themes=[themes["youth"]], coder=alice)
    client = client_for(alice)
    # session, user, user permissions, group permissions; then the export's six reads (themes,
    # participants, excerpt-theme links, excerpts, transcripts, coders)
    with django_assert_num_queries(10):
        b"".join(client.get(EXPORT).streaming_content)


# ----- import -----

@pytest.mark.parametrize("user", ["alice", "adam"])
def test_it_imports_an_upload_and_shows_the_report(request, user):
    importer = request.getfixturevalue(user)
    response = client_for(importer).post(IMPORT, {"file": upload()})
    assert response.status_code == 200
    content = response.content.decode()
    assert "What the import of other-tool.qdpx did" in content
    assert "3 themes" in content and "1 excerpt<" in content and "1 participant<" in content
    assert 'id="report-unmapped"' in content and "no sector" in content
    transcript = Transcript.objects.get()
    assert transcript.created_by == importer
    assert CodedExcerpt.objects.get().quote == "alpha"


@pytest.mark.parametrize("user", ["rita", "steve"])
def test_it_forbids_reviewers_and_strangers_an_import_and_saves_nothing(request, user):
    response = client_for(request.getfixturevalue(user)).post(IMPORT, {"file": upload()})
    assert response.status_code == 403
    assert rows() == [0, 0, 0, 0]


def test_it_refuses_a_broken_file_with_a_message_and_saves_nothing(alice):
    broken = SimpleUploadedFile("broken.qdpx", qdpx("<Project><CodeBook>").getvalue())
    response = client_for(alice).post(IMPORT, {"file": broken})
    assert response.status_code == 400
    assert "The XML could not be read safely" in response.content.decode()
    assert "Nothing was imported." in response.content.decode()
    assert rows() == [0, 0, 0, 0]


def test_it_refuses_a_file_of_another_kind(alice):
    response = client_for(alice).post(IMPORT, {"file": SimpleUploadedFile("notes.docx", b"PK")})
    assert response.status_code == 400
    assert "Choose a .qdpx project or a .qdc codebook file." in response.content.decode()


def test_it_asks_for_a_file(alice):
    response = client_for(alice).post(IMPORT, {})
    assert response.status_code == 400
    assert rows() == [0, 0, 0, 0]


def test_it_only_imports_on_post(alice):
    assert client_for(alice).get(IMPORT).status_code == 405
