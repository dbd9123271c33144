"""The excerpt browser's page links (issue 16): each "Next" and "N more" carries a cursor, the
ordering key of the last excerpt shown, and the next page starts after it. Walking every page
by those links lists each matching excerpt once, in order, whatever is added meanwhile."""

import base64
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding.models import CodedExcerpt, blind_q
from coding.services import excerpt_create
from reports import views
from reports.queries import counts_q
from studies.models import BlindMode, Membership
from team.models import Assignment
from team.services import study_blind_set
from tests.conftest import client_for
from tests.reports_study import code, interview, person

SLUG = "pasto"
URL = reverse("reports:excerpt-browser", args=[SLUG])
WORDS = " ".join(f"w{i:02}" for i in range(12))


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 5, so that a few dozen excerpts make many pages."""
    monkeypatch.setattr(views, "EXCERPTS_PER_PAGE", 5)


@pytest.fixture
def corpus(study, alice, bob, themes):
    """Ties at every level of the transcript order: participant B has two transcripts with one
    title, and excerpts that start at the same code point (by two coders). Participant W
    withdrew consent; their excerpts must never appear."""
    youth, gender = themes["youth"], themes["gender"]
    rows = []
    for name, withdrawn in (("B", None), ("A", None), ("W", "2010-01-01"), ("C", None)):
        who = person(study, name, withdrawn=withdrawn)
        for _ in range(2 if name == "B" else 1):
            transcript = interview(who, WORDS, title=f"Interview {name}")
            for i in range(0, 12, 2):
                rows.append(code(transcript, f"w{i:02}", [youth] if i % 4 else [youth, gender], alice))
                rows.append(code(transcript, f"w{i:02} w{i + 1:02}", [gender], bob))  # the same start
    return rows


def walk(client, params, link=r'href="\?([^"]*)" rel="next"', between=None):
    """Every page, following each page's own next link; the excerpts' ids in the order shown."""
    shown, url, pages = [], URL + "?" + params, 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        shown += [int(pk) for pk in re.findall(r'id="excerpt-(\d+)"', response.content.decode())]
        following = re.search(link, response.content.decode())
        url = URL + "?" + html.unescape(following.group(1)) if following else None
        pages += 1
        if between is not None and url:
            between(pages)
    return shown


def expected(study, membership=None, sort="position", **filters):
    """The same excerpts read in one query, ordered as the browser orders them."""
    rows = CodedExcerpt.objects.filter(counts_q(), study=study, **filters)
    if membership is not None:
        rows = rows.filter(blind_q(membership))
    rows = rows.alias(length=views.F("end") - views.F("start"))
    return list(rows.order_by(*views.SORTS[sort]).distinct().values_list("pk", flat=True))


@pytest.mark.parametrize("sort", ["position", "newest", "oldest", "longest", "date"])
def test_walking_the_pages_lists_every_excerpt_once_in_order(alice, study, corpus, small_pages, sort):
    client = client_for(alice)
    assert walk(client, f"sort={sort}") == expected(study, sort=sort)
    more = walk(client, f"sort={sort}", link=r'data-more="\?([^"]*)"')  # "N more": the same rows
    assert more == expected(study, sort=sort)


@pytest.mark.parametrize("walk_min", [1, 10**6])
def test_walking_a_theme_lists_its_excerpts_whether_it_walks_the_index_or_sorts(
        alice, study, themes, corpus, small_pages, monkeypatch, walk_min):
    """A common theme is read by walking the study in page order (views.WALK_MIN); a rare one
    by sorting its excerpts: the same rows either way, with and without its sub-themes."""
    monkeypatch.setattr(views, "WALK_MIN", walk_min)
    client = client_for(alice)
    gender = themes["gender"]
    assert walk(client, f"theme={gender.pk}") == expected(study, themes=gender)
    parent = themes["parent"]
    assert walk(client, f"theme={parent.pk}") == expected(study, themes__parent=parent)
    assert walk(client, f"theme={parent.pk}&subthemes=0") == []
    assert walk(client, f"theme={gender.pk}&coder={alice.pk}") == expected(study, themes=gender, coder=alice)


def prepared_pages(prepared):
    """The compiled queries of `prepared` on this thread's connection (studies.prepared)."""
    return [entry for signature, entry in getattr(connection, "_prepared_queries", {}).items()
            if signature[0] == prepared.key]


@pytest.mark.parametrize("walk_min", [1, 10**6])
def test_a_themes_pages_reuse_one_compiled_query_each_way(alice, study, themes, corpus, small_pages,
                                                          monkeypatch, walk_min):
    """Listing a theme by cursor, walking the index or sorting, reuses the page's compiled query
    (studies.prepared) from the second page on, with the same rows as the ORM: the cost a page
    saves is not lost to a value the compilation cannot stand in for."""
    monkeypatch.setattr(views, "WALK_MIN", walk_min)
    getattr(connection, "_prepared_queries", {}).clear()  # what earlier tests compiled
    youth = themes["youth"]
    assert walk(client_for(alice), f"theme={youth.pk}") == expected(study, themes=youth)
    compiled = prepared_pages(views.PAGE_QUERY)
    assert compiled and all(entry and entry.complete for entry in compiled)
    assert len(compiled) == 2  # the first page (no cursor) and the pages after a cursor
    assert walk(client_for(alice), f"theme={youth.pk}", link=r'data-more="\?([^"]*)"') == expected(
        study, themes=youth)
    assert len(prepared_pages(views.PAGE_QUERY)) == 2


def test_the_next_link_carries_a_cursor_and_the_previous_one_a_page_number(alice, corpus, small_pages):
    body = client_for(alice).get(URL, {"sort": "position"}).content.decode()
    following = html.unescape(re.search(r'href="\?([^"]*)" rel="next"', body).group(1))
    assert "page=2" in following and "after=" in following
    second = client_for(alice).get(URL + "?" + following).content.decode()
    assert "Excerpts 6–10" in second and 'rel="prev"' in second
    previous = html.unescape(re.search(r'href="\?([^"]*)" rel="prev"', second).group(1))
    assert "after=" not in previous and "page=1" in previous


def test_a_pages_cards_name_the_page_for_the_script_that_shows_them_in_place(alice, corpus, small_pages):
    """The fragment a page link's script fetches carries the heading it shows, in the page's
    language."""
    body = client_for(alice).get(URL, {"page": 2, "fragment": 1}).content.decode()
    assert 'data-heading="Excerpts 6–10"' in body
    body = client_for(alice, HTTP_ACCEPT_LANGUAGE="es").get(URL, {"page": 2, "fragment": 1}).content.decode()
    assert 'data-heading="Fragmentos 6–10"' in body


def test_excerpts_added_between_pages_move_nothing(alice, study, themes, corpus, small_pages):
    """One excerpt added before the cursor (not shown: its page is past) and one after it (shown
    in its place); every excerpt there before is shown once, in order, none skipped."""
    before = expected(study)
    added = []

    def add(pages):
        if pages == 3:
            transcript = CodedExcerpt.objects.get(pk=before[0]).transcript
            last = CodedExcerpt.objects.get(pk=before[-1]).transcript
            added.append(excerpt_create(transcript=transcript, start=4, end=11, themes=[themes["youth"]],
                                        coder=alice))
            added.append(excerpt_create(transcript=last, start=34, end=35, themes=[themes["youth"]],
                                        coder=alice))

    shown = walk(client_for(alice), "", between=add)
    assert len(shown) == len(set(shown)) == len(before) + 1
    assert [pk for pk in shown if pk in set(before)] == before
    assert added[0].pk not in shown and added[1].pk in shown
    assert shown == [pk for pk in expected(study) if pk != added[0].pk]


def test_a_blind_coder_walks_only_their_own_excerpts(alice, bob, adam, study, corpus, small_pages):
    for transcript in {x.transcript for x in corpus}:
        Assignment.objects.create(study=study, transcript=transcript, coder=alice, assigned_by=adam)
    study_blind_set(study=study, blind=BlindMode.STUDY)
    membership = Membership.objects.get(study=study, user=alice)
    shown = walk(client_for(alice), "")
    assert shown == expected(study, membership) == expected(study, coder=alice)


@pytest.mark.parametrize("after", ["not-a-cursor", "W10=", "WyJhIl0", "WzEsMl0", "W251bGwsMiwzLDQsNV0"])
def test_it_refuses_a_damaged_cursor_with_a_message(alice, corpus, after):
    for params in ({"after": after}, {"after": after, "fragment": 1}, {"after": after, "page": 4}):
        response = client_for(alice).get(URL, params)
        assert response.status_code == 400
        assert "This page link is damaged" in response.content.decode()


def _cursor(values):
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("sort, after", [
    ("newest", ["2026-13-45T00:00:00", 1]),  # well formed, but no such date
    ("position", ["D\x00", "Interview", 1, 0, 1]),  # NUL: PostgreSQL's text cannot hold it
    ("position", ["D", "Interview", 2**63, 0, 1]),
])
def test_it_refuses_a_well_formed_cursor_with_impossible_values(alice, corpus, sort, after):
    response = client_for(alice).get(URL, {"sort": sort, "after": _cursor(after)})
    assert response.status_code == 400
    assert "This page link is damaged" in response.content.decode()


def test_it_refuses_a_cursor_made_for_another_sort_order(alice, corpus, small_pages):
    body = client_for(alice).get(URL, {"sort": "newest"}).content.decode()
    following = html.unescape(re.search(r'href="\?([^"]*)" rel="next"', body).group(1))
    after = re.search(r"after=([^&]*)", following).group(1)
    for sort in ("position", "longest", "date"):
        assert client_for(alice).get(URL, {"sort": sort, "after": after}).status_code == 400


def test_page_one_and_page_twenty_run_the_same_queries(alice, study, themes, corpus, small_pages, monkeypatch,
                                                       django_assert_num_queries):
    """Guards against a page whose queries grow with its number (an OFFSET re-reading the pages
    before it runs in one query, but a page that counted or re-read those rows would not)."""
    monkeypatch.setattr(views, "EXCERPTS_PER_PAGE", 1)
    client = client_for(alice)
    urls = []
    url = URL + f"?theme={themes['gender'].pk}"
    for _ in range(20):
        urls.append(url)
        body = client.get(url).content.decode()
        url = URL + "?" + html.unescape(re.search(r'data-more="\?([^"]*)"', body).group(1))
    assert "page=20" in urls[-1]
    # user, membership with its study (the theme select's themes and the attribute select's
    # attributes were read for its setup token by the pages above, and kept); the theme's
    # first WALK_MIN links (walk or sort); the page's excerpts (one more than a page), their
    # themes, their participants' values, their transcripts' numbers and versions (their
    # texts were read by the walk above and kept)
    for number in (1, 2, 20):
        with django_assert_num_queries(7):
            client.get(urls[number - 1] + ("&fragment=1" if number == 1 else ""))
    # a whole page: the same (the menu's permission check comes with the user); page 1 asks for
    # its totals in a request of its own
    with django_assert_num_queries(7):
        client.get(urls[0])
    for number in (2, 20):
        with django_assert_num_queries(7):
            client.get(urls[number - 1].replace("&fragment=1", ""))


def test_a_theme_found_to_walk_is_not_asked_again_until_the_studys_themes_change(
        alice, study, themes, corpus, small_pages, monkeypatch, django_assert_num_queries):
    """Whether a theme holds WALK_MIN links (walk or sort) is asked on its listing's first page
    and kept (views.WALKED_THEMES) under the study's setup token; a theme below WALK_MIN is
    asked on every page, so that it walks once it grows past it."""
    gender, youth = themes["gender"], themes["youth"]
    monkeypatch.setattr(views, "WALK_MIN", CodedExcerpt.objects.filter(themes=gender).count())
    client = client_for(alice)
    client.get(URL, {"theme": gender.pk})  # the themes and attributes read for the token

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    def asked(sql):
        return sum('FROM "coding_codedexcerpt_themes" WHERE' in q and "OFFSET" in q for q in sql)

    assert asked(queries({"theme": gender.pk, "fragment": 1})) == 0  # found to walk on the page above
    assert CodedExcerpt.objects.filter(themes=youth).count() < views.WALK_MIN  # sorted, not walked
    assert asked(queries({"theme": youth.pk})) == 1
    assert asked(queries({"theme": youth.pk, "page": 2})) == 1  # asked again: it may have grown
    gender.description = "Changed."
    gender.save()  # a new setup token: asked again, once
    assert asked(queries({"theme": gender.pk})) == 1
    assert asked(queries({"theme": gender.pk, "page": 2})) == 0
