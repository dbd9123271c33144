"""A study's Exchange page and its .qdpx download; the site-level import page, where a file
becomes a new study (exchange/views.py)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from interviews.models import Participant, Transcript
from studies import roles
from studies.models import Role, Study
from tests.conftest import client_for
from tests.participants import participant_make
from tests.test_qdpx_export import validate_strict
from tests.test_qdpx_import import CODES, USERS, coding, g, project, qdpx, selection, source, study_rows

PAGE = reverse("exchange:exchange", args=["pasto"])
EXPORT = reverse("exchange:study-export", args=["pasto"])
IMPORT = reverse("exchange-import:study-import")


def upload(name="other-tool.qdpx", body=None, files=None):
    body = body or USERS + CODES + source(20, selection(30, 0, 5, coding(40, 12)))
    files = files if files is not None else {f"sources/{g(20)}.txt": "alpha beta"}
    return SimpleUploadedFile(name, qdpx(project(body, origin="NVivo 14"), files).getvalue())


def rows():
    return [m.objects.count() for m in (Study, Theme, Participant, Transcript, CodedExcerpt)]


@pytest.fixture
def creator(alice, site_groups):
    """alice, a researcher in `study`, who may also create studies."""
    alice.groups.add(site_groups[roles.STUDY_CREATOR])
    return alice


# ----- the study's page -----

@pytest.mark.parametrize("user", ["alice", "adam"])
def test_it_shows_the_export_to_researchers_and_owners(request, user):
    response = client_for(request.getfixturevalue(user)).get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert EXPORT in content
    assert "Pasto test study" in content


def test_it_links_the_import_for_those_who_may_create_studies_only(alice, adam):
    assert IMPORT not in client_for(alice).get(PAGE).content.decode()
    assert IMPORT in client_for(adam).get(PAGE).content.decode()  # site admins may create studies


def test_it_forbids_reviewers_the_page(rita):
    assert client_for(rita).get(PAGE).status_code == 403


@pytest.mark.parametrize("user", ["steve", "sam", "otto"])
def test_it_hides_the_page_from_non_members(request, user, study):
    assert client_for(request.getfixturevalue(user)).get(PAGE).status_code == 404


def test_it_sends_anonymous_users_to_login(study, client):
    for url in (PAGE, EXPORT, IMPORT):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(IMPORT).status_code == 302


def test_it_runs_a_fixed_number_of_queries_for_the_page(alice, django_assert_num_queries):
    """The page reads nothing per row; this guards against it starting to."""
    client = client_for(alice)
    # user, membership with its study; the participants withheld for consent
    with django_assert_num_queries(3):
        client.get(PAGE)


# ----- export -----

@pytest.mark.parametrize("user", ["alice", "adam"])
def test_it_downloads_the_study_as_a_valid_qdpx(request, user, transcript, themes, tmp_path):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]],
                   coder=request.getfixturevalue("bob"))
    response = client_for(request.getfixturevalue(user)).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="pasto-')
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"Secret Realname" not in archive.read("project.qde")
        assert transcript.text.encode() in [archive.read(n) for n in archive.namelist()]
    validate_strict(data, tmp_path)


def test_it_exports_an_archived_study(alice, study, transcript):
    study.archived_at = "2026-01-01T00:00Z"
    study.save()
    assert client_for(alice).get(EXPORT).status_code == 200


def test_it_forbids_reviewers_the_export(rita, transcript):
    assert client_for(rita).get(EXPORT).status_code == 403


@pytest.mark.parametrize("user", ["steve", "sam", "otto"])
def test_it_hides_the_export_from_non_members(request, user, transcript):
    """otto owns another study: this study's export is a 404 for him, never its data."""
    assert client_for(request.getfixturevalue(user)).get(EXPORT).status_code == 404


def test_it_exports_only_the_study_in_the_address(alice, transcript, themes, other_study, otto):
    excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    p = participant_make(study=other_study, code="Z", sector="ngo", gender="male",
                                   consent_given=True)
    Transcript.objects.create(study=other_study, participant=p, title="Otto's", text="Only in other.")
    response = client_for(otto).get(reverse("exchange:study-export", args=["other"]))
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert b"Only in other." in everything
    assert transcript.text.encode() not in everything and b"Youth" not in everything


@pytest.mark.parametrize("transcripts", [1, 4])
@pytest.mark.parametrize("studies", [1, 3])
def test_it_exports_in_a_fixed_number_of_queries(alice, participant, themes, transcripts, studies,
                                                  django_assert_num_queries):
    """Guards against an N+1 over transcripts, excerpts or studies in the download."""
    for i in range(transcripts):
        t = Transcript.objects.create(study=participant.study, participant=participant, title=f"T{i}",
                                      text="Some words here")
        excerpt_create(transcript=t, start=0, end=4, themes=[themes["youth"]], coder=alice)
    for i in range(studies - 1):
        Study.objects.create(name=f"S{i}", slug=f"s{i}").memberships.create(user=alice, role=Role.OWNER)
    client = client_for(alice)
    # user, membership with its study; then the export's ten reads (themes,
    # participants, attributes, their choices, attribute values, excerpt-theme links, excerpts,
    # transcripts, coders, journal memos)
    with django_assert_num_queries(12):
        b"".join(client.get(EXPORT).streaming_content)


# ----- import: a new study -----

def test_it_shows_the_import_form_to_study_creators(creator):
    response = client_for(creator).get(IMPORT)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content and 'name="name"' in content


def test_it_imports_an_upload_as_a_new_study_and_shows_the_report(creator, study, transcript):
    before = study_rows(study)
    response = client_for(creator).post(IMPORT, {"file": upload()})
    assert response.status_code == 200
    content = response.content.decode()
    new = Study.objects.get(name="p")
    assert "What the import of other-tool.qdpx did" in content
    assert "3 themes" in content and "1 excerpt<" in content and "1 participant<" in content
    # nothing left unmapped (no sector to invent: the file has none), a tolerated difference said
    assert 'id="report-unmapped"' in content and "Codes with no colour were given palette colours." in content
    assert f'href="{new.get_absolute_url()}"' in content
    assert new.memberships.get().user == creator and new.memberships.get().role == Role.OWNER
    assert Transcript.objects.get(study=new).created_by == creator
    assert CodedExcerpt.objects.get(study=new).quote == "alpha"
    assert study_rows(study) == before


def test_it_names_the_study_as_asked(creator):
    client_for(creator).post(IMPORT, {"file": upload(), "name": "From NVivo"})
    assert Study.objects.get(slug="from-nvivo").name == "From NVivo"


@pytest.mark.parametrize("user", ["alice", "rita", "steve", "otto"])
def test_it_forbids_users_who_may_not_create_studies_and_saves_nothing(request, user):
    """Owning or researching in a study is not enough: an import creates a study."""
    who = request.getfixturevalue(user)
    before = rows()
    assert client_for(who).post(IMPORT, {"file": upload()}).status_code == 403
    assert client_for(who).get(IMPORT).status_code == 403
    assert rows() == before


def test_it_lets_site_admins_import(sam):
    """Site admins may create studies; the imported one is theirs, and only it."""
    assert client_for(sam).post(IMPORT, {"file": upload()}).status_code == 200
    assert list(Study.objects.filter(memberships__user=sam).values_list("name", flat=True)) == ["p"]


def test_it_refuses_a_broken_file_with_a_message_and_saves_nothing(creator):
    before = rows()
    broken = SimpleUploadedFile("broken.qdpx", qdpx("<Project><CodeBook>").getvalue())
    response = client_for(creator).post(IMPORT, {"file": broken})
    assert response.status_code == 400
    assert "The XML could not be read safely" in response.content.decode()
    assert "Nothing was imported." in response.content.decode()
    assert rows() == before


def test_it_refuses_a_file_of_another_kind(creator):
    response = client_for(creator).post(IMPORT, {"file": SimpleUploadedFile("notes.docx", b"PK")})
    assert response.status_code == 400
    assert "Choose a .qdpx project or a .qdc codebook file." in response.content.decode()


def test_it_asks_for_a_file(creator):
    before = rows()
    response = client_for(creator).post(IMPORT, {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert rows() == before


def test_it_refuses_other_methods(creator):
    assert client_for(creator).put(IMPORT).status_code == 405


def test_it_runs_a_fixed_number_of_queries_for_the_import_form(creator, django_assert_num_queries):
    client = client_for(creator)
    # user, group permissions (a study creator; none of their own: skipped)
    with django_assert_num_queries(2):
        client.get(IMPORT)
