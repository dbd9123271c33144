"""The search page: case- and accent-insensitive words, phrases, keyword-in-context lines.

Every test here runs on SQLite and on PostgreSQL (DATABASE_URL); the last ones check what only
PostgreSQL has: unaccent and the text search index that narrows the scan."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.models import Transcript
from interviews.text import BASE_OF, VARIANTS, fold
from reports.search import Matcher, _fold_bytes, kwic, parse_query, search, transcripts_for_search
from tests.conftest import client_for
from tests.reports_study import interview, noise, person, twin_study

SLUG = "pasto"  # the conftest study

URL = reverse("reports:search", args=[SLUG])
TEXT = (
    "La migración forzada es un reto para Pasto.\n\n"
    "D: MIGRACION, desplazamiento; the forced, inland  migration of families.\n\n"
    "Inmigración y migraciones no son lo mismo."
)


@pytest.fixture
def spanish(study, participant):
    return Transcript.objects.create(study=study, participant=participant, title="Entrevista D",
                                     text=TEXT)


def found(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200, response.content
    return [line["match"] for line in response.context["lines"]]


def test_it_ignores_accents_in_the_text(alice, spanish):
    assert found(client_for(alice), "migracion") == ["migración", "MIGRACION"]


def test_it_ignores_accents_in_the_query(alice, spanish):
    assert found(client_for(alice), "migrácion") == ["migración", "MIGRACION"]
    assert found(client_for(alice), "INMIGRACIÓN") == ["Inmigración"]


def test_it_ignores_mixed_case(alice, spanish):
    assert found(client_for(alice), "MiGrAcIoN") == ["migración", "MIGRACION"]
    assert found(client_for(alice), "pasto") == ["Pasto"]


def test_it_finds_a_phrase_across_punctuation_and_spaces(alice, spanish):
    assert found(client_for(alice), '"forced inland migration"') == ["forced, inland  migration"]
    assert found(client_for(alice), '"MIGRACIÓN FORZADA"') == ["migración forzada"]


def test_it_does_not_find_a_phrase_in_another_order(alice, spanish):
    assert found(client_for(alice), '"inland forced migration"') == []


def test_it_matches_whole_words_unless_a_word_ends_with_a_star(alice, spanish):
    client = client_for(alice)
    assert found(client, "migra") == []
    assert found(client, "migra*") == ["migración", "MIGRACION", "migration", "migraciones"]


def test_it_needs_every_term_in_a_transcript(alice, participant, spanish):
    interview(participant, "Otra migración sin la ciudad.", title="Second")
    client = client_for(alice)
    assert len(found(client, "migracion")) == 3
    # "pasto" is only in the first transcript, so the second's hit drops out.
    assert found(client, "migracion pasto") == ["migración", "Pasto", "MIGRACION"]


def test_it_shows_each_hit_in_context_with_participant_and_position(alice, spanish):
    response = client_for(alice).get(URL, {"q": "desplazamiento"})
    line = response.context["lines"][0]
    start = TEXT.index("desplazamiento")
    assert (line["hit"].start, line["hit"].end) == (start, start + len("desplazamiento"))
    assert line["before"] == "D: MIGRACION, "
    assert line["after"].startswith("; the forced")
    assert line["paragraph"] == 2
    body = response.content.decode()
    assert f"¶ 2, character {start}" in body
    assert "<mark>desplazamiento</mark>" in body
    assert "<td><bdi>D</bdi></td>" in body


def test_its_offsets_are_code_points_after_an_emoji(alice, study, participant):
    text = "😀😀 a\u0301 Una migración"
    transcript = Transcript.objects.create(study=study, participant=participant, title="T",
                                           text=text)
    hit = client_for(alice).get(URL, {"q": "migracion"}).context["lines"][0]["hit"]
    assert (hit.transcript.pk, hit.start) == (transcript.pk, text.index("migración"))
    assert text[hit.start : hit.end] == "migración"


def test_it_finds_a_letter_followed_by_a_combining_accent(alice, study, participant):
    # NFC has no single character for "n" with a diaeresis, so the mark stays separate.
    text = "La palabra migración y la n\u0308 rara: migracio\u0301n."
    Transcript.objects.create(study=study, participant=participant, title="T", text=text)
    assert found(client_for(alice), "migracion") == ["migración", "migracio\u0301n"]


def test_it_counts_hits_and_transcripts(alice, participant, spanish):
    interview(participant, "Una migración más.", title="Second")
    response = client_for(alice).get(URL, {"q": "migracion"})
    assert response.context["hit_count"] == 3
    assert response.context["transcript_count"] == 2
    assert "3 hits" in response.content.decode()


def test_it_pages_through_many_hits(alice, study, participant):
    Transcript.objects.create(study=study, participant=participant, title="T",
                              text=" ".join(["migración"] * 120))
    client = client_for(alice)
    first = client.get(URL, {"q": "migracion"})
    third = client.get(URL, {"q": "migracion", "page": 3})
    assert len(first.context["lines"]) == 50
    assert len(third.context["lines"]) == 20
    assert third.context["lines"][0]["hit"].start == 100 * len("migración ")


def test_it_does_not_search_participants_who_withdrew_or_never_consented(alice, study, spanish):
    withdrawn = person(study, "W", withdrawn="2010-01-01")
    never = person(study, "N", given=False)
    interview(withdrawn, "Una migración retirada.")
    interview(never, "Una migración sin permiso.")
    response = client_for(alice).get(URL, {"q": "migracion"})
    assert [line["hit"].transcript.participant.code for line in response.context["lines"]] == ["D", "D"]
    assert response.context["not_searched"] == 2


def test_it_rejects_a_query_without_words(alice, spanish):
    response = client_for(alice).get(URL, {"q": "¿?!"})
    assert response.status_code == 400
    assert "Type at least one word" in response.content.decode()


def test_it_shows_the_empty_form_without_a_query(alice):
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    assert "lines" not in response.context


def test_it_offers_researchers_auto_coding(alice, spanish, themes):
    body = client_for(alice).get(URL, {"q": "migracion"}).content.decode()
    assert 'id="auto-code-form"' in body
    assert 'name="hits"' in body


def test_it_searches_an_archived_study_without_coding_controls(alice, study, spanish, themes):
    study.archived_at = timezone.now()
    study.save()
    response = client_for(alice).get(URL, {"q": "migracion"})
    assert response.status_code == 200
    assert len(response.context["lines"]) == 2
    assert 'id="auto-code-form"' not in response.content.decode()


def test_it_lets_a_reviewer_search_without_coding_controls(rita, spanish):
    response = client_for(rita).get(URL, {"q": "migracion"})
    assert response.status_code == 200
    assert len(response.context["lines"]) == 2
    assert 'id="auto-code-form"' not in response.content.decode()


def test_it_hides_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, spanish):
    assert client_for(steve).get(URL, {"q": "migracion"}).status_code == 404
    assert client_for(otto).get(URL, {"q": "migracion"}).status_code == 404


def test_it_searches_the_studys_transcripts_only(alice, otto, other_study, spanish):
    twin = twin_study(other_study, otto)
    response = client_for(alice).get(URL, {"q": "migracion"})
    assert {line["hit"].transcript.pk for line in response.context["lines"]} == {spanish.pk}
    assert (response.context["hit_count"], response.context["not_searched"]) == (2, 0)
    theirs = client_for(otto).get(reverse("reports:search", args=["other"]), {"q": "migracion"})
    assert [line["hit"].transcript.pk for line in theirs.context["lines"]] == [twin["td"].pk, twin["ti"].pk]
    assert theirs.context["not_searched"] == 1  # W withdrew
    terms = parse_query("pasto")  # in `study`'s transcript only
    assert len(search(terms, transcripts_for_search(other_study, terms))) == 0


def test_it_offers_auto_coding_with_the_studys_themes_only(alice, otto, other_study, spanish, themes):
    twin_study(other_study, otto)
    response = client_for(alice).get(URL, {"q": "migracion"})
    offered = {label.strip() for _pk, label in response.context["themes"]}
    assert offered == {"Strategy themes", "Youth", "Gender"}


def test_it_sends_anonymous_users_to_login(client, spanish):
    response = client.get(URL, {"q": "migracion"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [1, 8])
def test_it_runs_a_fixed_number_of_queries(rita, otto, study, other_study, count, django_assert_num_queries):
    """Guards against an N+1 over transcripts or hits (participant or text loaded per hit), and
    against a cost that grows with the other studies on the server."""
    for i in range(count):
        interview(person(study, f"P{i}"), f"Una migración número {i}. Otra migración.")
    noise(other_study, otto, count)
    client = client_for(rita)
    # user, membership with its study, the word forms of the query word's lemma, transcripts
    # with participants and texts, count of transcripts not searched (consent); the attributes to filter by
    with django_assert_num_queries(6):
        response = client.get(URL, {"q": "migracion"})
    assert response.context["hit_count"] == 2 * count


TRICKY = [
    "See www.pasto.gov.co/migracion or info@pasto.org for Pasto news.",
    "ART-REDES and the UNDP’s ART–REDES; the department's plan_migracion.",
    "Numbers: 2009, 4.1, covid19, 1e5 and the año 2009-04-08.",
    "Ligatures ﬁnance, the straße, Søren, Łódź, ĳssel and ǅemal.",
    "Combining: migracio\u0301n, n\u0308, e\u0301xodo.",
]


@pytest.mark.parametrize("q", ["pasto", "migracion", "org", "redes", "art", "s", "department", "plan",
                               "2009", "covid19", "1", "soren", "lodz", "straße", "exodo", "finance",
                               '"art redes"', "migra*", "dzemal", "ǆemal"])
def test_its_results_equal_a_scan_of_every_transcript(alice, study, other_study, q):
    """On PostgreSQL the text search index picks the transcripts to scan; it must never drop one
    that has a hit, whatever the text looks like (URLs, hyphens, apostrophes, digits...), nor
    let in a transcript of another study holding the same words."""
    for i, text in enumerate(TRICKY):
        interview(person(study, f"T{i}"), text)
        interview(person(other_study, f"T{i}"), text)
    terms = parse_query(q)
    everything = Transcript.objects.filter(study=study).select_related("participant").order_by(
        "participant__code")
    expected = [(h.transcript.pk, h.start, h.end) for h in search(terms, everything)]
    scanned = transcripts_for_search(study, terms)
    narrowed = [(h.transcript.pk, h.start, h.end) for h in search(terms, scanned)]
    assert narrowed == expected


def test_the_matcher_treats_a_letter_and_its_accented_forms_alike():
    text = "ÁÉÍÓÚ ñç àèìòù ÄËÏÖÜ âêîôû ãõ NC aeio"
    hits = Matcher(parse_query("aeiou nc")).hits(text)
    assert [text[s:e] for s, e, _term in hits] == ["ÁÉÍÓÚ", "ñç", "àèìòù", "ÄËÏÖÜ", "âêîôû", "NC"]


def test_kwic_cuts_context_at_the_paragraph_and_at_whole_words():
    text = "Uno.\n" + "palabra " * 20 + "migración " + "después " * 20
    start = text.index("migración")
    before, match, after, paragraph = kwic(text, start, start + 9)
    assert match == "migración"
    assert before.startswith("…palabra") and "\n" not in before
    assert after.endswith("…") and paragraph == 2


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@postgres_only
def test_unaccent_folds_every_letter_the_matcher_treats_as_one(db):
    """The index narrows with lower(unaccent(word)); the matcher must never treat two letters as
    equal that unaccent keeps apart, or the narrowing could drop a transcript with a hit."""
    letters = [(base, ch) for base, chars in VARIANTS.items() for ch in chars]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pasto_fold(c) FROM unnest(%s::text[]) AS c", [[ch for _base, ch in letters]]
        )
        folded = [row[0] for row in cursor.fetchall()]
    wrong = [(ch, base, got) for (base, ch), got in zip(letters, folded, strict=True) if got != base]
    assert wrong == []


@postgres_only
def test_it_narrows_with_the_stored_words_of_each_transcript(alice, study, participant):
    interview(participant, "Una migración.")
    plan = transcripts_for_search(study, parse_query("migracion")).explain()
    # Reads the stored vectors; never computes one per transcript while searching.
    assert "coding_transcript_words" in plan
    assert "words @@ " in plan and "migracion" in plan
    assert "to_tsvector" not in plan and "pasto_search_vector" not in plan


@postgres_only
def test_transcript_texts_are_stored_with_lz4_which_a_search_reads_faster(alice, study, participant):
    """Migration interviews/0011: a search reads every text it scans, and lz4 decompresses them
    faster than the default pglz (a text long enough to be compressed)."""
    transcript = interview(participant, "Una migración forzada. " * 400)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_compression(text) FROM interviews_transcript WHERE id = %s",
                       [transcript.pk])
        assert cursor.fetchone() == ("lz4",)


@postgres_only
def test_the_stored_words_follow_every_change_of_a_transcript(alice, study, participant):
    def words():
        with connection.cursor() as cursor:
            cursor.execute("SELECT transcript_id, words::text FROM coding_transcript_words ORDER BY 1")
            return cursor.fetchall()

    transcript = interview(participant, "Una Migración")
    assert words() == [(transcript.pk, "'migracion' 'una'")]
    transcript.title = "Renamed"
    transcript.save()
    Transcript.objects.filter(pk=transcript.pk).update(text="Otra cosa")
    assert words() == [(transcript.pk, "'cosa' 'otra'")]
    Transcript.objects.bulk_create([Transcript(study=study, participant=participant, title="Bulk",
                                               text="Género")])
    assert [w for _pk, w in words()] == ["'cosa' 'otra'", "'genero'"]
    Transcript.objects.all().delete()
    assert words() == []


# Letters with and without accents in both cases, cp1252 letters with no ASCII base, word
# characters that are not letters, separators and a line break; queries from the same letters.
TEXT_ALPHABET = "aeinsAENSáéíñÁÉÑüÜçßøØæŠšª²_0 -.,’\n"
QUERY_ALPHABET = "aeinsAENáéñüç0_ ß*\""


def fast_and_full_scans_agree(data, alphabet):
    text = data.draw(st.text(alphabet=alphabet, max_size=80))
    # Mostly words and phrases taken from the text (so there are hits), sometimes any query.
    words = text.split()
    taken = st.sampled_from(words).map(lambda w: w[:5]) if words else st.just("a")
    query = data.draw(st.one_of(
        taken, taken.map(lambda w: w + "*"), taken.map(lambda w: f'"{w} {w}"'),
        st.text(alphabet=QUERY_ALPHABET, max_size=12),
    ))
    matcher = Matcher(parse_query(query))
    assert matcher.hits(text) == matcher.slow_hits(text)


@given(data=st.data())
@settings(max_examples=400, deadline=None)
def test_the_fast_cp1252_scan_finds_exactly_what_the_full_scan_finds(data):
    fast_and_full_scans_agree(data, TEXT_ALPHABET)


# Latin-1 only (no ’ or Š, which only cp1252 has), with C1 control characters, whose bytes
# cp1252 reads as letters and punctuation: the Latin-1 scan must not.
LATIN1_ALPHABET = "aeinsAENSáéíñÁÉÑüÜçßøØæª²_0 -.,\x81\x85\x8a\x9a\x9f\n"


@given(data=st.data())
@settings(max_examples=300, deadline=None)
def test_the_fast_latin1_scan_finds_exactly_what_the_full_scan_finds(data):
    fast_and_full_scans_agree(data, LATIN1_ALPHABET)


def test_a_c1_control_character_is_not_read_as_the_cp1252_letter_of_its_byte():
    # U+008A is a control character, not part of a word; byte 0x8A is Š in cp1252.
    matcher = Matcher(parse_query("migracion"))
    latin1 = "x\x8amigración, Ámigración"
    assert _fold_bytes(latin1) == b"x\x81migracion, amigracion"  # the fast scan, through Latin-1
    assert matcher.hits(latin1) == matcher.slow_hits(latin1) == [(2, 11, 0)]
    cp1252 = "x\x8amigración, Šmigración"  # Š: not Latin-1; U+008A: not cp1252
    assert _fold_bytes(cp1252) is None
    assert matcher.hits(cp1252) == [(2, 11, 0)]
    assert _fold_bytes("Šmigración “x”") == b"smigracion \x93x\x94"  # cp1252


def test_the_fast_scan_is_used_for_cp1252_text_and_not_otherwise():
    matcher = Matcher(parse_query("migracion"))
    assert matcher._fast is not None
    assert matcher.hits("La migración 😀") == matcher.slow_hits("La migración 😀") == [(3, 12, 0)]
    assert Matcher(parse_query("straße"))._fast is None  # ß has no one-letter ASCII base


def reference_fold(text):
    """fold() by its definition: accents off (NFD, drop combining accents, NFC), each accented
    letter to its ASCII base, lower case."""
    import unicodedata

    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not "\u0300" <= c <= "\u036f")
    return "".join(BASE_OF.get(c, c) for c in unicodedata.normalize("NFC", stripped)).lower()


@given(st.text(alphabet=TEXT_ALPHABET + "\u0301\u0323ΆάЖ😀İıǅḀạ“”…"))
@settings(max_examples=500, deadline=None)
def test_fold_takes_its_shortcuts_without_changing_its_result(text):
    assert fold(text) == reference_fold(text)


def test_fold_drops_case_and_accents(db):
    assert fold("MIGRACIÓN Ñandú Søren a\u0301") == "migracion nandu soren a"


def test_it_pages_hits_across_transcripts_in_order(alice, study):
    for code in ("A", "B", "C"):
        interview(person(study, code), " ".join(["migración"] * 30))
    response = client_for(alice).get(URL, {"q": "migracion", "page": 2})
    lines = response.context["lines"]
    assert response.context["hit_count"] == 90 and response.context["transcript_count"] == 3
    assert [line["hit"].transcript.participant.code for line in lines] == ["B"] * 10 + ["C"] * 30
    assert [line["hit"].start for line in lines[:2]] == [20 * len("migración "), 21 * len("migración ")]
    results = search(parse_query("migracion"), transcripts_for_search(study, parse_query("migracion")))
    assert results[-1] == list(results)[-1] and len(results[10:15]) == 5
