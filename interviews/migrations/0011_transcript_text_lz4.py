"""PostgreSQL: compress transcript texts with lz4 instead of pglz (PostgreSQL 14+).

A search reads every text it scans (reports.search); on 500 transcripts of 40,000 characters
pglz's decompression was most of the time PostgreSQL spent answering it, and lz4 decompresses
several times faster (about 40% less time for the whole read; README, "Reports and search").
Texts written from now on are compressed with lz4; texts already stored keep pglz until they are
next written (PostgreSQL does not recompress on ALTER). A server built without lz4 keeps pglz;
nothing else changes. SQLite: nothing to do.
"""

from django.db import migrations

LZ4 = """
DO $$
BEGIN
    ALTER TABLE interviews_transcript ALTER COLUMN text SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: transcript texts stay compressed with pglz';
END
$$;
"""
PGLZ = "ALTER TABLE interviews_transcript ALTER COLUMN text SET COMPRESSION pglz"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LZ4)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PGLZ)


class Migration(migrations.Migration):
    dependencies = [("interviews", "0010_merge_word_forms_attributes")]

    operations = [migrations.RunPython(forwards, backwards)]
