import pytest
from django.urls import reverse

from coding.services import excerpt_create, excerpt_delete
from tests.conftest import client_for

URL = reverse("audit:trash")


def test_it_lists_removed_excerpts_with_a_restore_button(alice, transcript, themes):
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    deleted = excerpt_delete(excerpt=excerpt, user=alice)
    body = client_for(alice).get(URL).content.decode()
    assert "With the youth" in body
    assert reverse("coding:excerpt-restore", args=[deleted.pk]) in body


def test_it_lists_removed_themes_with_a_restore_button(alice, themes):
    from coding.models import Theme
    from coding.services import theme_delete

    deleted = theme_delete(theme=Theme.objects.create(name="Old idea"), user=alice, codings="remove")
    body = client_for(alice).get(URL).content.decode()
    assert "Old idea" in body
    assert reverse("coding:theme-restore", args=[deleted.pk]) in body


@pytest.mark.parametrize("who", ["rita", "steve"])
def test_it_forbids_users_who_cannot_code(who, request):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


@pytest.mark.parametrize("count", [1, 12])
def test_it_runs_a_fixed_number_of_queries(alice, transcript, themes, count, django_assert_num_queries):
    """Guards against an N+1 over removed excerpts or themes (transcript or remover fetched one by one)."""
    from coding.models import Theme
    from coding.services import theme_delete

    for i in range(count):
        e = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
        excerpt_delete(excerpt=e, user=alice)
        theme_delete(theme=Theme.objects.create(name=f"Old {i}"), user=alice, codings="remove")
    client = client_for(alice)
    # session, user, user permissions, group permissions, count, page with transcripts and
    # removers, removed themes with removers
    with django_assert_num_queries(7):
        client.get(URL)
