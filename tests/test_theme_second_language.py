"""A bilingual codebook: a theme's name, description and criteria in the study's language and,
optionally, in its second language (English for a Spanish study); the codebook, the coding page,
theme reports and exports show the language chosen and fall back to the other; .qdc and .qdpx
carry the second language inside the description and our import reads it back."""

import datetime
import io
import json
import re

import pytest
from django.urls import reverse
from docx import Document

from coding.codebook_qdc import codebook_import_qdc, codebook_qdc_bytes, second_language_parse
from coding.models import Theme, second_language
from exchange.qdpx_export import study_export
from exchange.qdpx_import import study_import
from tests.conftest import client_for
from tests.reports_study import code, interview, person

SPANISH = "es"  # the conftest study's language


@pytest.fixture
def juventud(study):  # study.language == "es": the second language is English
    return Theme.objects.create(
        study=study, name="Juventud", description="Jóvenes y sus organizaciones.",
        inclusion_criteria="Menciones de jóvenes.", exclusion_criteria="",
        name_second="Youth", description_second="", inclusion_criteria_second="Mentions of young people.",
        exclusion_criteria_second="Children under 14.",
    )


def test_a_spanish_studys_second_language_is_english_and_the_other_way_round():
    assert (second_language("es"), second_language("es-CO"), second_language("en")) == ("en", "en", "es")


def test_each_text_falls_back_to_the_other_language(juventud):
    english, spanish = juventud.texts("en", SPANISH), juventud.texts("es", SPANISH)
    description = "Jóvenes y sus organizaciones."  # none in English: the Spanish one
    assert english == ("Youth", description, "Mentions of young people.", "Children under 14.")
    assert spanish == ("Juventud", description, "Menciones de jóvenes.", "Children under 14.")


def test_the_theme_form_saves_the_second_language(alice, study, juventud):
    url = reverse("coding:theme-update", args=["pasto", juventud.pk])
    response = client_for(alice).post(url, {
        "name": "Juventud", "kind": "analytic", "colour": "#123456", "is_codable": "on",
        "description": "", "inclusion_criteria": "", "exclusion_criteria": "",
        "name_second": " Young people ", "description_second": "Youth and their groups.",
        "inclusion_criteria_second": "", "exclusion_criteria_second": "",
    })
    assert response.status_code == 302, response.content
    juventud.refresh_from_db()
    assert (juventud.name_second, juventud.description_second) == ("Young people", "Youth and their groups.")


def test_the_codebook_shows_the_interface_language(alice, juventud):
    url = reverse("coding:codebook", args=["pasto"])
    english = client_for(alice).get(url).content.decode()
    spanish = client_for(alice, HTTP_ACCEPT_LANGUAGE="es").get(url).content.decode()
    assert "<strong><bdi>Youth</bdi></strong>" in english and "Mentions of young people." in english
    assert "<strong><bdi>Juventud</bdi></strong>" in spanish and "Menciones de jóvenes." in spanish
    assert "Jóvenes y sus organizaciones." in english  # no English description: the Spanish one


def test_the_coding_page_names_themes_in_the_interface_language(alice, transcript, juventud):
    url = reverse("coding:transcript-coding", args=["pasto", transcript.pk])

    def names(client):
        body = client.get(url).content.decode()
        data = json.loads(re.search(r'<script id="coding-data" type="application/json">(.*?)</script>',
                                    body, re.S).group(1))
        return [t["name"] for t in data["themes"]]

    assert names(client_for(alice)) == ["Youth"]
    assert names(client_for(alice, HTTP_ACCEPT_LANGUAGE="es")) == ["Juventud"]


def test_the_theme_report_and_its_docx_follow_the_report_language(rita, alice, juventud, study):
    d = person(study, "D")
    code(interview(d, "D: Los jóvenes primero.", date=datetime.date(2009, 4, 8)), "Los jóvenes primero",
         [juventud], alice)
    url = reverse("reports:theme-report", args=["pasto", juventud.pk])
    english = client_for(rita).get(url, {"language": "en"}).content.decode()
    assert '<h1 class="h3"><bdi>Youth</bdi></h1>' in english and "Children under 14." in english
    spanish = client_for(rita).get(url).content.decode()  # the study's language
    assert '<h1 class="h3"><bdi>Juventud</bdi></h1>' in spanish
    docx = client_for(rita).get(reverse("reports:theme-report-docx", args=["pasto", juventud.pk]),
                                {"language": "en"})
    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert paragraphs[0] == "Youth" and "Mentions of young people." in paragraphs


def test_the_qdc_carries_the_second_language_in_the_description(study, juventud, other_study):
    data = codebook_qdc_bytes(Theme.objects.for_codebook_export(study), "en").decode()
    assert "[en] Name: Youth" in data and "[en] Inclusion criteria: Mentions of young people." in data
    codebook_import_qdc(io.BytesIO(data.encode()), study=other_study)
    copy = Theme.objects.get(study=other_study)
    fields = ("name", "description", "inclusion_criteria", "exclusion_criteria", "name_second",
              "description_second", "inclusion_criteria_second", "exclusion_criteria_second")
    assert [getattr(copy, f) for f in fields] == [getattr(juventud, f) for f in fields]


def test_the_parse_leaves_other_tools_descriptions_whole():
    text = "Plain text.\n\nMore [en] text."
    assert second_language_parse(text) == (text, {}, "")


def test_the_qdpx_round_trip_keeps_the_study_language_and_both_languages(study, alice, juventud):
    out = io.BytesIO()
    study_export(out, study=study)
    out.seek(0)
    report = study_import(out, owner=alice, file_name="study.qdpx")
    assert report.study.language == "es"
    copy = Theme.objects.get(study=report.study)
    assert (copy.name, copy.name_second, copy.description_second, copy.inclusion_criteria_second,
            copy.exclusion_criteria_second) == ("Juventud", "Youth", "", "Mentions of young people.",
                                                 "Children under 14.")


def test_the_report_pages_name_themes_in_the_interface_language(rita, alice, juventud, study):
    d = person(study, "D")
    code(interview(d, "D: Los jóvenes primero."), "Los jóvenes primero", [juventud], alice)
    for name in ("reports:study-overview", "reports:theme-matrix", "reports:excerpt-browser"):
        url = reverse(name, args=["pasto"])
        assert "Youth" in client_for(rita).get(url).content.decode(), name
        assert "Juventud" in client_for(rita, HTTP_ACCEPT_LANGUAGE="es").get(url).content.decode(), name


def test_the_excerpt_browsers_cards_name_their_themes_in_the_interface_language(rita, alice, juventud, study):
    d = person(study, "D")
    code(interview(d, "D: Los jóvenes primero."), "Los jóvenes primero", [juventud], alice)
    url = reverse("reports:excerpt-browser", args=["pasto"])
    badge = '<span class="badge theme-badge" style="--c: {}"><bdi>{}</bdi></span>'
    english = client_for(rita).get(url).content.decode()
    spanish = client_for(rita, HTTP_ACCEPT_LANGUAGE="es").get(url).content.decode()
    assert badge.format(juventud.colour, "Youth") in english and "<bdi>Juventud</bdi>" not in english
    assert badge.format(juventud.colour, "Juventud") in spanish


def test_the_report_csv_names_the_quotes_themes_in_the_report_language(rita, alice, juventud, study):
    d = person(study, "D", scope="quote")
    code(interview(d, "D: Los jóvenes primero."), "Los jóvenes primero", [juventud], alice)
    url = reverse("reports:theme-report-csv", args=["pasto", juventud.pk])
    english = client_for(rita).get(url, {"language": "en"}).content.decode("utf-8-sig")
    spanish = client_for(rita).get(url).content.decode("utf-8-sig")
    assert ",Youth," in english and ",Juventud," in spanish
