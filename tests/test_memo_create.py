"""Writing a memo: links, a pinned passage, sanitised text, refusals."""

from django.urls import reverse

from memos.models import Memo
from memos.services import memo_create
from tests.conftest import client_for

URL = reverse("memos:memo-create", args=["pasto"])


def test_it_creates_a_memo_with_links(alice, transcript, themes, participant):
    other = memo_create(study=transcript.study, author=alice, title="Earlier")
    response = client_for(alice).post(URL, {
        "title": "Youth and migration", "body": "First *idea*.", "type": "theory",
        "transcripts": [transcript.pk], "themes": [themes["youth"].pk], "participants": [participant.pk],
        "linked_memos": [other.pk],
    })
    memo = Memo.objects.get(title="Youth and migration")
    assert response.status_code == 302 and response["Location"] == memo.get_absolute_url()
    assert (memo.author, memo.type, memo.private) == (alice, "theory", False)
    assert list(memo.themes.all()) == [themes["youth"]]
    assert list(memo.transcripts.all()) == [transcript]
    assert list(memo.participants.all()) == [participant]
    assert list(memo.linked_memos.all()) == [other]


def test_write_a_memo_here_prelinks_the_page_it_came_from(alice, themes):
    response = client_for(alice).get(URL, {"theme": themes["youth"].pk})
    assert response.status_code == 200
    assert response.context["form"].initial["themes"] == [str(themes["youth"].pk)]


def test_it_pins_a_memo_to_a_passage(alice, transcript):
    page = client_for(alice).get(URL, {"transcript": transcript.pk, "start": 0, "end": 11})
    assert page.context["span_quote"] == "Interviewer"
    client_for(alice).post(URL, {"title": "Wording", "body": "", "type": "free",
                                 "transcript": transcript.pk, "start": 0, "end": 11})
    span = Memo.objects.get(title="Wording").spans.get()
    assert (span.start, span.end, span.quote) == (0, 11, "Interviewer")
    assert span.quote == transcript.text[span.start:span.end]


def test_it_refuses_a_passage_outside_the_text(alice, transcript):
    response = client_for(alice).post(URL, {"title": "Bad", "type": "free", "transcript": transcript.pk,
                                            "start": 5, "end": 10_000})
    assert response.status_code == 400
    assert not Memo.objects.exists()


def test_it_refuses_another_studys_objects(alice, otto, other_study):
    foreign = memo_create(study=other_study, author=otto, title="Theirs")
    response = client_for(alice).post(URL, {"title": "Mine", "type": "free", "linked_memos": [foreign.pk]})
    assert response.status_code == 400
    assert "linked_memos" in response.context["form"].errors
    assert not Memo.objects.filter(title="Mine").exists()


def test_it_refuses_a_memo_without_a_title(alice):
    response = client_for(alice).post(URL, {"title": "  ", "type": "free"})
    assert response.status_code == 400
    assert not Memo.objects.exists()


def test_it_forbids_reviewers(rita):
    assert client_for(rita).post(URL, {"title": "Nope", "type": "free"}).status_code == 403
    assert not Memo.objects.exists()


def test_a_memo_renders_simple_formatting_and_nothing_else(alice, study):
    memo = memo_create(study=study, author=alice, title="F", body=(
        "A *word* and **more**.\n\n- one\n- two\n\n[site](https://example.org) "
        "<script>alert(1)</script><img src=x onerror=alert(2)> [bad](javascript:alert(3))"))
    html = client_for(alice).get(memo.get_absolute_url()).content.decode()
    body = html[html.index('id="memo-body"'):html.index("</div>", html.index('id="memo-body"'))]
    assert "<em>word</em>" in body and "<strong>more</strong>" in body and "<li>one</li>" in body
    assert 'href="https://example.org"' in body
    assert "<script" not in body and "onerror" not in body and "<img" not in body
    assert "javascript:" not in body


def test_it_links_an_excerpt_offered_from_its_page_and_no_other(alice, transcript, themes, otto,
                                                                 other_study):
    from coding.services import excerpt_create

    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    other = excerpt_create(transcript=transcript, start=0, end=11, themes=[themes["youth"]], coder=alice)
    page = client_for(alice).get(URL, {"excerpt": excerpt.pk})
    assert [e.pk for e in page.context["form"].fields["excerpts"].queryset] == [excerpt.pk]
    client_for(alice).post(URL, {"title": "On it", "type": "free", "excerpts": [excerpt.pk]})
    assert list(Memo.objects.get(title="On it").excerpts.all()) == [excerpt]
    assert other.pk != excerpt.pk
