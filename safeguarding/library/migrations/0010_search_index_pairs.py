"""PostgreSQL: the phrase check's word list (issue 15, PostgreSQL speed round five; ADR 0057).
``library_search`` gains ``terms`` (the document's words without positions, each pair of words
side by side in it and the record's id, GIN-indexed) and ``paired``, filled here for every
indexed record (the table written again in its rows' order: see ``SCHEMA``) and kept in step
by the index's trigger, so that the default search checks a
phrase with one GIN lookup instead of reading each candidate's whole document
(``search_index.PG_PAIRS_FUNCTIONS``). The SQL is frozen here as it was written; later changes
go in later migrations (``search_index.create_index`` also puts back whatever is missing after
every migrate). SQLite is not touched."""

from django.db import migrations

FUNCTIONS = [
    r"""CREATE OR REPLACE FUNCTION library_search_pairs(doc tsvector) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}')
      FROM (SELECT u.lexeme, p FROM unnest(doc) u, unnest(u.positions) p) a
      JOIN (SELECT u.lexeme, p FROM unnest(doc) u, unnest(u.positions) p) b ON b.p = a.p + 1
    $$""",
    r"""CREATE OR REPLACE FUNCTION library_search_terms(id bigint, doc tsvector,
      OUT terms tsvector, OUT paired boolean)
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    DECLARE
      pairs text[] := library_search_pairs(doc);
    BEGIN
      paired := (SELECT coalesce(sum(octet_length(u.lexeme)), 0) FROM unnest(doc) u)
        + (SELECT coalesce(sum(octet_length(p)), 0) FROM unnest(pairs) p) < 1000000
        AND NOT EXISTS (SELECT 1 FROM unnest(pairs) p WHERE octet_length(p) > 2046);
      terms := strip(doc) || array_to_tsvector(ARRAY['#' || id])
        || CASE WHEN paired THEN array_to_tsvector(pairs) ELSE ''::tsvector END;
    END $$""",
    r"""CREATE OR REPLACE FUNCTION library_search_match(q tsquery) RETURNS tsquery
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
    DECLARE
      t text := q::text;
      lexemes text[];
      pairs tsquery;
    BEGIN
      IF t ~ '^''[^''\\]+''$' THEN
        RETURN q;
      END IF;
      IF t ~ '^''[^''\\]+''( <-> ''[^''\\]+'')+$' THEN
        lexemes := string_to_array(substr(t, 2, length(t) - 2), ''' <-> ''');
        FOR i IN 1 .. array_length(lexemes, 1) - 1 LOOP
          IF octet_length(lexemes[i]) + octet_length(lexemes[i + 1]) > 2045 THEN
            pairs := NULL;  -- no paired document has that pair: check the documents
            EXIT;
          END IF;
          pairs := CASE WHEN pairs IS NULL
            THEN quote_literal(lexemes[i] || ' ' || lexemes[i + 1])::tsquery
            ELSE pairs && quote_literal(lexemes[i] || ' ' || lexemes[i + 1])::tsquery END;
        END LOOP;
      END IF;
      IF pairs IS NOT NULL AND array_length(lexemes, 1) = 2 THEN
        SELECT string_agg(quote_literal('#' || s.record_id), ' | ') INTO t
        FROM library_search s WHERE NOT s.paired AND s.document @@ q;
        RETURN CASE WHEN t IS NULL THEN pairs ELSE pairs || t::tsquery END;
      ELSIF pairs IS NOT NULL THEN
        SELECT string_agg(quote_literal('#' || s.record_id), ' | ') INTO t
        FROM library_search s WHERE (s.terms @@ pairs OR NOT s.paired) AND s.document @@ q;
      ELSE
        SELECT string_agg(quote_literal('#' || s.record_id), ' | ') INTO t
        FROM library_search s WHERE s.document @@ q;
      END IF;
      RETURN coalesce(t, quote_literal('#'))::tsquery;
    END $$""",
]

REFRESH = r"""CREATE OR REPLACE FUNCTION library_search_refresh() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM library_search;
          ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM library_search WHERE record_id = OLD.id;
          ELSIF TG_OP = 'INSERT' OR (OLD.title IS DISTINCT FROM NEW.title OR OLD.summary IS DISTINCT FROM NEW.summary OR OLD.learning IS DISTINCT FROM NEW.learning OR OLD.recommendations IS DISTINCT FROM NEW.recommendations OR OLD.themes_text IS DISTINCT FROM NEW.themes_text OR OLD.full_text IS DISTINCT FROM NEW.full_text OR OLD.publisher IS DISTINCT FROM NEW.publisher) THEN
            INSERT INTO library_search (record_id, head, document, terms, paired)
            SELECT NEW.id, x.h, x.d, t.terms, t.paired
            FROM (SELECT h, h || setweight(to_tsvector('library_english', left(coalesce(NEW.full_text, ''), 400000)), 'D') AS d
                  FROM (SELECT setweight(to_tsvector('library_english', coalesce(NEW.title, '')), 'A') || setweight(to_tsvector('library_english', coalesce(NEW.summary, '') || ' ' || coalesce(NEW.learning, '') || ' ' || coalesce(NEW.themes_text, '') || ' ' || coalesce(NEW.publisher, '')), 'B') || setweight(to_tsvector('library_english', coalesce(NEW.recommendations, '')), 'C') AS h) y) x,
              LATERAL library_search_terms(NEW.id, x.d) t
            ON CONFLICT (record_id) DO UPDATE
              SET head = EXCLUDED.head, document = EXCLUDED.document, terms = EXCLUDED.terms,
                paired = EXCLUDED.paired;
          END IF;
          UPDATE library_search_state SET version = floor(random() * 9.0e18)::bigint WHERE id = 1;
          RETURN NULL;
        END $$ LANGUAGE plpgsql"""

SCHEMA = [
    "ALTER TABLE library_search ADD COLUMN IF NOT EXISTS terms tsvector NOT NULL DEFAULT ''",
    "ALTER TABLE library_search ADD COLUMN IF NOT EXISTS paired boolean NOT NULL DEFAULT false",
    "ALTER TABLE library_search ALTER COLUMN terms DROP DEFAULT",
    "ALTER TABLE library_search ALTER COLUMN paired DROP DEFAULT",
    *FUNCTIONS,
    # Filled by a rewrite of the table (ALTER … TYPE … USING), which writes the rows in the
    # order they were in: the ranking's float sums add a record's parts in an order that follows
    # the rows' places in the table, so an UPDATE (which moves rows) or a reinsertion (which
    # fills gaps) would move scores in their last bits, old code or new.
    "ALTER TABLE library_search "
    "ALTER COLUMN terms TYPE tsvector USING (library_search_terms(record_id, document)).terms, "
    "ALTER COLUMN paired TYPE boolean USING (library_search_terms(record_id, document)).paired",
    "CREATE INDEX IF NOT EXISTS library_search_terms ON library_search USING GIN (terms)",
    "CREATE INDEX IF NOT EXISTS library_search_unpaired ON library_search (record_id) "
    "WHERE NOT paired",
    REFRESH,
]


def add_terms(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('library_search') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return  # no index yet: ``create_index`` makes it whole after the migration
        for statement in SCHEMA:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("library", "0009_facet_counts")]

    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
