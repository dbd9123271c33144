"""The database refuses cross-study links, whatever the code path (services check first and give
a clear message; these triggers are the backstop for raw SQL, bulk writes and bugs).

Django cannot declare a foreign key that spans two columns, so each rule is a trigger: a row's
study must equal the study of the row it points at.
- a transcript and its participant;
- a transcript version, an excerpt and a deleted excerpt, and their transcript;
- a theme and its parent;
- an excerpt–theme link: the theme and the excerpt.
"""

from django.db import migrations

# (table, column pointing at the other row, the other table)
RULES = [
    ("interviews_transcript", "participant_id", "interviews_participant"),
    ("interviews_transcriptversion", "transcript_id", "interviews_transcript"),
    ("coding_codedexcerpt", "transcript_id", "interviews_transcript"),
    ("coding_deletedexcerpt", "transcript_id", "interviews_transcript"),
    ("coding_theme", "parent_id", "coding_theme"),
]
LINK = ("coding_codedexcerpt_themes", "codedexcerpt_id", "coding_codedexcerpt", "theme_id", "coding_theme")
MESSAGE = "cross-study link refused"


def _sqlite_rule(table, column, other):
    check = (f"(SELECT study_id FROM {other} WHERE id = NEW.{column}) IS NOT NULL AND "
             f"(SELECT study_id FROM {other} WHERE id = NEW.{column}) != NEW.study_id")
    return [
        f"CREATE TRIGGER {table}_same_study_{event.lower()} BEFORE {event} ON {table} "
        f"WHEN {check} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for event in ("INSERT", "UPDATE")
    ]


def _sqlite_link():
    table, left, left_table, right, right_table = LINK
    check = (f"(SELECT study_id FROM {left_table} WHERE id = NEW.{left}) != "
             f"(SELECT study_id FROM {right_table} WHERE id = NEW.{right})")
    return [
        f"CREATE TRIGGER {table}_same_study_{event.lower()} BEFORE {event} ON {table} "
        f"WHEN {check} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for event in ("INSERT", "UPDATE")
    ]


def _pg_rule(table, column, other):
    return [
        f"""CREATE FUNCTION {table}_same_study() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.{column} IS NOT NULL AND
             (SELECT study_id FROM {other} WHERE id = NEW.{column}) IS DISTINCT FROM NEW.study_id THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END $$""",
        f"CREATE TRIGGER {table}_same_study BEFORE INSERT OR UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_same_study()",
    ]


def _pg_link():
    table, left, left_table, right, right_table = LINK
    return [
        f"""CREATE FUNCTION {table}_same_study() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (SELECT study_id FROM {left_table} WHERE id = NEW.{left}) IS DISTINCT FROM
             (SELECT study_id FROM {right_table} WHERE id = NEW.{right}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END $$""",
        f"CREATE TRIGGER {table}_same_study BEFORE INSERT OR UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_same_study()",
    ]


def _tables():
    return [table for table, _c, _o in RULES] + [LINK[0]]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [s for rule in RULES for s in _sqlite_rule(*rule)] + _sqlite_link()
    elif vendor == "postgresql":
        statements = [s for rule in RULES for s in _pg_rule(*rule)] + _pg_link()
    else:
        return
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in _tables():
        if vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_same_study_{event}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_same_study ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_same_study()")


class Migration(migrations.Migration):
    dependencies = [
        ("studies", "0002_existing_data"),
        ("interviews", "0005_study_required"),
        ("coding", "0009_study_required"),
        ("audit", "0003_study_required"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
