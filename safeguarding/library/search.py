"""Library search: ranked, forgiving, in a practitioner's own words (issue 7; docs/search.md).

``search_records(partnership, query, ...)`` in ``mode="smart"`` (the default):

1. the query's words (stopwords dropped) are checked against the library's vocabulary and
   misspelt ones corrected ("strangulaton" → "strangulation");
2. abbreviations, domain synonyms and everyday words are widened from ``SearchTerm`` rows
   ("SUDI" → "sudden unexpected death in infancy", "drinking" → "alcohol"), and a whole
   expansion in the query adds its term;
3. one full-text query for any of those words and phrases, ranked by BM25 (SQLite FTS5) or
   ``ts_rank_cd`` (PostgreSQL) with the title weighted most and the full text least;
4. the query's sentence vector against every record's vectors (``embeddings.py``), so that a
   record about the same thing in other words is found too;
5. the two rankings fused (weighted reciprocal rank fusion).

``mode="keyword"`` is the plain keyword baseline the bench compares with: the query's own words
(stopwords dropped) in one BM25-ranked query on the same index, nothing else.

A search is a fixed handful of queries whatever the size of the library: the state stamp, the
full-text query, the page of hits. What does not change between searches (each record's
partnership, visibility, facet values and vectors; the search terms; the vocabulary) is held
per process and rebuilt only when the state stamp (``search_index.version``) changes.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

import numpy as np
from django.db import connection
from django.db.models.functions import Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import embeddings, search_index
from .models import AgeGroup, LibraryRecord, RecordVector, ReviewType, SearchTerm
from .text import (
    STOPWORDS,
    Vocabulary,
    content_words,
    english_frequencies,
    stem,
    word_spans,
    words,
)

FACETS = ("review_type", "year", "age_group", "theme", "publisher")
SNIPPET_WORDS = 30
MAX_QUERY_CHARS = 500  # longer queries are cut (words past it would not help the ranking)
MAX_PHRASES = 60  # words and phrases in one full-text query
FULL_TEXT_FOR_SNIPPET = 20_000  # characters of the full text a snippet may come from

# Fusion (tuned on bench/search_quality.py; see docs/search.md): a hit's score is
# KEYWORD_WEIGHT / (RRF_K + rank by the query's own words)
# + EXPANSION_WEIGHT / (RRF_K + rank by the synonyms and abbreviations it brought in)
# + MEANING_WEIGHT / (RRF_K + rank by meaning).
RRF_K = 20
KEYWORD_WEIGHT = 1.0
EXPANSION_WEIGHT = 0.7
MEANING_WEIGHT = 1.5
MEANING_CANDIDATES = 200  # records taken from the meaning ranking
MEANING_MIN_SIMILARITY = 0.2  # below this cosine a record is not "about" the query
# ... and its share of MEANING_WEIGHT grows from nothing there to all of it at this cosine
MEANING_FULL_SIMILARITY = 0.35
# A record's similarity: the best of its passages, the summary passage counting in full and
# the full-text passage a little less.
PASSAGE_WEIGHTS = (1.0, 0.9)


# Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    record_id: int
    external_id: str
    title: str
    score: float
    snippet: SafeString
    review_type: str
    review_type_label: str
    publisher: str
    year: int
    age_group: str
    partnership_id: int
    is_public: bool
    url: str = ""


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    query: str
    mode: str
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[FacetValue]]
    corrected_query: str = ""  # the query with misspellings corrected ("" if none were)
    corrections: dict[str, str] = field(default_factory=dict)  # misspelt word → correction
    expansions: list[str] = field(default_factory=list)  # synonyms and abbreviations added
    limit: int = 10
    offset: int = 0

    @property
    def showing_results_for(self) -> str:
        """What to show as "Showing results for …" (empty if the query was used as typed)."""
        return self.corrected_query

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


# The per-process catalogue --------------------------------------------------------------------


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
        "year": [str(r[4]) for r in rows],
        "age_group": [r[5] for r in rows],
        "theme": [tuple(themes.get(r[0], ())) for r in rows],
        "publisher": [r[6] for r in rows],
    }
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
    )


def clear_caches() -> None:
    _catalogues.clear()


# Understanding the query ----------------------------------------------------------------------


@dataclass
class Analysis:
    words: list[str]  # the query's content words, corrected
    corrections: dict[str, str]
    corrected_query: str
    phrases: list[list[str]]  # the query's own words (and misspelt ones as typed)
    expansion_phrases: list[list[str]]  # words and phrases added by synonyms
    expansions: list[str]  # the same, as text
    meaning_text: str  # what the sentence model reads
    highlight: set[str]  # stems of single words to mark in snippets
    highlight_phrases: list[tuple[str, ...]] = field(default_factory=list)  # and phrases


def _split_alternatives(expansion: str) -> list[str]:
    return [a.strip() for a in expansion.replace(";", ",").split(",") if a.strip()]


def _terms_for(cat: Catalogue, partnership_id: int | None) -> dict[str, str]:
    """term → expansion: the shared rows, overridden by the partnership's own."""
    terms: dict[str, str] = {}
    for owner, term, expansion in sorted(cat.terms, key=lambda t: t[0] is not None):
        if owner is None or owner == partnership_id:
            terms[" ".join(words(term))] = expansion
    return terms


def _find(seq: list, part: list) -> int:
    """Where ``part`` starts in ``seq`` (-1 if it is not there)."""
    n = len(part)
    if n == 0:
        return -1
    for i in range(len(seq) - n + 1):
        if seq[i : i + n] == part:
            return i
    return -1


def analyse(query: str, cat: Catalogue, partnership_id: int | None, smart: bool) -> Analysis:
    raw = [w for w in words(query) if w not in STOPWORDS]
    if not smart:
        kept = list(dict.fromkeys(raw))
        return Analysis(
            words=kept,
            corrections={},
            corrected_query="",
            phrases=[[w] for w in kept],
            expansion_phrases=[],
            expansions=[],
            meaning_text=query,
            highlight={stem(w) for w in kept},
        )
    terms = _terms_for(cat, partnership_id)
    term_words = {w for t in terms for w in t.split()}

    # 1. spelling
    corrections: dict[str, str] = {}
    if any(w not in term_words and len(w) >= 4 and not w.isdigit() for w in raw):
        vocabulary = cat.vocabulary()
        for w in dict.fromkeys(raw):
            if w in term_words:
                continue
            fixed = vocabulary.correct(w)
            if fixed != w:
                corrections[w] = fixed
    corrected_query = ""
    meaning_text = query
    if corrections:
        parts, last = [], 0
        for start, end, w in word_spans(query):
            if w in corrections:
                parts += [query[last:start], corrections[w]]
                last = end
        parts.append(query[last:])
        corrected_query = meaning_text = "".join(parts)
    all_words = [corrections.get(w, w) for w in words(query)]
    kept = list(dict.fromkeys(w for w in all_words if w not in STOPWORDS))
    phrases = [[w] for w in kept] + [[w] for w in corrections if w not in kept]

    # 2. search terms, matched on stems, longest first: the words of a matched phrase
    # ("bed sores") are not matched again on their own ("bed").
    query_stems: list[str | None] = [stem(w) for w in all_words]
    content_stems = [stem(w) for w in all_words if w not in STOPWORDS]
    expansion_phrases: list[list[str]] = []
    expansions: list[str] = []
    glosses: list[str] = []
    seen = {tuple(p) for p in phrases}

    def add(text: str, same_meaning: bool) -> None:
        """Add a phrase: with the query's own words when it means the same (what an
        abbreviation stands for, or the abbreviation of words in the query), else with the
        looser synonyms, which rank a little lower."""
        phrase = words(text)
        if phrase and tuple(phrase) not in seen:
            seen.add(tuple(phrase))
            (phrases if same_meaning else expansion_phrases).append(phrase)
            expansions.append(text)

    by_length = sorted(terms.items(), key=lambda t: (-len(t[0].split()), t[0]))
    for term, expansion in by_length:
        term_stems = [stem(w) for w in term.split()]
        alternatives = _split_alternatives(expansion)
        at = _find(query_stems, term_stems)
        if at >= 0:
            for i in range(at, at + len(term_stems)):
                query_stems[i] = None  # used up
            abbreviation = len(term_stems) == 1 and _is_abbreviation(query, term)
            for alternative in alternatives:
                add(alternative, same_meaning=abbreviation)
            if abbreviation:
                glosses.append(f"{term} ({alternatives[0]})")
            continue
        for alternative in alternatives:
            alt = [stem(w) for w in words(alternative) if w not in STOPWORDS]
            if len(alt) > 1 and _find(content_stems, alt) >= 0:
                add(term, same_meaning=True)
                break
    if glosses:
        meaning_text = f"{meaning_text} ({'; '.join(glosses)})"
    phrases = phrases[:MAX_PHRASES]
    expansion_phrases = expansion_phrases[:MAX_PHRASES]
    every = phrases + expansion_phrases
    highlight = {stem(p[0]) for p in every if len(p) == 1}
    highlight_phrases = [tuple(stem(w) for w in p) for p in every if len(p) > 1]
    return Analysis(
        words=kept,
        corrections=corrections,
        corrected_query=corrected_query,
        phrases=phrases,
        expansion_phrases=expansion_phrases,
        expansions=expansions,
        meaning_text=meaning_text,
        highlight=highlight,
        highlight_phrases=highlight_phrases,
    )


def _is_abbreviation(query: str, term: str) -> bool:
    """Whether ``term`` is used as an abbreviation in the query: typed in capitals ("DASH",
    "CP"), or not an English word at all ("sudi", "marac")."""
    for start, end, w in word_spans(query):
        if w == term and query[start:end].isupper() and end - start > 1:
            return True
    return english_frequencies().get(term, 0) < 50


# Searching ------------------------------------------------------------------------------------


def _normalise_filters(filters: dict | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, value in (filters or {}).items():
        if name not in FACETS or value in (None, "", [], ()):
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        out[name] = {str(v) for v in values if v not in (None, "")}
    return {k: v for k, v in out.items() if v}


def _passes(cat: Catalogue, row: int, filters: dict[str, set[str]], skip: str = "") -> bool:
    for name, wanted in filters.items():
        if name == skip:
            continue
        value = cat.facet_values[name][row]
        if isinstance(value, tuple):
            if not wanted.intersection(value):
                return False
        elif value not in wanted:
            return False
    return True


def _meaning_ranking(
    cat: Catalogue, text: str, partnership_id: int | None, public_only: bool
) -> list[tuple[int, float]]:
    """(catalogue row, similarity) of the records closest in meaning to ``text``, best first,
    down to MEANING_MIN_SIMILARITY."""
    if not embeddings.available() or not len(cat.vectors):
        return []
    query_vector = embeddings.embed([text])[0]
    similarity = (cat.vectors @ query_vector) * cat.vector_weights
    best = np.full(len(cat.ids), -1.0, dtype=np.float32)
    np.maximum.at(best, cat.vector_rows, similarity)
    allowed = np.ones(len(cat.ids), dtype=bool)
    if partnership_id is not None:
        allowed &= cat.partnership == partnership_id
    if public_only:
        allowed &= cat.public
    best[~allowed] = -1.0
    count = min(MEANING_CANDIDATES, int((best >= MEANING_MIN_SIMILARITY).sum()))
    if count == 0:
        return []
    top = np.argpartition(-best, count - 1)[:count]
    top = top[np.argsort(-best[top], kind="stable")]
    return [(int(row), float(best[row])) for row in top]


def search_records(
    partnership,
    query: str,
    *,
    public_only: bool = False,
    filters: dict | None = None,
    limit: int = 10,
    offset: int = 0,
    mode: str = "smart",
) -> SearchResult:
    """Search the partnership's live library records (every partnership's with None).

    ``filters`` maps facet names (review_type, year, age_group, theme — a theme id —,
    publisher) to a value or a list of values. Facet counts are over the records matching the
    query and the other facets' filters. Scores are for ordering only."""
    if mode not in ("smart", "keyword"):
        raise ValueError(f"Unknown search mode {mode!r}")
    partnership_id = getattr(partnership, "pk", partnership)
    query = (query or "")[:MAX_QUERY_CHARS]
    cat = catalogue()
    analysis = analyse(query, cat, partnership_id, smart=mode == "smart")
    wanted = _normalise_filters(filters)
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))

    scores: dict[int, float] = {}  # catalogue row → fused score

    def fuse(ranking: list[int], weight: float, shares=None) -> None:
        for rank, row in enumerate(ranking, start=1):
            share = 1.0 if shares is None else shares[rank - 1]
            scores[row] = scores.get(row, 0.0) + share * weight / (RRF_K + rank)

    def rows(matches: list[tuple[int, float]]) -> list[int]:
        return [cat.row_of[pk] for pk, _ in matches if pk in cat.row_of]

    where = {"partnership_id": partnership_id, "public_only": public_only}
    fuse(rows(search_index.keyword_matches(analysis.phrases, **where)), KEYWORD_WEIGHT)
    if analysis.expansion_phrases:
        fuse(
            rows(search_index.keyword_matches(analysis.expansion_phrases, **where)),
            EXPANSION_WEIGHT,
        )
    if mode == "smart" and analysis.words:
        meaning = _meaning_ranking(cat, analysis.meaning_text, partnership_id, public_only)
        span = MEANING_FULL_SIMILARITY - MEANING_MIN_SIMILARITY
        shares = [min(1.0, (s - MEANING_MIN_SIMILARITY) / span) for _, s in meaning]
        fuse([row for row, _ in meaning], MEANING_WEIGHT, shares)

    matching = [row for row in scores if _passes(cat, row, wanted)]
    matching.sort(key=lambda row: (-scores[row], int(cat.ids[row])))
    facets = _facets(cat, list(scores), wanted)
    page = matching[offset : offset + limit]
    hits = _hits(cat, page, scores, analysis)
    return SearchResult(
        query=query,
        mode=mode,
        hits=hits,
        total=len(matching),
        facets=facets,
        corrected_query=analysis.corrected_query,
        corrections=analysis.corrections,
        expansions=analysis.expansions,
        limit=limit,
        offset=offset,
    )


def _facets(cat: Catalogue, rows: list[int], wanted: dict[str, set[str]]) -> dict:
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        counts: Counter = Counter()
        values = cat.facet_values[name]
        for row in rows:
            if not _passes(cat, row, wanted, skip=name):
                continue
            value = values[row]
            counts.update(value if isinstance(value, tuple) else (value,))
        chosen = wanted.get(name, set())
        for value in chosen:  # a chosen value stays listed, even with no matches
            counts.setdefault(value, 0)
        if name == "review_type":
            labels = dict(ReviewType.choices)
            order = {v: i for i, v in enumerate(labels)}
            keys = sorted(counts, key=lambda v: (order.get(v, 99), v))
        elif name == "age_group":
            labels = dict(AgeGroup.choices)
            order = {v: i for i, v in enumerate(labels)}
            keys = sorted(counts, key=lambda v: (order.get(v, 99), v))
        elif name == "year":
            labels = {}
            keys = sorted(counts, reverse=True)
        else:
            labels = cat.theme_names if name == "theme" else {}
            keys = sorted(counts, key=lambda v: (-counts[v], labels.get(v, v).lower()))
        facets[name] = [
            FacetValue(value=v, label=labels.get(v, v), count=counts[v], selected=v in chosen)
            for v in keys
        ]
    return facets


def _hits(cat: Catalogue, rows: list[int], scores: dict, analysis: Analysis) -> list[SearchHit]:
    if not rows:
        return []
    ids = [int(cat.ids[row]) for row in rows]
    records = {
        r["pk"]: r
        for r in LibraryRecord.objects.filter(pk__in=ids)
        .annotate(full_text_head=Substr("full_text", 1, FULL_TEXT_FOR_SNIPPET))
        .values(
            "pk",
            "external_id",
            "title",
            "review_type",
            "publisher",
            "year",
            "age_group",
            "partnership_id",
            "is_public",
            "url",
            "summary",
            "learning",
            "recommendations",
            "full_text_head",
        )
    }
    labels = dict(ReviewType.choices)
    hits = []
    for row in rows:
        r = records.get(int(cat.ids[row]))
        if r is None:  # removed since the catalogue was built
            continue
        hits.append(
            SearchHit(
                record_id=r["pk"],
                external_id=r["external_id"],
                title=r["title"],
                score=round(scores[row] * 1000, 3),
                snippet=snippet(
                    [r["summary"], r["learning"], r["recommendations"], r["full_text_head"]],
                    analysis.highlight,
                    analysis.highlight_phrases,
                ),
                review_type=r["review_type"],
                review_type_label=labels.get(r["review_type"], r["review_type"]),
                publisher=r["publisher"],
                year=r["year"],
                age_group=r["age_group"],
                partnership_id=r["partnership_id"],
                is_public=r["is_public"],
                url=r["url"],
            )
        )
    return hits


# Snippets -------------------------------------------------------------------------------------


def snippet(
    texts: list[str],
    highlight: set[str],
    phrases: list[tuple[str, ...]] = (),
    size: int = SNIPPET_WORDS,
) -> SafeString:
    """The passage of ``texts`` (in order of preference) with the most of the ``highlight``
    stems and ``phrases`` (stems side by side), about ``size`` words, every matched word in
    <mark>; everything else escaped. The last text (the full text) is read only when the
    others have no match."""
    best = None  # (distinct matches, matches, -text index, text, spans, start, hit)
    for index, text in enumerate(texts):
        if not text:
            continue
        if index == len(texts) - 1 and best is not None and best[0] > 0:
            break  # the last text (the full text) only when the others have no match
        spans = word_spans(text)
        if not spans:
            continue
        stems = [stem(w) for _, _, w in spans]
        hit = [
            s in highlight and w not in STOPWORDS for s, (_, _, w) in zip(stems, spans, strict=True)
        ]
        for phrase in phrases:
            n = len(phrase)
            first = phrase[0]
            for i, s in enumerate(stems):
                if s == first and tuple(stems[i : i + n]) == phrase:
                    for j in range(i, i + n):
                        hit[j] = True
        if best is None:
            best = (0, 0, -index, text, spans, 0, hit)
        if not any(hit):
            continue
        for start in (i for i, h in enumerate(hit) if h):
            begin = max(0, start - 3)
            window = range(begin, min(len(spans), begin + size))
            distinct = len({stems[i] for i in window if hit[i]})
            count = sum(hit[i] for i in window)
            candidate = (distinct, count, -index, text, spans, begin, hit)
            if candidate[:3] > best[:3]:
                best = candidate
    if best is None:
        return SafeString("")
    _, _, _, text, spans, begin, hit = best
    end = min(len(spans), begin + size)
    out = ["…" if begin > 0 else ""]
    position = spans[begin][0]
    for i in range(begin, end):
        start, stop, _ = spans[i]
        out.append(escape(text[position:start]))
        word = escape(text[start:stop])
        out.append(f"<mark>{word}</mark>" if hit[i] else word)
        position = stop
    if end < len(spans):
        out.append("…")
    else:
        out.append(escape(text[position:].rstrip()))
    return mark_safe("".join(out).strip())  # every piece of text is escaped above


# "Have we seen this before?" -------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarItem:
    """A library record, or one of the partnership's own findings or recommendations."""

    kind: str  # "record", "finding" or "recommendation"
    id: int
    title: str
    text: str
    year: int | None
    score: float
    review_id: int | None = None
    review_reference: str = ""
    review_title: str = ""
    actions: tuple[tuple[str, int], ...] = ()  # (status label, number of actions)


def _rank_records_by_vector(
    cat: Catalogue,
    query_vectors: np.ndarray,
    partnership_id: int | None,
    exclude_row: int | None = None,
    public_only: bool = False,
) -> list[tuple[int, float]]:
    if not len(cat.vectors) or not len(query_vectors):
        return []
    similarity = (cat.vectors @ query_vectors.T).max(axis=1)
    best = np.full(len(cat.ids), -1.0, dtype=np.float32)
    np.maximum.at(best, cat.vector_rows, similarity)
    allowed = np.ones(len(cat.ids), dtype=bool)
    if partnership_id is not None:
        allowed &= cat.partnership == partnership_id
    if public_only:
        allowed &= cat.public
    if exclude_row is not None:
        allowed[exclude_row] = False
    best[~allowed] = -1.0
    order = np.argsort(-best, kind="stable")
    return [(int(row), float(best[row])) for row in order if best[row] > 0]


def _record_items(cat: Catalogue, ranked: list[tuple[int, float]]) -> list[SimilarItem]:
    ids = [int(cat.ids[row]) for row, _ in ranked]
    records = {
        r["pk"]: r
        for r in LibraryRecord.objects.filter(pk__in=ids).values("pk", "title", "summary", "year")
    }
    items = []
    for row, score in ranked:
        r = records.get(int(cat.ids[row]))
        if r is not None:
            items.append(
                SimilarItem(
                    kind="record",
                    id=r["pk"],
                    title=r["title"],
                    text=_excerpt(r["summary"]),
                    year=r["year"],
                    score=round(score, 4),
                )
            )
    return items


def _excerpt(text: str, size: int = 60) -> str:
    parts = text.split()
    return " ".join(parts[:size]) + (" …" if len(parts) > size else "")


def similar_records(record, limit: int = 5, public_only: bool = False) -> list[SimilarItem]:
    """The partnership's live records most like ``record`` (by meaning, or by shared words
    when no sentence model is installed), best first."""
    cat = catalogue()
    row = cat.row_of.get(record.pk)
    if embeddings.available() and len(cat.vectors):
        if row is not None:
            own = cat.vectors[cat.vector_rows == row]
        else:
            own = embeddings.embed([embeddings.record_passages(record)[0]])
        ranked = _rank_records_by_vector(
            cat, own, record.partnership_id, exclude_row=row, public_only=public_only
        )
        return _record_items(cat, ranked[:limit])
    words_ = content_words(f"{record.title} {record.themes_text} {record.summary}")[:20]
    matches = search_index.keyword_matches(
        [[w] for w in words_], partnership_id=record.partnership_id, public_only=public_only
    )
    ranked = [
        (cat.row_of[pk], score) for pk, score in matches if pk != record.pk and pk in cat.row_of
    ]
    return _record_items(cat, ranked[:limit])


def _finding_texts(partnership, exclude_review_id):
    from safeguarding.actions.models import Recommendation
    from safeguarding.reviews.models import Finding

    findings = Finding.objects.filter(review__partnership=partnership)
    recommendations = Recommendation.objects.filter(review__partnership=partnership)
    if exclude_review_id is not None:
        findings = findings.exclude(review_id=exclude_review_id)
        recommendations = recommendations.exclude(review_id=exclude_review_id)
    items = []
    for f in findings.values(
        "pk", "title", "text", "created_at", "review_id", "review__reference", "review__title"
    ):
        items.append(
            {
                "kind": "finding",
                "id": f["pk"],
                "title": f["title"],
                "text": f["text"],
                "embed": f"{f['title']}. {f['text']}",
                "year": f["created_at"].year if f["created_at"] else None,
                "review_id": f["review_id"],
                "review_reference": f["review__reference"],
                "review_title": f["review__title"],
            }
        )
    for r in recommendations.values(
        "pk", "number", "text", "agreed_on", "review_id", "review__reference", "review__title"
    ):
        items.append(
            {
                "kind": "recommendation",
                "id": r["pk"],
                "title": f"Recommendation {r['number']}",
                "text": r["text"],
                "embed": r["text"],
                "year": r["agreed_on"].year if r["agreed_on"] else None,
                "review_id": r["review_id"],
                "review_reference": r["review__reference"],
                "review_title": r["review__title"],
            }
        )
    return items


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


MAX_NEW_VECTORS = 200  # finding vectors computed in one call (``store_finding_vectors``: all)


def _finding_vectors(items: list[dict]) -> np.ndarray:
    """The vector of each of the partnership's findings and recommendations, from
    ``FindingVector`` rows, computing (and storing) those missing or whose text changed: at
    most MAX_NEW_VECTORS in one call (the others score 0 until a later call)."""
    from .models import FindingVector

    if not items:
        return np.zeros((0, embeddings.DIM), np.float32)
    stored = {}
    by_kind = defaultdict(list)
    for item in items:
        by_kind[item["kind"]].append(item["id"])
    from django.db.models import Q

    condition = Q()
    for kind, ids in by_kind.items():
        condition |= Q(kind=kind, object_id__in=ids)
    for kind, object_id, digest, blob in FindingVector.objects.filter(condition).values_list(
        "kind", "object_id", "text_hash", "vector"
    ):
        stored[(kind, object_id)] = (digest, blob)
    vectors = np.zeros((len(items), embeddings.DIM), np.float32)
    missing = []
    for i, item in enumerate(items):
        digest = text_hash(item["embed"])
        found = stored.get((item["kind"], item["id"]))
        if found and found[0] == digest:
            vectors[i] = np.frombuffer(bytes(found[1]), dtype=np.float32)
        else:
            missing.append((i, digest, found is not None))
    skipped = missing[MAX_NEW_VECTORS:]
    missing = missing[:MAX_NEW_VECTORS]
    for i, _, _ in skipped:  # left for the next call; not offered this time
        vectors[i] = 0.0
    if missing:
        computed = embeddings.embed([items[i]["embed"] for i, _, _ in missing])
        stale = Q()
        for i, _, existed in missing:
            if existed:
                stale |= Q(kind=items[i]["kind"], object_id=items[i]["id"])
        if stale:
            FindingVector.objects.filter(stale).delete()
        FindingVector.objects.bulk_create(
            [
                FindingVector(
                    kind=items[i]["kind"],
                    object_id=items[i]["id"],
                    text_hash=digest,
                    vector=computed[n].astype(np.float32).tobytes(),
                )
                for n, (i, digest, _) in enumerate(missing)
            ]
        )
        for n, (i, _, _) in enumerate(missing):
            vectors[i] = computed[n]
    return vectors


def store_finding_vectors(partnership, log=None) -> int:
    """Compute every missing or stale vector of the partnership's findings and
    recommendations (``search_library --rebuild`` does this for every partnership)."""
    items = _finding_texts(partnership, None)
    for start in range(0, len(items), MAX_NEW_VECTORS):
        _finding_vectors(items[start : start + MAX_NEW_VECTORS])
        if log:
            log(f"{partnership}: vectors of {min(start + MAX_NEW_VECTORS, len(items))} findings")
    return len(items)


def _fallback_similarity(text: str, others: list[str]) -> np.ndarray:
    """Without a sentence model: the cosine of the texts' stem counts."""
    query = Counter(stem(w) for w in content_words(text))
    norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
    out = np.zeros(len(others), np.float32)
    for i, other in enumerate(others):
        counts = Counter(stem(w) for w in content_words(other))
        dot = sum(query[k] * counts.get(k, 0) for k in query)
        other_norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
        out[i] = dot / (norm * other_norm)
    return out


def _action_summaries(items: list[SimilarItem]) -> dict[tuple[str, int], tuple]:
    """For own findings and recommendations: how many of their actions are in each status."""
    from safeguarding.actions.models import Action

    finding_ids = [i.id for i in items if i.kind == "finding"]
    recommendation_ids = [i.id for i in items if i.kind == "recommendation"]
    if not finding_ids and not recommendation_ids:
        return {}
    labels = dict(Action.Status.choices)
    counts: dict[tuple[str, int], Counter] = defaultdict(Counter)
    from django.db.models import Q

    rows = (
        Action.objects.filter(
            Q(recommendation_id__in=recommendation_ids)
            | Q(recommendation__findings__in=finding_ids)
        )
        .values_list("pk", "status", "recommendation_id", "recommendation__findings")
        .distinct()
    )
    seen = set()
    for pk, status, recommendation_id, finding_id in rows:
        if recommendation_id in recommendation_ids and ("r", pk) not in seen:
            seen.add(("r", pk))
            counts[("recommendation", recommendation_id)][status] += 1
        if finding_id in finding_ids and ("f", pk, finding_id) not in seen:
            seen.add(("f", pk, finding_id))
            counts[("finding", finding_id)][status] += 1
    return {
        key: tuple((labels.get(s, s), n) for s, n in sorted(c.items(), key=lambda x: -x[1]))
        for key, c in counts.items()
    }


def similar_texts(
    partnership, text: str, limit: int = 5, exclude_review_id: int | None = None
) -> list[SimilarItem]:
    """ "Have we seen this before?": the partnership's library records and its own findings and
    recommendations (not those of ``exclude_review_id``, the review being written) most like
    ``text``, best first, with the year and, for own ones, their actions by status."""
    if not text or not text.strip():
        return []
    cat = catalogue()
    items = _finding_texts(partnership, exclude_review_id)
    candidates: list[tuple[float, SimilarItem | tuple]] = []
    if embeddings.available():
        query_vector = embeddings.embed([text])
        own = _finding_vectors(items)
        own_scores = own @ query_vector[0] if len(own) else np.zeros(0)
        ranked = _rank_records_by_vector(cat, query_vector, partnership.pk)[:limit]
    else:
        own_scores = _fallback_similarity(text, [i["embed"] for i in items])
        matches = search_index.keyword_matches(
            [[w] for w in content_words(text)][:30],
            partnership_id=partnership.pk,
            public_only=False,
        )
        top = matches[0][1] if matches else 1.0
        ranked = [
            (cat.row_of[pk], 0.5 * score / top) for pk, score in matches[:limit] if pk in cat.row_of
        ]
    for item in _record_items(cat, ranked):
        candidates.append((item.score, item))
    for i, item in enumerate(items):
        score = float(own_scores[i])
        if score > 0:
            candidates.append(
                (
                    score,
                    SimilarItem(
                        kind=item["kind"],
                        id=item["id"],
                        title=item["title"],
                        text=_excerpt(item["text"]),
                        year=item["year"],
                        score=round(score, 4),
                        review_id=item["review_id"],
                        review_reference=item["review_reference"],
                        review_title=item["review_title"],
                    ),
                )
            )
    candidates.sort(key=lambda c: (-c[0], c[1].kind, c[1].id))
    chosen = [item for _, item in candidates[:limit]]
    summaries = _action_summaries(chosen)
    return [replace(item, actions=summaries.get((item.kind, item.id), ())) for item in chosen]
