"""The database refuses memo and comment links between studies, like studies/0003 does for the
lower apps: the services check first with a clear message; these triggers are the backstop for
raw SQL, bulk writes and bugs. A row's study must equal the study of each row it points at."""

from django.db import migrations

# (table, column pointing at the other row, the other table)
RULES = [
    ("memos_memospan", "memo_id", "memos_memo"),
    ("memos_memospan", "transcript_id", "interviews_transcript"),
    ("memos_comment", "parent_id", "memos_comment"),
    ("memos_comment", "theme_id", "coding_theme"),
    ("memos_comment", "excerpt_id", "coding_codedexcerpt"),
    ("memos_comment", "transcript_id", "interviews_transcript"),
]
# (link table, left column, left table, right column, right table)
LINKS = [
    ("memos_memo_transcripts", "memo_id", "memos_memo", "transcript_id", "interviews_transcript"),
    ("memos_memo_themes", "memo_id", "memos_memo", "theme_id", "coding_theme"),
    ("memos_memo_participants", "memo_id", "memos_memo", "participant_id", "interviews_participant"),
    ("memos_memo_excerpts", "memo_id", "memos_memo", "codedexcerpt_id", "coding_codedexcerpt"),
    ("memos_memo_linked_memos", "from_memo_id", "memos_memo", "to_memo_id", "memos_memo"),
]
MESSAGE = "cross-study link refused"


def _conditions():
    """(trigger name, table, SQL condition on NEW that means a cross-study link)."""
    for table, column, other in RULES:
        yield (f"{table}_{column}_same_study", table,
               f"NEW.{column} IS NOT NULL AND (SELECT study_id FROM {other} WHERE id = NEW.{column}) "
               f"IS NOT NULL AND (SELECT study_id FROM {other} WHERE id = NEW.{column}) != NEW.study_id")
    for table, left, left_table, right, right_table in LINKS:
        yield (f"{table}_same_study", table,
               f"(SELECT study_id FROM {left_table} WHERE id = NEW.{left}) != "
               f"(SELECT study_id FROM {right_table} WHERE id = NEW.{right})")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, condition in _conditions():
        if vendor == "sqlite":
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                    f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        elif vendor == "postgresql":
            schema_editor.execute(
                f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF {condition} THEN
                    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
                  END IF;
                  RETURN NEW;
                END $$""")
            schema_editor.execute(f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} "
                                  f"FOR EACH ROW EXECUTE FUNCTION {name}()")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, _condition in _conditions():
        if vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0001_initial"),
        ("studies", "0003_cross_study_integrity"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
