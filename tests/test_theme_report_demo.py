"""The theme reports of the Pasto demo study read like the paper's Results and Learning sections:
the heading's definition, then the participants' passages in their words, each cited as the
paper cites it. This is the one report test that loads fixtures/pasto_demo.json, because the demo
study is what it checks; the expected quotes and citations are typed here from the paper."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from coding.models import Theme
from tests.conftest import client_for

# Who the paper quotes under each heading, in the report's order (participant, then position).
SECTIONS = {
    "Development plan and subject population": ["D", "H"],
    "International Cooperation focus": ["G", "L"],
    "The UNDP's ART-REDES Program": ["K", "L"],
    "Planning versus execution": ["J", "L", "L"],
    "Impact and challenges of the International Cooperation strategy": [
        "A", "C", "C", "D", "D", "E", "E", "F", "G", "G", "H", "K", "M"],
    "Communication and shared knowledge": ["B", "B", "E", "F", "G", "H", "L", "M"],
}


@pytest.fixture
def demo(role_groups):
    call_command("load_demo", stdout=StringIO())


def text_of(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.mark.parametrize("name", list(SECTIONS))
def test_each_results_heading_reads_like_the_paper(demo, rita, name):
    theme = Theme.objects.get(name=name)
    response = client_for(rita).get(reverse("reports:theme-report", args=[theme.pk]))
    quotes = list(response.context["page"])
    assert [q.transcript.participant.code for q in quotes] == SECTIONS[name]
    text = text_of(response)
    assert theme.description in text
    for excerpt in quotes:
        assert excerpt.citation in text
        assert f"«{excerpt.quote}» {excerpt.citation}" in text
    assert "No participant is left out of the quotations." in text


def test_the_planning_section_quotes_participant_j_as_the_paper_does(demo, rita):
    theme = Theme.objects.get(name="Planning versus execution")
    text = text_of(client_for(rita).get(reverse("reports:theme-report", args=[theme.pk])))
    assert ("«On many occasions we are up to here with planning and strategy documents» "
            "(Participant «J». Personal interview May 11, 2009).") in text
    assert "«When are we going to see how much of this planning is implemented" in text
    assert "(Participant «L». Personal interview May 14, 2009)." in text
    assert "3 excerpts from 2 participants." in text


def test_the_art_redes_section_names_the_participants_organisations(demo, rita):
    theme = Theme.objects.get(name="The UNDP's ART-REDES Program")
    text = text_of(client_for(rita).get(reverse("reports:theme-report", args=[theme.pk])))
    assert "Participant K · Public · Female · Force Inland Migration Office" in text
    assert ("«Some important alliances were made, like the alliance with the UNDP’s ART–REDES Program, "
            "which has a lot of experience in the field of International Cooperation with municipalities» "
            "(Participant «K». Personal interview May 14, 2009).") in text


def test_the_results_report_gathers_its_five_headings(demo, rita):
    theme = Theme.objects.get(name="Results")
    response = client_for(rita).get(reverse("reports:theme-report", args=[theme.pk]))
    report = response.context["report"]
    assert report.totals.excerpts == sum(len(codes) for name, codes in SECTIONS.items()
                                         if name != "Communication and shared knowledge")
    assert report.totals.participants == 11  # everyone but B (Learning only) and I (never quoted)
    assert [t.name for t in report.subthemes] == [name for name in SECTIONS][:5]
