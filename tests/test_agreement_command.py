"""manage.py agreement: the agreement page's table as JSON, CSV or text."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coding.services import excerpt_create


@pytest.fixture
def coded(transcript, alice, bob, themes):
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=bob)
    excerpt_create(transcript=transcript, start=54, end=60, themes=[themes["gender"]], coder=bob)
    return transcript


def run(*args):
    out = StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


def test_it_writes_json_with_every_figure_and_its_n(coded):
    data = json.loads(run("pasto", "--coders", "alice,bob", "--format", "json"))
    rows = {row["Theme"]: row for row in data["rows"]}
    assert set(rows) == {"Youth", "Gender", "Overall"}
    assert rows["Youth"]["Cohen's κ"] == rows["Youth"]["Krippendorff's α"] == 1.0
    assert rows["Youth"]["Characters (κ)"] == len(coded.text) == data["characters"]
    assert data["methods"].startswith("2 coders independently coded 1 of 1 transcript")


def test_it_narrows_to_the_themes_asked_for(coded, themes):
    out = run("pasto", "--coders", "alice,bob", "--themes", f"Youth,{themes['gender'].pk}", "--format", "csv")
    assert [line.split(",")[0] for line in out.splitlines()] == ["Theme", "Gender", "Youth", "Overall"]
    out = run("pasto", "--coders", "alice,bob", "--themes", "Youth", "--format", "text")
    assert [line.split("\t")[0] for line in out.splitlines()[:3]] == ["Theme", "Youth", "Overall"]


def test_it_narrows_to_the_transcripts_asked_for(coded):
    out = run("pasto", "--coders", "alice,bob", "--transcripts", str(coded.pk), "--format", "json")
    data = json.loads(out)
    assert data["transcripts"] == 1


@pytest.mark.parametrize("args, message", [
    (["nowhere", "--coders", "alice,bob"], "No study nowhere"),
    (["pasto", "--coders", "alice,nobody"], "Not a coder of pasto: nobody"),
    (["pasto", "--coders", "alice"], "at least two coders"),
    (["pasto", "--coders", "alice,bob", "--themes", "Nothing"], "No single theme 'Nothing'"),
    (["pasto", "--coders", "alice,bob", "--transcripts", "999999"], "999999"),
])
def test_it_explains_bad_input(coded, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
