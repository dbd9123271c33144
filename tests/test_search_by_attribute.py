"""Search and auto-coding filtered by any attribute (reports.views.search_view, auto_code):
only the participants (or transcripts) in the group are searched, and "Code all hits" codes
only theirs. Identifying attributes are the owners' only."""

import pytest
from django.urls import reverse

from coding.models import CodedExcerpt
from interviews.services import attribute_create, attribute_value_set
from tests.conftest import client_for
from tests.reports_study import interview, person, theme


@pytest.fixture
def data(study):
    wave = attribute_create(study=study, applies_to="participant", name="Wave", type="choice",
                            choices=["First", "Second"])
    secret = attribute_create(study=study, applies_to="participant", name="Village", type="text",
                              identifying=True)
    for code_, value in (("A", "First"), ("B", "Second"), ("C", "")):
        p = person(study, code_)
        attribute_value_set(attribute=wave, obj=p, raw=value)
        attribute_value_set(attribute=secret, obj=p, raw="Tangua")
        interview(p, f"{code_}: la migración forzada.")
    return {"wave": wave, "secret": secret, "theme": theme(study, "Migration")}


def hits(response):
    return sorted(line["hit"].transcript.participant.code for line in response.context["lines"])


def test_search_keeps_the_group_asked_for(data, rita, study):
    client = client_for(rita)
    url = reverse("reports:search", args=[study.slug])
    assert hits(client.get(url, {"q": "migracion"})) == ["A", "B", "C"]
    response = client.get(url, {"q": "migracion", "attribute": f"a{data['wave'].pk}", "group": "Second"})
    assert hits(response) == ["B"]
    response = client.get(url, {"q": "migracion", "attribute": f"a{data['wave'].pk}", "group": "none"})
    assert hits(response) == ["C"]


def test_code_all_hits_codes_only_the_group(data, alice, study):
    response = client_for(alice).post(reverse("reports:auto-code", args=[study.slug]), {
        "q": "migracion", "theme": data["theme"].pk, "scope": "match", "all": "on",
        "attribute": f"a{data['wave'].pk}", "group": "First"})
    assert response.status_code == 302
    assert "attribute=" in response["Location"]
    coded = CodedExcerpt.objects.filter(study=study).select_related("transcript__participant")
    assert [e.transcript.participant.code for e in coded] == ["A"]


def test_an_identifying_attribute_is_refused_to_a_reviewer(data, rita, study):
    response = client_for(rita).get(reverse("reports:search", args=[study.slug]), {
        "q": "migracion", "attribute": f"a{data['secret'].pk}", "group": "Tangua"})
    assert response.status_code == 400
    assert "Village" not in response.content.decode()
