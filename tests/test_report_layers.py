"""Reports by coder layer: the theme report and its exports, the overview and the matrix count
every coder's excerpts (the consensus layer left out), the consensus layer alone, or one coder's,
as the `layer` parameter says; the excerpt browser's coder filter takes the consensus layer too."""

import csv
import io

import pytest
from django.urls import reverse

from coding.models import ConsensusLayer
from coding.services import excerpt_create
from team.services import adjudication_create
from tests.conftest import client_for


@pytest.fixture
def layered(transcript, themes, alice, bob, adam):
    """Youth: alice 35–49, bob 38–52 and 0–11; adam settles the 35–52 disagreement with a merge,
    so the consensus layer holds one Youth excerpt (35–52)."""
    youth = themes["youth"]
    excerpt_create(transcript=transcript, start=35, end=49, themes=[youth], coder=alice)
    excerpt_create(transcript=transcript, start=38, end=52, themes=[youth], coder=bob)
    excerpt_create(transcript=transcript, start=0, end=11, themes=[youth], coder=bob)
    adjudication_create(transcript=transcript, theme=youth, start=35, end=52, coders=[alice, bob],
                        action="merge", by=adam)
    return youth


def matrix(client, study, layer=None):
    url = reverse("reports:theme-matrix", args=[study.slug])
    return client.get(url, {"layer": layer} if layer is not None else {})


def youth_cell(response, youth, participant):
    return response.context["matrix"].counts.get((youth.pk, participant.pk), 0)


def test_the_matrix_counts_every_coder_but_not_the_consensus_by_default(layered, study, participant, rita):
    assert youth_cell(matrix(client_for(rita), study), layered, participant) == 3


def test_the_matrix_on_the_consensus_layer_counts_only_consensus_excerpts(layered, study, participant, rita):
    response = matrix(client_for(rita), study, "consensus")
    assert response.status_code == 200
    assert youth_cell(response, layered, participant) == 1
    # a cell opens the same layer's quotes
    assert "?layer=consensus&amp;participant=" in response.context["body"]


def test_the_matrix_on_one_coder(layered, study, participant, rita, bob):
    assert youth_cell(matrix(client_for(rita), study, str(bob.pk)), layered, participant) == 2


def test_a_layer_that_names_nothing_is_refused(layered, study, rita):
    response = matrix(client_for(rita), study, "everyone")
    assert response.status_code == 400
    assert "consensus layer" in response.content.decode()


def test_the_layer_select_offers_every_coder_the_consensus_and_each_coder(layered, study, rita, alice, bob):
    layers = matrix(client_for(rita), study, "consensus").context["layers"]
    assert [(str(v), str(label), sel) for v, label, sel in layers] == [
        ("coders", "Every coder", False), ("consensus", "Consensus layer", True),
        (str(alice.pk), "alice", False), (str(bob.pk), "bob", False)]


def test_the_overview_counts_the_layer_asked_for(layered, study, rita):
    url = reverse("reports:study-overview", args=[study.slug])
    counts = {layer: next(r for r in client_for(rita).get(url, {"layer": layer}).context["rows"]
                          if r.theme == layered).total.excerpts for layer in ("", "consensus")}
    assert counts == {"": 3, "consensus": 1}


def test_the_theme_report_on_the_consensus_layer_counts_and_quotes_only_consensus(layered, study, transcript,
                                                                                  rita):
    url = reverse("reports:theme-report", args=[study.slug, layered.pk])
    client = client_for(rita)
    response = client.get(url, {"layer": "consensus"})
    assert response.context["report"].totals.excerpts == 1
    assert [e.quote for e in response.context["page"]] == [transcript.text[35:52]]
    assert client.get(url).context["report"].totals.excerpts == 3


@pytest.mark.parametrize("layer, expected", [("consensus", 1), ("", 3)])
def test_the_theme_report_csv_follows_the_layer(layered, study, rita, layer, expected):
    url = reverse("reports:theme-report-csv", args=[study.slug, layered.pk])
    body = client_for(rita).get(url, {"layer": layer}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    quotes = [row for row in rows[1:] if row and any(cell.strip() for cell in row)]
    assert len(quotes) == expected


def test_the_theme_report_refuses_a_bad_layer(layered, study, rita):
    url = reverse("reports:theme-report-xlsx", args=[study.slug, layered.pk])
    assert client_for(rita).get(url, {"layer": "x"}).status_code == 400


def test_the_excerpt_browser_filters_on_the_consensus_layers_coder(layered, study, rita):
    coder = ConsensusLayer.objects.get(study=study).coder
    url = reverse("reports:excerpt-browser", args=[study.slug])
    response = client_for(rita).get(url, {"coder": coder.pk})
    assert response.status_code == 200
    assert [(e.start, e.end) for e in response.context["excerpts"]] == [(35, 52)]


def test_co_occurrence_counts_the_layer_asked_for(layered, study, transcript, themes, alice, bob, adam, rita):
    """alice's Gender 40–45 overlaps alice's and bob's Youth; settled, the consensus layer holds
    Gender 40–45 inside its Youth 35–52: one overlapping pair there."""
    gender = themes["gender"]
    excerpt_create(transcript=transcript, start=40, end=45, themes=[gender], coder=alice)
    adjudication_create(transcript=transcript, theme=gender, start=40, end=45, coders=[alice, bob],
                        action="accept", coder=alice, by=adam)
    url = reverse("reports:theme-cooccurrence", args=[study.slug])
    client = client_for(rita)
    pair = (min(layered.pk, gender.pk), max(layered.pk, gender.pk))

    def overlap(layer):
        rows = client.get(url, {"layer": layer}).context["rows"]
        return [row["overlap"] for row in rows if (row["a"].pk, row["b"].pk) == pair]

    assert (overlap(""), overlap("consensus"), overlap(str(bob.pk))) == ([2], [1], [])


def test_another_studys_consensus_account_codes_here_as_a_coder(layered, study, other_study, transcript,
                                                                participant, rita):
    """A REFI-QDA import maps users by name: another study's consensus account may code here."""
    stranger = ConsensusLayer.objects.for_study(other_study).coder
    excerpt_create(transcript=transcript, start=20, end=25, themes=[layered], coder=stranger)
    client = client_for(rita)
    assert youth_cell(matrix(client, study), layered, participant) == 4
    assert youth_cell(matrix(client, study, "consensus"), layered, participant) == 1
    assert stranger.pk in [v for v, _label, _sel in matrix(client, study).context["layers"]]
