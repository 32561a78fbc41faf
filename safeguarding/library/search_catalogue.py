"""The library search's per-process catalogue (see ``search.py`` and docs/search.md).

What every search needs about every live record (partnership, visibility, facet values,
sentence vectors), the search terms and, built on first use, the vocabulary, held per process
until the state stamp (``search_index.version``) changes. Reads only.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection

from . import embeddings, search_index
from .models import LibraryRecord, RecordVector, SearchTerm
from .text import SIGNATURE_SIZE, Vocabulary, copy_pairs, shingle_signatures, words

# A record's similarity: the best of its passages, the summary passage counting in full and
# the full-text passage a little less.
PASSAGE_WEIGHTS = (1.0, 0.9)
# Two records are copies when their summaries and learning share at least this share of their
# five-word sequences (``text.copy_pairs``; issue 15). Chosen from the bench's records alone, no
# query involved: its distinct reviews, written apart, share at most 0.03 with any record,
# records made from one template 0.29 on average (a tenth of those pairs under 0.18).
COPY_SHARE = 0.2


@dataclass
class Catalogue:
    """What every search needs about every live record, held per process until the state
    stamp changes: row i of each array is the record ``ids[i]``."""

    stamp: int
    ids: np.ndarray
    row_of: dict[int, int]
    partnership: np.ndarray
    public: np.ndarray
    facet_values: dict[str, list]  # facet → per row: a value, or a tuple of values (theme)
    theme_names: dict[str, str]
    vectors: np.ndarray  # (n passages, dim) float32
    vector_rows: np.ndarray  # the catalogue row of each passage
    vector_weights: np.ndarray
    terms: list[tuple[int | None, str, str]]
    # Per row: the index in ``vectors`` of the record's first two passages ((0) title, themes,
    # summary, learning; (1) the start of the full text), -1 where it has none; and what makes
    # two records the same published review (the same title, publisher and year, letters and
    # digits only): for grouping near-duplicates and the same review held by two partnerships.
    passages: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    identity: list[str] = field(default_factory=list)
    # (row, row) of every two records that are copies of each other (see COPY_SHARE).
    copies: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    # What search_query.py works out once from the terms, per partnership (cleared with the
    # catalogue when the stamp changes).
    prepared_terms: dict = field(default_factory=dict)
    # The records most like each record (``similar.similar_records``), per (record id, public
    # only, limit): worked out once per state of the library (cleared with the catalogue).
    similar: dict = field(default_factory=dict)
    # What the default search's in-memory ranking reads of the full-text index
    # (``search_postings.Postings``), on first use after a change.
    postings: Any = None
    # What grouping near-duplicates reads of every row (``search.Grouping``), on first use.
    grouping: Any = None
    _vocabulary: Vocabulary | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def vocabulary(self) -> Vocabulary:
        """The library's words (titles, summaries, learning, themes, search terms), built on
        first use after a change: a few hundred milliseconds for a national-size library."""
        with self._lock:
            if self._vocabulary is None:
                # (not themes_text: on SQLite it lies after the full text in the row)
                # Public records and shared terms only: "Showing results for …" must never
                # reveal a word from a record the searcher may not see.
                texts = LibraryRecord.objects.filter(
                    archived_at__isnull=True, is_public=True
                ).values_list("title", "summary", "learning")
                extra = [w for name in self.theme_names.values() for w in words(name)]
                for partnership_id, term, expansion in self.terms:
                    if partnership_id is None:
                        extra += words(term) + words(expansion)
                self._vocabulary = Vocabulary.from_texts(
                    (" ".join(row) for row in texts.iterator(chunk_size=500)), extra
                )
            return self._vocabulary


_catalogues: dict[tuple, Catalogue] = {}
_catalogue_lock = threading.Lock()


def _catalogue_key() -> tuple:
    return (connection.alias, str(connection.settings_dict.get("NAME")))


def catalogue() -> Catalogue:
    """The catalogue for the current state: one query when it is up to date."""
    stamp = search_index.version()
    key = _catalogue_key()
    cached = _catalogues.get(key)
    if cached is not None and cached.stamp == stamp:
        return cached
    with _catalogue_lock:
        built = _build_catalogue(stamp)
        _catalogues[key] = built
    return built


def _build_catalogue(stamp: int) -> Catalogue:
    rows = list(
        LibraryRecord.objects.filter(archived_at__isnull=True)
        .order_by("pk")
        .values_list(
            "pk", "partnership_id", "is_public", "review_type", "year", "age_group", "publisher"
        )
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    row_of = {int(pk): i for i, pk in enumerate(ids)}
    themes: dict[int, list[str]] = defaultdict(list)
    theme_names: dict[str, str] = {}
    through = LibraryRecord.themes.through.objects.filter(libraryrecord__archived_at__isnull=True)
    for record_id, theme_id, name in through.values_list(
        "libraryrecord_id", "theme_id", "theme__name"
    ):
        themes[record_id].append(str(theme_id))
        theme_names[str(theme_id)] = name
    facet_values = {
        "review_type": [r[3] for r in rows],
        "year": ["" if r[4] is None else str(r[4]) for r in rows],  # "": not known
        "age_group": [r[5] for r in rows],
        "theme": [tuple(themes.get(r[0], ())) for r in rows],
        "publisher": [r[6] for r in rows],
    }
    texts = {
        pk: (title, f"{summary}\n{learning}")
        for pk, title, summary, learning in LibraryRecord.objects.filter(
            archived_at__isnull=True
        ).values_list("pk", "title", "summary", "learning")
    }
    titles = {pk: title for pk, (title, _) in texts.items()}
    signatures, signed = _copy_signatures([(r[0], texts.get(r[0], ("", ""))[1]) for r in rows])
    identity = [
        " ".join(words(f"{titles.get(r[0], '')} {r[6]} {r[4] or ''}")) or str(r[0]) for r in rows
    ]
    passages = np.full((len(rows), 2), -1, dtype=np.int64)
    vectors, vector_rows, vector_weights = [], [], []
    if embeddings.available():
        for record_id, position, blob in (
            RecordVector.objects.filter(record__archived_at__isnull=True)
            .order_by("record_id", "position")
            .values_list("record_id", "position", "vector")
            .iterator(chunk_size=2000)
        ):
            vector = np.frombuffer(bytes(blob), dtype=np.float32)
            if record_id in row_of and vector.shape[0] == embeddings.DIM:
                if position < 2:
                    passages[row_of[record_id], position] = len(vectors)
                vectors.append(vector)
                vector_rows.append(row_of[record_id])
                vector_weights.append(PASSAGE_WEIGHTS[min(position, len(PASSAGE_WEIGHTS) - 1)])
    return Catalogue(
        stamp=stamp,
        ids=ids,
        row_of=row_of,
        partnership=np.array([r[1] for r in rows], dtype=np.int64),
        public=np.array([r[2] for r in rows], dtype=bool),
        facet_values=facet_values,
        theme_names=theme_names,
        vectors=np.vstack(vectors) if vectors else np.zeros((0, embeddings.DIM), np.float32),
        vector_rows=np.array(vector_rows, dtype=np.int64),
        vector_weights=np.array(vector_weights, dtype=np.float32),
        terms=list(SearchTerm.objects.values_list("partnership_id", "term", "expansion")),
        passages=passages,
        identity=identity,
        copies=copy_pairs(signatures, signed, COPY_SHARE),
    )


# The copy signatures of records' texts, kept across catalogue rebuilds: after a record is
# saved only its own is made again. {record id: (hash of its text, signature or None)}.
_signatures: dict[int, tuple[int, np.ndarray | None]] = {}


def _copy_signatures(texts: list[tuple[int, str]]) -> tuple[np.ndarray, np.ndarray]:
    """``text.shingle_signatures`` of the (record id, text) pairs, made only for the texts
    whose signature is not kept already."""
    missing = [
        i for i, (pk, text) in enumerate(texts) if _signatures.get(pk, (None,))[0] != hash(text)
    ]
    if missing:
        made, made_signed = shingle_signatures([texts[i][1] for i in missing])
        for j, i in enumerate(missing):
            pk, text = texts[i]
            _signatures[pk] = (hash(text), made[j] if made_signed[j] else None)
    signatures = np.zeros((len(texts), SIGNATURE_SIZE), dtype=np.uint32)
    signed = np.zeros(len(texts), dtype=bool)
    for i, (pk, _) in enumerate(texts):
        kept = _signatures[pk][1]
        if kept is not None:
            signatures[i], signed[i] = kept, True
    return signatures, signed


def clear_caches() -> None:
    _catalogues.clear()
    _signatures.clear()
