"""The database refuses an assignment whose transcript is of another study, whatever the code
path (team.services checks first with a clear message); the same trigger as
studies/migrations/0003_cross_study_integrity.py's rules."""

from django.db import migrations

TABLE, COLUMN, OTHER = "team_assignment", "transcript_id", "interviews_transcript"
MESSAGE = "cross-study link refused"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        check = (f"(SELECT study_id FROM {OTHER} WHERE id = NEW.{COLUMN}) IS NOT NULL AND "
                 f"(SELECT study_id FROM {OTHER} WHERE id = NEW.{COLUMN}) != NEW.study_id")
        statements = [
            f"CREATE TRIGGER {TABLE}_same_study_{event.lower()} BEFORE {event} ON {TABLE} "
            f"WHEN {check} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for event in ("INSERT", "UPDATE")
        ]
    elif vendor == "postgresql":
        statements = [
            f"""CREATE FUNCTION {TABLE}_same_study() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF (SELECT study_id FROM {OTHER} WHERE id = NEW.{COLUMN}) IS DISTINCT FROM NEW.study_id THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
              END IF;
              RETURN NEW;
            END $$""",
            f"CREATE TRIGGER {TABLE}_same_study BEFORE INSERT OR UPDATE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_same_study()",
        ]
    else:
        return
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_same_study_{event}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_same_study ON {TABLE}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_same_study()")


class Migration(migrations.Migration):
    dependencies = [("team", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
