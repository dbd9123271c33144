"""Themes by any attribute (reports.crosstab_views.attribute_crosstab): counts per group of a
custom attribute, ranges for numbers and dates, consent, cells that open their quotes in the
excerpt browser, identifying attributes for owners only, and a fixed number of queries."""

import datetime
import re

import pytest
from django.urls import reverse

from interviews.models import Attribute
from interviews.services import attribute_create, attribute_value_set
from tests.conftest import client_for
from tests.reports_study import code, interview, person, theme

URL = "reports:attribute-crosstab"


@pytest.fixture
def data(study, alice):
    """Four participants: A (wave First, age 30), B (wave Second, age 52), C (no values), W
    (wave First, withdrew: counted nowhere). Theme Results with sub-theme Planning."""
    wave = attribute_create(study=study, applies_to="participant", name="Wave", type="choice",
                            choices=["First", "Second"])
    age = attribute_create(study=study, applies_to="participant", name="Age", type="number")
    mode = attribute_create(study=study, applies_to="transcript", name="Mode", type="text")
    secret = attribute_create(study=study, applies_to="participant", name="Village", type="text",
                              identifying=True)
    results = theme(study, "Results")
    planning = theme(study, "Planning", parent=results)
    people = {}
    for code_, wave_value, age_value in (("A", "First", "30"), ("B", "Second", "52"), ("C", "", ""),
                                         ("W", "First", "40")):
        p = person(study, code_, withdrawn=datetime.date(2010, 1, 1) if code_ == "W" else None)
        attribute_value_set(attribute=wave, obj=p, raw=wave_value)
        attribute_value_set(attribute=age, obj=p, raw=age_value)
        t = interview(p, f"{code_}: alpha beta gamma delta.")
        attribute_value_set(attribute=mode, obj=t, raw="phone" if code_ == "A" else "in person")
        code(t, "alpha", [results], alice)
        code(t, "beta", [planning], alice)
        people[code_] = p
    attribute_value_set(attribute=secret, obj=people["A"], raw="Tangua")
    return {"wave": wave, "age": age, "mode": mode, "secret": secret, "results": results}


def table(response):
    body = response.content.decode()
    head = re.findall(r'<th scope="col" class="text-end">(.*?)</th>', body)
    rows = {}
    for name, cells in re.findall(r'<tr><th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', body, re.S):
        numbers = re.findall(r'<td class="text-end">(?:<a href="[^"]*">|<span class="[^"]*">)?(\d+)', cells)
        rows[name] = [int(n) for n in numbers]
    return head, rows


def get(client, study, **query):
    return client.get(reverse(URL, args=[study.slug]), query)


def test_it_counts_excerpts_by_a_custom_choice_attribute(data, alice, study):
    head, rows = table(get(client_for(alice), study, attribute=f"a{data['wave'].pk}"))
    assert head == ["All", "First", "Second", "no value"]
    # Results counts its sub-theme too (two excerpts each for A, B, C); W withdrew: not counted
    assert rows == {"Results": [6, 2, 2, 2], "Planning": [3, 1, 1, 1]}


def test_numbers_are_grouped_into_the_ranges_asked_for(data, alice, study):
    head, rows = table(get(client_for(alice), study, attribute=f"a{data['age'].pk}", ranges="50, 40"))
    assert head == ["All", "under 40", "40 to under 50", "50 or more", "no value"]
    assert rows["Results"] == [6, 2, 0, 2, 2]


def test_without_ranges_each_number_is_its_own_group(data, alice, study):
    head, _rows = table(get(client_for(alice), study, attribute=f"a{data['age'].pk}"))
    assert head == ["All", "30", "52", "no value"]  # 40 is W's, who withdrew


def test_a_transcript_attribute_crosses_too(data, alice, study):
    head, rows = table(get(client_for(alice), study, attribute=f"a{data['mode'].pk}"))
    assert head == ["All", "in person", "phone", "no value"] and rows["Planning"] == [3, 2, 1, 0]


def test_sector_is_an_attribute_like_any_other(data, alice, study):
    """Sector, once a field of the record, is one of the study's attributes (migration 0011)."""
    sector = Attribute.objects.get(study=study, name="Sector")
    head, rows = table(get(client_for(alice), study, attribute=f"a{sector.pk}"))
    assert head == ["All", "Public", "no value"] and rows["Results"] == [6, 6, 0]
    assert get(client_for(alice), study, attribute="sector").status_code == 400  # no built-in column


def test_each_cell_opens_its_quotes(data, alice, study):
    client = client_for(alice)
    body = get(client, study, attribute=f"a{data['age'].pk}", ranges="40").content.decode()
    row = re.findall(r'<tr><th scope="row"[^>]*>Results</th>.*?</tr>', body, re.S)[0]
    hrefs = re.findall(r'<a href="([^"]*)">', row)
    assert len(hrefs) == 3  # under 40, 40 or more, no value
    shown = client.get(hrefs[0].replace("&amp;", "&"))  # under 40: A's two excerpts
    assert shown.status_code == 200
    assert [e.code for e in shown.context["excerpts"]] == ["A", "A"]
    shown = client.get(hrefs[-1].replace("&amp;", "&"))  # no value: C's
    assert [e.code for e in shown.context["excerpts"]] == ["C", "C"]


def test_the_browser_filters_by_a_typed_value(data, alice, study):
    response = client_for(alice).get(reverse("reports:excerpt-browser", args=[study.slug]),
                                     {"attribute": f"a{data['wave'].pk}", "group": "Second"})
    assert {e.code for e in response.context["excerpts"]} == {"B"}


def test_identifying_attributes_are_for_owners_only(data, alice, rita, adam, study):
    key = f"a{data['secret'].pk}"
    for user in (alice, rita):
        response = get(client_for(user), study, attribute=key)
        assert response.status_code == 400 and "Village" not in response.content.decode()
        browser = client_for(user).get(reverse("reports:excerpt-browser", args=[study.slug]),
                                       {"attribute": key, "group": "Tangua"})
        assert browser.status_code == 400
    head, _rows = table(get(client_for(adam), study, attribute=key))
    assert head == ["All", "Tangua", "no value"]


def test_bad_ranges_get_a_message(data, alice, study):
    response = get(client_for(alice), study, attribute=f"a{data['age'].pk}", ranges="30, old")
    assert response.status_code == 400
    assert "“old” is not a number" in response.content.decode()
    response = get(client_for(alice), study, attribute=f"a{data['wave'].pk}", ranges="3")
    assert response.status_code == 400
    assert "Only number and date attributes" in response.content.decode()


@pytest.mark.parametrize("extra", [0, 12])
def test_it_costs_the_same_queries_as_attributes_grow(data, alice, study, extra, django_assert_num_queries):
    """Guards against a query per attribute, group or theme: user, membership; the
    attributes and their choices (the form's list); themes; the count query; transcripts;
    the attribute's values; who is left out. (The session comes from its cache, and the menu's
    permission check costs nothing for a user known with the user to hold none.)"""
    for i in range(extra):
        attribute_create(study=study, applies_to="participant", name=f"Extra {i}", type="choice",
                         choices=["x", "y"])
    client = client_for(alice)
    with django_assert_num_queries(9):
        response = get(client, study, attribute=f"a{data['wave'].pk}")
    assert response.status_code == 200


def test_the_theme_report_counts_by_any_attribute(data, rita, study):
    url = reverse("reports:theme-report", args=[study.slug, data["results"].pk])
    response = client_for(rita).get(url, {"by": f"a{data['age'].pk}", "ranges": "40"})
    assert response.status_code == 200
    body = response.content.decode()
    table = body[body.index('id="by-attribute"'):body.index("</table>", body.index('id="by-attribute"'))]
    cell = r'<td class="text-end">(\d+)</td>'
    rows = re.findall(r'<th scope="row">(.*?)</th>' + cell + cell, table)
    # Results with Planning: A (30) and B (52) two excerpts each, C none given, W withdrew
    assert rows == [("under 40", "2", "1"), ("40 or more", "2", "1"), ("no value", "2", "1")]


def test_the_theme_report_refuses_an_identifying_attribute_to_a_reviewer(data, rita, study):
    url = reverse("reports:theme-report", args=[study.slug, data["results"].pk])
    response = client_for(rita).get(url, {"by": f"a{data['secret'].pk}"})
    assert response.status_code == 400 and "Tangua" not in response.content.decode()


def test_the_matrix_keeps_the_participants_of_one_group(data, rita, study):
    client = client_for(rita)
    url = reverse("reports:theme-matrix", args=[study.slug])
    response = client.get(url, {"attribute": f"a{data['wave'].pk}", "group": "First"})
    assert [p.code for p in response.context["matrix"].participants] == ["A"]  # W withdrew
    response = client.get(url, {"attribute": f"a{data['mode'].pk}", "group": "phone"})
    matrix = response.context["matrix"]
    assert {key[1] for key in matrix.counts} == {matrix.participants[0].pk}
    assert matrix.participants[0].code == "A"
    assert client.get(url, {"attribute": f"a{data['secret'].pk}", "group": "Tangua"}).status_code == 400
