# ruff: noqa: S608 - the SQL is built from this module's constants; values go as parameters
"""The default search's full-text ranking on SQLite, worked out in memory (issue 15).

The same scores as FTS5's ``bm25()`` in ``search_index.keyword_match_lists``, to the last bit,
and so the same results: the keyword mode keeps the SQL query. What FTS5 would read for a
query is read once per state of the library (the catalogue's stamp) and kept with the
catalogue:

- each query term's instances (record, column, offset) from FTS5's own index, through an
  ``fts5vocab`` table of type ``instance``: FTS5's tokens, stemmed by FTS5;
- the index-wide row count and token total (the averages record FTS5 keeps in
  ``library_search_data``, row 1) and each record's size in tokens (``library_search_docsize``):
  ``bm25()`` uses the whole index's statistics, not the partnership's, and drops the records
  that are not live only after scoring.

The query's words become tokens through SQLite itself (an FTS5 table of the same tokenizer in
a private in-memory database of the same driver), so no Python stemmer has to agree with
FTS5's. The score is FTS5's ``fts5Bm25Function`` (``ext/fts5/fts5_aux.c``): for each phrase,
idf = log((N - hits + 0.5) / (hits + 0.5)), at least 1e-6; for each record, the phrase's
frequency is the sum of its hits' column weights, and the score adds, phrase by phrase in the
query's order, idf × (f × (k1 + 1)) / (f + k1 × (1 - b + b × D / avgdl)) with the same double
operations in the same order. ``tests/test_search_postings.py`` compares it with ``bm25()``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from . import search_index
from .search_catalogue import Catalogue

K1 = 1.2  # FTS5's bm25() constants
B = 0.75
# A term's instance as one integer: record id << 32 | column << 28 | offset in the column.
_DOC_SHIFT, _COL_SHIFT = 32, 28
_WEIGHTS = np.array(search_index.SQLITE_WEIGHTS, dtype=np.float64)
_VOCAB = "library_search_instance"
_COLUMN_NUMBER = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(search_index.COLUMNS))
# At most this many phrases' tokens are kept (a query's words; cleared when full).
_TOKEN_CACHE_SIZE = 50_000


@dataclass
class Postings:
    """What bm25() reads of the index, for one state of the library (kept on the catalogue)."""

    n_row: int
    norm: np.ndarray  # per catalogue row: k1 * (1 - b + b * D / avgdl)
    row_of_id: np.ndarray  # record id → catalogue row, -1 if not live (and in the last place)
    terms: dict[str, np.ndarray] = field(default_factory=dict)  # token → sorted instances
    phrases: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    live: dict[tuple, np.ndarray] = field(default_factory=dict)  # (partnership, public) → rows


def keyword_match_lists(
    cat: Catalogue,
    lists: Sequence[Sequence[Sequence[str]]],
    *,
    partnership_id: int | None,
    public_only: bool,
) -> list[list[tuple[int, float]]]:
    """``search_index.keyword_match_lists``, the same (record id, score) lists in the same
    order, from memory on SQLite (from the database elsewhere, or for a phrase FTS5 would
    make no token of)."""
    where = {"partnership_id": partnership_id, "public_only": public_only}
    if connection.vendor != "sqlite":
        return search_index.keyword_match_lists(lists, **where, lean=True)
    wanted = [[p for p in phrases if p] for phrases in lists]
    tokens = phrase_tokens([" ".join(p) for phrases in wanted for p in phrases])
    if any(not tokens[" ".join(p)] for phrases in wanted for p in phrases):
        return search_index.keyword_match_lists(lists, **where)
    postings = _postings(cat)
    _load_terms(postings, {t for found in tokens.values() for t in found})
    live = _live_rows(cat, postings, partnership_id, public_only)
    return [
        _ranked(cat, postings, [tokens[" ".join(p)] for p in phrases], live) if phrases else []
        for phrases in wanted
    ]


def _ranked(
    cat: Catalogue, postings: Postings, phrases: list[tuple[str, ...]], live: np.ndarray
) -> list[tuple[int, float]]:
    """(record id, score) of the live records matching any phrase, best first, equal scores
    by record id: ``-bm25()`` of ``keyword_match_lists``'s query."""
    score = np.zeros(len(cat.ids), dtype=np.float64)
    hit = np.zeros(len(cat.ids), dtype=bool)
    for phrase in phrases:
        docs, freq = _phrase(postings, phrase)
        if not len(docs):
            continue  # (a phrase with no hits adds 0.0 to every score)
        idf = math.log((postings.n_row - len(docs) + 0.5) / (len(docs) + 0.5))
        if idf <= 0.0:
            idf = 1e-6
        # (a record id past the end, one added since the statistics were read, is not live)
        rows = postings.row_of_id[np.minimum(docs, len(postings.row_of_id) - 1)]
        keep = rows >= 0
        keep[keep] = live[rows[keep]]
        rows, freq = rows[keep], freq[keep]
        # (a record's rows are unique within a phrase, so += adds once per record)
        score[rows] += idf * ((freq * (K1 + 1.0)) / (freq + postings.norm[rows]))
        hit[rows] = True
    at = np.flatnonzero(hit)
    scores = score[at]
    order = np.lexsort((at, -scores))  # rows are in record id order
    ids = cat.ids[at[order]].tolist()
    return list(zip(ids, scores[order].tolist(), strict=True))


def _phrase(postings: Postings, phrase: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(record ids, weighted frequency) of the records with the phrase: its tokens at
    consecutive offsets of one column, each hit counting its column's weight."""
    found = postings.phrases.get(phrase)
    if found is None:
        hits = postings.terms.get(phrase[0], _EMPTY)
        for i, token in enumerate(phrase[1:], start=1):
            following = postings.terms.get(token, _EMPTY)
            hits = hits[np.isin(hits + i, following)]
        docs, at = np.unique(hits >> _DOC_SHIFT, return_inverse=True)
        weights = _WEIGHTS[(hits >> _COL_SHIFT) & 0xF]
        freq = np.bincount(at, weights=weights, minlength=len(docs)).astype(np.float64)
        found = (docs, freq)
        postings.phrases[phrase] = found
    return found


_EMPTY = np.zeros(0, dtype=np.int64)


def _live_rows(
    cat: Catalogue, postings: Postings, partnership_id: int | None, public_only: bool
) -> np.ndarray:
    """Per catalogue row: whether the record is one the search may find (the catalogue holds
    the records that are not archived)."""
    key = (partnership_id, public_only)
    live = postings.live.get(key)
    if live is None:
        live = np.ones(len(cat.ids), dtype=bool)
        if partnership_id is not None:
            live &= cat.partnership == partnership_id
        if public_only:
            live &= cat.public
        postings.live[key] = live
    return live


# The index's statistics and terms --------------------------------------------------------

_postings_lock = threading.Lock()


def _postings(cat: Catalogue) -> Postings:
    """The catalogue's postings: the index's statistics read on first use after a change."""
    found = cat.postings
    if found is None:
        with _postings_lock:
            found = cat.postings
            if found is None:
                found = cat.postings = _read_statistics(cat)
    return found


def _read_statistics(cat: Catalogue) -> Postings:
    """The row count, the average row size and each live record's size in tokens, as FTS5's
    ``xRowCount``, ``xColumnTotalSize(-1)`` and ``xColumnSize(-1)`` read them."""
    table = search_index.INDEX_TABLE
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT -1, block FROM {table}_data WHERE id = 1 "
            f"UNION ALL SELECT id, sz FROM {table}_docsize"
        )
        rows = cursor.fetchall()
    # (one past the highest live record id: -1 for any record id from there on)
    row_of_id = np.full(int(cat.ids.max()) + 2 if len(cat.ids) else 1, -1, dtype=np.int64)
    row_of_id[cat.ids] = np.arange(len(cat.ids))
    averages = next((bytes(blob) for key, blob in rows if key == -1), b"")
    n_row, *totals = _varints(averages) or [0]
    sizes = np.zeros(len(cat.ids), dtype=np.float64)
    for record_id, blob in rows:
        if 0 <= record_id < len(row_of_id) and row_of_id[record_id] >= 0:
            sizes[row_of_id[record_id]] = float(sum(_varints(bytes(blob))))
    avgdl = float(sum(totals)) / float(n_row) if n_row else 1.0
    norm = K1 * ((1 - B) + (B * sizes) / avgdl)
    return Postings(n_row=n_row, norm=norm, row_of_id=row_of_id)


def _varints(blob: bytes) -> list[int]:
    """The SQLite varints of ``blob`` (big-endian 7 bits a byte while the top bit is set; a
    ninth byte gives all its 8 bits), as FTS5 writes its sizes."""
    out, value, length = [], 0, 0
    for byte in blob:
        length += 1
        if length == 9:
            out.append((value << 8) | byte)
            value, length = 0, 0
        elif byte & 0x80:
            value = (value << 7) | (byte & 0x7F)
        else:
            out.append((value << 7) | byte)
            value, length = 0, 0
    return out


def _load_terms(postings: Postings, tokens: set[str]) -> None:
    """Read the instances of the tokens not read yet (one query, none when all are). Each
    token's instances come as one text of numbers (``group_concat``), parsed by numpy: half
    the time of a row per instance for a common word."""
    missing = sorted(t for t in tokens if t not in postings.terms)
    if not missing:
        return
    found = dict.fromkeys(missing, _EMPTY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{_VOCAB} USING fts5vocab(main, "
            f"{search_index.INDEX_TABLE}, instance)"
        )
        cursor.execute(
            f"SELECT term, group_concat((doc << {_DOC_SHIFT}) | ((CASE col {_COLUMN_NUMBER} END) "
            f'<< {_COL_SHIFT}) | "offset") FROM temp.{_VOCAB} WHERE term IN '
            f"({', '.join(['%s'] * len(missing))}) GROUP BY term",
            missing,
        )
        for term, keys in cursor.fetchall():
            found[term] = np.sort(np.fromstring(keys, dtype=np.int64, sep=","))
    postings.terms.update(found)


# The query's tokens --------------------------------------------------------------------------

_tokens: dict[str, tuple[str, ...]] = {}
_tokenizer_lock = threading.Lock()
_tokenizer: dict[str, object] = {}


def phrase_tokens(texts: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """{text: the tokens FTS5 makes of it}: tokenized by SQLite in an FTS5 table of the index's
    tokenizer, in a private in-memory database of the driver Django uses (kept per process)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _tokens]
    if missing:
        with _tokenizer_lock:
            db = _tokenizer.get("db")
            if db is None:
                db = connection.Database.connect(":memory:", check_same_thread=False)
                db.execute(
                    "CREATE VIRTUAL TABLE t USING fts5(x, "
                    f"tokenize='{search_index.SQLITE_TOKENIZER}')"
                )
                db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
                _tokenizer["db"] = db
            made: dict[int, list[tuple[int, str]]] = {i: [] for i in range(len(missing))}
            with db:
                db.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", enumerate(missing))
            for doc, offset, term in db.execute("SELECT doc, offset, term FROM v"):
                made[doc].append((offset, term))
            with db:
                db.execute("DELETE FROM t")
            if len(_tokens) + len(missing) > _TOKEN_CACHE_SIZE:
                _tokens.clear()
            for i, text in enumerate(missing):
                _tokens[text] = tuple(term for _, term in sorted(made[i]))
    return {t: _tokens[t] for t in texts}
