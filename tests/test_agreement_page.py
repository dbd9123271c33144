"""The agreement page: per theme and overall figures with their n, and a methods paragraph."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from coding.services import excerpt_create
from interviews.models import Transcript
from team.models import Assignment
from tests.conftest import client_for


def url(study, **params):
    query = "?" + urlencode(params, doseq=True) if params else ""
    return reverse("team:agreement", args=[study.slug]) + query


@pytest.fixture
def coded(transcript, alice, bob, themes):
    """Both code Youth on the same 14 characters; alice also codes Gender where bob does not."""
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=bob)
    excerpt_create(transcript=transcript, start=54, end=73, themes=[themes["gender"]], coder=alice)
    return transcript


def test_without_coders_it_shows_the_form_only(study, rita):
    response = client_for(rita).get(url(study))
    assert response.status_code == 200
    assert response.context["report"] is None


def test_it_shows_each_theme_and_overall_with_their_n(coded, alice, bob, rita, study):
    response = client_for(rita).get(url(study, coders=[alice.pk, bob.pk]))
    assert response.status_code == 200
    report = response.context["report"]
    rows = {theme.name: fig for theme, fig in report.rows}
    assert set(rows) == {"Youth", "Gender"}
    assert (rows["Youth"].kappa, rows["Youth"].alpha, rows["Youth"].segment) == (1.0, 1.0, 1.0)
    assert rows["Gender"].kappa == pytest.approx(0.0)  # bob never used it: no agreement beyond chance
    n = len(coded.text)
    assert (rows["Youth"].kappa_n, report.characters, report.overall.kappa_n) == (n, n, 2 * n)
    html = response.content.decode()
    assert f"(n = {n})" in html
    assert "alice: 1 of 1 · bob: 1 of 1" in html  # Youth
    assert "alice: 1 of 2 · bob: 1 of 1" in html  # overall: alice's Gender excerpt is unmatched
    paragraph = response.context["paragraph"]
    assert paragraph.startswith("2 coders independently coded 1 of 1 transcript")
    assert f"({n} characters)" in paragraph
    assert "Cohen's κ" in paragraph and "Krippendorff's α" in paragraph
    assert report.overlap == 90  # the default when none is given


def test_the_methods_paragraph_follows_the_language(coded, alice, bob, study):
    client = client_for(alice)
    client.cookies["django_language"] = "es"
    response = client.get(url(study, coders=[alice.pk, bob.pk]), HTTP_ACCEPT_LANGUAGE="es")
    paragraph = response.context["paragraph"]
    assert paragraph.startswith("2 codificadores/as codificaron de forma independiente 1 de 1 transcripción")
    assert "α de Krippendorff" in paragraph and "1,00" in paragraph


def test_only_the_assigned_transcripts_count(coded, alice, bob, study, participant):
    other = Transcript.objects.create(study=study, participant=participant, title="Solo", text="alone " * 20)
    Assignment.objects.create(study=study, transcript=other, coder=alice)
    excerpt_create(transcript=other, start=0, end=5, themes=list(coded.study.themes.filter(name="Youth")),
                   coder=alice)
    report = client_for(alice).get(url(study, coders=[alice.pk, bob.pk])).context["report"]
    # the coded transcript has no assignment, so both count there; "Solo" is alice's alone
    assert (report.transcripts, report.characters, report.study_transcripts) == (1, len(coded.text), 2)


def test_it_refuses_a_single_coder(study, alice, rita):
    response = client_for(rita).get(url(study, coders=[alice.pk]))
    assert response.status_code == 400
    assert "at least two coders" in response.content.decode()


def test_it_refuses_another_studys_member_as_coder(study, alice, otto, rita):
    response = client_for(rita).get(url(study, coders=[alice.pk, otto.pk]))
    assert response.status_code == 400


def test_it_reads_a_constant_number_of_queries(coded, alice, bob, study, participant, themes,
                                               django_assert_num_queries):
    """Guards against a query per transcript, coder, theme or excerpt."""
    for n in range(4):
        t = Transcript.objects.create(study=study, participant=participant, title=f"T{n}", text="word " * 40)
        for user in (alice, bob):
            excerpt_create(transcript=t, start=0, end=4 + n, themes=[themes["youth"], themes["gender"]],
                           coder=user)
    client = client_for(alice)
    # user, membership with study; the coders chosen (validation); the report:
    # transcripts with lengths, assignments, codings, themes, transcript count (5); the group
    # permissions of a site admin (the menu's "Users" link; none of his own: skipped) (1); the
    # form's coder, transcript and theme choices as rendered (3)
    with django_assert_num_queries(11):
        response = client.get(url(study, coders=[alice.pk, bob.pk]))
    assert response.context["report"].transcripts == 5
