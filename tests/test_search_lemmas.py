"""Spanish-aware search: a bare word finds the other forms of its lemma in transcripts of a
language with a lemmatiser (interviews.lemmas), on SQLite and on PostgreSQL alike (run this
module with DATABASE_URL set for the second). Quoted words stay exact."""

import pytest
from django.urls import reverse

from interviews.models import Transcript, WordForm
from reports.search import parse_query, search, transcripts_for_search, word_forms
from tests.conftest import client_for
from tests.participants import participant_make

URL = reverse("reports:search", args=["pasto"])
ES = (
    "Los jóvenes de Pasto participaron. Un joven habló de las mujeres.\n\n"
    "D: Las familias desplazadas y los desplazados llegaron; cada mujer cuenta.\n\n"
    "Los JOVENES del barrio."
)


@pytest.fixture
def entrevista(study, participant):
    return Transcript.objects.create(study=study, participant=participant, title="Entrevista D",
                                     text=ES, language="es")


def lines(client, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200, response.content
    return response.context["lines"]


def found(client, q):
    return [line["match"] for line in lines(client, q)]


def test_joven_finds_jovenes(alice, entrevista):
    assert found(client_for(alice), "joven") == ["jóvenes", "joven", "JOVENES"]


def test_desplazado_finds_desplazados_and_desplazadas(alice, entrevista):
    assert found(client_for(alice), "desplazado") == ["desplazadas", "desplazados"]


def test_mujer_finds_mujeres(alice, entrevista):
    assert found(client_for(alice), "mujer") == ["mujeres", "mujer"]
    assert found(client_for(alice), "mujeres") == ["mujeres", "mujer"]


def test_a_word_typed_without_its_accents_still_finds_its_lemma(alice, entrevista):
    assert found(client_for(alice), "jovenes") == ["jóvenes", "joven", "JOVENES"]


def test_a_quoted_word_and_a_phrase_stay_exact(alice, entrevista):
    client = client_for(alice)
    assert found(client, '"joven"') == ["joven"]
    assert found(client, '"las mujeres"') == ["las mujeres"]
    assert found(client, '"la mujer"') == []
    assert found(client, "desplaz*") == ["desplazadas", "desplazados"]


def test_each_hit_names_the_form_it_found(alice, entrevista):
    hits = lines(client_for(alice), "joven")
    assert [line["form"] for line in hits] == ["jóvenes", "", "JOVENES"]
    response = client_for(alice).get(URL, {"q": "joven"})
    assert "form: jóvenes" in response.content.decode()


def test_the_form_is_named_in_spanish_too(alice, entrevista):
    response = client_for(alice, HTTP_ACCEPT_LANGUAGE="es").get(URL, {"q": "joven"})
    assert "forma: jóvenes" in response.content.decode()


def test_an_english_transcript_is_not_searched_with_spanish_lemmas(alice, study, participant):
    Transcript.objects.create(study=study, participant=participant, title="English", language="en",
                              text="Los jóvenes. The women and a woman.")
    client = client_for(alice)
    assert found(client, "joven") == []
    assert found(client, "woman") == ["women", "woman"]  # English lemmas for English texts


def test_a_transcript_in_another_language_is_searched_exactly(alice, study, participant):
    Transcript.objects.create(study=study, participant=participant, title="Quechua", language="qu",
                              text="Los jóvenes y un joven.")
    assert found(client_for(alice), "joven") == ["joven"]
    assert not WordForm.objects.filter(language="qu").exists()


def test_the_word_forms_follow_a_change_of_the_text(alice, entrevista):
    assert found(client_for(alice), "niño") == []
    entrevista.text = ES + "\n\nLos niños jugaban."
    entrevista.save()
    assert found(client_for(alice), "niño") == ["niños"]


def test_the_word_forms_are_the_studys_own(alice, entrevista, other_study, otto):
    """A form seen only in another study's transcripts widens nothing here."""

    z = participant_make(study=other_study, code="Z", sector="ngo", gender="female",
                                   consent_given=True, consent_scope="quote")
    Transcript.objects.create(study=other_study, participant=z, title="Otra", language="es",
                              text="Las muchachas llegaron.")
    assert set(WordForm.objects.filter(study=entrevista.study).values_list("form", flat=True)) >= {"jovenes"}
    assert not WordForm.objects.filter(study=entrevista.study, form="muchachas").exists()
    lexicon = word_forms(entrevista.study, parse_query("muchacha"))
    assert lexicon["es"][0].forms == ()


def test_the_narrowed_transcripts_hold_every_hit(alice, entrevista, study, participant):
    """On PostgreSQL the words table narrows the scan with every form ORed; nothing is lost."""
    Transcript.objects.create(study=study, participant=participant, title="Sin", language="es",
                              text="Nada que ver aquí.")
    terms = parse_query("joven mujer")
    lexicon = word_forms(study, terms)
    everything = Transcript.objects.filter(study=study)
    expected = [(h.transcript.pk, h.start, h.end) for h in search(terms, everything, lexicon)]
    narrowed = [(h.transcript.pk, h.start, h.end)
                for h in search(terms, transcripts_for_search(study, terms, lexicon), lexicon)]
    assert narrowed == expected and len(expected) == 5


def test_the_auto_coding_form_keeps_the_query(alice, entrevista):
    """The page's hidden query field holds the search (a hit's word form must not replace it)."""
    body = client_for(alice).get(URL, {"q": "joven"}).content.decode()
    assert '<input type="hidden" name="q" value="joven">' in body


def test_both_scans_agree_on_a_word_with_its_forms():
    """The cp1252 byte scan and the full regular expression find the same forms."""
    from reports.search import Matcher

    term = parse_query("joven")[0].with_forms(["jovenes", "joven"])
    assert term.forms == ("jovenes",)
    matcher = Matcher([term])
    assert matcher._fast is not None
    text = "Los JÓVENES, un joven; jovenzuelo y jóvenes.\nJoven."
    assert matcher.hits(text) == matcher.slow_hits(text)
    assert [text[s:e] for s, e, _t in matcher.hits(text)] == ["JÓVENES", "joven", "jóvenes", "Joven"]
