"""Keep every version: record each existing transcript's text as its first version."""

from django.db import migrations


def record_texts(apps, schema_editor):
    Transcript = apps.get_model("interviews", "Transcript")
    TranscriptVersion = apps.get_model("interviews", "TranscriptVersion")
    recorded = set(TranscriptVersion.objects.values_list("transcript_id", flat=True))
    TranscriptVersion.objects.bulk_create(
        [
            TranscriptVersion(
                transcript_id=t.pk, number=t.text_version, text=t.text, cues=t.cues,
                change="recorded", created_by_id=t.created_by_id,
            )
            for t in Transcript.objects.exclude(pk__in=recorded).iterator()
        ],
        batch_size=200,
    )


class Migration(migrations.Migration):
    dependencies = [("interviews", "0002_import_and_versions")]

    operations = [migrations.RunPython(record_texts, migrations.RunPython.noop)]
