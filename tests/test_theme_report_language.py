"""Theme reports and their exports cite in the study's language, or in the one the reader
picks: «…» (Participante «D». Entrevista personal, 8 de abril de 2009), or the paper's English
form; DOCX and XLSX headings and labels follow the same choice, whatever the interface speaks."""

import datetime
import html
import io
import re

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.reports_study import code, interview, person, theme

ES_D = "«Plans are not enough» (Participante «D». Entrevista personal, 8 de abril de 2009)."
EN_D = "«Plans are not enough» (Participant «D». Personal interview April 8, 2009)."


@pytest.fixture
def plan(alice, study):  # study.language == "es"
    plan = theme(study, "Planning versus execution", description="The gap.")
    d = person(study, "D", sector="ngo", gender="male", organisation="RET", scope="quote_named")
    code(interview(d, "D: Plans are not enough.", date=datetime.date(2009, 4, 8)), "Plans are not enough",
         [plan], alice)
    return plan


def get(user, name, plan, **params):
    suffix = "" if name == "page" else f"-{name}"
    response = client_for(user).get(reverse(f"reports:theme-report{suffix}", args=["pasto", plan.pk]), params)
    assert response.status_code == 200, response.content
    return response


def text_of(response):
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def docx_paragraphs(response):
    return [p.text for p in Document(io.BytesIO(response.content)).paragraphs]


def test_the_page_cites_in_the_studys_language(rita, plan):
    body = text_of(get(rita, "page", plan))
    assert ES_D in body
    assert "Personal interview" not in body


def test_the_reader_picks_english(rita, plan):
    assert EN_D in text_of(get(rita, "page", plan, language="en"))


def test_the_page_offers_the_choice_and_its_exports_keep_it(rita, plan):
    body = get(rita, "page", plan, language="en").content.decode()
    assert 'name="language"' in body
    assert "language=en" in body.split("DOCX")[0].rsplit("href=", 1)[1]


def test_the_docx_cites_and_heads_in_spanish(rita, plan):
    paragraphs = docx_paragraphs(get(rita, "docx", plan))
    assert ES_D in paragraphs
    assert "Definición" in paragraphs and "Definition" not in paragraphs
    # the heading's sector and gender are the study's attribute values, as the study wrote them
    assert "Participante D · NGO · Male · RET" in paragraphs


def test_the_docx_in_english_on_request_even_for_a_spanish_interface(rita, plan):
    client = client_for(rita, HTTP_ACCEPT_LANGUAGE="es")
    response = client.get(reverse("reports:theme-report-docx", args=["pasto", plan.pk]), {"language": "en"})
    paragraphs = docx_paragraphs(response)
    assert EN_D in paragraphs and "Definition" in paragraphs


def test_the_xlsx_heads_in_the_chosen_language(rita, plan):
    spanish = load_workbook(io.BytesIO(get(rita, "xlsx", plan).content))
    english = load_workbook(io.BytesIO(get(rita, "xlsx", plan, language="en").content))
    assert spanish.sheetnames == ["Citas", "Recuentos", "Informe"]
    assert english.sheetnames == ["Quotes", "Counts", "Report"]
    assert [c.value for c in spanish["Citas"][1]][0] == "Participante"
    assert spanish["Citas"]["K2"].value == ES_D.split("» ")[1]


def test_an_english_study_cites_in_english(rita, plan, study):
    study.language = "en"
    study.save()
    assert EN_D in text_of(get(rita, "page", plan))


def test_it_refuses_a_language_it_does_not_offer(rita, plan):
    response = client_for(rita).get(reverse("reports:theme-report-csv", args=["pasto", plan.pk]),
                                    {"language": "fr"})
    assert response.status_code == 400
