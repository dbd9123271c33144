"""The excerpt browser: every filter, sorting, paging, context, links, consent."""

import datetime
import re

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt
from interviews.models import Attribute, Transcript
from tests.conftest import client_for
from tests.reports_study import code, interview, noise, person, theme, twin_study

SLUG = "pasto"  # the conftest study

URL = reverse("reports:excerpt-browser", args=[SLUG])


@pytest.fixture
def data(alice, bob, study, themes):
    """Two participants, two transcripts, four excerpts over Youth, Gender and a sub-theme."""
    youth, gender = themes["youth"], themes["gender"]
    rural = theme(study, "Rural youth", parent=youth)
    a = person(study, "A", sector="private", gender="female", organisation="Chamber of Commerce",
               scope="quote_named")
    b = person(study, "B", sector="ngo", gender="male", organisation="RET")
    ta = interview(a, "A: La migración de jóvenes.\n\nA: Rural youth leave the farms.",
                   date=datetime.date(2009, 4, 7))
    tb = interview(b, "B: Women lead here. Gender work matters.", date=datetime.date(2009, 5, 14))
    return {
        "youth": youth, "gender": gender, "rural": rural, "a": a, "b": b, "ta": ta, "tb": tb,
        "x_youth": code(ta, "La migración de jóvenes", [youth], alice),
        "x_rural": code(ta, "Rural youth leave the farms", [rural], bob),
        "x_gender": code(tb, "Women lead here", [gender], alice),
        "x_both": code(tb, "Gender work matters", [gender, youth], bob),
    }


def shown(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [e.pk for e in response.context["excerpts"]]


def ids(data, *names):
    return [data[name].pk for name in names]


def by(study, name, value):
    """The browser's filter on the participant attribute `name` having `value`."""
    return {"attribute": f"a{Attribute.objects.get(study=study, name=name).pk}", "group": value}


def test_it_lists_every_excerpt_in_transcript_order(alice, data):
    assert shown(client_for(alice)) == ids(data, "x_youth", "x_rural", "x_gender", "x_both")


def test_it_filters_by_theme_with_its_sub_themes(alice, data):
    client = client_for(alice)
    assert shown(client, theme=data["youth"].pk) == ids(data, "x_youth", "x_rural", "x_both")


def test_it_filters_by_theme_without_its_sub_themes(alice, data):
    client = client_for(alice)
    assert shown(client, theme=data["youth"].pk, subthemes="0") == ids(data, "x_youth", "x_both")


def test_it_filters_by_participant(alice, data):
    assert shown(client_for(alice), participant=data["b"].pk) == ids(data, "x_gender", "x_both")


def test_it_filters_by_sector(alice, study, data):
    assert shown(client_for(alice), **by(study, "Sector", "Private")) == ids(data, "x_youth", "x_rural")


def test_it_filters_by_gender(alice, study, data):
    assert shown(client_for(alice), **by(study, "Gender", "Male")) == ids(data, "x_gender", "x_both")


def test_it_filters_by_organisation(alice, study, data):
    assert shown(client_for(alice), **by(study, "Organisation", "RET")) == ids(data, "x_gender", "x_both")


def test_it_offers_no_built_in_sector_gender_or_organisation_filter(alice, data):
    """The study's own attributes cover them (the attribute filter), named as the study names them."""
    form = client_for(alice).get(URL).context["form"]
    assert not {"sector", "gender", "organisation"} & set(form.fields)
    assert [label for key, label in form.fields["attribute"].choices if key] == [
        "Organisation (participant)", "Sector (participant)", "Gender (participant)"]


def test_it_filters_by_coder(alice, bob, data):
    assert shown(client_for(alice), coder=bob.pk) == ids(data, "x_rural", "x_both")


def test_it_filters_by_transcript(alice, data):
    assert shown(client_for(alice), transcript=data["ta"].pk) == ids(data, "x_youth", "x_rural")


def test_it_filters_by_interview_dates(alice, data):
    client = client_for(alice)
    assert shown(client, date_from="2009-05-01") == ids(data, "x_gender", "x_both")
    assert shown(client, date_to="2009-04-30") == ids(data, "x_youth", "x_rural")
    assert shown(client, date_from="2009-04-07", date_to="2009-04-07") == ids(data, "x_youth", "x_rural")


def test_it_filters_by_text_ignoring_case_and_accents(alice, data):
    client = client_for(alice)
    assert shown(client, text="MIGRACION") == ids(data, "x_youth")
    assert shown(client, text="jovenes migracion") == ids(data, "x_youth")
    assert shown(client, text="women farms") == []


def test_it_combines_filters(alice, data):
    assert shown(client_for(alice), theme=data["youth"].pk, **by(data["a"].study, "Gender", "Male")) == ids(
        data, "x_both")


def test_it_sorts(alice, data):
    client = client_for(alice)
    assert shown(client, sort="newest") == ids(data, "x_both", "x_gender", "x_rural", "x_youth")
    assert shown(client, sort="oldest") == ids(data, "x_youth", "x_rural", "x_gender", "x_both")
    assert shown(client, sort="longest") == ids(data, "x_rural", "x_youth", "x_both", "x_gender")
    assert shown(client, sort="date") == ids(data, "x_youth", "x_rural", "x_gender", "x_both")


def test_it_pages_through_many_excerpts(alice, participant, themes):
    transcript = interview(participant, " ".join(f"w{i:03}" for i in range(110)))
    for i in range(110):
        code(transcript, f"w{i:03}", [themes["youth"]], alice)
    client = client_for(alice)
    first = client.get(URL)
    assert len(first.context["excerpts"]) == 50
    assert 'data-counts="?counts=1"' in first.content.decode() and "Excerpts 1–50" in first.content.decode()
    assert client.get(URL, {"counts": 1}).json() == {"shown": 110, "hidden": 0, "note": "",
                                                      "heading": "110 excerpts"}
    third = client.get(URL, {"page": 3, "theme": themes["youth"].pk})
    assert [e.quote for e in third.context["excerpts"]] == [f"w{i:03}" for i in range(100, 110)]
    body = third.content.decode()
    assert f"theme={themes['youth'].pk}&amp;page=2" in body
    assert "Excerpts 101–110" in body and 'rel="next"' not in body
    assert client.get(URL, {"page": 9}).context["excerpts"] == []
    more = client.get(URL, {"page": 2, "fragment": 1})  # "More": the cards and the pager alone
    assert more.content.decode().count('<li class="card') == 50 and "<form" not in more.content.decode()
    assert "<html" not in more.content.decode() and more.content.decode().endswith("</nav></li>")
    assert 'rel="prev"' in more.content.decode() and 'data-more="?page=3' in more.content.decode()
    assert client.get(URL, {"page": "x"}).context["page"].number == 1


def test_it_shows_each_quote_in_its_paragraph_with_a_link_to_it(alice, data):
    response = client_for(alice).get(URL, {"transcript": data["tb"].pk})
    first = response.context["excerpts"][0]
    assert (first.before, first.after) == ("B: ", ". Gender work matters.")
    body = response.content.decode()
    assert '<mark class="excerpt-quote">Women lead here</mark>' in body
    link = reverse("coding:transcript-coding", args=[SLUG, data["tb"].pk]) + f"#x{data['x_gender'].pk}"
    assert f'href="{link}"' in body
    rural = client_for(alice).get(URL, {"theme": data["rural"].pk}).context["excerpts"][0]
    assert rural.before == "A: "  # the paragraph before it is not context


def test_it_shows_a_corrected_text_on_the_next_page_at_once(alice, data):
    """The texts are kept per process (reports.queries.TRANSCRIPT_TEXTS): a correction must
    show at once, in the context and in the quote's paragraph number."""
    from coding.transcript_text import transcript_text_update

    client = client_for(alice)
    rural = client.get(URL, {"theme": data["rural"].pk}).context["excerpts"][0]
    assert (rural.before, rural.paragraph) == ("A: ", 2)
    again = client.get(URL, {"theme": data["rural"].pk}).context["excerpts"][0]  # from the cache
    assert again.before == "A: "
    transcript_text_update(transcript=data["ta"], user=alice,
                           text="A: La migración de jóvenes.\n\nB: Yes.\n\nB: Rural youth leave the farms.")
    rural = client.get(URL, {"theme": data["rural"].pk}).context["excerpts"][0]
    assert (rural.before, rural.paragraph) == ("B: ", 3)
    Transcript.objects.filter(pk=data["ta"].pk).update(text_version=1)  # even back to an old version
    data["ta"].refresh_from_db()
    data["ta"].text = data["ta"].text.replace("B: Rural", "C: Rural")
    data["ta"].save()  # a save that leaves the version alone: updated_at moves
    assert client.get(URL, {"theme": data["rural"].pk}).context["excerpts"][0].before == "C: "


def test_it_cuts_long_context_with_an_ellipsis(alice, participant, themes):
    text = "x" * 300 + " quote here " + "y" * 300
    transcript = interview(participant, text)
    code(transcript, "quote here", [themes["youth"]], alice)
    excerpt = client_for(alice).get(URL).context["excerpts"][0]
    assert excerpt.before == text[text.index("quote") - 160 : text.index("quote")]
    assert excerpt.cut_before and excerpt.cut_after


def test_it_hides_participants_who_withdrew_or_never_consented(alice, study, data, themes):
    withdrawn = interview(person(study, "W", withdrawn=datetime.date(2010, 1, 1)), "Withdrawn words.")
    never = interview(person(study, "N", given=False), "Unconsented words.")
    code(withdrawn, "Withdrawn", [themes["youth"]], alice)
    code(never, "Unconsented", [themes["youth"]], alice)
    response = client_for(alice).get(URL)
    shown_ids = [e.pk for e in response.context["excerpts"]]
    assert shown_ids == ids(data, "x_youth", "x_rural", "x_gender", "x_both")
    counts = client_for(alice).get(URL, {"counts": 1}).json()
    assert (counts["shown"], counts["hidden"], counts["heading"]) == (4, 2, "4 excerpts")
    assert counts["note"].startswith("2 more excerpts match, but are not shown")


def test_it_marks_quotes_not_for_quotation_and_names_organisations_only_when_allowed(alice, study, data,
                                                                                    themes):
    only = interview(person(study, "O", organisation="Secret Org", scope="interview_only"),
                     "Only interview.")
    code(only, "Only interview", [themes["youth"]], alice)
    body = client_for(alice).get(URL).content.decode()
    listed = body[body.index('id="excerpts"') :]  # the filter menu lists every organisation
    assert "not for quotation" in listed
    assert "Chamber of Commerce" in listed  # quote_named
    assert "RET" not in listed  # quote: organisation not named
    assert "Secret Org" not in listed


def test_it_refuses_bad_filters_with_a_message(alice, data):
    client = client_for(alice)
    for params in ({"theme": "abc"}, {"participant": 99999}, {"date_from": "2009-13-40"},
                   {"sort": "random"}):
        assert client.get(URL, params).status_code == 400, params
    response = client.get(URL, {"date_from": "2009-05-01", "date_to": "2009-04-01"})
    assert response.status_code == 400
    assert "first interview date is after the last" in response.content.decode()


def test_it_refuses_filters_naming_rows_of_another_study(alice, otto, other_study, data):
    twin = twin_study(other_study, otto)
    client = client_for(alice)
    for params, message in (
        ({"theme": twin["child"].pk}, "There is no such theme in this study."),
        ({"participant": twin["named"].pk}, "There is no such participant in this study."),
        ({"transcript": twin["td"].pk}, "There is no such transcript in this study."),
        ({"coder": otto.pk}, "No one by that id has coded in this study."),
    ):
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert message in response.content.decode()
        assert "excerpts" not in response.context


def test_it_offers_filter_choices_of_the_study_only(alice, otto, other_study, data):
    twin_study(other_study, otto)
    client = client_for(alice)
    form = client.get(URL).context["form"]
    assert {label.strip() for _pk, label in form.fields["theme"].choices} == {
        "Any", "Strategy themes", "Youth", "Rural youth", "Gender"}
    choices = reverse("reports:excerpt-choices", args=[SLUG])

    def labels(field, q=""):
        response = client.get(choices, {"field": field, "q": q})
        assert response.status_code == 200
        return [row["label"] for row in response.json()["results"]]

    assert labels("participant") == ["A", "B"]
    assert labels("participant", "b") == ["B"]
    assert labels("coder") == ["alice", "bob"]
    assert client.get(choices, {"field": "organisation"}).status_code == 400  # an attribute filter now
    assert labels("transcript", "a") == ["A · Interview A"]
    assert client.get(choices, {"field": "full_name"}).status_code == 400


def test_it_names_a_typed_filter_beside_it(alice, data):
    response = client_for(alice).get(URL, {"participant": data["b"].pk})
    assert response.context["form"].labels == {"participant": "B"}


def test_it_gives_each_quote_a_stable_reference_and_a_link_that_lands_on_it(alice, bob, data):
    """T<transcript number in the study>:<excerpt number in the transcript> ¶<paragraph>."""
    client = client_for(alice)
    refs = {e.pk: e.reference for e in client.get(URL).context["excerpts"]}
    ta, tb = sorted([data["ta"], data["tb"]], key=lambda t: t.pk)
    assert refs[data["x_youth"].pk] == "T1:1 \u00b61"
    assert refs[data["x_rural"].pk] == "T1:2 \u00b62"
    assert refs[data["x_gender"].pk] == "T2:1 \u00b61"
    assert refs[data["x_both"].pk] == "T2:2 \u00b61"
    later = code(data["ta"], "jóvenes", [data["youth"]], bob)
    again = {e.pk: e.reference for e in client.get(URL).context["excerpts"]}
    assert {pk: again[pk] for pk in refs} == refs
    assert again[later.pk] == "T1:3 \u00b61"
    body = client.get(URL).content.decode()
    link = reverse("coding:transcript-coding", args=[SLUG, data["ta"].pk]) + f"#x{data['x_rural'].pk}"
    assert f'href="{link}"' in body
    assert "coded by <bdi>bob</bdi>" in body


def test_it_shows_the_cue_time_of_a_subtitle_transcript(alice, study, themes):
    transcript = interview(person(study, "S"), "S: first line.\nS: second line here.")
    transcript.cues = [{"offset": 0, "time": 3.5}, {"offset": 15, "time": 754.2}]
    transcript.save()
    code(transcript, "second line", [themes["youth"]], alice)
    excerpt = client_for(alice).get(URL).context["excerpts"][0]
    assert excerpt.reference == "T1:1 \u00b62 00:12:34"


def test_it_shows_more_context_on_request(alice, otto, other_study, study, participant, themes):
    text = "One before.\n\nTwo before. The quote. Two after.\n\nThree after.\n\nFour."
    excerpt = code(interview(participant, text), "The quote", [themes["youth"]], alice)
    url = reverse("reports:excerpt-context", args=[SLUG, excerpt.pk])
    assert client_for(alice).get(url).json() == {
        "before": "One before.\n\nTwo before. ", "after": ". Two after.\n\nThree after."}
    assert client_for(otto).get(url).status_code == 404
    gone = code(interview(person(study, "W", withdrawn=datetime.date(2010, 1, 1)), "Gone words."), "Gone",
                [themes["youth"]], alice)
    assert client_for(alice).get(reverse("reports:excerpt-context", args=[SLUG, gone.pk])).status_code == 404


def test_it_lets_a_reviewer_browse(rita, data):
    assert len(shown(client_for(rita))) == 4


def test_it_hides_the_study_from_a_stranger_and_from_members_of_other_studies(steve, otto, data):
    assert client_for(steve).get(URL).status_code == 404
    assert client_for(otto).get(URL).status_code == 404


def test_it_sends_anonymous_users_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [2, 60])
def test_it_runs_a_fixed_number_of_queries(alice, bob, otto, other_study, participant, themes, count,
                                           django_assert_num_queries):
    """Guards against an N+1 over excerpts (transcript, participant, coder or themes per row), and
    against a cost that grows with the other studies on the server."""
    transcript = interview(participant, " ".join(f"w{i:02}" for i in range(count)))
    for i in range(count):
        code(transcript, f"w{i:02}", [themes["youth"], themes["gender"]], alice if i % 2 else bob)
    noise(other_study, otto, count)
    client = client_for(alice)
    # user, membership with its study; the theme select's themes, the attribute select's
    # attributes (issue 12), read once for the study's setup token; the page:
    # its excerpts in order with their reference numbers (one row more than a page), their
    # themes, their participants' values (the cards' "NGO · Female", of the attributes the
    # form read), their transcripts' numbers and versions, and (not yet read by this process)
    # their texts (context). No filter lists participants, transcripts or coders. The first page
    # asks for its totals afterwards: user, membership and one count of the shown and the
    # hidden (consent) matches; the themes and attributes are kept while the study's setup
    # token is the same.
    with django_assert_num_queries(9):
        response = client.get(URL)
    with django_assert_num_queries(3):
        assert client.get(URL, {"counts": 1}).json()["shown"] == count
    assert len(response.context["excerpts"]) == min(count, 50)
    with django_assert_num_queries(6):  # "More": the cards alone: no count, no menu permissions, texts kept
        client.get(URL, {"page": 1, "fragment": 1})
    # page 2: + the participant filter's label (an empty page reads no themes or texts)
    with django_assert_num_queries(7 if count > 50 else 4):
        client.get(URL, {"page": 2, "participant": participant.pk})
    themes["youth"].description = "Changed."
    themes["youth"].save()  # a new setup token: the themes and attributes are read again
    with django_assert_num_queries(8):
        client.get(URL, {"page": 1, "fragment": 1})
    assert CodedExcerpt.objects.filter(study__slug=SLUG).count() == count


def test_every_control_it_describes_points_at_an_element_that_exists(alice, data):
    """aria-describedby must name ids on the page (the text filter's help text once did not)."""
    body = client_for(alice).get(URL).content.decode()
    described = [i for ids in re.findall(r'aria-describedby="([^"]+)"', body) for i in ids.split()]
    assert "id_text_helptext" in described
    assert all(f'id="{i}"' in body for i in described)


def test_its_filter_form_renders_like_django_would(alice, data):
    """The form's widgets render in Python (QuickWidget): the same inputs, types and values."""
    params = {"date_from": "2009-04-01", "text": "a<b", **by(data["a"].study, "Sector", "NGO")}
    body = client_for(alice).get(URL, params).content.decode()
    assert '<input type="date" name="date_from" value="2009-04-01"' in body
    assert f'<option value="{params["attribute"]}" selected>' in body
    assert 'name="text" value="a&lt;b"' in body
    assert body.count('type="date"') == 2


def test_its_filters_are_built_once_for_what_they_show_and_follow_every_change(alice, data):
    """The filters' HTML is kept for the next page (FILTERS_HTML), keyed by all it shows: the
    chosen theme, a renamed theme, the language, a typed row's label, a form with errors."""
    client = client_for(alice)
    youth = data["youth"]

    def filters(**params):
        body = client.get(URL, params).content.decode()
        start = body.index('<form method="get"')
        return body[start:body.index("</form>", start)]

    first = filters(theme=youth.pk)
    assert f'<option value="{youth.pk}" selected>\u2003Youth</option>' in first
    assert filters(theme=youth.pk, page=2) == first  # the next page shows the same filters
    other = filters(theme=data["gender"].pk)
    assert f'<option value="{youth.pk}">\u2003Youth</option>' in other
    assert f'<option value="{data["gender"].pk}" selected>' in other
    youth.name = "Young people"
    youth.save()
    assert f'<option value="{youth.pk}" selected>\u2003Young people</option>' in filters(theme=youth.pk)
    assert "Cualquiera" in client.get(URL, {"theme": youth.pk}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<bdi>A</bdi>" in filters(participant=data["a"].pk)
    data["a"].code = "A2"
    data["a"].save()
    assert "<bdi>A2</bdi>" in filters(participant=data["a"].pk)
    assert "invalid-feedback" in client.get(URL, {"date_from": "never"}).content.decode()
