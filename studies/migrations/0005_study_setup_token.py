"""Study.setup_token: a new random value whenever a theme or an attribute of the study is
added, changed or removed, set by triggers on their tables, whatever the code path (an ORM
save, a bulk write, raw SQL). Pages that change nothing reuse what they built from a study's
themes and attributes while its token is the same (reports.queries.ThemeTree).

Like 0003, this installs triggers on other apps' tables, after their last migration that
rebuilds them (on SQLite a rebuilt table loses its triggers; tests/test_setup_token.py fails
if one is lost)."""

from django.db import migrations, models

import studies.models

TABLES = ("coding_theme", "interviews_attribute")
STUDY_TABLE = "studies_study"


def _sqlite(table):
    new = "lower(hex(randomblob(16)))"
    rows = {"INSERT": "NEW.study_id", "UPDATE": "OLD.study_id, NEW.study_id", "DELETE": "OLD.study_id"}
    return [
        f"CREATE TRIGGER {table}_setup_token_{event.lower()} AFTER {event} ON {table} "
        f"BEGIN UPDATE {STUDY_TABLE} SET setup_token = {new} WHERE id IN ({ids}); END"
        for event, ids in rows.items()
    ]


def _postgresql(table):
    """One statement-level trigger and function per event: each reads the transition tables
    its event has (a bulk write of a thousand themes renews the token once)."""
    statements = []
    for event, transitions, ids in (
        ("INSERT", "NEW TABLE AS new_rows", "SELECT study_id FROM new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
         "SELECT study_id FROM old_rows UNION SELECT study_id FROM new_rows"),
        ("DELETE", "OLD TABLE AS old_rows", "SELECT study_id FROM old_rows"),
    ):
        name = f"{table}_setup_token_{event.lower()}"
        statements += [
            f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              UPDATE {STUDY_TABLE} SET setup_token = replace(gen_random_uuid()::text, '-', '')
              WHERE id IN ({ids});
              RETURN NULL;
            END $$""",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _install(schema_editor, table):
    make = {"sqlite": _sqlite, "postgresql": _postgresql}.get(schema_editor.connection.vendor)
    if make is None:
        raise NotImplementedError(f"no setup-token triggers for {schema_editor.connection.vendor}")
    for statement in make(table):
        schema_editor.execute(statement)


def _uninstall(schema_editor, table):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for event in ("insert", "update", "delete"):
        name = f"{table}_setup_token_{event}"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def forwards(apps, schema_editor):
    for table in TABLES:
        _install(schema_editor, table)


def backwards(apps, schema_editor):
    for table in TABLES:
        _uninstall(schema_editor, table)


class Migration(migrations.Migration):

    dependencies = [
        ("studies", "0004_blind_coding"),
        ("coding", "0014_excerpt_study_transcript_index"),
        ("interviews", "0015_browser_page_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="study",
            name="setup_token",
            field=models.CharField(default=studies.models.new_setup_token, editable=False, max_length=32,
                                   verbose_name="setup token"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
