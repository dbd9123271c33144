"""The database refuses an attribute value that links two studies, or a choice of another
attribute, whatever the code path (interviews.services checks first with a clear message; these
triggers are the backstop, as studies/migrations/0003 is for the other tables):
- a value's study must be its attribute's, its participant's and its transcript's;
- a value's choice must be one of its own attribute's choices.
"""

from django.db import migrations

TABLE = "interviews_attributevalue"
# (trigger name suffix, column, other table, the other table's column that must match, ours)
RULES = [
    ("attribute", "attribute_id", "interviews_attribute", "study_id", "study_id"),
    ("participant", "participant_id", "interviews_participant", "study_id", "study_id"),
    ("transcript", "transcript_id", "interviews_transcript", "study_id", "study_id"),
    ("choice", "choice_id", "interviews_attributechoice", "attribute_id", "attribute_id"),
]
MESSAGE = "cross-study link refused"


def _sqlite(name, column, other, theirs, ours):
    check = (f"NEW.{column} IS NOT NULL AND "
             f"(SELECT {theirs} FROM {other} WHERE id = NEW.{column}) IS NOT NEW.{ours}")
    return [
        f"CREATE TRIGGER {TABLE}_{name}_{event.lower()} BEFORE {event} ON {TABLE} "
        f"WHEN {check} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for event in ("INSERT", "UPDATE")
    ]


def _pg(name, column, other, theirs, ours):
    return [
        f"""CREATE FUNCTION {TABLE}_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.{column} IS NOT NULL AND
             (SELECT {theirs} FROM {other} WHERE id = NEW.{column}) IS DISTINCT FROM NEW.{ours} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END $$""",
        f"CREATE TRIGGER {TABLE}_{name} BEFORE INSERT OR UPDATE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_{name}()",
    ]


def forwards(apps, schema_editor):
    make = {"sqlite": _sqlite, "postgresql": _pg}.get(schema_editor.connection.vendor)
    if make is None:
        return
    for rule in RULES:
        for statement in make(*rule):
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, *_rest in RULES:
        if vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}_{event}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name} ON {TABLE}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_{name}()")


class Migration(migrations.Migration):
    dependencies = [("interviews", "0008_attributes")]

    operations = [migrations.RunPython(forwards, backwards)]
