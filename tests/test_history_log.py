"""A study's history log (audit.views.history_log): its owners see who changed what in it."""

import datetime

import pytest
from django.urls import reverse

from audit.context import acting_as
from audit.models import Change
from coding.models import Theme
from studies.models import Role, Study
from studies.services import membership_role_set
from tests.conftest import client_for

URL = reverse("audit:history-log", args=["pasto"])


def test_it_shows_owners_every_change_in_the_study(adam, alice):
    with acting_as(alice):
        Theme.objects.create(study=adam.memberships.get().study, name="Trust")
    body = client_for(adam).get(URL).content.decode()
    assert "Trust" in body and "alice" in body


def test_it_shows_nothing_of_another_study(adam, alice, other_study, otto):
    with acting_as(otto):
        Theme.objects.create(study=other_study, name="Otto's secret theme")
    body = client_for(adam).get(URL).content.decode()
    assert "Otto&#x27;s secret theme" not in body and "Otto's secret theme" not in body
    assert ">otto<" not in body  # nor his name in the user filter
    other = client_for(otto).get(reverse("audit:history-log", args=["other"])).content.decode()
    assert "Otto&#x27;s secret theme" in other


def test_it_shows_membership_changes(adam, alice):
    with acting_as(adam):
        membership_role_set(membership=alice.memberships.get(), role=Role.REVIEWER)
    body = client_for(adam).get(URL).content.decode()
    assert "studies.membership" in body and "reviewer" in body


def test_it_filters_by_user_and_date(adam, alice, bob, study):
    with acting_as(alice):
        Theme.objects.create(study=study, name="Alice theme")
    with acting_as(bob):
        Theme.objects.create(study=study, name="Bob theme")
    client = client_for(adam)
    body = client.get(URL, {"user": alice.pk}).content.decode()
    assert "Alice theme" in body and "Bob theme" not in body
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    Change.objects.filter(object_repr="Bob theme").update(at=long_ago)
    body = client.get(URL, {"until": "2020-12-31"}).content.decode()
    assert "Bob theme" in body and "Alice theme" not in body
    body = client.get(URL, {"since": "2021-01-01"}).content.decode()
    assert "Alice theme" in body and "Bob theme" not in body


def test_it_ignores_malformed_filters(adam):
    bad = {"user": "x", "since": "2026-02-31", "until": "nope", "page": "zz"}
    assert client_for(adam).get(URL, bad).status_code == 200


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_it_forbids_members_who_are_not_owners(who, request):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 403


@pytest.mark.parametrize("who", ["steve", "sam", "otto"])
def test_it_hides_the_log_from_non_members(who, request, study):
    """sam runs the site and otto owns another study: neither sees this study's log."""
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 404


def test_it_shows_an_archived_studys_log(adam, study):
    study.archived_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    study.save()
    assert client_for(adam).get(URL).status_code == 200


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("studies", [1, 4])
def test_it_runs_a_fixed_number_of_queries(adam, bob, count, studies, django_assert_num_queries):
    """Guards against an N+1 over changes (their user fetched one by one) or over studies."""
    study = adam.memberships.get().study
    for s in range(studies - 1):
        other = Study.objects.create(name=f"S{s}", slug=f"s{s}")
        other.memberships.create(user=adam, role=Role.OWNER)
        with acting_as(bob):
            Theme.objects.create(study=other, name=f"Elsewhere {s}")
    with acting_as(adam):
        for i in range(count):
            Theme.objects.create(study=study, name=f"T{i}")
    client = client_for(adam)
    # user, membership with its study, count, page of changes with users, users for the
    # filter menu
    with django_assert_num_queries(6):
        client.get(URL)


def test_it_reads_as_sentences_for_people(adam, alice, study, transcript):
    """Issue 17 #9: the page showed "themes: [[], [14]]"; it now says what happened, by name."""
    from coding.services import excerpt_create, excerpt_update, theme_merge

    with acting_as(alice):
        youth = Theme.objects.create(study=study, name="Youth")
        gender = Theme.objects.create(study=study, name="Gender")
        e = excerpt_create(transcript=transcript, start=35, end=49, themes=[youth], coder=alice)
        excerpt_update(excerpt=e, version=1, start=35, end=49, themes=[youth, gender], memo="")
        theme_merge(source=youth, target=gender, user=alice)
    body = client_for(adam).get(URL).content.decode()
    assert "Added theme “Youth”" in body
    assert "Removed theme “Youth”" in body
    assert "Themes: <bdi>Youth</bdi> → <bdi>Youth, Gender</bdi>" in body  # a merged theme keeps its name
    assert "[[" not in body and "themes: [" not in body
