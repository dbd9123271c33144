"""Every create, change and delete of the tracked models lands in the history."""

from django.urls import reverse

from audit.context import acting_as
from audit.models import Change
from coding.models import Theme
from coding.services import excerpt_create, excerpt_delete, excerpt_update
from interviews.models import Participant
from tests.conftest import client_for


def changes(model, pk):
    return list(Change.objects.for_object(model, pk))


def test_it_records_an_excerpt_created_through_the_page(alice, transcript, themes):
    client_for(alice).post(
        reverse("coding:excerpt-create", args=[transcript.pk]),
        {"start_utf16": 35, "end_utf16": 49, "themes": [themes["youth"].pk]},
    )
    rows = Change.objects.filter(model="coding.codedexcerpt")
    create = rows.get(action="create")
    assert create.user == alice
    assert create.data["quote"] == "With the youth"
    assert rows.get(action="update").data == {"themes": [[], [themes["youth"].pk]]}


def test_it_records_what_changed_and_who_changed_it(alice, bob, transcript, themes):
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    with acting_as(bob):
        excerpt_update(excerpt=excerpt, version=1, start=35, end=49, themes=[themes["gender"]], memo="why")
    last = [c for c in changes("coding.codedexcerpt", excerpt.pk) if c.user == bob]
    fields = {k: v for c in last for k, v in c.data.items()}
    assert fields["memo"] == ["", "why"]
    assert fields["themes"][1] == [themes["gender"].pk] or fields["themes"][0] == [themes["youth"].pk]


def test_it_records_a_deletion_with_the_whole_excerpt(alice, transcript, themes):
    excerpt = excerpt_create(transcript=transcript, start=35, end=49, themes=[themes["youth"]], coder=alice)
    pk = excerpt.pk
    with acting_as(alice):
        excerpt_delete(excerpt=excerpt, user=alice)
    delete = [c for c in changes("coding.codedexcerpt", pk) if c.action == "delete"][0]
    assert delete.data["quote"] == "With the youth"
    assert delete.data["themes"] == [themes["youth"].pk]
    assert delete.user == alice


def test_it_records_participants_transcripts_and_themes(db, participant, transcript):
    theme = Theme.objects.create(name="Trust")
    theme.name = "Trust and confidence"
    theme.save()
    participant.organisation = "Another"
    participant.save()
    transcript.text = transcript.text + "\n\nMore."
    transcript.save()
    assert [c.action for c in changes("coding.theme", theme.pk)] == ["create", "update"]
    assert changes("interviews.participant", participant.pk)[-1].data == {"organisation": ["RET", "Another"]}
    text_change = changes("interviews.transcript", transcript.pk)[-1].data
    assert list(text_change) == ["text"]
    Participant.objects.create(code="Z", sector="ngo", gender="male")
    assert Change.objects.filter(model="interviews.participant", action="create").count() == 2


def test_it_summarises_long_texts(db, participant):
    from interviews.models import Transcript

    t = Transcript.objects.create(participant=participant, title="Long", text="word " * 200 + "end")
    data = changes("interviews.transcript", t.pk)[0].data
    assert data["text"].startswith("<1003 characters, sha256 ")
