"""The theme report, the reviewers' main page: definition, counts, cited quotes, consent."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.reports_study import code, interview, person, theme


def url(theme_obj, **params):
    base = reverse("reports:theme-report", args=[theme_obj.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def text_of(response):
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    import html

    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


@pytest.fixture
def study(alice):
    results = theme("Results", description="Participants' views of the strategy.")
    plan = theme(
        "Planning versus execution", parent=results,
        description="The gap between planning exercises and their actual implementation.",
        inclusion_criteria="Passages that question whether plans will be implemented.",
        exclusion_criteria="Passages on the expected impacts (4.5).",
    )
    impact = theme("Impact", parent=results)
    d = person("D", sector="ngo", gender="male", organisation="RET", scope="quote_named")
    j = person("J", sector="public", gender="female", organisation="Gender Office", scope="quote")
    i = person("I", sector="civil_society", gender="male", organisation="Arca", scope="interview_only")
    w = person("W", sector="public", gender="female", withdrawn=datetime.date(2010, 1, 1))
    td = interview(d, "D: Plans are not enough.\n\nD: The impact can be great.",
                   date=datetime.date(2009, 4, 8))
    tj = interview(j, "J: We are up to here with planning documents", date=datetime.date(2009, 5, 11))
    ti = interview(i, "I: Planning without money is a wish.", date=datetime.date(2009, 4, 22))
    tw = interview(w, "W: I said too much about planning.", date=datetime.date(2009, 4, 23))
    return {
        "results": results, "plan": plan, "impact": impact, "d": d, "j": j, "i": i, "w": w,
        "plan_d": code(td, "Plans are not enough", [plan], alice),
        "impact_d": code(td, "The impact can be great", [impact], alice),
        "plan_j": code(tj, "We are up to here with planning documents", [plan], alice),
        "plan_i": code(ti, "Planning without money is a wish", [plan], alice),
        "plan_w": code(tw, "I said too much about planning", [plan], alice),
    }


def test_it_shows_the_definition_and_criteria(rita, study):
    text = text_of(client_for(rita).get(url(study["plan"])))
    assert "Planning versus execution" in text
    assert "The gap between planning exercises and their actual implementation." in text
    assert "Passages that question whether plans will be implemented." in text
    assert "Passages on the expected impacts (4.5)." in text


def test_it_counts_excerpts_and_participants_by_sector_and_gender(rita, study):
    response = client_for(rita).get(url(study["plan"]))
    report = response.context["report"]
    # D, J and I count (I consented to the interview only); W withdrew and counts nowhere.
    assert (report.totals.excerpts, report.totals.participants) == (3, 3)
    assert [(str(label), c.excerpts, c.participants) for label, c in report.by_sector] == [
        ("Public", 1, 1), ("NGO", 1, 1), ("Civil society", 1, 1)]
    assert [(str(label), c.excerpts, c.participants) for label, c in report.by_gender] == [
        ("Female", 1, 1), ("Male", 2, 2)]
    text = text_of(response)
    assert "3 excerpts from 3 participants." in text
    assert "Male 2 2" in text


def test_it_cites_each_quote_as_the_paper_does_grouped_by_participant(rita, study):
    text = text_of(client_for(rita).get(url(study["plan"])))
    d = "«Plans are not enough» (Participant «D». Personal interview April 8, 2009)."
    j = "«We are up to here with planning documents» (Participant «J». Personal interview May 11, 2009)."
    assert d in text and j in text
    order = [text.index("Participant D · NGO · Male · RET"), text.index(d), text.index("Participant J"),
             text.index(j)]
    assert order == sorted(order)


def test_it_leaves_out_quotes_that_consent_does_not_allow_and_says_so(rita, study):
    response = client_for(rita).get(url(study["plan"]))
    assert [e.pk for e in response.context["page"]] == [study["plan_d"].pk, study["plan_j"].pk]
    assert response.context["report"].quotes == response.context["page"].paginator.count == 2
    text = text_of(response)
    assert "Planning without money" not in text  # interview only
    assert "I said too much" not in text  # withdrawn
    assert ("2 participants are left out of the quotations (1 withdrew consent; 1 consented to the "
            "interview only). 1 of them is left out of the numbers too.") in text


def test_it_names_the_organisation_only_where_consent_allows(rita, study):
    text = text_of(client_for(rita).get(url(study["plan"])))
    assert "RET" in text  # D: quote_named
    assert "Gender Office" not in text  # J: may be quoted, organisation not named
    assert "Arca" not in text


def test_it_counts_never_consented_participants_nowhere(rita, study, alice):
    never = interview(person("N", given=False), "N: Planning again.")
    code(never, "Planning again", [study["plan"]], alice)
    response = client_for(rita).get(url(study["plan"]))
    assert response.context["report"].totals.participants == 3
    assert response.context["report"].left_out.no_consent == 1
    assert "Planning again" not in text_of(response)


def test_it_includes_sub_themes_unless_asked_not_to(rita, study, alice):
    client = client_for(rita)
    with_subs = client.get(url(study["results"]))
    assert with_subs.context["report"].totals.excerpts == 4
    assert [e.pk for e in with_subs.context["page"]] == [
        study["plan_d"].pk, study["impact_d"].pk, study["plan_j"].pk]
    direct = client.get(url(study["results"], subthemes=0))
    assert direct.context["report"].totals.excerpts == 0
    assert list(direct.context["page"]) == []
    code(study["plan_d"].transcript, "D: The", [study["results"]], alice)
    assert client.get(url(study["results"], subthemes=0)).context["report"].totals.excerpts == 1


def test_it_narrows_to_one_participant(rita, study):
    response = client_for(rita).get(url(study["plan"], participant=study["j"].pk))
    assert response.context["report"].totals.excerpts == 1
    assert [e.pk for e in response.context["page"]] == [study["plan_j"].pk]
    assert "Only participant J" in text_of(response)


def test_it_cites_an_undated_interview_without_a_date(rita, study, alice):
    undated = interview(person("U"), "U: Planning by the book.", date=None)
    code(undated, "Planning by the book", [study["plan"]], alice)
    text = text_of(client_for(rita).get(url(study["plan"])))
    assert "«Planning by the book» (Participant «U». Personal interview)." in text


def test_it_pages_quotes_and_prints_them_all(rita, study, alice):
    many = interview(person("M"), " ".join(f"p{i:02}" for i in range(60)))
    for i in range(60):
        code(many, f"p{i:02}", [study["plan"]], alice)
    client = client_for(rita)
    first = client.get(url(study["plan"]))
    assert len(first.context["page"]) == 50
    assert 'rel="next"' in first.content.decode()
    printable = client.get(url(study["plan"], print="on"))
    assert len(printable.context["page"]) == 62
    body = printable.content.decode()
    assert "data-print" in body and 'rel="next"' not in body


def test_it_draws_the_breakdowns_as_labelled_svg(rita, study):
    body = client_for(rita).get(url(study["plan"])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in body
    assert '<title id="sector-chart-title">Excerpts by sector</title>' in body
    assert '<desc id="gender-chart-desc">Female: 1 excerpt; Male: 2 excerpts</desc>' in body


def test_it_refuses_an_unknown_participant(rita, study):
    response = client_for(rita).get(url(study["plan"], participant=99999))
    assert response.status_code == 400
    assert "no such participant" in response.content.decode()


def test_it_answers_404_for_a_missing_theme(rita, db):
    assert client_for(rita).get(reverse("reports:theme-report", args=[99999])).status_code == 404


def test_it_lets_a_researcher_read(alice, study):
    assert client_for(alice).get(url(study["plan"])).status_code == 200


def test_it_forbids_a_stranger(steve, study):
    assert client_for(steve).get(url(study["plan"])).status_code == 403


def test_it_sends_anonymous_users_to_login(client, study):
    response = client.get(url(study["plan"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("people", [1, 7])
def test_it_runs_a_fixed_number_of_queries(rita, alice, people, django_assert_num_queries):
    """Guards against an N+1 over quotes (transcript, participant or themes fetched per quote)
    and over participants (grouping or consent looked up one by one)."""
    parent = theme("Results")
    leaf = theme("Planning", parent=parent)
    for i in range(people):
        scope = "quote_named" if i % 2 == 0 else "interview_only"
        t = interview(person(f"P{i}", scope=scope), "Plans and plans.")
        code(t, "Plans", [leaf], alice)
        code(t, "plans", [parent, leaf], alice)
    client = client_for(rita)
    # session, user, user permissions, group permissions, the theme, every theme (tree), the
    # counts grouped by participant (totals, sector, gender, quotes, who is left out), the
    # quotes with transcript and participant, their themes
    with django_assert_num_queries(9):
        response = client.get(url(parent))
    assert response.context["report"].totals.excerpts == 2 * people
