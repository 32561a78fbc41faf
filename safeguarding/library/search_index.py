# ruff: noqa: S608 - the SQL is built from this module's constants; values go as parameters
"""The library's full-text index, one for each database (see docs/search.md).

- **SQLite**: ``library_search``, an FTS5 external-content table over the record's columns
  (title, summary, learning, recommendations, themes_text, full_text, publisher) with the ``porter
  unicode61`` tokenizer. The text is not stored twice: FTS5 reads it from
  ``library_libraryrecord`` when it needs it.
- **PostgreSQL**: ``library_search(record_id, document tsvector)`` with a GIN index; the
  document is ``setweight(to_tsvector('library_english', …))``: A the title, B the summary,
  learning and themes, C the recommendations, D the full text. ``library_english`` is
  PostgreSQL's ``english`` configuration with a Snowball stemmer that keeps every word: the
  ``english`` one drops stopwords, among them the letters "a" and "i", so the case name "Child
  A" could not be searched as a phrase (issue 15). The query drops stopwords itself.

Both are kept in step by database triggers on ``library_libraryrecord`` (an FTS5 external-content
table needs the *old* text to take a row out, which only a trigger still has), created by the
migration 0002 with ``create_index``. The triggers also bump ``library_search_state.version``
to a new random value on any change to a record, its themes, its vectors or the search terms:
the per-process catalogue of ``search_catalogue.py`` compares it (one single-row read) before
each search. A random stamp rather than a counter, so that a rolled-back change can never bring
back a value that a cache was built for.

The services call ``indexing.py`` after a save: the text index is already in step by then;
``drop_vectors`` drops the record's old vectors and a background task computes new ones with
``store_vectors`` (``embeddings.py``); ``records_missing_vectors`` finds the live records that
have none (``search_library --missing-vectors``). ``rebuild_index()`` (``manage.py
search_library --rebuild``) makes the whole index and every vector again. Archived and
non-public records stay in the index and are filtered out when searching.

On PostgreSQL there is no foreign key from ``library_search`` to the record: test databases are
emptied with TRUNCATE, which a foreign key from a table Django does not know about would block.
A trigger removes the row with its record instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction

RECORD_TABLE = "library_libraryrecord"
THEMES_TABLE = "library_libraryrecord_themes"
VECTOR_TABLE = "library_recordvector"
TERM_TABLE = "library_searchterm"
INDEX_TABLE = "library_search"
STATE_TABLE = "library_search_state"
# The publisher is indexed so that a place name finds that area's reviews (issue 15).
COLUMNS = (
    "title",
    "summary",
    "learning",
    "recommendations",
    "themes_text",
    "full_text",
    "publisher",
)

# Column weights for ranking. SQLite bm25() takes one per column, in COLUMNS order; PostgreSQL
# ts_rank_cd() takes {D, C, B, A}. Tuned on the bench query set (bench/search_quality.py).
SQLITE_WEIGHTS = (8.0, 4.0, 4.0, 2.0, 4.0, 1.0, 4.0)
# SQLite: the FTS5 tokenizer of the index (``search_postings`` tokenizes the query with it too).
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"
POSTGRES_WEIGHTS = "{0.1, 0.3, 0.6, 1.0}"  # D (unused: not in the head), C, B, A
# PostgreSQL: at most this many characters of the full text go into the document (a tsvector
# holds at most 1 MB; positions past 16,383 are all counted as the last one anyway).
POSTGRES_FULL_TEXT_CHARS = 400_000
# PostgreSQL: what a match anywhere (the full text included) counts for, before the weighted
# ts_rank of the matched word in the record's head (title A, summary B …).
POSTGRES_MATCH_BASE = 0.2
# PostgreSQL: the text search configuration of the index and of its queries: ``english`` with
# the same Snowball stemmer but no stopword list (see the module's docstring).
PG_CONFIG = "library_english"
PG_DICTIONARY = "library_english_stem"
_PG_RANDOM = "floor(random() * 9.0e18)::bigint"
# What the search reads of every record, in an index that holds it all: on SQLite these
# columns come after full_text in the row, and reading them from the table would mean walking
# every record's full text.
META_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_meta ON {RECORD_TABLE} (archived_at, "
    "partnership_id, is_public, review_type, year, age_group, publisher)"
)


# The schema --------------------------------------------------------------------------------


def _sqlite_schema() -> list[str]:
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in COLUMNS)
    bump = f"UPDATE {STATE_TABLE} SET version = abs(random());"
    statements = [
        f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (id integer PRIMARY KEY, version integer "
        "NOT NULL)",
        f"INSERT OR IGNORE INTO {STATE_TABLE} (id, version) VALUES (1, 1)",
        META_INDEX_SQL,
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX_TABLE} USING fts5({cols}, "
        f"content='{RECORD_TABLE}', content_rowid='id', "
        f"tokenize='{SQLITE_TOKENIZER}')",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_ai AFTER INSERT ON {RECORD_TABLE} BEGIN "
        f"INSERT INTO {INDEX_TABLE} (rowid, {cols}) VALUES (new.id, {new}); {bump} END",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_ad AFTER DELETE ON {RECORD_TABLE} BEGIN "
        f"INSERT INTO {INDEX_TABLE} ({INDEX_TABLE}, rowid, {cols}) "
        f"VALUES ('delete', old.id, {old}); {bump} END",
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_au AFTER UPDATE ON {RECORD_TABLE} "
        f"WHEN {changed} BEGIN "
        f"INSERT INTO {INDEX_TABLE} ({INDEX_TABLE}, rowid, {cols}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {INDEX_TABLE} (rowid, {cols}) VALUES (new.id, {new}); END",
        # Any change at all (is_public, archived_at, year …) changes what the caches hold.
        f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_au_state AFTER UPDATE ON {RECORD_TABLE} "
        f"BEGIN {bump} END",
    ]
    for table in (THEMES_TABLE, VECTOR_TABLE, TERM_TABLE):
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_{table}_{event.lower()} AFTER {event} "
                f"ON {table} BEGIN {bump} END"
            )
    return statements


def _postgres_head(row: str) -> str:
    """The weighted tsvector of everything but the full text (A title; B summary, learning,
    themes, publisher; C recommendations): small, so ranking can read it for every match."""

    def field(*names: str) -> str:
        return " || ' ' || ".join(f"coalesce({row}.{n}, '')" for n in names)

    middle = field("summary", "learning", "themes_text", "publisher")
    return (
        f"setweight(to_tsvector('{PG_CONFIG}', {field('title')}), 'A') || "
        f"setweight(to_tsvector('{PG_CONFIG}', {middle}), 'B')"
        f" || setweight(to_tsvector('{PG_CONFIG}', {field('recommendations')}), 'C')"
    )


def _postgres_full(row: str) -> str:
    return (
        f"setweight(to_tsvector('{PG_CONFIG}', left(coalesce({row}.full_text, ''), "
        f"{POSTGRES_FULL_TEXT_CHARS})), 'D')"
    )


def _postgres_configuration() -> str:
    """Create ``library_english`` if it is missing: a copy of ``english`` whose words go
    through a Snowball English stemmer with no stopword list."""
    return f"""DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = '{PG_DICTIONARY}'
                     AND dictnamespace = current_schema()::regnamespace) THEN
        CREATE TEXT SEARCH DICTIONARY {PG_DICTIONARY} (TEMPLATE = snowball, Language = english);
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{PG_CONFIG}'
                     AND cfgnamespace = current_schema()::regnamespace) THEN
        CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} ALTER MAPPING FOR asciiword, asciihword,
          hword_asciipart, word, hword, hword_part WITH {PG_DICTIONARY};
      END IF;
    END $$"""


# The phrase check's word list (issue 15, PostgreSQL speed round five; ADR 0057). A phrase term
# ("child <-> y") matched against ``document`` is found by the GIN index for every record that
# holds both words anywhere, and each of those documents (4.8 kB on the bench, out of line) is
# then read to check the words' positions. ``terms`` holds the document's words without
# positions, each pair of words side by side in it ("child y": a lexeme with a space, which no
# word is), worked out from the document's own positions, and the record's own id ("#12": no
# word starts with "#"). ``library_search_match`` (once per query term) turns a term into a
# lookup in ``terms`` that finds exactly the records whose document matches the term, read from
# the GIN index alone: a word is its lexeme; two words side by side are their pair; anything
# else (a longer phrase: its pairs first) is checked against the documents inside the function
# and looked up by the ids it finds. ``paired`` is false only for a document whose pairs would
# not fit in a tsvector (1 MB of lexemes) or with a pair longer than a lexeme can be (2,047
# bytes, left out): its phrases are always checked against its document. Kept in step by the
# index's trigger.
PG_PAIRS_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION {INDEX_TABLE}_pairs(doc tsvector) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{{}}')
      FROM (SELECT u.lexeme, p FROM unnest(doc) u, unnest(u.positions) p) a
      JOIN (SELECT u.lexeme, p FROM unnest(doc) u, unnest(u.positions) p) b ON b.p = a.p + 1
    $$""",
    f"""CREATE OR REPLACE FUNCTION {INDEX_TABLE}_terms(id bigint, doc tsvector,
      OUT terms tsvector, OUT paired boolean)
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    DECLARE
      pairs text[] := {INDEX_TABLE}_pairs(doc);
    BEGIN
      paired := (SELECT coalesce(sum(octet_length(u.lexeme)), 0) FROM unnest(doc) u)
        + (SELECT coalesce(sum(octet_length(p)), 0) FROM unnest(pairs) p) < 1000000
        AND NOT EXISTS (SELECT 1 FROM unnest(pairs) p WHERE octet_length(p) > 2046);
      terms := strip(doc) || array_to_tsvector(ARRAY['#' || id])
        || CASE WHEN paired THEN array_to_tsvector(pairs) ELSE ''::tsvector END;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION {INDEX_TABLE}_match(q tsquery) RETURNS tsquery
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
    DECLARE
      t text := q::text;
      lexemes text[];
      pairs tsquery;
    BEGIN
      IF t ~ '^''[^''\\\\]+''$' THEN
        RETURN q;
      END IF;
      IF t ~ '^''[^''\\\\]+''( <-> ''[^''\\\\]+'')+$' THEN
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
        FROM {INDEX_TABLE} s WHERE NOT s.paired AND s.document @@ q;
        RETURN CASE WHEN t IS NULL THEN pairs ELSE pairs || t::tsquery END;
      ELSIF pairs IS NOT NULL THEN
        SELECT string_agg(quote_literal('#' || s.record_id), ' | ') INTO t
        FROM {INDEX_TABLE} s WHERE (s.terms @@ pairs OR NOT s.paired) AND s.document @@ q;
      ELSE
        SELECT string_agg(quote_literal('#' || s.record_id), ' | ') INTO t
        FROM {INDEX_TABLE} s WHERE s.document @@ q;
      END IF;
      RETURN coalesce(t, quote_literal('#'))::tsquery;
    END $$""",
]


def _postgres_schema() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COLUMNS)
    bump = f"UPDATE {STATE_TABLE} SET version = {_PG_RANDOM} WHERE id = 1;"
    statements = [
        _postgres_configuration(),
        f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (id integer PRIMARY KEY, version bigint "
        "NOT NULL)",
        f"INSERT INTO {STATE_TABLE} (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING",
        META_INDEX_SQL,
        f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} (record_id bigint PRIMARY KEY, "
        "document tsvector NOT NULL, head tsvector NOT NULL, terms tsvector NOT NULL, "
        "paired boolean NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_document ON {INDEX_TABLE} USING GIN (document)",
        f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_terms ON {INDEX_TABLE} USING GIN (terms)",
        f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_unpaired ON {INDEX_TABLE} (record_id) "
        "WHERE NOT paired",
        *PG_PAIRS_FUNCTIONS,
        f"""CREATE OR REPLACE FUNCTION {INDEX_TABLE}_refresh() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM {INDEX_TABLE};
          ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM {INDEX_TABLE} WHERE record_id = OLD.id;
          ELSIF TG_OP = 'INSERT' OR ({changed}) THEN
            INSERT INTO {INDEX_TABLE} (record_id, head, document, terms, paired)
            SELECT NEW.id, x.h, x.d, t.terms, t.paired
            FROM (SELECT h, h || {_postgres_full("NEW")} AS d
                  FROM (SELECT {_postgres_head("NEW")} AS h) y) x,
              LATERAL {INDEX_TABLE}_terms(NEW.id, x.d) t
            ON CONFLICT (record_id) DO UPDATE
              SET head = EXCLUDED.head, document = EXCLUDED.document, terms = EXCLUDED.terms,
                paired = EXCLUDED.paired;
          END IF;
          {bump}
          RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        f"""CREATE OR REPLACE FUNCTION {INDEX_TABLE}_bump() RETURNS trigger AS $$
        BEGIN {bump} RETURN NULL; END $$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_refresh ON {RECORD_TABLE}",
        f"CREATE TRIGGER {INDEX_TABLE}_refresh AFTER INSERT OR UPDATE OR DELETE ON "
        f"{RECORD_TABLE} FOR EACH ROW EXECUTE FUNCTION {INDEX_TABLE}_refresh()",
        f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_truncate ON {RECORD_TABLE}",
        f"CREATE TRIGGER {INDEX_TABLE}_truncate AFTER TRUNCATE ON {RECORD_TABLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {INDEX_TABLE}_refresh()",
    ]
    for table in (THEMES_TABLE, VECTOR_TABLE, TERM_TABLE):
        statements += [
            f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_state ON {table}",
            f"CREATE TRIGGER {INDEX_TABLE}_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
            f"{table} FOR EACH STATEMENT EXECUTE FUNCTION {INDEX_TABLE}_bump()",
        ]
    return statements


def create_index(using_connection=None) -> None:
    """Create the index, its triggers and the state row if they are missing (idempotent: safe
    to call after any migration, which on SQLite may have rebuilt the record table and so
    dropped its triggers). Does not fill the index: see ``rebuild_index``."""
    conn = using_connection or connection
    if conn.vendor == "sqlite":
        statements = _sqlite_schema()
    elif conn.vendor == "postgresql":
        if _postgres_schema_complete(conn):
            return  # (CREATE … IF NOT EXISTS still fails inside a transaction with pending
            # deferred trigger events)
        statements = _postgres_schema()
    else:  # pragma: no cover - the project supports these two
        raise NotImplementedError(f"No library search index for {conn.vendor}")
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _postgres_schema_complete(conn) -> bool:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL "
            "AND to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL, "
            "(SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s AND NOT tgisinternal), "
            "EXISTS (SELECT 1 FROM pg_proc WHERE proname = %s AND prosrc LIKE %s "
            "AND prosrc LIKE %s)",
            [
                INDEX_TABLE,
                STATE_TABLE,
                f"{INDEX_TABLE}_meta",
                f"{INDEX_TABLE}_terms",
                f"{INDEX_TABLE}%",
                f"{INDEX_TABLE}_refresh",
                f"%{PG_CONFIG}%",
                f"%{INDEX_TABLE}_terms(%",
            ],
        )
        tables, triggers, configured = cursor.fetchone()
    return bool(tables) and triggers == 5 and bool(configured)


def drop_index(using_connection=None) -> None:
    conn = using_connection or connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{INDEX_TABLE}%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        else:
            for table in (THEMES_TABLE, VECTOR_TABLE, TERM_TABLE):
                cursor.execute(f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_state ON {table}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_refresh ON {RECORD_TABLE}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_truncate ON {RECORD_TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {INDEX_TABLE}_refresh()")
            cursor.execute(f"DROP FUNCTION IF EXISTS {INDEX_TABLE}_bump()")
            cursor.execute(f"DROP FUNCTION IF EXISTS {INDEX_TABLE}_match(tsquery)")
            cursor.execute(f"DROP FUNCTION IF EXISTS {INDEX_TABLE}_terms(bigint, tsvector)")
            cursor.execute(f"DROP FUNCTION IF EXISTS {INDEX_TABLE}_pairs(tsvector)")
            cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}")
            cursor.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {PG_DICTIONARY}")
        cursor.execute(f"DROP TABLE IF EXISTS {INDEX_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {STATE_TABLE}")
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX_TABLE}_meta")


# Keeping it in step -------------------------------------------------------------------------


VECTOR_BATCH = 64  # records a model batch, and a background task (``tasks.py``)


def drop_vectors(record_ids: Sequence[int]) -> bool:
    """Delete the vectors of these records, whose text has changed (``indexing.py`` queues
    the new ones for after the commit). False, and nothing deleted, when the model is off."""
    from . import embeddings
    from .models import RecordVector

    if not embeddings.available():
        return False
    RecordVector.objects.filter(record_id__in=record_ids).delete()
    return True


def store_vectors(record_ids: Sequence[int], log=None) -> int:
    """Compute and store the vectors of the live records among ``record_ids``, VECTOR_BATCH
    records a model batch, each batch in its own transaction. Reads each record's text as it is
    now, so running it late or twice does no harm. Returns the number of records."""
    from . import embeddings
    from .models import LibraryRecord

    if not embeddings.available():
        return 0
    ids = sorted(set(record_ids))
    done = 0
    for start in range(0, len(ids), VECTOR_BATCH):
        batch = list(
            LibraryRecord.objects.filter(
                pk__in=ids[start : start + VECTOR_BATCH], archived_at__isnull=True
            )
        )
        with transaction.atomic():
            embeddings.store_record_vectors(batch)
        done += len(batch)
        if log:
            log(f"Vectors: {min(start + VECTOR_BATCH, len(ids))} of {len(ids)} records")
    return done


def records_missing_vectors() -> list[int]:
    """The live records with no vectors: saved while no worker ran, or whose task failed."""
    from .models import LibraryRecord

    return list(
        LibraryRecord.objects.filter(archived_at__isnull=True, vectors__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def index_records(records: Iterable) -> None:
    """The vectors of many records now, in this process (the benchmarks' data sets)."""
    store_vectors([record.pk for record in records])


def unindex_record(record) -> None:
    """Called after ``record`` was archived. It stays in the index (archived records are
    filtered out at query time, and come back if restored); only the state is bumped, so that
    the caches drop it."""
    bump_version()


def bump_version() -> None:
    new = "abs(random())" if connection.vendor == "sqlite" else _PG_RANDOM
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {STATE_TABLE} SET version = {new} WHERE id = 1")


def version() -> int:
    """The state stamp: a new random value after any change to records, their themes or
    vectors, or the search terms (one single-row read)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {STATE_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def rebuild_index(vectors: bool = True, log=None) -> int:
    """Make the whole text index again (and, with ``vectors``, every record's vectors).
    Returns the number of records."""
    from .models import LibraryRecord

    create_index()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {INDEX_TABLE} ({INDEX_TABLE}) VALUES ('rebuild')")
        else:
            cursor.execute(f"DELETE FROM {INDEX_TABLE}")
            cursor.execute(
                f"INSERT INTO {INDEX_TABLE} (record_id, head, document, terms, paired) "
                f"SELECT r.id, x.h, x.d, t.terms, t.paired FROM {RECORD_TABLE} r, "
                f"LATERAL (SELECT h, h || {_postgres_full('r')} AS d "
                f"FROM (SELECT {_postgres_head('r')} AS h) y) x, "
                f"LATERAL {INDEX_TABLE}_terms(r.id, x.d) t"
            )
    bump_version()
    count = LibraryRecord.objects.count()
    if vectors:
        from . import embeddings

        if embeddings.available():
            store_vectors(LibraryRecord.objects.values_list("pk", flat=True), log=log)
            from safeguarding.accounts.models import Partnership

            from .finding_vectors import store_finding_vectors

            for partnership in Partnership.objects.order_by("pk"):
                store_finding_vectors(partnership, log=log)
    return count


# Querying -----------------------------------------------------------------------------------


def match_expression(phrases: Sequence[Sequence[str]]) -> str:
    """The index's query for any of ``phrases`` (each a list of words, matched side by side).
    Words are letters and digits only (``text.words``), so nothing in them is query syntax."""
    phrases = [p for p in phrases if p]
    if connection.vendor == "sqlite":
        return " OR ".join('"' + " ".join(p) + '"' for p in phrases)
    return " | ".join("(" + " <-> ".join(p) + ")" if len(p) > 1 else p[0] for p in phrases)


# The PostgreSQL ranking of one list of words and phrases (see ``keyword_match_lists``);
# ``{conditions}`` is replaced with the live records' conditions.
_POSTGRES_RANKING = f"""WITH q AS (
  SELECT t.n, to_tsquery('{PG_CONFIG}', t.term) AS q
  FROM unnest(%s::text[]) WITH ORDINALITY AS t(term, n)
), live AS (
  SELECT r.id FROM {RECORD_TABLE} r WHERE {{conditions}}
), m AS (
  SELECT q.n, q.q, s.record_id FROM q
  JOIN {INDEX_TABLE} s ON s.document @@ q.q
  JOIN live ON live.id = s.record_id
), df AS (
  SELECT n, count(*) AS df FROM m GROUP BY n
), total AS (SELECT count(*) AS n FROM live
), parts AS MATERIALIZED (
  SELECT m.record_id, ln(1 + (total.n - df.df + 0.5) / (df.df + 0.5))
    * ({POSTGRES_MATCH_BASE} + ts_rank('{POSTGRES_WEIGHTS}', s.head, m.q))
    AS part
  FROM m JOIN df USING (n) CROSS JOIN total
  JOIN {INDEX_TABLE} s ON s.record_id = m.record_id
)
SELECT record_id, sum(part) AS score FROM parts
GROUP BY record_id ORDER BY score DESC, record_id"""
# The ranking on PostgreSQL, for the default search and the keyword mode alike (issue 15,
# PostgreSQL speed round; ADR 0043): the same statement as ``_POSTGRES_RANKING`` (kept as the
# reference the tests compare it with), the same plan and the same scores to the last bit,
# with less work.
# ``_POSTGRES_RANKING`` works the numeric ``ln`` of a word's idf out again for every record
# that matches the word, most of the statement's time. Here the idf of each document frequency
# that occurs is worked out once, in an InitPlan (an uncorrelated subquery, run once per
# statement), as an array by document frequency, cast to double precision as the product with
# the double ``0.2 + ts_rank`` casts it in the other statement; each part reads its idf from
# the array. The joins are untouched: the expression still reads ``df.df`` and ``total.n``
# (``0 * total.n``), as the join planning only sees the columns an expression reads, so the
# planner picks the same plan and each record's parts are added in the same order (float sums
# depend on it).
_POSTGRES_IDF = "ln(1 + (total.n - df.df + 0.5) / (df.df + 0.5))"
_POSTGRES_IDF_ONCE = """(SELECT array_agg(CASE WHEN d IN (SELECT count(*) FROM m GROUP BY n)
      THEN ln(1 + (t.n - d + 0.5) / (d + 0.5))::double precision ELSE 0 END ORDER BY d)
    FROM (SELECT count(*) AS n FROM live) t, generate_series(1, t.n) d)[df.df + 0 * total.n]"""
_POSTGRES_LEAN_RANKING = _POSTGRES_RANKING.replace(_POSTGRES_IDF, f"({_POSTGRES_IDF_ONCE})")
assert _POSTGRES_LEAN_RANKING != _POSTGRES_RANKING
# A list with a phrase (issue 15, PostgreSQL speed round five; ADR 0057): each term is looked
# up in ``terms`` (``PG_PAIRS_FUNCTIONS``), the words and the pairs of words side by side,
# without reading the document, which is read only where that lookup is not the whole answer.
# The same rows (n, q, record) come out of ``m``, from the same table, so the statement keeps
# its plan and each record's parts are added in the same order. ``library_search_match`` runs
# once per term (a function in FROM, not in the join's condition). A list of words alone (the
# keyword mode's, always) keeps the statement as it was.
_POSTGRES_DOCUMENT_MATCH = f"JOIN {INDEX_TABLE} s ON s.document @@ q.q"
_POSTGRES_TERMS_MATCH = f"JOIN {INDEX_TABLE} s ON s.terms @@ {INDEX_TABLE}_match(q.q)"
_POSTGRES_PHRASE_RANKING = _POSTGRES_LEAN_RANKING.replace(
    _POSTGRES_DOCUMENT_MATCH, _POSTGRES_TERMS_MATCH
)
assert _POSTGRES_PHRASE_RANKING != _POSTGRES_LEAN_RANKING


def _has_phrase(phrases: Sequence[Sequence[str]]) -> bool:
    return any(len(p) > 1 for p in phrases)


def _postgres_lists_ranking(phrased: Sequence[bool]) -> str:
    """``_POSTGRES_LEAN_RANKING`` for ``count`` lists in one statement (the default search's
    own words and its synonyms: one round trip, one plan, the live records found once; issue
    15, PostgreSQL speed round three). Each list keeps its own chain of the same CTEs under
    the same aliases (``q{g} q``, ``m{g} m`` …), each referenced as often as in the statement
    of one list, so each is planned as it would be alone (a CTE referenced more than once is
    materialized and planned apart; one referenced once is folded in where it is read), and
    each record's parts are added in the same order; ``live`` is shared (it is materialized
    in both). Parameters: each list's terms in turn, the live records' conditions after the
    first list's. Rows: (list number, record id, score), by list, then as the one-list
    statement orders them. ``phrased``: for each list, whether it has a phrase (its terms are
    then looked up in ``terms``, as in ``_POSTGRES_PHRASE_RANKING``)."""
    count = len(phrased)
    idf = _POSTGRES_IDF_ONCE.replace("FROM m GROUP BY n", "FROM m{g} m GROUP BY n")
    ctes = []
    for g in range(count):
        chain = [
            f"""q{g} AS (
  SELECT t.n, to_tsquery('{PG_CONFIG}', t.term) AS q
  FROM unnest(%s::text[]) WITH ORDINALITY AS t(term, n)
)""",
            f"""m{g} AS (
  SELECT q.n, q.q, s.record_id FROM q{g} q
  {_POSTGRES_TERMS_MATCH if phrased[g] else _POSTGRES_DOCUMENT_MATCH}
  JOIN live ON live.id = s.record_id
)""",
            f"""df{g} AS (
  SELECT n, count(*) AS df FROM m{g} m GROUP BY n
)""",
            f"""total{g} AS (SELECT count(*) AS n FROM live
)""",
            f"""parts{g} AS MATERIALIZED (
  SELECT m.record_id, ({idf.replace("{g}", str(g))})
    * ({POSTGRES_MATCH_BASE} + ts_rank('{POSTGRES_WEIGHTS}', s.head, m.q))
    AS part
  FROM m{g} m JOIN df{g} df USING (n) CROSS JOIN total{g} total
  JOIN {INDEX_TABLE} s ON s.record_id = m.record_id
)""",
        ]
        if g == 0:
            chain.insert(
                1,
                f"""live AS (
  SELECT r.id FROM {RECORD_TABLE} r WHERE {{conditions}}
)""",
            )
        ctes += chain
    selects = [
        f"SELECT {g} AS g, record_id, sum(part) AS score FROM parts{g}\nGROUP BY record_id"
        for g in range(count)
    ]
    return (
        "WITH "
        + ", ".join(ctes)
        + "\n"
        + "\nUNION ALL ".join(selects)
        + "\nORDER BY g, score DESC, record_id"
    )


def keyword_matches(
    phrases: Sequence[Sequence[str]],
    *,
    partnership_id: int | None,
    public_only: bool,
) -> list[tuple[int, float]]:
    """(record id, score) of every live record of the partnership (every partnership with
    None) that matches any of ``phrases``, best first; higher scores are better. One query."""
    return keyword_match_lists([phrases], partnership_id=partnership_id, public_only=public_only)[0]


def keyword_match_lists(
    lists: Sequence[Sequence[Sequence[str]]],
    *,
    partnership_id: int | None,
    public_only: bool,
    lean: bool = True,
    together: bool = True,
) -> list[list[tuple[int, float]]]:
    """``keyword_matches`` of each of ``lists`` (each list of phrases ranked on its own, as if
    it were searched alone), in one query: the smart search's own words and its synonyms are
    one round trip, and the live records are found once (on PostgreSQL since ADR 0049)."""
    out: list[list[tuple[int, float]]] = [[] for _ in lists]
    wanted = [(g, [p for p in phrases if p]) for g, phrases in enumerate(lists)]
    wanted = [(g, phrases) for g, phrases in wanted if phrases]
    if not wanted:
        return out
    where, params = ["r.archived_at IS NULL"], []
    if partnership_id is not None:
        where.append("r.partnership_id = %s")
        params.append(partnership_id)
    if public_only:
        where.append("r.is_public")
    conditions = " AND ".join(where)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A join, not "rowid IN (…)": FTS5 would run the match once per listed rowid. The
            # join is to the live records' ids, read first from an index that covers the
            # conditions (``library_search_meta`` or ``library_live``): joined to the record
            # table itself, every match would read its record's row, whose partnership,
            # visibility and archiving lie after the full text (half the query's time on the
            # bench). CROSS JOIN keeps the index's match as the outer loop. Each list is its
            # own MATCH, so its bm25() is what it would be alone.
            weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
            selects = [
                f"SELECT {g} AS g, live.id AS id, -bm25({INDEX_TABLE}, {weights}) AS score "
                f"FROM {INDEX_TABLE} CROSS JOIN live ON live.id = {INDEX_TABLE}.rowid "
                f"WHERE {INDEX_TABLE} MATCH %s"
                for g, _ in wanted
            ]
            cursor.execute(
                f"WITH live AS MATERIALIZED (SELECT r.id FROM {RECORD_TABLE} r "
                f"WHERE {conditions}) "
                + " UNION ALL ".join(selects)
                + " ORDER BY g, score DESC, id",
                [*params, *(match_expression(phrases) for _, phrases in wanted)],
            )
        else:
            # PostgreSQL's own ranking has no inverse document frequency (a common word
            # counts as much as a rare one) and reads the whole document. So: one GIN lookup
            # per word or phrase (no document read), the number of records each matches
            # (its document frequency), then for each record the sum over the words it
            # matches of idf × (a base for a match anywhere + ts_rank on the small "head"
            # vector of title, summary, learning, themes and recommendations). Each list is
            # ranked by its own chain of CTEs: with one chain for all lists (a list column,
            # tried), the sums came out in another order, and records of the same score but
            # for the last bit (records made from one template) swapped places.
            # ``lean`` (every search: ``_POSTGRES_LEAN_RANKING``, ADR 0043); ``lean=False``, the
            # reference statement, only for the tests that compare the two.
            if lean and together and len(wanted) > 1:
                # Several lists (the default search's own words and its synonyms): one
                # statement, a chain of the lean statement's CTEs for each list, each planned
                # as if alone (``_postgres_lists_ranking``, ADR 0049). ``together=False``: a
                # statement a list, for the tests that compare the two.
                sql = _postgres_lists_ranking(
                    tuple(_has_phrase(phrases) for _, phrases in wanted)
                ).replace("{conditions}", conditions)
                terms = [
                    [" <-> ".join(p) if len(p) > 1 else p[0] for p in phrases]
                    for _, phrases in wanted
                ]
                cursor.execute(sql, [terms[0], *params, *terms[1:]])
                for g, record_id, score in cursor.fetchall():
                    out[wanted[g][0]].append((record_id, float(score)))
                return out
            for g, phrases in wanted:
                ranking = _POSTGRES_RANKING
                if lean:
                    phrased = _has_phrase(phrases)
                    ranking = _POSTGRES_PHRASE_RANKING if phrased else _POSTGRES_LEAN_RANKING
                sql = ranking.replace("{conditions}", conditions)
                terms = [" <-> ".join(p) if len(p) > 1 else p[0] for p in phrases]
                cursor.execute(sql, [terms, *params])
                out[g] = [(row[0], float(row[1])) for row in cursor.fetchall()]
            return out
        for g, record_id, score in cursor.fetchall():
            out[g].append((record_id, float(score)))
    return out


def words_in_index(
    words: Sequence[str], *, partnership_id: int | None, public_only: bool
) -> set[str]:
    """Which of ``words`` occur in a live record of the partnership (every partnership with
    None; public ones only with ``public_only``), anywhere in it, as the index stems them: a
    spelling correction must leave those alone. One indexed lookup per word."""
    found: set[str] = set()
    where, params = ["r.archived_at IS NULL"], []
    if partnership_id is not None:
        where.append("r.partnership_id = %s")
        params.append(partnership_id)
    if public_only:
        where.append("r.is_public")
    conditions = " AND ".join(where)
    with connection.cursor() as cursor:
        for word in dict.fromkeys(words):
            if not word.isalnum():
                continue
            if connection.vendor == "sqlite":
                # CROSS JOIN: SQLite then reads the index's matches first and looks each
                # record up by its key. With a plain JOIN it chose to walk the partnership's
                # live records and ask the index about each, which for a word in no record
                # (the misspelt words this is asked about) read them all: 250 ms on the
                # bench's 2,090 records against 0.2 (issue 15, library search round six).
                cursor.execute(
                    f"SELECT 1 FROM {INDEX_TABLE} CROSS JOIN {RECORD_TABLE} r "
                    f"ON r.id = {INDEX_TABLE}.rowid WHERE {INDEX_TABLE} MATCH %s "
                    f"AND {conditions} LIMIT 1",
                    [f'"{word}"', *params],
                )
            else:
                cursor.execute(
                    f"SELECT 1 FROM {INDEX_TABLE} s JOIN {RECORD_TABLE} r "
                    f"ON r.id = s.record_id WHERE s.document @@ plainto_tsquery('{PG_CONFIG}', %s) "
                    f"AND {conditions} LIMIT 1",
                    [word, *params],
                )
            if cursor.fetchone():
                found.add(word)
    return found
