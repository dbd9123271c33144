"""Blind coding (issue 13): while a study (or a set of its transcripts) is blind, a researcher or
reviewer sees only their own layer on every surface; owners see every layer and reveal them.

alice and bob each code one passage with the theme Youth, each with a marker word that appears
in no other excerpt (ALPHAMARK is alice's, BRAVOMARK bob's). Every surface that shows quotes is
listed in QUOTE_SURFACES, every one that counts in COUNT_SURFACES: a new reader of excerpts that
forgets coding.models.blind_q fails here."""

import io
import zipfile

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt, blind_q
from coding.services import excerpt_create, excerpt_delete
from interviews.models import Transcript
from memos.services import memo_create
from studies.models import BlindMode, Membership
from team.models import Assignment
from team.services import study_blind_set, study_layers_reveal
from tests.conftest import client_for
from tests.participants import participant_make

TEXT = ("Interviewer: Tell me about the work.\n\n"
        "E: ALPHAMARK youth office work started early.\n\nInterviewer: And then?\n\n"
        "E: BRAVOMARK gender training came later.\n")
ALPHA, BRAVO = "ALPHAMARK youth office work started early.", "BRAVOMARK gender training came later."


@pytest.fixture
def coded(study, alice, bob, adam, rita, themes):
    """A blind study: alice's and bob's excerpts on one transcript, both assigned to it."""
    participant = participant_make(study=study, code="E", sector="ngo", gender="female",
                               consent_given=True, consent_scope="quote_named")
    transcript = Transcript.objects.create(study=study, participant=participant, title="Interview E",
                                           text=TEXT)
    a = excerpt_create(transcript=transcript, start=TEXT.index(ALPHA), end=TEXT.index(ALPHA) + len(ALPHA),
                       themes=[themes["youth"]], coder=alice)
    b = excerpt_create(transcript=transcript, start=TEXT.index(BRAVO), end=TEXT.index(BRAVO) + len(BRAVO),
                       themes=[themes["youth"]], coder=bob)
    for coder in (alice, bob):
        Assignment.objects.create(study=study, transcript=transcript, coder=coder, assigned_by=adam)
    study_blind_set(study=study, blind=BlindMode.STUDY)
    return {"transcript": transcript, "alice": a, "bob": b, "theme": themes["youth"], "study": study}


def _body(response):
    """Everything a response says, as text: a file's XML parts unzipped (XLSX, DOCX), a .qdpx's
    project file only (its sources are the transcripts' texts, which every member reads)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] != b"PK":
        return raw.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = [n for n in archive.namelist() if n.endswith((".xml", ".qde"))]
        return "".join(archive.read(n).decode("utf-8") for n in names)


def _report(name, fmt=""):
    return lambda c: reverse(name, args=[c["study"].slug, c["theme"].pk]) + fmt


# Surfaces that show quotes: (name, url). Each shows alice's marker to alice and never bob's.
QUOTE_SURFACES = [
    ("excerpt browser", lambda c: reverse("reports:excerpt-browser", args=[c["study"].slug])),
    ("excerpt browser CSV", lambda c: reverse("reports:excerpt-export-csv", args=[c["study"].slug])),
    ("theme report", _report("reports:theme-report")),
    ("printable theme report", _report("reports:theme-report", "?print=1")),
    ("theme report CSV", _report("reports:theme-report-csv")),
    ("theme report XLSX", _report("reports:theme-report-xlsx")),
    ("theme report DOCX", _report("reports:theme-report-docx")),
    ("codebook report", lambda c: reverse("reports:codebook-report", args=[c["study"].slug])),
    ("codebook report DOCX", lambda c: reverse("reports:codebook-report-docx", args=[c["study"].slug])),
    ("codebook page", lambda c: reverse("coding:codebook", args=[c["study"].slug])),
    ("theme split page", lambda c: reverse("coding:theme-split", args=[c["study"].slug, c["theme"].pk])),
    ("REFI-QDA export", lambda c: reverse("exchange:study-export", args=[c["study"].slug])),
]


@pytest.mark.parametrize(("surface", "url"), QUOTE_SURFACES, ids=[s for s, _u in QUOTE_SURFACES])
def test_a_blind_coder_sees_only_their_own_quotes(coded, alice, surface, url):
    response = client_for(alice).get(url(coded))
    assert response.status_code == 200, surface
    body = _body(response)
    assert "ALPHAMARK" in body
    assert "BRAVOMARK" not in body


@pytest.mark.parametrize(("surface", "url"), QUOTE_SURFACES, ids=[s for s, _u in QUOTE_SURFACES])
def test_the_owner_sees_every_layer(coded, adam, surface, url):
    body = _body(client_for(adam).get(url(coded)))
    assert "ALPHAMARK" in body and "BRAVOMARK" in body


@pytest.mark.parametrize(("surface", "url"), QUOTE_SURFACES[:9], ids=[s for s, _u in QUOTE_SURFACES[:9]])
def test_a_reviewer_sees_no_coders_quotes_while_blind(coded, rita, surface, url):
    body = _body(client_for(rita).get(url(coded)))
    assert "ALPHAMARK" not in body and "BRAVOMARK" not in body


def test_after_the_reveal_a_coder_sees_every_layer(coded, alice, adam):
    study_layers_reveal(study=coded["study"], by=adam)
    for surface, url in QUOTE_SURFACES:
        body = _body(client_for(alice).get(url(coded)))
        assert "ALPHAMARK" in body and "BRAVOMARK" in body, surface


def test_the_coding_page_and_its_api_hold_only_the_coders_layer(coded, alice):
    client = client_for(alice)
    page = client.get(reverse("coding:transcript-coding", args=[coded["study"].slug, coded["transcript"].pk]))
    ids = [row[0] for row in page.context["page_data"]["excerpts"]["rows"]]
    assert ids == [coded["alice"].pk]
    assert set(page.context["page_data"]["coders"]) == {alice.pk}
    api_url = reverse("coding:transcript-excerpts", args=[coded["study"].slug, coded["transcript"].pk])
    api = client.get(api_url,
                     {"since": "2000-01-01T00:00:00+00:00"})
    assert [e["id"] for e in api.json()["excerpts"]] == [coded["alice"].pk]
    assert "bob" not in api.json()["coders"].values()


def test_the_owners_coding_page_holds_every_layer(coded, adam):
    page = client_for(adam).get(reverse("coding:transcript-coding", args=[coded["study"].slug,
                                                                         coded["transcript"].pk]))
    assert {row[0] for row in page.context["page_data"]["excerpts"]["rows"]} == {coded["alice"].pk,
                                                                                 coded["bob"].pk}


@pytest.mark.parametrize("name", ["coding:excerpt-update", "coding:excerpt-delete", "audit:excerpt-history",
                                  "reports:excerpt-context"])
def test_another_coders_excerpt_is_a_404(coded, alice, name):
    url = reverse(name, args=[coded["study"].slug, coded["bob"].pk])
    client = client_for(alice)
    writes = name in ("coding:excerpt-update", "coding:excerpt-delete")
    response = client.post(url, {}) if writes else client.get(url)
    assert response.status_code == 404
    assert CodedExcerpt.objects.filter(pk=coded["bob"].pk).exists()


def test_the_excerpt_history_of_a_coders_own_excerpt_still_opens(coded, alice):
    url = reverse("audit:excerpt-history", args=[coded["study"].slug, coded["alice"].pk])
    assert client_for(alice).get(url).status_code == 200


def test_the_trash_lists_only_the_coders_own_removed_excerpts(coded, alice, bob):
    gone = excerpt_delete(excerpt=coded["bob"], user=bob)
    client = client_for(alice)
    body = client.get(reverse("audit:trash", args=[coded["study"].slug])).content.decode()
    assert "BRAVOMARK" not in body
    restore = client.post(reverse("coding:excerpt-restore", args=[coded["study"].slug, gone.pk]))
    assert restore.status_code == 404


def test_a_memo_linked_to_another_coders_excerpt_does_not_show_it(coded, alice, bob):
    memo = memo_create(study=coded["study"], author=bob, title="Why", body="Because", excerpts=[coded["bob"]])
    body = client_for(alice).get(memo.get_absolute_url()).content.decode()
    assert "BRAVOMARK" not in body


def test_the_comments_page_leaves_out_threads_on_another_coders_excerpt(coded, alice, adam, rita):
    from memos.services import comment_create

    comment_create(study=coded["study"], author=rita, body="Is this right?", excerpt=coded["bob"])
    comment_create(study=coded["study"], author=rita, body="And this?", excerpt=coded["alice"])
    url = reverse("memos:comment-list", args=[coded["study"].slug])
    body = client_for(alice).get(url).content.decode()
    assert "And this?" in body and "Is this right?" not in body and "BRAVOMARK" not in body
    assert "Is this right?" in client_for(adam).get(url).content.decode()


def test_a_thread_on_another_coders_excerpt_takes_no_reply_and_no_resolve(coded, alice, adam, rita):
    from memos.models import Comment
    from memos.services import comment_create

    thread = comment_create(study=coded["study"], author=rita, body="Is this right?", excerpt=coded["bob"])
    slug = coded["study"].slug
    reply = reverse("memos:comment-reply", args=[slug, thread.pk])
    resolve = reverse("memos:comment-resolve", args=[slug, thread.pk])
    assert client_for(alice).post(reply, {"body": "Looks fine"}).status_code == 404
    assert client_for(alice).post(resolve).status_code == 404
    assert not Comment.objects.filter(parent=thread).exists()
    client_for(adam).post(reply, {"body": "Settled"})
    assert Comment.objects.filter(parent=thread, body="Settled").exists()


def test_the_search_page_names_no_other_coder(coded, alice):
    response = client_for(alice).get(reverse("reports:search", args=[coded["study"].slug]),
                                     {"q": "BRAVOMARK"})
    assert response.status_code == 200
    assert "bob" not in response.content.decode()


def test_auto_coding_skips_only_the_coders_own_passages(coded, alice):
    """Blind layers are coded independently: bob's excerpt does not make alice's hit "already
    coded" (which would also tell her of it)."""
    response = client_for(alice).post(reverse("reports:auto-code", args=[coded["study"].slug]),
                                      {"q": "BRAVOMARK", "theme": coded["theme"].pk, "scope": "sentence",
                                       "all": "1"})
    assert response.status_code == 302
    assert CodedExcerpt.objects.filter(coder=alice, quote__contains="BRAVOMARK").count() == 1


def _counted(response, theme):
    return next(row.total.excerpts for row in response.context["rows"] if row.theme == theme)


# Surfaces that count: (name, url, how to read Youth's count from the response).
COUNT_SURFACES = [
    ("overview", lambda c: reverse("reports:study-overview", args=[c["study"].slug]),
     lambda r, c: _counted(r, c["theme"])),
    ("matrix", lambda c: reverse("reports:theme-matrix", args=[c["study"].slug]),
     lambda r, c: sum(n for (t, _p), n in r.context["matrix"].counts.items() if t == c["theme"].pk)),
    ("crosstab", lambda c: reverse("reports:attribute-crosstab", args=[c["study"].slug]),
     lambda r, c: next(row.total.excerpts for row, _cells in r.context["rows"] if row.theme == c["theme"])),
    ("transcript list", lambda c: reverse("transcripts:transcript-list", args=[c["study"].slug]),
     lambda r, c: next(t.excerpt_count for t in r.context["transcripts"] if t.pk == c["transcript"].pk)),
    ("codebook", lambda c: reverse("coding:codebook", args=[c["study"].slug]),
     lambda r, c: next(t.excerpt_count for t, _d in r.context["rows"] if t == c["theme"])),
    ("theme report", _report("reports:theme-report"), lambda r, c: r.context["report"].totals.excerpts),
    ("case table CSV", lambda c: reverse("reports:case-theme-export", args=[c["study"].slug, "csv"]),
     lambda r, c: int(_body(r).splitlines()[1].split(",")[-1])),
    ("codebook CSV", lambda c: reverse("coding:codebook-export-csv", args=[c["study"].slug]),
     lambda r, c: next(int(line.rsplit(",", 1)[-1]) for line in _body(r).splitlines() if "Youth" in line)),
]


@pytest.mark.parametrize(("surface", "url", "count"), COUNT_SURFACES, ids=[s for s, *_r in COUNT_SURFACES])
def test_a_count_that_would_include_another_coders_excerpt_shows_the_coders_own(coded, alice, adam, surface,
                                                                                url, count):
    assert count(client_for(alice).get(url(coded)), coded) == 1
    assert count(client_for(adam).get(url(coded)), coded) == 2


def test_the_layer_select_offers_no_other_coder(coded, alice):
    response = client_for(alice).get(reverse("reports:study-overview", args=[coded["study"].slug]))
    assert [name for value, name, _s in response.context["layers"][2:]] == ["alice"]


def test_the_excerpt_browsers_coder_filter_does_not_name_another_coder_typed_by_id(coded, alice, bob, adam):
    url = reverse("reports:excerpt-browser", args=[coded["study"].slug])
    refused = client_for(alice).get(url, {"coder": bob.pk})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "No one by that id has coded in this study." in body
    assert ">bob<" not in body and "BRAVOMARK" not in body
    # the owner sees every layer: the filter names bob
    assert client_for(adam).get(url, {"coder": bob.pk}).status_code == 200


def test_the_excerpt_browsers_coder_choices_name_no_other_coder(coded, alice):
    response = client_for(alice).get(reverse("reports:excerpt-choices", args=[coded["study"].slug]),
                                     {"field": "coder", "q": ""})
    assert [r["label"] for r in response.json()["results"]] == ["alice"]


def test_team_pages_hide_other_coders_figures(coded, alice, bob):
    client = client_for(alice)
    slug = coded["study"].slug
    progress = client.get(reverse("team:progress", args=[slug]))
    rows = {a.coder.username: a for a in progress.context["assignments"]}
    assert rows["alice"].excerpt_count == 1 and not rows["alice"].hidden
    assert rows["bob"].hidden and rows["bob"].excerpt_count is None
    assert client.get(reverse("team:agreement", args=[slug])).status_code == 403
    assert client.get(reverse("team:agreement-csv", args=[slug])).status_code == 403
    # nor computed in the background, nor read from a job's result
    coders = f"{alice.pk},{bob.pk}"
    assert client.post(reverse("team:agreement-job", args=[slug]), {"coders": coders}).status_code == 403
    assert client.get(reverse("team:agreement", args=[slug]), {"job": "1"}).status_code == 403
    assert client.get(reverse("team:compare", args=[slug, coded["transcript"].pk])).status_code == 403


def test_the_owner_reads_the_team_pages(coded, adam):
    client = client_for(adam)
    slug = coded["study"].slug
    assert client.get(reverse("team:agreement", args=[slug])).status_code == 200
    assert client.get(reverse("team:compare", args=[slug, coded["transcript"].pk])).status_code == 200


# ----- blind transcripts: the same filter, for a set of transcripts -----


def test_blind_transcripts_hide_other_layers_there_only(coded, alice, bob, themes):
    study = coded["study"]
    other = Transcript.objects.create(study=study, participant=coded["transcript"].participant, title="Open",
                                      text="CHARLIEMARK talk about the youth.")
    excerpt_create(transcript=other, start=0, end=11, themes=[themes["youth"]], coder=bob)
    study_blind_set(study=study, blind=BlindMode.TRANSCRIPTS, transcripts=[coded["transcript"]])
    body = _body(client_for(alice).get(reverse("reports:excerpt-browser", args=[study.slug])))
    assert "ALPHAMARK" in body and "CHARLIEMARK" in body and "BRAVOMARK" not in body


def test_blind_q_filters_nothing_for_owners_or_open_studies(coded, adam, alice):
    study = coded["study"]
    owner = Membership.objects.select_related("study").get(study=study, user=adam)
    coder = Membership.objects.select_related("study").get(study=study, user=alice)
    assert CodedExcerpt.objects.filter(blind_q(owner)).count() == 2
    assert list(CodedExcerpt.objects.filter(blind_q(coder)).values_list("coder_id", flat=True)) == [alice.pk]
    study_layers_reveal(study=study, by=adam)
    coder.study.refresh_from_db()
    assert CodedExcerpt.objects.filter(blind_q(coder)).count() == 2


# ----- cost: the filter is a WHERE clause, never a query of its own -----

FLAT_PAGES = [
    ("coding page",
     lambda c: reverse("coding:transcript-coding", args=[c["study"].slug, c["transcript"].pk])),
    ("excerpt browser", QUOTE_SURFACES[0][1]),
    ("theme report", _report("reports:theme-report")),
    ("overview", COUNT_SURFACES[0][1]),
    ("matrix", COUNT_SURFACES[1][1]),
    ("codebook", COUNT_SURFACES[4][1]),
    ("transcript list", COUNT_SURFACES[3][1]),
]


@pytest.mark.parametrize(("page", "url"), FLAT_PAGES, ids=[p for p, _u in FLAT_PAGES])
def test_blind_coding_adds_no_query(coded, alice, adam, page, url):
    """The same page as a blind coder and after the reveal: the same number of queries (blind_q
    reads the membership the page already has)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    client.get(url(coded))  # warm: sessions, caches
    with CaptureQueriesContext(connection) as blind:
        assert client.get(url(coded)).status_code == 200
    study_layers_reveal(study=coded["study"], by=adam)
    with CaptureQueriesContext(connection) as revealed:
        assert client.get(url(coded)).status_code == 200
    assert len(blind) == len(revealed), page
