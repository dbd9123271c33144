"""The theme reports of the Pasto demo study read like the paper: each heading's definition, then
the passages the paper quotes under it, each cited as the paper cites it, with no organisation
beside a quote (the paper never says which participant belongs to which institution). The small
Huertas study shows that a reviewer of one study is a stranger to another.

This is the one report test module that runs load_demo, because the demo is what it checks; the
expected quotes and citations are typed here from the paper."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from coding.models import Theme
from tests.conftest import client_for

# Innermost heading → who the paper quotes under it, in the report's order (participant, then
# position in the transcript).
SECTIONS = {
    "Development plan and subject population": ["D", "H"],
    "International Cooperation focus": ["G", "L"],
    "The UNDP’s ART-REDES Program": ["K", "L"],
    "Planning versus execution": ["J", "L", "L"],
    "Impact": ["C", "D", "E", "G", "H", "K"],
    "Challenges": ["A", "C", "D", "E", "F", "G", "M"],
    "Critical reflection on shared vision": ["E", "M"],
    "Team building": ["G"],
    "Leadership": ["L"],
    "Critical reflection": ["B", "H"],
    "Conclusions": ["B"],
}
TABLE_3 = [
    "Chamber of Commerce", "San Martin University", "RET", "Norewegian Council of Refugees",
    "Territorial Planning Council", "Corpominga", "Suyusama", "Arca de Noé", "Gender Office",
    "Force Inland Migration Office", "Youth Office", "Office of International Affairs",
]


@pytest.fixture
def demo(site_groups):
    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def users(demo, django_user_model):
    return {u.username: u for u in django_user_model.objects.all()}


def theme(slug, name):
    return Theme.objects.get(study__slug=slug, name=name)


class Printed:
    """A streamed printable report read whole: its status, body, numbers (`context["report"]`)
    and quotes in page order (`context["page"]`, excerpts with the `heading` and `citation` the
    page prints)."""

    def __init__(self, response):
        from coding.models import CodedExcerpt
        from interviews.attributes import participant_profiles
        from reports.queries import citation, participant_heading

        self.status_code = response.status_code
        if not response.streaming:
            self.content, self.context = response.content, {}
            return
        self.content = b"".join(response.streaming_content)
        ids = [int(pk) for pk in re.findall(r'id="quote-(\d+)"', self.content.decode())]
        by_id = CodedExcerpt.objects.select_related("transcript__participant").in_bulk(ids)
        quotes = [by_id[pk] for pk in ids]
        profiles = participant_profiles(quotes[0].study_id) if quotes else None
        for excerpt in quotes:
            participant = excerpt.transcript.participant
            participant.choice_values = profiles.choice_row(participant.pk)  # as the report reads them
            participant.organisation = profiles.organisation(participant.pk)
            excerpt.heading = participant_heading(participant)
            excerpt.citation = citation(participant.code, excerpt.transcript.interview_date)
        self.context = {"report": response.context["report"], "page": quotes}


def report(user, slug, name, **query):
    """The printable report (every quote on one page, streamed) of theme `name` of study `slug`."""
    url = reverse("reports:theme-report", args=[slug, theme(slug, name).pk])
    return Printed(client_for(user).get(url, {"print": "on", **query}))


def text_of(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def names_no_institution(text):
    return [name for name in TABLE_3 if re.search(rf"\b{re.escape(name)}\b", text)]


@pytest.mark.parametrize("name", list(SECTIONS))
def test_each_heading_quotes_whom_the_paper_quotes_there(users, name):
    response = report(users["rosa"], "pasto", name)
    assert response.status_code == 200
    quotes = list(response.context["page"])
    assert [q.transcript.participant.code for q in quotes] == SECTIONS[name]
    text = text_of(response)
    assert theme("pasto", name).description in text
    for excerpt in quotes:
        assert f"«{excerpt.quote}» {excerpt.citation}" in text


def test_a_heading_with_sub_headings_quotes_only_its_own_passages_when_they_are_left_out(users):
    response = report(users["rosa"], "pasto", "Communication and shared knowledge", subthemes="0")
    assert [q.transcript.participant.code for q in response.context["page"]] == ["F"]
    everyone = report(users["rosa"], "pasto", "Communication and shared knowledge")
    assert [q.transcript.participant.code for q in everyone.context["page"]] == [
        "B", "E", "F", "G", "H", "L", "M"]
    # B's 6.2 quotation is a conclusion of the paper, not a lesson of 5.1.
    assert "Each citizen is called upon" not in text_of(everyone)
    assert "Each citizen is called upon" in text_of(report(users["rosa"], "pasto", "Conclusions"))


def test_the_citations_read_as_the_paper_prints_them(users):
    text = text_of(report(users["rosa"], "pasto", "Planning versus execution"))
    assert ("«On many occasions we are up to here with planning and strategy documents» "
            "(Participant «J». Personal interview May 11, 2009).") in text
    assert "«When are we going to see how much of this planning is implemented" in text
    assert "(Participant «L». Personal interview May 14, 2009)." in text
    assert "3 excerpts from 2 participants." in text
    text = text_of(report(users["rosa"], "pasto", "Impact"))
    assert ("«The urban side can defend itself, right? Let’s not say that it has few needs, but [...] "
            "the country needs it much more and International Cooperation, I think, is willing to "
            "participate in those processes» (Participant «C». Personal interview April 8, 2009).") in text


def test_no_report_names_an_organisation_beside_a_pasto_quote(users):
    rosa = users["rosa"]
    for name in Theme.objects.filter(study__slug="pasto").values_list("name", flat=True):
        response = report(rosa, "pasto", name)
        quotes_section = text_of(response).partition(" Quotes ")[2]
        assert "Personal interview" in quotes_section or not response.context["page"], name
        assert names_no_institution(quotes_section) == [], name
        for excerpt in response.context["page"]:
            code = excerpt.transcript.participant.code
            # Participant D, the sector and the gender (neither known), and nothing after them.
            assert excerpt.heading.startswith(f"Participant {code} · ")
            assert excerpt.heading.endswith(" · Not disclosed"), excerpt.heading


def test_no_export_or_browser_page_names_an_organisation_in_pasto(users):
    client = client_for(users["rosa"])
    analytic = theme("pasto", "Analytic themes")
    csv = client.get(reverse("reports:theme-report-csv", args=["pasto", analytic.pk]))
    assert csv.status_code == 200
    assert "Each citizen is called upon" in csv.content.decode()
    assert names_no_institution(csv.content.decode()) == []
    for page in (1, 2):
        browser = client.get(reverse("reports:excerpt-browser", args=["pasto"]), {"page": page})
        assert browser.status_code == 200
        assert names_no_institution(text_of(browser)) == []


def test_the_results_report_gathers_its_headings_and_sub_headings(users):
    data = report(users["rosa"], "pasto", "Results").context["report"]
    assert data.totals.excerpts == 2 + 2 + 2 + 3 + 6 + 7
    assert data.totals.participants == 11  # everyone but B (Learning and Conclusions) and I (never quoted)
    assert [t.name for t in data.subthemes] == [
        "Development plan and subject population", "International Cooperation focus",
        "The UNDP’s ART-REDES Program", "Planning versus execution",
        "Impact and challenges of the International Cooperation strategy", "Impact", "Challenges",
    ]


# ----- Huertas: its own team, its own consent -----

def test_huertas_names_an_organisation_only_where_consent_allows_it(users):
    response = report(users["maria"], "huertas", "Recursos")
    assert response.status_code == 200
    headings = {q.transcript.participant.code: q.heading for q in response.context["page"]}
    assert headings["P1"].endswith(" · Huerta comunitaria La Minga")  # "quote_named"
    assert "Junta de acción comunal" not in text_of(response)  # "quote"
    assert "P3" not in headings  # "interview_only": counted, never quoted
    assert response.context["report"].totals.participants == 3


@pytest.mark.parametrize(("username", "slug", "status"), [
    ("rosa", "pasto", 200), ("rosa", "huertas", 200), ("maria", "huertas", 200),
    ("tomas", "pasto", 200), ("tomas", "huertas", 404), ("olga", "pasto", 404),
    ("admin", "huertas", 404),  # a site admin sees a study's content only as a member
])
def test_each_study_shows_its_reports_to_its_members_only(users, username, slug, status):
    name = {"pasto": "Results", "huertas": "Recursos"}[slug]
    assert report(users[username], slug, name).status_code == status


def test_a_theme_of_one_study_is_not_found_through_the_other(users):
    url = reverse("reports:theme-report", args=["huertas", theme("pasto", "Results").pk])
    assert client_for(users["rosa"]).get(url).status_code == 404


def test_rosa_may_code_in_huertas_but_not_in_pasto(users):
    client = client_for(users["rosa"])
    # Empty form: a reviewer is refused before it is read (403); a researcher gets its errors.
    assert client.post(reverse("reports:auto-code", args=["pasto"])).status_code == 403
    assert client.post(reverse("reports:auto-code", args=["huertas"])).status_code == 400
