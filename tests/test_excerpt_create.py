import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import CodedExcerpt, Theme
from interviews.models import Transcript
from interviews.text import codepoint_to_utf16
from studies.models import Membership, Role
from tests.codebook_state import other_study_objects
from tests.conftest import client_for

JSON = {"HTTP_ACCEPT": "application/json"}


def post(client, transcript, start, end, themes, **extra):
    """Post a selection given in code points, converted to the UTF-16 units a browser sends."""
    data = {
        "start_utf16": codepoint_to_utf16(transcript.text, start),
        "end_utf16": codepoint_to_utf16(transcript.text, end),
        "themes": [t.pk for t in themes],
        **extra,
    }
    url = reverse("coding:excerpt-create", args=[transcript.study.slug, transcript.pk])
    return client.post(url, data, **JSON)


def test_it_creates_an_excerpt(alice, transcript, themes):
    response = post(client_for(alice), transcript, 35, 49, [themes["youth"], themes["gender"]],
                    memo="first pass")
    assert response.status_code == 201
    excerpt = CodedExcerpt.objects.get()
    assert (excerpt.start, excerpt.end, excerpt.quote) == (35, 49, "With the youth")
    assert set(excerpt.themes.all()) == {themes["youth"], themes["gender"]}
    assert excerpt.coder == alice
    assert excerpt.memo == "first pass"
    assert response.json()["excerpt"]["id"] == excerpt.pk


def test_it_stores_code_points_after_an_emoji(alice, participant, themes):
    text = "😀😀 a\u0301 مرحبا — “youth” migración"
    transcript = Transcript.objects.create(study=participant.study, participant=participant, title="T",
                                           text=text)
    start = text.index("“youth”")
    response = post(client_for(alice), transcript, start, start + 7, [themes["youth"]])
    assert response.status_code == 201
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.start == start  # 2 fewer than the UTF-16 offset the browser sent
    assert excerpt.quote == "“youth”" == text[excerpt.start : excerpt.end]


def test_it_trims_whitespace_around_a_selection(alice, transcript, themes):
    assert post(client_for(alice), transcript, 34, 50, [themes["youth"]]).status_code == 201
    assert CodedExcerpt.objects.get().quote == "With the youth"


def test_it_snaps_to_whole_words_when_asked(alice, transcript, themes):
    response = post(client_for(alice), transcript, 37, 47, [themes["youth"]], snap_words="on")
    assert response.status_code == 201
    assert CodedExcerpt.objects.get().quote == "With the youth"


def test_it_refuses_a_whitespace_only_selection(alice, transcript, themes):
    response = post(client_for(alice), transcript, 30, 32, [themes["youth"]])
    assert response.status_code == 400
    assert "only whitespace" in str(response.json()["errors"])
    assert not CodedExcerpt.objects.exists()


def test_it_refuses_offsets_outside_the_transcript(alice, transcript, themes):
    client = client_for(alice)
    url = reverse("coding:excerpt-create", args=["pasto", transcript.pk])
    for start, end in [(0, 10_000), (-1, 5), (2**40, 2**40 + 1)]:
        response = client.post(
            url, {"start_utf16": start, "end_utf16": end, "themes": [themes["youth"].pk]}, **JSON
        )
        assert response.status_code == 400, (start, end)
    assert not CodedExcerpt.objects.exists()


def test_it_requires_a_theme(alice, transcript):
    response = post(client_for(alice), transcript, 35, 49, [])
    assert response.status_code == 400
    assert "Choose at least one theme" in str(response.json()["errors"])
    assert not CodedExcerpt.objects.exists()


def test_it_rejects_an_unknown_theme(alice, transcript):
    client = client_for(alice)
    url = reverse("coding:excerpt-create", args=["pasto", transcript.pk])
    response = client.post(url, {"start_utf16": 0, "end_utf16": 5, "themes": [424242]}, **JSON)
    assert response.status_code == 400
    assert not CodedExcerpt.objects.exists()


def test_it_redirects_a_plain_form_post_back_to_the_excerpt(alice, transcript, themes):
    client = client_for(alice)
    url = reverse("coding:excerpt-create", args=["pasto", transcript.pk])
    response = client.post(url, {"start_utf16": 35, "end_utf16": 49, "themes": [themes["youth"].pk]})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#x{CodedExcerpt.objects.get().pk}")


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_code_here(who, status, request, transcript, themes):
    user = request.getfixturevalue(who)
    response = post(client_for(user), transcript, 35, 49, [themes["youth"]])
    assert response.status_code == status
    assert not CodedExcerpt.objects.exists()


def test_it_forbids_coding_in_an_archived_study(alice, study, transcript, themes):
    study.archived_at = timezone.now()
    study.save()
    assert post(client_for(alice), transcript, 35, 49, [themes["youth"]]).status_code == 403
    assert not CodedExcerpt.objects.exists()


def test_it_answers_404_for_a_transcript_of_another_study(alice, other_study, otto, themes):
    theirs = other_study_objects(other_study, otto)["transcript"]
    url = reverse("coding:excerpt-create", args=["pasto", theirs.pk])
    response = client_for(alice).post(
        url, {"start_utf16": 0, "end_utf16": 5, "themes": [themes["youth"].pk]}, **JSON)
    assert response.status_code == 404
    assert CodedExcerpt.objects.filter(transcript=theirs).count() == 1  # only otto's own


def test_it_refuses_a_theme_of_another_study(alice, other_study, otto, transcript):
    theirs = other_study_objects(other_study, otto)["theme"]
    response = post(client_for(alice), transcript, 35, 49, [theirs])
    assert response.status_code == 400
    assert not CodedExcerpt.objects.filter(transcript=transcript).exists()


def test_it_sends_anonymous_users_to_login(client, transcript, themes):
    response = post(client, transcript, 35, 49, [themes["youth"]])
    assert response.status_code == 302
    assert not CodedExcerpt.objects.exists()


def test_it_only_accepts_post(alice, transcript):
    url = reverse("coding:excerpt-create", args=["pasto", transcript.pk])
    assert client_for(alice).get(url).status_code == 405


def test_it_refuses_offsets_taken_from_an_older_text(alice, transcript, themes):
    stale = transcript.text_version
    transcript.text_version += 1
    transcript.save()
    response = post(client_for(alice), transcript, 35, 49, [themes["youth"]], text_version=stale)
    assert response.status_code == 409
    assert "Reload" in str(response.json()["errors"])
    assert not CodedExcerpt.objects.exists()
    current = post(client_for(alice), transcript, 35, 49, [themes["youth"]],
                   text_version=transcript.text_version)
    assert current.status_code == 201


def test_a_reviewer_here_who_researches_elsewhere_codes_only_there(rita, other_study, otto, transcript,
                                                                   themes):
    """The issue's case: reviewer of study A, researcher in study B: codes in B, 403 in A."""
    Membership.objects.create(study=other_study, user=rita, role=Role.RESEARCHER)
    theirs = other_study_objects(other_study, otto)
    client = client_for(rita)
    assert post(client, transcript, 35, 49, [themes["youth"]]).status_code == 403
    response = post(client, theirs["transcript"], 0, 11, [theirs["spare"]])
    assert response.status_code == 201
    excerpt = CodedExcerpt.objects.get(pk=response.json()["excerpt"]["id"])
    assert (excerpt.study, excerpt.coder) == (other_study, rita)
    assert not CodedExcerpt.objects.filter(transcript=transcript).exists()


def test_it_keeps_the_themes_in_the_order_ticked(alice, transcript, themes):
    """The first theme ticked gives the excerpt its colour, so the order posted is kept."""
    response = post(client_for(alice), transcript, 35, 49, [themes["gender"], themes["youth"]])
    assert response.json()["excerpt"]["t"] == [themes["gender"].pk, themes["youth"].pk]
    links = CodedExcerpt.themes.through.objects.order_by("pk").values_list("theme_id", flat=True)
    assert list(links) == [themes["gender"].pk, themes["youth"].pk]


def test_it_answers_the_excerpt_as_the_page_reads_it(alice, transcript, themes):
    body = post(client_for(alice), transcript, 35, 49, [themes["youth"]], memo="m").json()
    excerpt = CodedExcerpt.objects.get()
    assert body == {"excerpt": {"id": excerpt.pk, "s": 35, "e": 49, "t": [themes["youth"].pk],
                                "c": alice.pk, "v": 1, "m": "m", "q": "With the youth"}}


def test_it_refuses_a_grouping_only_theme(alice, transcript, themes):
    themes["parent"].is_codable = False
    themes["parent"].save()
    response = post(client_for(alice), transcript, 35, 49, [themes["parent"]])
    assert response.status_code == 400
    assert "only groups other themes" in str(response.json()["errors"]["themes"])
    assert not CodedExcerpt.objects.exists()


def test_it_codes_in_vivo_with_a_new_theme_named_after_the_words(alice, transcript, themes):
    response = post(client_for(alice), transcript, 35, 49, [], in_vivo="on",
                    new_theme_parent=themes["parent"].pk)
    assert response.status_code == 201
    excerpt = CodedExcerpt.objects.get()
    theme = Theme.objects.get(name="With the youth")
    assert theme.parent == themes["parent"]
    assert list(excerpt.themes.all()) == [theme]
    assert response.json()["theme"] == {"id": theme.pk, "name": "With the youth", "colour": theme.colour,
                                        "parent": themes["parent"].pk, "codable": True}


def test_in_vivo_reuses_a_theme_of_that_name_and_adds_the_ticked_ones(alice, transcript, themes):
    existing = Theme.objects.create(study=transcript.study, name="With the youth")
    response = post(client_for(alice), transcript, 34, 50, [themes["gender"]], in_vivo="on")
    assert response.status_code == 201
    assert Theme.objects.filter(study=transcript.study, name="With the youth").count() == 1
    assert response.json()["excerpt"]["t"] == [existing.pk, themes["gender"].pk]


def test_in_vivo_refuses_a_selection_without_words(alice, participant, themes):
    transcript = Transcript.objects.create(study=participant.study, participant=participant, title="T",
                                           text="D: «…» ¡!")
    response = post(client_for(alice), transcript, 3, 9, [], in_vivo="on")
    assert response.status_code == 400
    assert not CodedExcerpt.objects.exists()
    assert not Theme.objects.exclude(pk__in=[t.pk for t in themes.values()]).exists()
