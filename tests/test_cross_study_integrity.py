"""The database itself refuses links between studies (studies/migrations/0003 triggers), even
when a code path skips the services' checks: raw creates, queryset updates, link-table inserts."""

import pytest
from django.db import IntegrityError, transaction

from coding.models import CodedExcerpt, DeletedExcerpt, Theme
from interviews.models import (
    Attribute,
    AttributeChoice,
    AttributeValue,
    Transcript,
    TranscriptVersion,
)
from tests.participants import participant_make


@pytest.fixture
def there(other_study):
    """A participant, transcript, theme and excerpt in the other study."""
    participant = participant_make(study=other_study, code="Z", sector="ngo", gender="male")
    transcript = Transcript.objects.create(study=other_study, participant=participant, title="Z",
                                           text="Elsewhere entirely.")
    theme = Theme.objects.create(study=other_study, name="Elsewhere")
    return {"participant": participant, "transcript": transcript, "theme": theme}


def refused(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_a_transcript_cannot_belong_to_another_studys_participant(study, there):
    refused(lambda: Transcript.objects.create(study=study, participant=there["participant"], title="T",
                                              text="x"))


def test_moving_a_transcript_to_another_study_is_refused(transcript, there):
    refused(lambda: Transcript.objects.filter(pk=transcript.pk).update(participant=there["participant"]))
    refused(lambda: Transcript.objects.filter(pk=transcript.pk).update(study=there["transcript"].study))


def test_an_excerpt_cannot_sit_in_another_studys_transcript(study, alice, there):
    refused(lambda: CodedExcerpt.objects.create(study=study, transcript=there["transcript"], start=0,
                                                end=9, quote="Elsewhere", coder=alice))


def test_an_excerpt_cannot_carry_another_studys_theme(transcript, themes, alice, there):
    excerpt = CodedExcerpt.objects.create(study=transcript.study, transcript=transcript, start=0, end=11,
                                          quote=transcript.text[:11], coder=alice)
    excerpt.themes.add(themes["youth"])  # same study: fine
    refused(lambda: excerpt.themes.add(there["theme"]))
    refused(lambda: CodedExcerpt.themes.through.objects.bulk_create(
        [CodedExcerpt.themes.through(codedexcerpt_id=excerpt.pk, theme_id=there["theme"].pk)]))
    assert list(excerpt.themes.all()) == [themes["youth"]]


def test_a_theme_cannot_sit_under_another_studys_theme(study, there):
    refused(lambda: Theme.objects.create(study=study, name="Stray", parent=there["theme"]))


def test_versions_and_deleted_excerpts_follow_their_transcript(study, alice, there):
    refused(lambda: TranscriptVersion.objects.create(study=study, transcript=there["transcript"], number=9,
                                                     text="x", change="edit"))
    refused(lambda: DeletedExcerpt.objects.create(study=study, transcript=there["transcript"], original_id=1,
                                                  snapshot={}, deleted_by=alice))


def test_links_within_one_study_are_allowed(transcript, themes, alice):
    excerpt = CodedExcerpt.objects.create(study=transcript.study, transcript=transcript, start=0, end=11,
                                          quote=transcript.text[:11], coder=alice)
    excerpt.themes.add(themes["youth"], themes["gender"])
    assert excerpt.themes.count() == 2


def test_an_attribute_value_cannot_link_two_studies(study, participant, there):
    mine = Attribute.objects.create(study=study, applies_to="participant", name="Wave", type="choice")
    theirs = Attribute.objects.create(study=there["participant"].study, applies_to="participant",
                                      name="Wave", type="choice")
    their_choice = AttributeChoice.objects.create(attribute=theirs, label="First")
    my_choice = AttributeChoice.objects.create(attribute=mine, label="First")
    refused(lambda: AttributeValue.objects.create(study=study, attribute=theirs, participant=participant,
                                                  choice=their_choice))
    refused(lambda: AttributeValue.objects.create(study=study, attribute=mine,
                                                  participant=there["participant"], choice=my_choice))
    refused(lambda: AttributeValue.objects.create(study=study, attribute=mine, participant=participant,
                                                  choice=their_choice))
    kept = AttributeValue.objects.create(study=study, attribute=mine, participant=participant,
                                         choice=my_choice)
    refused(lambda: AttributeValue.objects.filter(pk=kept.pk).update(transcript=there["transcript"],
                                                                      participant=None))
