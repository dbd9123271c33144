import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding.models import CodedExcerpt, Theme
from coding.services import excerpt_create, excerpt_update
from tests.codebook_state import other_study_objects
from tests.conftest import client_for

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def excerpt(alice, transcript, themes):
    return excerpt_create(
        transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice, memo="m"
    )


def post(client, excerpt, **data):
    payload = {"start_utf16": excerpt.start, "end_utf16": excerpt.end, "version": excerpt.version,
               "themes": [t.pk for t in excerpt.themes.all()], "memo": excerpt.memo}
    payload.update(data)
    return client.post(reverse("coding:excerpt-update", args=["pasto", excerpt.pk]), payload, **JSON)


def test_it_changes_themes_boundaries_and_memo(alice, excerpt, themes):
    response = post(client_for(alice), excerpt, start_utf16=35, end_utf16=72,
                    themes=[themes["gender"].pk], memo="revised")
    assert response.status_code == 200
    excerpt.refresh_from_db()
    assert excerpt.quote == "With the youth office and gender work"
    assert excerpt.quote == excerpt.transcript.text[excerpt.start : excerpt.end]
    assert list(excerpt.themes.all()) == [themes["gender"]]
    assert excerpt.memo == "revised"
    assert excerpt.version == 2


def test_a_co_coder_may_edit_it(bob, excerpt):
    assert post(client_for(bob), excerpt, memo="bob's note").status_code == 200
    excerpt.refresh_from_db()
    assert excerpt.memo == "bob's note"


def test_it_refuses_a_stale_save_and_shows_both_versions(alice, bob, excerpt):
    loaded_version = excerpt.version
    assert post(client_for(bob), excerpt, memo="bob was first").status_code == 200
    response = post(client_for(alice), excerpt, version=loaded_version, memo="alice too")
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] is True
    assert body["theirs"]["m"] == "bob was first"
    assert body["theirs"]["v"] == 2
    assert body["mine"]["m"] == "alice too"
    excerpt.refresh_from_db()
    assert excerpt.memo == "bob was first"


def test_it_rejects_bad_boundaries_and_keeps_the_excerpt(alice, excerpt):
    response = post(client_for(alice), excerpt, start_utf16=30, end_utf16=32)
    assert response.status_code == 400
    excerpt.refresh_from_db()
    assert (excerpt.start, excerpt.end, excerpt.version) == (35, 49, 1)


@pytest.mark.parametrize(("who", "status"), [("rita", 403), ("steve", 404), ("otto", 404)])
def test_it_forbids_users_who_cannot_code_here(who, status, request, excerpt):
    assert post(client_for(request.getfixturevalue(who)), excerpt, memo="x").status_code == status
    assert CodedExcerpt.objects.get().memo == "m"


def test_it_answers_404_for_an_excerpt_of_another_study(alice, other_study, otto, themes):
    theirs = other_study_objects(other_study, otto)["excerpt"]
    url = reverse("coding:excerpt-update", args=["pasto", theirs.pk])
    data = {"start_utf16": 0, "end_utf16": 5, "themes": [themes["youth"].pk], "memo": "mine now"}
    assert client_for(alice).post(url, data, **JSON).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.memo, theirs.version) == ("", 1)


def test_it_refuses_a_theme_of_another_study(alice, other_study, otto, excerpt, themes):
    theirs = other_study_objects(other_study, otto)["theme"]
    response = post(client_for(alice), excerpt, themes=[themes["youth"].pk, theirs.pk])
    assert response.status_code == 400
    assert [t.pk for t in CodedExcerpt.objects.get(pk=excerpt.pk).themes.all()] == [themes["youth"].pk]


def test_the_service_refuses_a_theme_of_another_study(excerpt, other_study, otto):
    theirs = other_study_objects(other_study, otto)["theme"]
    with pytest.raises(ValidationError) as refused:
        excerpt_update(excerpt=excerpt, version=excerpt.version, start=35, end=49, themes=[theirs], memo="")
    assert refused.value.error_dict["themes"][0].code == "theme_other_study"


def test_it_refuses_a_grouping_only_theme(alice, excerpt, themes):
    themes["parent"].is_codable = False
    themes["parent"].save()
    response = post(client_for(alice), excerpt, themes=[themes["youth"].pk, themes["parent"].pk])
    assert response.status_code == 400
    assert list(CodedExcerpt.objects.get().themes.all()) == [themes["youth"]]


def test_it_answers_the_excerpt_as_the_page_reads_it(alice, excerpt, themes):
    response = post(client_for(alice), excerpt, themes=[themes["youth"].pk, themes["gender"].pk])
    assert response.json()["excerpt"] == {
        "id": excerpt.pk, "s": 35, "e": 49, "t": [themes["youth"].pk, themes["gender"].pk],
        "c": excerpt.coder_id, "v": 2, "m": "m", "q": "With the youth"}


def test_it_keeps_a_theme_made_grouping_only_since(alice, excerpt, themes):
    """The excerpt had Youth before Youth became grouping-only: its memo can still change."""
    themes["youth"].is_codable = False
    themes["youth"].save()
    response = post(client_for(alice), excerpt, memo="still editable")
    assert response.status_code == 200
    excerpt.refresh_from_db()
    assert excerpt.memo == "still editable"
    assert list(excerpt.themes.all()) == [themes["youth"]]


def test_its_answer_matches_what_the_page_reads_next(alice, excerpt, themes):
    """The answer is built from the rows in hand, not read back: it must still equal the page's
    own data for the excerpt, theme order included (kept links first, new ones after them), and
    the change must show on the very next page."""
    environment = Theme.objects.create(study=excerpt.study, name="Environment", parent=themes["parent"])
    client = client_for(alice)
    post(client, excerpt, themes=[themes["youth"].pk, themes["gender"].pk])
    excerpt.refresh_from_db()
    response = post(client, excerpt, themes=[environment.pk, themes["gender"].pk], memo="n2")
    answer = response.json()["excerpt"]
    assert answer["t"] == [themes["gender"].pk, environment.pk]
    page = client.get(reverse("coding:transcript-coding", args=["pasto", excerpt.transcript_id]))
    data = page.context["page_data"]["excerpts"]
    row = next(r for r in data["rows"] if r[0] == excerpt.pk)
    assert row == [answer["id"], answer["s"], answer["e"], answer["t"], answer["c"], answer["v"]]
    assert data["memos"][excerpt.pk] == answer["m"] == "n2"


def test_it_records_the_change_in_the_history_against_the_row_as_it_was(alice, excerpt):
    from audit.models import Change

    post(client_for(alice), excerpt, memo="revised")
    change = Change.objects.filter(model="coding.codedexcerpt", action="update").get()
    assert change.data == {"memo": ["m", "revised"]}
    assert change.user == alice


def test_a_memo_edit_costs_a_fixed_number_of_queries(alice, excerpt, themes, django_assert_num_queries):
    """Guards against reading the excerpt again after the access check (under the lock, for the
    history's diff, for the answer) and against full_clean's existence and constraint queries."""
    client = client_for(alice)
    url = reverse("coding:excerpt-update", args=["pasto", excerpt.pk])
    payload = {"start_utf16": 35, "end_utf16": 49, "version": 1, "themes": [themes["youth"].pk],
               "memo": "cheap"}
    # user; the view's transaction; the excerpt FOR UPDATE with its transcript and the user's
    # membership; the form's themes; the update's savepoint (it may run inside a caller's
    # transaction, and a conflict must leave that usable); the excerpt's theme links with their
    # themes; UPDATE; the history row; the savepoint's release; the end of the transaction (in a
    # test, a savepoint and its release)
    with django_assert_num_queries(10):
        response = client.post(url, payload, **JSON)
    assert response.status_code == 200
    excerpt.refresh_from_db()
    assert excerpt.memo == "cheap"
