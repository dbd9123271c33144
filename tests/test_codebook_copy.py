"""Copying the codebook of another study the user belongs to (coding:codebook-copy).

Name clashes merge by name, as a codebook file import does: a theme already under the same
parent is kept as it is (only its empty description and criteria are filled in), the report
says so, and nothing is duplicated.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create
from interviews.models import Participant, Transcript
from studies.models import Membership, Role, Study
from tests.codebook_state import make_codebook, other_study_objects
from tests.conftest import client_for

URL = reverse("coding:codebook-copy", args=["pasto"])


@pytest.fixture
def source(alice):
    """A study alice only reviews, with the round-trip codebook and an excerpt."""
    source = Study.objects.create(name="Source study", slug="source", language="es")
    Membership.objects.create(study=source, user=alice, role=Role.REVIEWER)
    make_codebook(source)
    return source


def tree(study):
    """(path, kind, colour, description, inclusion, exclusion, order) of the study's themes."""
    paths, out = {}, []
    for theme in Theme.objects.filter(study=study).order_by("pk"):
        paths[theme.pk] = theme
    for theme in sorted(paths.values(), key=lambda t: t.pk):
        path, node = [], theme
        while node is not None:
            path.insert(0, node.name)
            node = paths.get(node.parent_id)
        out.append((" › ".join(path), theme.kind, theme.colour, theme.description,
                    theme.inclusion_criteria, theme.exclusion_criteria, theme.order))
    return sorted(out)


def test_it_offers_only_the_users_other_studies(alice, study, source, other_study):
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    choices = [label for _value, label in response.context["form"].fields["source"].choices]
    assert choices == ["—", "Source study (5 themes)"]


def test_it_copies_the_tree_into_an_empty_codebook(alice, study, source):
    source_tree = tree(source)
    response = client_for(alice).post(URL, {"source": "source"})
    assert response.status_code == 200
    assert tree(study) == source_tree  # names, kinds, colours, descriptions, criteria, order
    assert len(response.context["report"].imported) == 5
    assert tree(source) == source_tree
    assert set(Theme.objects.filter(study=study).values_list("study", flat=True)) == {study.pk}


def test_it_copies_no_excerpts(alice, study, source):
    person = Participant.objects.create(study=source, code="S")
    transcript = Transcript.objects.create(study=source, participant=person, title="S", text="Some words")
    excerpt_create(transcript=transcript, start=0, end=4,
                   themes=[Theme.objects.get(study=source, name="Analytic")], coder=alice)
    client_for(alice).post(URL, {"source": "source"})
    assert not CodedExcerpt.objects.filter(study=study).exists()
    assert Theme.objects.get(study=study, name="Analytic").excerpts.count() == 0


def test_it_merges_themes_of_the_same_name_and_parent(alice, study, source, themes):
    Theme.objects.create(study=study, name="Analytic", colour="#000000", description="")
    Theme.objects.filter(study=source, name="Analytic").update(description="From the source")
    response = client_for(alice).post(URL, {"source": "source"})
    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.merged) == 1 and "Analytic" in report.merged[0]
    assert len(report.imported) == 4
    mine = Theme.objects.get(study=study, name="Analytic")
    assert (mine.colour, mine.description) == ("#000000", "From the source")
    assert Theme.objects.filter(study=study, name="Analytic").count() == 1
    assert Theme.objects.filter(study=study).count() == 3 + 5 + 1 - 1


def test_copying_twice_changes_nothing_the_second_time(alice, study, source):
    client = client_for(alice)
    client.post(URL, {"source": "source"})
    first = tree(study)
    response = client.post(URL, {"source": "source"})
    assert response.status_code == 200
    assert response.context["report"].imported == []
    assert tree(study) == first


def test_it_answers_404_for_a_study_the_user_is_not_a_member_of(alice, study, other_study, otto):
    other_study_objects(other_study, otto)
    response = client_for(alice).post(URL, {"source": "other"})
    assert response.status_code == 404
    assert not Theme.objects.filter(study=study).exists()


def test_it_answers_404_for_a_study_in_the_trash(alice, study, source):
    Study.objects.filter(pk=source.pk).update(deleted_at=timezone.now())
    assert client_for(alice).post(URL, {"source": "source"}).status_code == 404
    assert not Theme.objects.filter(study=study).exists()


@pytest.mark.parametrize("source_slug", ["pasto", "", "no-such-study-2"])
def test_it_refuses_the_study_itself_or_no_study(alice, study, source, source_slug):
    response = client_for(alice).post(URL, {"source": source_slug})
    assert response.status_code == (404 if source_slug == "no-such-study-2" else 400)
    assert not Theme.objects.filter(study=study).exists()


def test_it_refuses_an_empty_codebook_with_a_message(alice, study, other_study):
    Membership.objects.create(study=other_study, user=alice, role=Role.RESEARCHER)
    response = client_for(alice).post(URL, {"source": "other"})
    assert response.status_code == 400
    assert "nothing to copy" in response.content.decode()


def test_a_reviewer_here_may_not_copy_into_this_study(rita, study, source):
    Membership.objects.create(study=source, user=rita, role=Role.OWNER)
    client = client_for(rita)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"source": "source"}).status_code == 403
    assert not Theme.objects.filter(study=study).exists()


def test_a_reviewer_of_the_source_may_copy_into_a_study_they_code_in(alice, study, source):
    """alice only reviews `source` (reading its codebook is enough) and researches `study`."""
    assert client_for(alice).post(URL, {"source": "source"}).status_code == 200
    assert Theme.objects.filter(study=study).count() == 5


def test_it_refuses_writes_in_an_archived_study(alice, study, source):
    study.archived_at = timezone.now()
    study.save()
    assert client_for(alice).post(URL, {"source": "source"}).status_code == 403
    assert not Theme.objects.filter(study=study).exists()


@pytest.mark.parametrize("who", ["steve", "otto"])
def test_non_members_get_404(who, request, study, source):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"source": "source"}).status_code == 404


def test_anonymous_users_go_to_login(client, study):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_says_when_the_user_has_no_other_study(alice, study):
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    assert 'id="no-sources"' in response.content.decode()
