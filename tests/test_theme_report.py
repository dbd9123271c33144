"""The theme report, the reviewers' main page: definition, counts, cited quotes, consent."""

import datetime
import re

import pytest
from django.urls import reverse

from interviews.models import Attribute
from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, theme, twin_study

SLUG = "pasto"  # the conftest study


def url(theme_obj, **params):
    base = reverse("reports:theme-report", args=[SLUG, theme_obj.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def text_of(response):
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    import html

    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


@pytest.fixture
def data(alice, study):
    study.language = "en"  # the paper's quotes: cited, and exported, in English by default
    study.save()
    results = theme(study, "Results", description="Participants' views of the strategy.")
    plan = theme(
        study,
        "Planning versus execution", parent=results,
        description="The gap between planning exercises and their actual implementation.",
        inclusion_criteria="Passages that question whether plans will be implemented.",
        exclusion_criteria="Passages on the expected impacts (4.5).",
    )
    impact = theme(study, "Impact", parent=results)
    d = person(study, "D", sector="ngo", gender="male", organisation="RET", scope="quote_named")
    j = person(study, "J", sector="public", gender="female", organisation="Gender Office",
               scope="quote")
    i = person(study, "I", sector="civil_society", gender="male", organisation="Arca",
               scope="interview_only")
    w = person(study, "W", sector="public", gender="female", withdrawn=datetime.date(2010, 1, 1))
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


def test_it_shows_the_definition_and_criteria(rita, data):
    text = text_of(client_for(rita).get(url(data["plan"])))
    assert "Planning versus execution" in text
    assert "The gap between planning exercises and their actual implementation." in text
    assert "Passages that question whether plans will be implemented." in text
    assert "Passages on the expected impacts (4.5)." in text


def test_it_counts_excerpts_and_participants_by_each_choice_attribute(rita, data):
    """Sector and Gender are the study's choice attributes of participants: one breakdown each,
    choices in their list's order, those with no excerpts left out."""
    response = client_for(rita).get(url(data["plan"]))
    report = response.context["report"]
    # D, J and I count (I consented to the interview only); W withdrew and counts nowhere.
    assert (report.totals.excerpts, report.totals.participants) == (3, 3)
    assert [(attribute.name, [(label, c.excerpts, c.participants) for label, c in counts])
            for attribute, counts in report.by_attribute] == [
        ("Sector", [("Public", 1, 1), ("NGO", 1, 1), ("Civil society", 1, 1)]),
        ("Gender", [("Female", 1, 1), ("Male", 2, 2)]),
    ]
    text = text_of(response)
    assert "3 excerpts from 3 participants." in text
    assert "Male 2 2" in text


def test_it_cites_each_quote_as_the_paper_does_grouped_by_participant(rita, data):
    text = text_of(client_for(rita).get(url(data["plan"])))
    d = "«Plans are not enough» (Participant «D». Personal interview April 8, 2009)."
    j = "«We are up to here with planning documents» (Participant «J». Personal interview May 11, 2009)."
    assert d in text and j in text
    order = [text.index("Participant D · NGO · Male · RET"), text.index(d), text.index("Participant J"),
             text.index(j)]
    assert order == sorted(order)


def test_it_leaves_out_quotes_that_consent_does_not_allow_and_says_so(rita, data):
    response = client_for(rita).get(url(data["plan"]))
    assert [e.pk for e in response.context["page"]] == [data["plan_d"].pk, data["plan_j"].pk]
    assert response.context["report"].quotes == response.context["page"].paginator.count == 2
    text = text_of(response)
    assert "Planning without money" not in text  # interview only
    assert "I said too much" not in text  # withdrawn
    assert ("2 participants are left out of the quotations (1 withdrew consent; 1 consented to the "
            "interview only). 1 of them is left out of the numbers too.") in text


def test_it_names_the_organisation_only_where_consent_allows(rita, data):
    text = text_of(client_for(rita).get(url(data["plan"])))
    assert "RET" in text  # D: quote_named
    assert "Gender Office" not in text  # J: may be quoted, organisation not named
    assert "Arca" not in text


def test_it_counts_never_consented_participants_nowhere(rita, data, study, alice):
    never = interview(person(study, "N", given=False), "N: Planning again.")
    code(never, "Planning again", [data["plan"]], alice)
    response = client_for(rita).get(url(data["plan"]))
    assert response.context["report"].totals.participants == 3
    assert response.context["report"].left_out.no_consent == 1
    assert "Planning again" not in text_of(response)


def test_it_includes_sub_themes_unless_asked_not_to(rita, data, alice):
    client = client_for(rita)
    with_subs = client.get(url(data["results"]))
    assert with_subs.context["report"].totals.excerpts == 4
    assert [e.pk for e in with_subs.context["page"]] == [
        data["plan_d"].pk, data["impact_d"].pk, data["plan_j"].pk]
    direct = client.get(url(data["results"], subthemes=0))
    assert direct.context["report"].totals.excerpts == 0
    assert list(direct.context["page"]) == []
    code(data["plan_d"].transcript, "D: The", [data["results"]], alice)
    assert client.get(url(data["results"], subthemes=0)).context["report"].totals.excerpts == 1


def test_it_narrows_to_one_participant(rita, data):
    response = client_for(rita).get(url(data["plan"], participant=data["j"].pk))
    assert response.context["report"].totals.excerpts == 1
    assert [e.pk for e in response.context["page"]] == [data["plan_j"].pk]
    assert "Only participant J" in text_of(response)


def test_it_cites_an_undated_interview_without_a_date(rita, data, study, alice):
    undated = interview(person(study, "U"), "U: Planning by the book.", date=None)
    code(undated, "Planning by the book", [data["plan"]], alice)
    text = text_of(client_for(rita).get(url(data["plan"])))
    assert "«Planning by the book» (Participant «U». Personal interview)." in text


def test_it_pages_quotes_and_prints_them_all(rita, data, study, alice):
    many = interview(person(study, "M"), " ".join(f"p{i:02}" for i in range(60)))
    for i in range(60):
        code(many, f"p{i:02}", [data["plan"]], alice)
    client = client_for(rita)
    first = client.get(url(data["plan"]))
    assert len(first.context["page"]) == 50
    assert 'rel="next"' in first.content.decode()
    printable = client.get(url(data["plan"], print="on"))
    body = b"".join(printable.streaming_content).decode()
    assert body.count('<blockquote class="mb-2') == 62
    assert "data-print" in body and 'rel="next"' not in body


def test_it_draws_the_breakdowns_as_labelled_svg(rita, data):
    body = client_for(rita).get(url(data["plan"])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in body
    sector, gender = (Attribute.objects.get(study=data["plan"].study, name=name).pk
                      for name in ("Sector", "Gender"))
    assert f'<title id="attribute-{sector}-chart-title">Excerpts by Sector</title>' in body
    assert f'<desc id="attribute-{gender}-chart-desc">Female: 1 excerpt; Male: 2 excerpts</desc>' in body


def test_it_refuses_an_unknown_participant(rita, data):
    response = client_for(rita).get(url(data["plan"], participant=99999))
    assert response.status_code == 400
    assert "no such participant" in response.content.decode()


def test_it_answers_404_for_a_missing_theme(rita, db):
    assert client_for(rita).get(reverse("reports:theme-report", args=[SLUG, 99999])).status_code == 404


def test_it_lets_a_researcher_read(alice, data):
    assert client_for(alice).get(url(data["plan"])).status_code == 200


def test_it_hides_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, data):
    assert client_for(steve).get(url(data["plan"])).status_code == 404
    assert client_for(otto).get(url(data["plan"])).status_code == 404
    elsewhere = reverse("reports:theme-report", args=["other", data["plan"].pk])
    assert client_for(otto).get(elsewhere).status_code == 404


def test_it_answers_404_for_a_theme_of_another_study(rita, otto, other_study, data):
    twin = twin_study(other_study, otto)
    for key in ("parent", "child", "other"):
        assert client_for(rita).get(url(twin[key])).status_code == 404


def test_it_refuses_a_participant_of_another_study(rita, otto, other_study, data):
    twin = twin_study(other_study, otto)
    response = client_for(rita).get(url(data["plan"], participant=twin["named"].pk))
    assert response.status_code == 400
    assert "no such participant in this study" in response.content.decode()
    assert "migración planning" not in response.content.decode()


def test_it_counts_and_quotes_the_studys_excerpts_only(rita, otto, other_study, data):
    """The other study has a theme tree with the same names and similar excerpts."""
    twin = twin_study(other_study, otto)
    response = client_for(rita).get(url(data["results"]))
    report = response.context["report"]
    assert (report.totals.excerpts, report.totals.participants, report.quotes) == (4, 3, 3)
    assert {t.pk for t in report.subthemes} == {data["plan"].pk, data["impact"].pk}
    assert not {e.pk for e in response.context["page"]} & {twin[k].pk for k in ("x1", "x2", "x3", "x4")}
    assert "Org other" not in response.content.decode()
    theirs = client_for(otto).get(reverse("reports:theme-report", args=["other", twin["parent"].pk]))
    numbers = theirs.context["report"]
    # D's two excerpts (one coded with two sub-themes) and I's; W withdrew
    assert (numbers.totals.excerpts, numbers.totals.participants, numbers.quotes) == (3, 2, 2)
    assert [e.pk for e in theirs.context["page"]] == [twin["x1"].pk, twin["x2"].pk]


def test_it_sends_anonymous_users_to_login(client, data):
    response = client.get(url(data["plan"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("people", [1, 7])
def test_it_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, people,
                                           django_assert_num_queries):
    """Guards against an N+1 over quotes (transcript, participant or themes fetched per quote)
    and over participants (grouping or consent looked up one by one), and against a cost that
    grows with the other studies on the server."""
    noise(other_study, otto, people)
    parent = theme(study, "Results")
    leaf = theme(study, "Planning", parent=parent)
    for i in range(people):
        scope = "quote_named" if i % 2 == 0 else "interview_only"
        t = interview(person(study, f"P{i}", scope=scope), "Plans and plans.")
        code(t, "Plans", [leaf], alice)
        code(t, "plans", [parent, leaf], alice)
    client = client_for(rita)
    # user, membership with its study, the theme, the study's themes (tree), the study's transcripts
    # with their
    # participants' consent and the counts grouped by transcript (totals, quotes, who is left
    # out), the quotes with
    # transcript and participant, their themes, the study's transcripts (their numbers) with the
    # quoted ones' texts (references: T1:2 ¶3) (issue 16); the coders of the layer select (issue
    # 13); the theme's memos, its comment threads (issue 14); the study's attributes, read once
    # for the select to count by, the counts' choice columns and the quotes' headings, the
    # participants' values (the headings, and which choice each has) and the choices (three)
    with django_assert_num_queries(15):
        response = client.get(url(parent))
    assert response.context["report"].totals.excerpts == 2 * people


def test_the_heading_leaves_out_an_unknown_sector():
    from types import SimpleNamespace

    from reports.queries import participant_heading

    quote = SimpleNamespace(code="B", choice_values=["", "Not disclosed"], organisation="Arca",
                            consent_given=True, consent_withdrawn_on=None, consent_scope="quote")
    assert participant_heading(quote) == "Participant B · Not disclosed"
    quote.consent_scope = "quote_named"
    assert participant_heading(quote) == "Participant B · Not disclosed · Arca"


def test_the_header_names_the_study_the_reader_the_filters_and_the_consent_exclusions(rita, study, data):
    text = text_of(client_for(rita).get(url(data["plan"], participant=data["d"].pk)))
    header = text[text.index("Study"):text.index("Definition")]
    assert study.name in header and "Made by rita" in header
    assert "sub-themes included; participant D only; quotes grouped by participant" in header
    # D alone: no one left out
    assert "Left out for consent" in header and "(1 withdrew consent" not in header
    full = text_of(client_for(rita).get(url(data["plan"])))
    assert ("Left out for consent 2 participants are left out of the quotations (1 withdrew consent; 1 "
            "consented to the interview only).") in full


def test_it_groups_quotes_by_sub_theme(rita, data, alice):
    both = code(data["plan_d"].transcript, "The impact", [data["plan"], data["impact"]], alice)
    response = client_for(rita).get(url(data["results"], group="theme"))
    text = text_of(response)
    # in codebook order: Impact, then Planning versus execution (same place, by name)
    order = [text.index("Impact «The impact can be great»"), text.index("Planning versus execution «Plans"),
             text.index("«We are up to")]
    assert order == sorted(order)
    assert text.count("«The impact»") == 2  # under each of its two sub-themes
    assert [q.pk for q in response.context["page"]] == [
        data["impact_d"].pk, both.pk, data["plan_d"].pk, both.pk, data["plan_j"].pk]


def test_each_quote_has_the_same_reference_on_the_page_in_print_and_in_exports(rita, data):
    client = client_for(rita)
    page = {q.pk: q.reference for q in client.get(url(data["plan"])).context["page"]}
    assert page == {data["plan_d"].pk: "T1:1 \u00b61", data["plan_j"].pk: "T2:1 \u00b61"}
    printed = b"".join(client.get(url(data["plan"], print="on")).streaming_content).decode()
    csv_body = client.get(reverse("reports:theme-report-csv", args=[SLUG, data["plan"].pk])).content.decode()
    for pk, reference in page.items():
        assert f'id="quote-{pk}"' in printed and reference in printed and reference in csv_body
    plan_d = data["plan_d"]
    link = reverse("coding:transcript-coding", args=[SLUG, plan_d.transcript_id]) + f"#x{plan_d.pk}"
    assert f'href="{link}"' in printed
    assert "coded by <bdi>alice</bdi>" in printed


def test_it_narrows_to_one_transcript(rita, data, alice):
    second = interview(data["d"], "D: Plans again, later.", title="Second interview")
    code(second, "Plans again", [data["plan"]], alice)
    client = client_for(rita)
    response = client.get(url(data["plan"], transcript=second.pk))
    assert response.context["report"].totals.excerpts == 1
    assert [q.quote for q in response.context["page"]] == ["Plans again"]
    assert "transcript «Second interview» only" in text_of(response)
    assert client.get(url(data["plan"], transcript=99999)).status_code == 400


@pytest.mark.parametrize("people", [1, 7])
def test_the_printable_report_runs_a_fixed_number_of_queries(rita, alice, otto, study, other_study, people,
                                                             django_assert_num_queries):
    """Guards against a query per quote or per participant while the report streams."""
    noise(other_study, otto, people)
    leaf = theme(study, "Planning", parent=theme(study, "Results"))
    for i in range(people):
        transcript = interview(person(study, f"P{i}", scope="quote_named"), "Plans and plans.")
        code(transcript, "Plans", [leaf], alice)
    client = client_for(rita)
    # as the paged report (15: i16's 9, plus issues 12-14's layer coders, memos, comments, and the
    # attributes, values and choices (3)), the quotes read once in chunks of 1,000
    with django_assert_num_queries(15):
        body = b"".join(client.get(url(leaf, print="on")).streaming_content).decode()
    assert body.count('<blockquote class="mb-2') == people


def test_each_quote_cites_its_paragraph_and_cue_time_in_print_on_the_page_and_in_the_csv(rita, alice, study):
    """References are worked out once per transcript (its paragraph breaks and cue offsets), not
    once per quote: each quote still gets its own paragraph and the cue of its own line."""
    plan = theme(study, "Planning")
    subtitled = interview(person(study, "S", scope="quote"),
                          "S: first line.\nS: second line here.\n\n\nS: third line, plans.")
    subtitled.cues = [{"offset": 0, "time": 3.5}, {"offset": 15, "time": 754.2}, {"offset": 38, "time": 3600}]
    subtitled.save()
    plain = interview(person(study, "T", scope="quote"), "T: plans one.\nT: plans two.")
    quotes = [code(subtitled, "first line", [plan], alice), code(subtitled, "second line", [plan], alice),
              code(subtitled, "third line", [plan], alice), code(plain, "plans two", [plan], alice)]
    expected = ["T1:1 \u00b61 00:00:03", "T1:2 \u00b62 00:12:34", "T1:3 \u00b63 01:00:00", "T2:1 \u00b62"]
    client = client_for(rita)
    page = client.get(url(plan)).context["page"]
    assert [(q.pk, q.reference) for q in page] == list(zip([q.pk for q in quotes], expected, strict=True))
    printed = b"".join(client.get(url(plan, print="on")).streaming_content).decode()
    found = re.findall(r'id="quote-(\d+)".*?<strong class="quote-ref"[^>]*>([^<]*)</strong>', printed)
    assert found == [(str(q.pk), reference) for q, reference in zip(quotes, expected, strict=True)]
    csv_body = client.get(reverse("reports:theme-report-csv", args=[SLUG, plan.pk])).content.decode()
    assert all(reference in csv_body for reference in expected)


def test_quotes_read_chunk_by_chunk_have_the_same_references_headings_and_themes(rita, alice, study):
    """quote_rows keeps what it read of each transcript from chunk to chunk: a report read one
    quote at a time says exactly what it says read at once."""
    from reports.queries import ThemeTree, excerpts_for_theme_report, quote_rows

    plan, other = theme(study, "Planning"), theme(study, "Alliances")
    for i, scope in enumerate(["quote_named", "quote", "interview_only", "quote"]):
        t = interview(person(study, f"P{i}", scope=scope, organisation=f"Org {i}"),
                      "plans here.\n\nplans there.\nmore plans.")
        code(t, "plans", [plan], alice)
        code(t, "plans", [plan, other], alice, occurrence=2)
    tree = ThemeTree(study)
    rows = list(excerpts_for_theme_report(study, [plan.pk], tree=tree))

    def seen(chunk):
        return [(x.pk, x.reference, x.themes, x.choice_values, x.organisation_named)
                for x in quote_rows(study, iter(rows), chunk=chunk, tree=tree)]

    one_by_one = seen(1)
    assert one_by_one == seen(1000)
    assert len(one_by_one) == 6  # P2 may not be quoted
    assert [ref for _pk, ref, *_rest in one_by_one] == [
        "T1:1 \u00b61", "T1:2 \u00b63", "T2:1 \u00b61", "T2:2 \u00b63", "T4:1 \u00b61", "T4:2 \u00b63"]
    assert one_by_one[1][2] == [(other.pk, "Alliances"), (plan.pk, "Planning")]
    assert [x[4] for x in one_by_one] == ["Org 0", "Org 0", "", "", "", ""]


def test_the_printable_report_streams_its_quotes_chunk_by_chunk(rita, alice, study, monkeypatch):
    """The page around the quotes goes first; the quotes follow, read a chunk at a time (so that
    20,000 of them never sit in memory at once): before the body is read, no quote is."""
    from reports import views

    plan = theme(study, "Planning")
    for i in range(3):
        code(interview(person(study, f"P{i}"), "Plans and plans."), "Plans", [plan], alice)
    read = []
    real = views.quote_rows

    def counting(*args, **kwargs):
        for row in real(*args, **kwargs):
            read.append(row.pk)
            yield row

    monkeypatch.setattr(views, "quote_rows", counting)
    response = client_for(rita).get(url(plan, print="on"))
    assert response.streaming and read == []
    body = b"".join(response.streaming_content).decode()
    assert len(read) == 3 and body.count('<blockquote class="mb-2') == 3


def test_a_participant_with_two_interviews_counts_once_with_the_excerpts_of_both(rita, data, alice):
    """The counts are read per transcript and summed per participant: D's second interview adds
    its excerpts to D's, not a participant, in the totals and in each breakdown."""
    client = client_for(rita)
    before = client.get(url(data["plan"])).context["report"]
    second = interview(data["d"], "D: Plans again, later.", title="Second interview")
    code(second, "Plans again", [data["plan"]], alice)
    after = client.get(url(data["plan"])).context["report"]
    assert (after.totals.excerpts, after.totals.participants) == (before.totals.excerpts + 1,
                                                                   before.totals.participants)
    assert after.quotes == before.quotes + 1
    sector = dict(after.by_attribute[0][1])
    assert sector["NGO"].excerpts == 2 and sector["NGO"].participants == 1
    only_d = client.get(url(data["plan"], participant=data["d"].pk)).context["report"]
    assert (only_d.totals.excerpts, only_d.totals.participants, only_d.quotes) == (2, 1, 2)
