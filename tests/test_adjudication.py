"""The comparison page of one transcript and adjudication into the consensus layer: the
disagreements it lists, each decision (one coder's version, both, a merged boundary) with its
note, who settled it and when, undo, and that only adjudication writes the consensus layer."""

import pytest
from django.urls import reverse

from audit.models import Change
from coding.models import CodedExcerpt, ConsensusLayer
from coding.services import excerpt_create
from team.compare import BOUNDARY, PRESENCE, disagreements
from team.models import Adjudication
from tests.conftest import client_for


def compare_url(transcript, *coders):
    query = "&".join(f"coders={c.pk}" for c in coders)
    url = reverse("team:compare", args=[transcript.study.slug, transcript.pk])
    return url + ("?" + query if query else "")


def adjudicate_url(transcript):
    return reverse("team:adjudicate", args=[transcript.study.slug, transcript.pk])


@pytest.fixture
def layers(transcript, themes, alice, bob):
    """alice and bob on one transcript: Youth with different boundaries (35–49 and 38–52),
    Gender only by alice (60–66), and an identical Youth passage (0–11), which is agreement."""
    youth, gender = themes["youth"], themes["gender"]
    return {
        "a_youth": excerpt_create(transcript=transcript, start=35, end=49, themes=[youth], coder=alice),
        "b_youth": excerpt_create(transcript=transcript, start=38, end=52, themes=[youth], coder=bob),
        "a_gender": excerpt_create(transcript=transcript, start=60, end=66, themes=[gender], coder=alice),
        "a_same": excerpt_create(transcript=transcript, start=0, end=11, themes=[youth], coder=alice),
        "b_same": excerpt_create(transcript=transcript, start=0, end=11, themes=[youth], coder=bob),
    }


def post(user, transcript, theme, start, end, decision, coders, **extra):
    data = {"theme": theme.pk, "start": start, "end": end, "decision": decision,
            "coders": [c.pk for c in coders], **extra}
    return client_for(user).post(adjudicate_url(transcript), data)


def consensus(transcript):
    layer = ConsensusLayer.objects.get(study=transcript.study)
    return sorted((e.start, e.end, [t.name for t in e.themes.all()])
                  for e in CodedExcerpt.objects.filter(transcript=transcript, coder=layer.coder))


def test_it_finds_presence_and_boundary_disagreements_but_not_agreement():
    rows = [(1, 10, 0, 5, 7), (2, 20, 0, 5, 7),  # same passage: agreement
            (3, 10, 10, 20, 7), (4, 20, 12, 20, 7),  # boundaries differ
            (5, 10, 30, 40, 8),  # only coder 10
            (6, 30, 50, 60, 8)]  # a coder not compared
    found = disagreements(rows, [10, 20])
    assert [(d.theme_id, d.start, d.end, d.kind, d.lacking) for d in found] == [
        (7, 10, 20, BOUNDARY, []), (8, 30, 40, PRESENCE, [20])]
    assert found[0].anchor == 3


def test_it_lists_each_disagreement_with_links_to_its_place(layers, transcript, alice, bob, rita):
    response = client_for(rita).get(compare_url(transcript, alice, bob))
    assert response.status_code == 200
    found = response.context["result"].found
    assert [(d.theme.name, d.start, d.end, d.kind) for d in found] == [
        ("Youth", 35, 52, BOUNDARY), ("Gender", 60, 66, PRESENCE)]
    page = response.content.decode()
    coding = reverse("coding:transcript-coding", args=[transcript.study.slug, transcript.pk])
    assert f'{coding}#x{layers["a_youth"].pk}' in page and f'{coding}#x{layers["b_youth"].pk}' in page
    assert "not coded" in page
    assert "Different boundaries" in page and "Coded by some, not others" in page
    # a reviewer sees, but gets no decision buttons
    assert 'name="decision"' not in page


def test_it_compares_everyone_who_coded_the_transcript_by_default(layers, transcript, adam):
    response = client_for(adam).get(compare_url(transcript))
    assert [c.username for c in response.context["result"].coders] == ["alice", "bob"]


def test_it_refuses_fewer_than_two_coders(layers, transcript, alice, adam):
    response = client_for(adam).get(compare_url(transcript, alice))
    assert response.status_code == 400
    assert "Choose at least two coders." in response.content.decode()


def test_an_owner_accepts_one_coders_version_with_a_note(layers, transcript, themes, alice, bob, adam):
    response = post(adam, transcript, themes["youth"], 35, 52, f"accept-{bob.pk}", [alice, bob],
                    note="Bob's ends")
    assert response.status_code == 302
    assert consensus(transcript) == [(38, 52, ["Youth"])]
    adjudication = Adjudication.objects.get()
    assert (adjudication.adjudicator, adjudication.chosen_coder) == (adam, bob)
    assert adjudication.note == "Bob's ends"
    assert adjudication.created_at is not None
    assert adjudication.sources == [[alice.pk, 35, 49], [bob.pk, 38, 52]]
    page = client_for(adam).get(compare_url(transcript, alice, bob)).content.decode()
    assert "by adam" in page and "Bob&#x27;s ends" in page


def test_accepting_the_version_of_a_coder_who_did_not_code_it_records_the_decision(
        layers, transcript, themes, alice, bob, adam):
    post(adam, transcript, themes["gender"], 60, 66, f"accept-{bob.pk}", [alice, bob])
    assert consensus(transcript) == []
    assert Adjudication.objects.get().excerpts.count() == 0


def test_an_owner_accepts_both_versions(layers, transcript, themes, alice, bob, adam):
    post(adam, transcript, themes["youth"], 35, 52, "both", [alice, bob])
    assert consensus(transcript) == [(35, 49, ["Youth"]), (38, 52, ["Youth"])]


def test_an_owner_merges_the_boundaries(layers, transcript, themes, alice, bob, adam):
    post(adam, transcript, themes["youth"], 35, 52, "merge", [alice, bob], merge_start=36, merge_end=50)
    assert consensus(transcript) == [(36, 50, ["Youth"])]
    excerpt = CodedExcerpt.objects.get(coder__consensus_layer__study=transcript.study)
    assert excerpt.quote == transcript.text[36:50]


def test_a_merged_passage_outside_the_text_is_refused(layers, transcript, themes, alice, bob, adam):
    response = post(adam, transcript, themes["youth"], 35, 52, "merge", [alice, bob], merge_start=36,
                    merge_end=9999)
    assert response.status_code == 400
    assert "inside the text" in response.content.decode()
    assert not Adjudication.objects.exists() and not ConsensusLayer.objects.exists()


def test_a_stale_disagreement_is_refused(layers, transcript, themes, alice, bob, adam):
    response = post(adam, transcript, themes["youth"], 35, 50, "both", [alice, bob])
    assert response.status_code == 400
    assert "no longer there" in response.content.decode()
    assert not Adjudication.objects.exists()


def test_a_settled_disagreement_cannot_be_settled_twice(layers, transcript, themes, alice, bob, adam):
    post(adam, transcript, themes["youth"], 35, 52, "both", [alice, bob])
    response = post(adam, transcript, themes["youth"], 35, 52, f"accept-{alice.pk}", [alice, bob])
    assert response.status_code == 400
    assert Adjudication.objects.count() == 1


def test_a_decision_naming_a_coder_not_compared_is_refused(layers, transcript, themes, alice, bob, adam):
    response = post(adam, transcript, themes["youth"], 35, 52, f"accept-{adam.pk}", [alice, bob])
    assert response.status_code == 400
    assert not Adjudication.objects.exists()


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_only_owners_adjudicate(layers, transcript, themes, alice, bob, who, request):
    response = post(request.getfixturevalue(who), transcript, themes["youth"], 35, 52, "both", [alice, bob])
    assert response.status_code == 403
    assert not Adjudication.objects.exists()


def test_each_decision_can_be_undone(layers, transcript, themes, alice, bob, adam):
    post(adam, transcript, themes["youth"], 35, 52, "both", [alice, bob])
    post(adam, transcript, themes["gender"], 60, 66, f"accept-{alice.pk}", [alice, bob])
    first, second = Adjudication.objects.order_by("pk")
    undo = reverse("team:adjudication-undo", args=[transcript.study.slug, first.pk])
    assert client_for(adam).post(undo).status_code == 302
    assert consensus(transcript) == [(60, 66, ["Gender"])]
    first.refresh_from_db()
    assert (first.undone_by, first.undone_at is not None) == (adam, True)
    assert client_for(adam).post(undo).status_code == 409
    # settled again after the undo, differently
    post(adam, transcript, themes["youth"], 35, 52, f"accept-{alice.pk}", [alice, bob])
    assert consensus(transcript) == [(35, 49, ["Youth"]), (60, 66, ["Gender"])]


def test_researchers_cannot_undo(layers, transcript, themes, alice, bob, adam):
    post(adam, transcript, themes["youth"], 35, 52, "both", [alice, bob])
    undo = reverse("team:adjudication-undo", args=[transcript.study.slug, Adjudication.objects.get().pk])
    assert client_for(alice).post(undo).status_code == 403
    assert len(consensus(transcript)) == 2


def test_the_consensus_layer_is_written_only_by_adjudication(layers, transcript, themes, alice, bob, adam):
    """The coding page's writes and the history's revert refuse consensus excerpts."""
    post(adam, transcript, themes["youth"], 35, 52, "merge", [alice, bob])
    excerpt = CodedExcerpt.objects.get(coder__consensus_layer__study=transcript.study)
    slug = transcript.study.slug
    update = reverse("coding:excerpt-update", args=[slug, excerpt.pk])
    delete = reverse("coding:excerpt-delete", args=[slug, excerpt.pk])
    data = {"start": 0, "end": 5, "themes": [themes["gender"].pk], "version": excerpt.version}
    assert client_for(adam).post(update, data).status_code == 404
    assert client_for(alice).post(delete).status_code == 404
    assert consensus(transcript) == [(35, 52, ["Youth"])]
    # nobody can log in as the layer's coder
    layer = ConsensusLayer.objects.get(study=transcript.study)
    assert not layer.coder.is_active and not layer.coder.has_usable_password()


def test_the_consensus_layer_is_a_coder_layer_on_the_coding_page(layers, transcript, themes, alice, bob,
                                                                  adam):
    post(adam, transcript, themes["youth"], 35, 52, "merge", [alice, bob])
    layer = ConsensusLayer.objects.get(study=transcript.study)
    response = client_for(alice).get(reverse("coding:transcript-coding", args=[transcript.study.slug,
                                                                            transcript.pk]))
    assert response.context["page_data"]["coders"][layer.coder_id] == layer.coder.username
    # the page offers no edit or remove on its excerpts
    assert response.context["page_data"]["locked"] == [layer.coder_id]


def test_the_compare_page_shows_a_stripe_per_coder_and_the_consensus(layers, transcript, themes, alice, bob,
                                                                     adam):
    post(adam, transcript, themes["youth"], 35, 52, "merge", [alice, bob])
    stripes = client_for(adam).get(compare_url(transcript, alice, bob)).context["result"].stripes
    assert [(label, len(blocks)) for label, blocks in stripes] == [("alice", 3), ("bob", 2), ("Consensus", 1)]


def test_the_compare_page_runs_a_fixed_number_of_queries(layers, transcript, themes, alice, bob, adam,
                                                         django_assert_num_queries):
    """Guards against a query per disagreement or per settled decision (the adjudicator)."""
    post(adam, transcript, themes["youth"], 35, 52, "both", [alice, bob])
    post(adam, transcript, themes["gender"], 60, 66, f"accept-{alice.pk}", [alice, bob])
    client = client_for(adam)
    # user (with whether they hold permissions), transcript with membership, coders chosen, links,
    # consensus layer, themes, adjudications with their users, the group permission read of a
    # site admin's menu (adam: none of his own, so that read is skipped), the coders select drawn
    with django_assert_num_queries(9):
        assert client.get(compare_url(transcript, alice, bob)).status_code == 200


def test_another_studys_transcript_is_a_404(transcript, otto):
    assert client_for(otto).get(compare_url(transcript)).status_code == 404


def test_the_history_cannot_revert_a_consensus_excerpt(layers, transcript, themes, alice, bob, adam):
    post(adam, transcript, themes["youth"], 35, 52, "merge", [alice, bob])
    excerpt = CodedExcerpt.objects.get(coder__consensus_layer__study=transcript.study)
    change = Change.objects.filter(model="coding.codedexcerpt", object_id=str(excerpt.pk)).first()
    assert change is not None
    revert = reverse("audit:excerpt-revert", args=[transcript.study.slug, excerpt.pk, change.pk])
    assert client_for(adam).post(revert).status_code == 404
