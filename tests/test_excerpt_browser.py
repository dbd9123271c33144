"""The excerpt browser: every filter, sorting, paging, context, links, consent."""

import datetime

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt
from tests.conftest import client_for
from tests.reports_study import code, interview, person, theme

URL = reverse("reports:excerpt-browser")


@pytest.fixture
def study(alice, bob, themes):
    """Two participants, two transcripts, four excerpts over Youth, Gender and a sub-theme."""
    youth, gender = themes["youth"], themes["gender"]
    rural = theme("Rural youth", parent=youth)
    a = person("A", sector="private", gender="female", organisation="Chamber of Commerce",
               scope="quote_named")
    b = person("B", sector="ngo", gender="male", organisation="RET")
    ta = interview(a, "A: La migración de jóvenes.\n\nA: Rural youth leave the farms.",
                   date=datetime.date(2009, 4, 7))
    tb = interview(b, "B: Women lead here. Gender work matters.", date=datetime.date(2009, 5, 14))
    return {
        "youth": youth, "gender": gender, "rural": rural, "a": a, "b": b, "ta": ta, "tb": tb,
        "x_youth": code(ta, "La migración de jóvenes", [youth], alice),
        "x_rural": code(ta, "Rural youth leave the farms", [rural], bob),
        "x_gender": code(tb, "Women lead here", [gender], alice),
        "x_both": code(tb, "Gender work matters", [gender, youth], bob),
    }


def shown(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [e.pk for e in response.context["excerpts"]]


def ids(study, *names):
    return [study[name].pk for name in names]


def test_it_lists_every_excerpt_in_transcript_order(alice, study):
    assert shown(client_for(alice)) == ids(study, "x_youth", "x_rural", "x_gender", "x_both")


def test_it_filters_by_theme_with_its_sub_themes(alice, study):
    client = client_for(alice)
    assert shown(client, theme=study["youth"].pk) == ids(study, "x_youth", "x_rural", "x_both")


def test_it_filters_by_theme_without_its_sub_themes(alice, study):
    client = client_for(alice)
    assert shown(client, theme=study["youth"].pk, subthemes="0") == ids(study, "x_youth", "x_both")


def test_it_filters_by_participant(alice, study):
    assert shown(client_for(alice), participant=study["b"].pk) == ids(study, "x_gender", "x_both")


def test_it_filters_by_sector(alice, study):
    assert shown(client_for(alice), sector="private") == ids(study, "x_youth", "x_rural")


def test_it_filters_by_gender(alice, study):
    assert shown(client_for(alice), gender="male") == ids(study, "x_gender", "x_both")


def test_it_filters_by_organisation(alice, study):
    assert shown(client_for(alice), organisation="RET") == ids(study, "x_gender", "x_both")


def test_it_filters_by_coder(alice, bob, study):
    assert shown(client_for(alice), coder=bob.pk) == ids(study, "x_rural", "x_both")


def test_it_filters_by_transcript(alice, study):
    assert shown(client_for(alice), transcript=study["ta"].pk) == ids(study, "x_youth", "x_rural")


def test_it_filters_by_interview_dates(alice, study):
    client = client_for(alice)
    assert shown(client, date_from="2009-05-01") == ids(study, "x_gender", "x_both")
    assert shown(client, date_to="2009-04-30") == ids(study, "x_youth", "x_rural")
    assert shown(client, date_from="2009-04-07", date_to="2009-04-07") == ids(study, "x_youth", "x_rural")


def test_it_filters_by_text_ignoring_case_and_accents(alice, study):
    client = client_for(alice)
    assert shown(client, text="MIGRACION") == ids(study, "x_youth")
    assert shown(client, text="jovenes migracion") == ids(study, "x_youth")
    assert shown(client, text="women farms") == []


def test_it_combines_filters(alice, study):
    assert shown(client_for(alice), theme=study["youth"].pk, gender="male") == ids(study, "x_both")


def test_it_sorts(alice, study):
    client = client_for(alice)
    assert shown(client, sort="newest") == ids(study, "x_both", "x_gender", "x_rural", "x_youth")
    assert shown(client, sort="oldest") == ids(study, "x_youth", "x_rural", "x_gender", "x_both")
    assert shown(client, sort="longest") == ids(study, "x_rural", "x_youth", "x_both", "x_gender")
    assert shown(client, sort="date") == ids(study, "x_youth", "x_rural", "x_gender", "x_both")


def test_it_pages_through_many_excerpts(alice, participant, themes):
    transcript = interview(participant, " ".join(f"w{i:02}" for i in range(60)))
    for i in range(60):
        code(transcript, f"w{i:02}", [themes["youth"]], alice)
    client = client_for(alice)
    assert len(shown(client)) == 25
    third = client.get(URL, {"page": 3, "theme": themes["youth"].pk})
    assert [e.quote for e in third.context["excerpts"]] == [f"w{i:02}" for i in range(50, 60)]
    assert f"theme={themes['youth'].pk}&amp;page=2" in third.content.decode()


def test_it_shows_each_quote_in_its_paragraph_with_a_link_to_it(alice, study):
    response = client_for(alice).get(URL, {"transcript": study["tb"].pk})
    first = response.context["excerpts"][0]
    assert (first.before, first.after) == ("B: ", ". Gender work matters.")
    body = response.content.decode()
    assert '<mark class="excerpt-quote">Women lead here</mark>' in body
    assert study["x_gender"].get_absolute_url() in body
    rural = client_for(alice).get(URL, {"theme": study["rural"].pk}).context["excerpts"][0]
    assert rural.before == "A: "  # the paragraph before it is not context


def test_it_cuts_long_context_with_an_ellipsis(alice, participant, themes):
    text = "x" * 300 + " quote here " + "y" * 300
    transcript = interview(participant, text)
    code(transcript, "quote here", [themes["youth"]], alice)
    excerpt = client_for(alice).get(URL).context["excerpts"][0]
    assert excerpt.before == text[text.index("quote") - 160 : text.index("quote")]
    assert excerpt.cut_before and excerpt.cut_after


def test_it_hides_participants_who_withdrew_or_never_consented(alice, study, themes):
    withdrawn = interview(person("W", withdrawn=datetime.date(2010, 1, 1)), "Withdrawn words.")
    never = interview(person("N", given=False), "Unconsented words.")
    code(withdrawn, "Withdrawn", [themes["youth"]], alice)
    code(never, "Unconsented", [themes["youth"]], alice)
    response = client_for(alice).get(URL)
    shown_ids = [e.pk for e in response.context["excerpts"]]
    assert shown_ids == ids(study, "x_youth", "x_rural", "x_gender", "x_both")
    assert response.context["hidden"] == 2
    assert "2 more excerpts match, but are not shown" in response.content.decode()


def test_it_marks_quotes_not_for_quotation_and_names_organisations_only_when_allowed(alice, study, themes):
    only = interview(person("O", organisation="Secret Org", scope="interview_only"), "Only interview.")
    code(only, "Only interview", [themes["youth"]], alice)
    body = client_for(alice).get(URL).content.decode()
    listed = body[body.index('id="excerpts"') :]  # the filter menu lists every organisation
    assert "not for quotation" in listed
    assert "Chamber of Commerce" in listed  # quote_named
    assert "RET" not in listed  # quote: organisation not named
    assert "Secret Org" not in listed


def test_it_refuses_bad_filters_with_a_message(alice, study):
    client = client_for(alice)
    for params in ({"theme": "abc"}, {"participant": 99999}, {"date_from": "2009-13-40"},
                   {"sort": "random"}):
        assert client.get(URL, params).status_code == 400, params
    response = client.get(URL, {"date_from": "2009-05-01", "date_to": "2009-04-01"})
    assert response.status_code == 400
    assert "first interview date is after the last" in response.content.decode()


def test_it_lets_a_reviewer_browse(rita, study):
    assert len(shown(client_for(rita))) == 4


def test_it_forbids_a_stranger(steve, study):
    assert client_for(steve).get(URL).status_code == 403


def test_it_sends_anonymous_users_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [2, 30])
def test_it_runs_a_fixed_number_of_queries(alice, bob, participant, themes, count, django_assert_num_queries):
    """Guards against an N+1 over excerpts (transcript, participant, coder or themes per row)."""
    transcript = interview(participant, " ".join(f"w{i:02}" for i in range(count)))
    for i in range(count):
        code(transcript, f"w{i:02}", [themes["youth"], themes["gender"]], alice if i % 2 else bob)
    client = client_for(alice)
    # session, user, user permissions, group permissions; filter choices: themes, participants,
    # coders, transcripts; the page: count, ids in order, excerpts with context, their themes;
    # the count of excerpts hidden for consent
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert len(response.context["excerpts"]) == min(count, 25)
    assert CodedExcerpt.objects.count() == count
