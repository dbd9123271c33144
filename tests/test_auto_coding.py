"""Auto-coding from the search page (excerpts_auto_code) and its undo (auto_coding_undo)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import AutoCodingRun, CodedExcerpt
from coding.services import excerpt_create, excerpt_update
from interviews.models import Transcript
from reports import views as report_views
from tests.conftest import client_for
from tests.reports_study import code, interview, person, twin_study

SLUG = "pasto"  # the conftest study

URL = reverse("reports:auto-code", args=[SLUG])
SEARCH = reverse("reports:search", args=[SLUG])
TEXT = (
    "Primero. La migración forzada es un reto. Y otra migración aquí.\n\n"
    "Segundo párrafo: migracion sin tilde."
)


@pytest.fixture
def spanish(study, participant):
    return Transcript.objects.create(study=study, participant=participant, title="Entrevista D",
                                     text=TEXT)


def keys(client, q):
    return [line["hit"].key for line in client.get(SEARCH, {"q": q}).context["lines"]]


def quotes():
    return list(CodedExcerpt.objects.order_by("start").values_list("quote", flat=True))


def test_it_codes_every_hit_with_the_theme(alice, spanish, themes):
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                            "all": "on"})
    run = AutoCodingRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == SEARCH + f"?q=migracion&run={run.pk}"
    assert quotes() == ["migración", "migración", "migracion"]
    for excerpt in CodedExcerpt.objects.all():
        assert excerpt.quote == TEXT[excerpt.start : excerpt.end]
        assert list(excerpt.themes.all()) == [themes["youth"]]
        assert excerpt.coder == alice
        assert "migracion" in excerpt.memo
    assert set(run.excerpts.all()) == set(CodedExcerpt.objects.all())
    assert (run.theme, run.coder, run.query, run.skipped_count) == (themes["youth"], alice, "migracion", 0)


def test_it_codes_only_the_picked_hits(alice, spanish, themes):
    client = client_for(alice)
    picked = keys(client, "migracion")[2]
    client.post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match", "hits": [picked]})
    excerpt = CodedExcerpt.objects.get()
    assert excerpt.start == TEXT.index("migracion sin")


def test_it_widens_each_hit_to_its_sentence(alice, spanish, themes):
    client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "sentence",
                                 "all": "on"})
    assert quotes() == ["La migración forzada es un reto.", "Y otra migración aquí.",
                        "Segundo párrafo: migracion sin tilde."]


def test_it_makes_one_excerpt_of_hits_in_one_paragraph(alice, spanish, themes):
    client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "paragraph",
                                 "all": "on"})
    assert quotes() == [TEXT.split("\n\n")[0], TEXT.split("\n\n")[1]]


def test_it_leaves_passages_already_coded_with_the_theme(alice, bob, spanish, themes):
    existing = code(spanish, "migracion", [themes["youth"]], bob)
    client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                 "all": "on"})
    run = AutoCodingRun.objects.get()
    assert run.skipped_count == 1
    assert CodedExcerpt.objects.count() == 3
    assert existing not in run.excerpts.all()


def test_it_refuses_hits_that_are_no_longer_hits(alice, spanish, themes):
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                            "hits": [f"{spanish.pk}:0:8"]})
    assert response.status_code == 400
    assert "no longer hits" in response.content.decode()
    assert not CodedExcerpt.objects.exists()
    assert not AutoCodingRun.objects.exists()


def test_it_asks_for_picked_hits_or_all(alice, spanish, themes):
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match"})
    assert response.status_code == 400
    assert "Pick the hits" in response.content.decode()


def test_it_asks_for_a_theme(alice, spanish):
    response = client_for(alice).post(URL, {"q": "migracion", "scope": "match", "all": "on"})
    assert response.status_code == 400
    assert "Choose the theme" in response.content.decode()
    assert not CodedExcerpt.objects.exists()


def test_it_refuses_an_unknown_scope(alice, spanish, themes):
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "page",
                                            "all": "on"})
    assert response.status_code == 400
    assert not CodedExcerpt.objects.exists()


def test_it_refuses_more_hits_than_it_codes_at_once(alice, spanish, themes, monkeypatch):
    monkeypatch.setattr(report_views, "MAX_AUTO_CODE", 2)
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                            "all": "on"})
    assert response.status_code == 400
    assert "more than can be coded at once" in response.content.decode()
    assert not CodedExcerpt.objects.exists()


def test_it_saves_nothing_if_one_excerpt_fails(alice, spanish, themes, monkeypatch):
    from django.core.exceptions import ValidationError

    from coding import services

    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError("boom", code="boom")
        return excerpt_create(**kwargs)

    monkeypatch.setattr(services, "excerpt_create", failing_create)
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                            "all": "on"})
    assert response.status_code == 400
    assert not CodedExcerpt.objects.exists()
    assert not AutoCodingRun.objects.exists()


def test_it_does_not_code_participants_who_withdrew(alice, study, spanish, themes):
    interview(person(study, "W", withdrawn="2010-01-01"), "Una migración retirada.")
    client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                 "all": "on"})
    assert set(CodedExcerpt.objects.values_list("transcript", flat=True)) == {spanish.pk}


def test_it_forbids_reviewers(rita, spanish, themes):
    response = client_for(rita).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "all": "on"})
    assert response.status_code == 403
    assert not CodedExcerpt.objects.exists()


def test_it_hides_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, spanish, themes):
    for user in (steve, otto):
        assert client_for(user).post(URL, {"q": "migracion", "theme": themes["youth"].pk,
                                           "all": "on"}).status_code == 404
    assert not CodedExcerpt.objects.exists()


def test_it_forbids_coding_in_an_archived_study(alice, study, spanish, themes):
    study.archived_at = timezone.now()
    study.save()
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                            "all": "on"})
    assert response.status_code == 403
    assert not CodedExcerpt.objects.exists()


def test_it_refuses_a_theme_of_another_study(alice, otto, other_study, spanish):
    twin = twin_study(other_study, otto)
    before = CodedExcerpt.objects.count()
    response = client_for(alice).post(URL, {"q": "migracion", "theme": twin["child"].pk, "scope": "match",
                                            "all": "on"})
    assert response.status_code == 400
    assert "not in this study" in response.content.decode()
    assert CodedExcerpt.objects.count() == before
    assert not AutoCodingRun.objects.exists()


def test_it_codes_the_hits_of_its_own_study_only(alice, otto, study, other_study, spanish, themes):
    twin = twin_study(other_study, otto)
    theirs = set(CodedExcerpt.objects.filter(study=other_study))
    client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                 "all": "on"})
    run = AutoCodingRun.objects.get()
    assert run.study == study
    assert {e.transcript_id for e in run.excerpts.all()} == {spanish.pk}
    assert set(CodedExcerpt.objects.filter(study=other_study)) == theirs
    assert not CodedExcerpt.objects.filter(transcript__in=[twin["td"], twin["ti"]],
                                           themes=themes["youth"]).exists()


def test_it_refuses_picked_hits_in_a_transcript_of_another_study(alice, otto, other_study, spanish, themes):
    twin = twin_study(other_study, otto)
    start = twin["td"].text.index("migración")
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                            "hits": [f"{twin['td'].pk}:{start}:{start + 9}"]})
    assert response.status_code == 400
    assert not AutoCodingRun.objects.exists()


def test_it_sends_anonymous_users_to_login(client, spanish, themes):
    response = client.post(URL, {"q": "migracion", "theme": themes["youth"].pk, "all": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ----- undo -----


def auto_code(client, themes, spanish):
    client.post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match", "all": "on"})
    return AutoCodingRun.objects.get()


def undo_url(run):
    return reverse("reports:auto-coding-undo", args=[SLUG, run.pk])


def test_the_search_page_offers_the_undo(alice, spanish, themes):
    client = client_for(alice)
    run = auto_code(client, themes, spanish)
    body = client.get(SEARCH, {"q": "migracion", "run": run.pk}).content.decode()
    assert undo_url(run) in body


def test_it_undoes_an_auto_coding(alice, bob, spanish, themes):
    earlier = code(spanish, "Primero", [themes["gender"]], bob)
    client = client_for(alice)
    run = auto_code(client, themes, spanish)
    response = client.post(undo_url(run))
    assert response.status_code == 302
    assert list(CodedExcerpt.objects.all()) == [earlier]
    run.refresh_from_db()
    assert run.undone_at is not None and run.undone_by == alice


def test_it_keeps_excerpts_someone_changed_since(alice, spanish, themes):
    client = client_for(alice)
    run = auto_code(client, themes, spanish)
    changed = run.excerpts.order_by("start").first()
    excerpt_update(excerpt=changed, version=changed.version, start=changed.start, end=changed.end,
                   themes=[themes["youth"]], memo="checked by hand")
    response = client.post(undo_url(run), follow=True)
    assert list(CodedExcerpt.objects.all()) == [changed]
    assert "1 excerpt kept" in response.content.decode()


def test_it_refuses_to_undo_twice(alice, spanish, themes):
    client = client_for(alice)
    run = auto_code(client, themes, spanish)
    client.post(undo_url(run))
    response = client.post(undo_url(run))
    assert response.status_code == 409
    assert "already been undone" in response.content.decode()


def test_undo_forbids_reviewers(alice, rita, spanish, themes):
    run = auto_code(client_for(alice), themes, spanish)
    assert client_for(rita).post(undo_url(run)).status_code == 403
    assert CodedExcerpt.objects.count() == 3


def test_undo_hides_the_run_from_a_stranger_and_from_members_of_other_studies(alice, steve, otto, spanish,
                                                                              themes):
    run = auto_code(client_for(alice), themes, spanish)
    for user in (steve, otto):
        assert client_for(user).post(undo_url(run)).status_code == 404
        elsewhere = reverse("reports:auto-coding-undo", args=["other", run.pk])
        assert client_for(user).post(elsewhere).status_code == 404
    assert CodedExcerpt.objects.count() == 3


def test_undo_answers_404_for_a_run_of_another_study(alice, otto, study, other_study, spanish, themes):
    """alice may undo in `study`; a run of `other_study` named under `study` is not found."""
    twin = twin_study(other_study, otto)
    theirs = AutoCodingRun.objects.create(study=other_study, query="migracion", theme=twin["child"],
                                          coder=otto)
    theirs.excerpts.add(twin["x1"])
    assert client_for(alice).post(undo_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.undone_at is None
    assert CodedExcerpt.objects.filter(pk=twin["x1"].pk).exists()


def test_the_search_page_offers_no_undo_for_a_run_of_another_study(alice, otto, other_study, spanish):
    twin = twin_study(other_study, otto)
    theirs = AutoCodingRun.objects.create(study=other_study, query="migracion", theme=twin["child"],
                                          coder=otto)
    response = client_for(alice).get(SEARCH, {"q": "migracion", "run": theirs.pk})
    assert response.context["run"] is None


def test_undo_sends_anonymous_users_to_login(alice, client, spanish, themes):
    run = auto_code(client_for(alice), themes, spanish)
    assert client.post(undo_url(run)).status_code == 302
    assert CodedExcerpt.objects.count() == 3


def test_undo_answers_404_for_a_missing_run(alice):
    assert client_for(alice).post(reverse("reports:auto-coding-undo", args=[SLUG, 999])).status_code == 404


def test_it_refuses_a_malformed_hit(alice, spanish, themes):
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                            "hits": ["1:2"]})
    assert response.status_code == 400
    assert "not one this page offered" in response.content.decode()
    assert not CodedExcerpt.objects.exists()


# ----- no repeats, no overlaps; one speaker's turns -----


def test_it_never_overlaps_an_excerpt_that_already_has_the_theme(alice, bob, spanish, themes):
    """The bug: a hit whose sentence only overlapped an excerpt with the theme was coded again
    ("0 already had it"), leaving two overlapping excerpts of one theme."""
    code(spanish, "La migración forzada", [themes["youth"]], bob)
    client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "sentence",
                                 "all": "on"})
    run = AutoCodingRun.objects.get()
    assert run.skipped_count == 1
    assert quotes() == ["La migración forzada", "Y otra migración aquí.",
                        "Segundo párrafo: migracion sin tilde."]
    spans = sorted(CodedExcerpt.objects.filter(themes=themes["youth"]).values_list("start", "end"))
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False))


def test_a_second_run_creates_nothing(alice, spanish, themes):
    client = client_for(alice)
    for scope in ("paragraph", "sentence", "match"):
        client.post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": scope, "all": "on"})
    assert quotes() == [TEXT.split("\n\n")[0], TEXT.split("\n\n")[1]]
    assert [run.skipped_count for run in AutoCodingRun.objects.order_by("pk")] == [0, 3, 3]


def test_an_excerpt_with_another_theme_does_not_block_it(alice, bob, spanish, themes):
    code(spanish, "La migración forzada", [themes["gender"]], bob)
    client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                 "all": "on"})
    assert AutoCodingRun.objects.get().skipped_count == 0
    assert CodedExcerpt.objects.filter(themes=themes["youth"]).count() == 3


def test_it_codes_only_one_speakers_turns_when_asked(alice, participant, themes):
    text = ("Entrevistador: ¿Y la migración?\n\nD: La migración fue dura.\n\nY la migración siguió.\n\n"
            "Entrevistador: ¿Otra migración?")
    interview = Transcript.objects.create(
        study=participant.study, participant=participant, title="E", text=text)
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk,
                                            "scope": "sentence", "all": "on", "speaker": "D"})
    assert response.status_code == 302
    assert list(CodedExcerpt.objects.order_by("start").values_list("quote", flat=True)) == [
        "D: La migración fue dura.", "Y la migración siguió."]
    assert all(e.transcript == interview for e in CodedExcerpt.objects.all())


def test_it_says_so_when_the_speaker_has_no_hits(alice, spanish, themes):
    response = client_for(alice).post(URL, {"q": "migracion", "theme": themes["youth"].pk, "scope": "match",
                                            "all": "on", "speaker": "Nadie"})
    assert response.status_code == 400
    assert "no hits to code" in response.content.decode()
    assert not CodedExcerpt.objects.exists()


def test_undo_answers_json_with_the_removed_excerpts(alice, spanish, themes):
    client = client_for(alice)
    run = auto_code(client, themes, spanish)
    ids = sorted(run.excerpts.values_list("pk", flat=True))
    response = client.post(undo_url(run), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert sorted(response.json()["removed"]) == ids
    assert response.json()["kept"] == 0
    again = client.post(undo_url(run), HTTP_ACCEPT="application/json")
    assert again.status_code == 409
    assert "already been undone" in str(again.json()["errors"])
