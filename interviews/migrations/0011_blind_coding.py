"""Blind coding (issue 13): a transcript can be marked blind.

On SQLite, Django adds a column by rebuilding the table, and renaming the rebuilt table fails
while other tables' cross-study triggers (studies 0003) name it; SQLite adds a column with a
constant default in place, so that is what runs there. PostgreSQL takes Django's own AddField."""

from django.db import migrations, models

FIELD = models.BooleanField(
    default=False,
    help_text="Coded blind: while the study's blind coding covers the transcripts marked blind, researchers "
              "and reviewers see only their own excerpts here.",
    verbose_name="blind",
)


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE interviews_transcript ADD COLUMN "is_blind" bool NOT NULL DEFAULT 0')
        return
    field = FIELD.clone()
    field.set_attributes_from_name("is_blind")
    schema_editor.add_field(apps.get_model("interviews", "Transcript"), field)


def drop_column(apps, schema_editor):
    schema_editor.execute("ALTER TABLE interviews_transcript DROP COLUMN is_blind")


class Migration(migrations.Migration):

    dependencies = [
        ("interviews", "0010_merge_word_forms_attributes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="transcript", name="is_blind", field=FIELD)],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
