# Reports and search: PostgreSQL's unaccent and pg_trgm, the functions and indexes the search
# and the excerpt browser use, and the auto-coding run (what an undo removes).
#
# On PostgreSQL:
# - pasto_fold(text) = lower(unaccent(text)), declared IMMUTABLE so it can be indexed. The
#   excerpt browser's text filter compares pasto_fold(quote) LIKE '%' || pasto_fold(q) || '%'
#   through a trigram index.
# - pasto_search_vector(text): the words of a transcript (every run of letters and digits, with
#   combining accents dropped first) as a tsvector without positions, unaccented and lower-cased
#   by the pasto_unaccent text search configuration. Splitting on everything but letters and
#   digits makes its words the same runs Python's \w+ finds, so narrowing a search with it never
#   drops a transcript that the exact scan (coding/search.py) would match.
# - coding_transcript_words holds each transcript's pasto_search_vector, kept by triggers on
#   interviews_transcript (insert, update of the text, delete, truncate: every path, bulk
#   writes included), with a GIN index. Stored, not an expression index: for a word found in
#   most transcripts the planner prefers a sequential scan, and recomputing the vector of every
#   transcript takes seconds where reading stored ones takes milliseconds. Not a Django model:
#   nothing but these triggers writes it, and only search.py reads it.
# On SQLite the extensions and SQL are skipped; coding/models.py registers a Python pasto_fold.
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models
import django.db.models.deletion

POSTGRES_FORWARDS = [
    """CREATE OR REPLACE FUNCTION pasto_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$""",
    "CREATE TEXT SEARCH CONFIGURATION pasto_unaccent (COPY = pg_catalog.simple)",
    """ALTER TEXT SEARCH CONFIGURATION pasto_unaccent
        ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword,
                          hword_asciipart, hword_part, hword_numpart
        WITH public.unaccent, pg_catalog.simple""",
    r"""CREATE OR REPLACE FUNCTION pasto_search_vector(text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT strip(to_tsvector('public.pasto_unaccent'::regconfig,
            regexp_replace(regexp_replace($1, '[\u0300-\u036f]+', '', 'g'),
                           '[^[:alnum:]]+', ' ', 'g'))) $$""",
    """CREATE TABLE coding_transcript_words (
        transcript_id bigint PRIMARY KEY,
        words tsvector NOT NULL
    )""",
    "CREATE INDEX coding_transcript_words_gin ON coding_transcript_words USING gin (words)",
    """CREATE FUNCTION pasto_transcript_words_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO coding_transcript_words (transcript_id, words)
                VALUES (NEW.id, pasto_search_vector(NEW.text))
                ON CONFLICT (transcript_id) DO UPDATE SET words = EXCLUDED.words;
            RETURN NULL;
        END $$""",
    """CREATE FUNCTION pasto_transcript_words_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM coding_transcript_words WHERE transcript_id = OLD.id;
            RETURN NULL;
        END $$""",
    """CREATE FUNCTION pasto_transcript_words_clear() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM coding_transcript_words;
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER transcript_words_insert AFTER INSERT ON interviews_transcript
        FOR EACH ROW EXECUTE FUNCTION pasto_transcript_words_write()""",
    """CREATE TRIGGER transcript_words_update AFTER UPDATE OF text ON interviews_transcript
        FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text) EXECUTE FUNCTION pasto_transcript_words_write()""",
    """CREATE TRIGGER transcript_words_delete AFTER DELETE ON interviews_transcript
        FOR EACH ROW EXECUTE FUNCTION pasto_transcript_words_delete()""",
    """CREATE TRIGGER transcript_words_truncate AFTER TRUNCATE ON interviews_transcript
        FOR EACH STATEMENT EXECUTE FUNCTION pasto_transcript_words_clear()""",
    """INSERT INTO coding_transcript_words (transcript_id, words)
        SELECT id, pasto_search_vector(text) FROM interviews_transcript""",
    "CREATE INDEX excerpt_quote_trigram ON coding_codedexcerpt USING gin (pasto_fold(quote) gin_trgm_ops)",
    # Lets the report counts join excerpt-theme links to excerpts by an index-only scan,
    # without reading the quotes.
    "CREATE INDEX excerpt_id_transcript ON coding_codedexcerpt (id, transcript_id)",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS excerpt_id_transcript",
    "DROP INDEX IF EXISTS excerpt_quote_trigram",
    "DROP TRIGGER IF EXISTS transcript_words_truncate ON interviews_transcript",
    "DROP TRIGGER IF EXISTS transcript_words_delete ON interviews_transcript",
    "DROP TRIGGER IF EXISTS transcript_words_update ON interviews_transcript",
    "DROP TRIGGER IF EXISTS transcript_words_insert ON interviews_transcript",
    "DROP FUNCTION IF EXISTS pasto_transcript_words_clear()",
    "DROP FUNCTION IF EXISTS pasto_transcript_words_delete()",
    "DROP FUNCTION IF EXISTS pasto_transcript_words_write()",
    "DROP TABLE IF EXISTS coding_transcript_words",
    "DROP FUNCTION IF EXISTS pasto_search_vector(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS pasto_unaccent",
    "DROP FUNCTION IF EXISTS pasto_fold(text)",
]


def _run_on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("coding", "0005_excerpt_review_reason"),
        ("interviews", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(_run_on_postgres(POSTGRES_FORWARDS), _run_on_postgres(POSTGRES_BACKWARDS)),
        migrations.CreateModel(
            name="AutoCodingRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("query", models.CharField(max_length=500, verbose_name="search")),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("match", "The words found"),
                            ("sentence", "The sentence around them"),
                            ("paragraph", "The paragraph around them"),
                        ],
                        default="sentence",
                        help_text="How much text around each hit the new excerpt covers.",
                        max_length=20,
                        verbose_name="scope",
                    ),
                ),
                (
                    "skipped_count",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Hits whose passage already had an excerpt with this theme; left as they were.",
                        verbose_name="hits already coded",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("undone_at", models.DateTimeField(blank=True, null=True, verbose_name="undone at")),
                (
                    "coder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="coder",
                    ),
                ),
                (
                    "excerpts",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="coding.codedexcerpt", verbose_name="excerpts created"
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="coding.theme",
                        verbose_name="theme",
                    ),
                ),
                (
                    "undone_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="undone by",
                    ),
                ),
            ],
            options={
                "verbose_name": "auto-coding run",
                "verbose_name_plural": "auto-coding runs",
                "ordering": ["-created_at", "-pk"],
            },
        ),
    ]
