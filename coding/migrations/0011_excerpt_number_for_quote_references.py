"""Quote references: every excerpt gets its number in its transcript (the 12 of "T4:12 ¶7").

Existing excerpts are numbered 1, 2, 3… per transcript in the order they were coded (creation
time, then id). From then on the database gives each new excerpt the next number of its
transcript on insert, whatever the code path (the coding page, auto-coding, a .qdpx import, a
bulk insert): one more than the highest number among the transcript's excerpts and its removed
excerpts, so a number is never reused and a restored excerpt keeps its own. The trigger fires
only when no number is given (a restore gives the one it had). A save of an instance that never
read its number back (Django does not see what a trigger wrote) keeps the stored one.
"""

from django.db import migrations, models

NEXT = {
    "sqlite": "(SELECT MAX(n) FROM (SELECT MAX(number) AS n FROM coding_codedexcerpt "
              "WHERE transcript_id = NEW.transcript_id UNION ALL "
              "SELECT MAX(CAST(json_extract(snapshot, '$.number') AS INTEGER)) FROM coding_deletedexcerpt "
              "WHERE transcript_id = NEW.transcript_id))",
    "postgresql": "(SELECT MAX(n) FROM (SELECT MAX(number) AS n FROM coding_codedexcerpt "
                  "WHERE transcript_id = NEW.transcript_id UNION ALL "
                  "SELECT MAX((snapshot->>'number')::integer) FROM coding_deletedexcerpt "
                  "WHERE transcript_id = NEW.transcript_id) AS numbers)",
}


def number_existing(apps, schema_editor):
    CodedExcerpt = apps.get_model("coding", "CodedExcerpt")
    current, n, changed = None, 0, []
    for excerpt in CodedExcerpt.objects.order_by("transcript_id", "created_at", "pk").only("pk", "transcript_id"):
        n = n + 1 if excerpt.transcript_id == current else 1
        current = excerpt.transcript_id
        excerpt.number = n
        changed.append(excerpt)
        if len(changed) == 2000:
            CodedExcerpt.objects.bulk_update(changed, ["number"])
            changed = []
    CodedExcerpt.objects.bulk_update(changed, ["number"])


def add_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER coding_codedexcerpt_number AFTER INSERT ON coding_codedexcerpt "
            "WHEN NEW.number IS NULL BEGIN UPDATE coding_codedexcerpt "
            f"SET number = COALESCE({NEXT['sqlite']}, 0) + 1 WHERE id = NEW.id; END"
        )
        schema_editor.execute(
            "CREATE TRIGGER coding_codedexcerpt_number_kept AFTER UPDATE ON coding_codedexcerpt "
            "WHEN NEW.number IS NULL AND OLD.number IS NOT NULL BEGIN UPDATE coding_codedexcerpt "
            "SET number = OLD.number WHERE id = NEW.id; END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION coding_codedexcerpt_number() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF TG_OP = 'UPDATE' THEN NEW.number := COALESCE(NEW.number, OLD.number); "
            f"ELSIF NEW.number IS NULL THEN NEW.number := COALESCE({NEXT['postgresql']}, 0) + 1; "
            "END IF; RETURN NEW; END $$"
        )
        schema_editor.execute(
            "CREATE TRIGGER coding_codedexcerpt_number BEFORE INSERT OR UPDATE ON coding_codedexcerpt "
            "FOR EACH ROW EXECUTE FUNCTION coding_codedexcerpt_number()"
        )


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS coding_codedexcerpt_number")
        schema_editor.execute("DROP TRIGGER IF EXISTS coding_codedexcerpt_number_kept")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS coding_codedexcerpt_number ON coding_codedexcerpt")
        schema_editor.execute("DROP FUNCTION IF EXISTS coding_codedexcerpt_number()")


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0010_theme_is_codable"),
    ]

    operations = [
        migrations.AddField(
            model_name="codedexcerpt",
            name="number",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="number",
                help_text="The excerpt's number in its transcript (the 12 of a reference T4:12), given by "
                          "the database on insert and never reused.",
            ),
        ),
        migrations.AddIndex(
            model_name="codedexcerpt",
            index=models.Index(fields=["transcript", "number"], name="excerpt_transcript_number"),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
