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

The search is in four modules, one concern each, importing one way:

- ``search.py`` (this module): ranking and querying: the fusion, filters and facets, hits and
  their snippets;
- ``search_query.py``: understanding the query: spelling corrections and search terms (steps 1
  and 2 above);
- ``search_catalogue.py``: the per-process catalogue the other modules read;
- ``search_index.py``: the database's full-text index (schema, keeping it in step, the keyword
  query). "Have we seen this before?" is ``similar.py``; the vectors of findings it keeps are
  written by ``finding_vectors.py``.
"""

from __future__ import annotations

import html
import itertools
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.db.models.functions import Substr
from django.utils.safestring import SafeString, mark_safe

from . import embeddings, search_index, search_postings
from .models import AgeGroup, LibraryRecord, ReviewType
from .search_catalogue import Catalogue, catalogue
from .search_query import Analysis, analyse
from .text import STOPWORDS, WORD, stem, word_spans

FACETS = ("review_type", "year", "age_group", "theme", "publisher")
SNIPPET_WORDS = 30
MAX_QUERY_CHARS = 500  # longer queries are cut (words past it would not help the ranking)
FULL_TEXT_FOR_SNIPPET = 20_000  # characters of the full text a snippet may come from

# Fusion (tuned on bench/search_quality.py; see docs/search.md): a hit's score is
# KEYWORD_WEIGHT / (RRF_K + rank by the query's own words)
# + EXPANSION_WEIGHT / (RRF_K + rank by the synonyms and abbreviations it brought in)
# + MEANING_WEIGHT / (RRF_K + rank by meaning).
RRF_K = 20
KEYWORD_WEIGHT = 1.0
EXPANSION_WEIGHT = 0.7
MEANING_WEIGHT = 1.0
QUERY_VECTORS_KEPT = 512  # the vectors of the latest queries, per process
MEANING_CANDIDATES = 200  # records taken from the meaning ranking
MEANING_MIN_SIMILARITY = 0.2  # below this cosine a record is not "about" the query
# ... and its share of MEANING_WEIGHT grows from nothing there to all of it at this cosine
MEANING_FULL_SIMILARITY = 0.35
# Rare exact words dominate (issue 15): on top of its rank, a record gets KEYWORD_SCORE_WEIGHT
# × (its keyword score ÷ the best keyword score). The index's score is BM25 (or IDF-weighted
# on PostgreSQL), so a record holding the query's rare words stands far above those that hold
# only its common ones, which reciprocal ranks alone would flatten.
KEYWORD_SCORE_WEIGHT = 0.15
# Near-duplicates: among the first GROUP_DEPTH results, a record that tells the same story in
# the same words as a better-placed result is grouped under it: the cosine of their first
# passages (title, themes, summary, learning) at least NEAR_DUPLICATE (records without a full
# text are never near-duplicates: a title alone, "Child A" and "Child B", says too little).
# The same review held twice (title, publisher, year) is grouped too. Chosen from the records'
# similarities on the bench (no query involved): its distinct real reviews stay below 0.8 on
# the first passage (the closest pair 0.757), records made from one template are at 0.86 on
# average. (Until issue 15's second round the starts of the full texts had to be at least 0.8
# too; they are no help: real reviews' full texts start alike, up to 0.87, and half the
# template pairs fell below it.) Copies are grouped too, and more surely (issue 15, fourth
# round): records that share a fifth of their summary's and learning's wording word for word
# (``Catalogue.copies``), and a copy of a grouped record joins its group, so that records filled
# in from one template are one result. The cosine alone missed most of them (a template's
# records are at 0.2–0.95 with each other) and can join distinct reviews (a real review and a
# template record reach 0.88 on the bench); shared wording does neither.
NEAR_DUPLICATE = 0.8
GROUP_DEPTH = 300
# Diversity (issue 15: records on one topic crowd out the one that answers): the first
# DIVERSE_DEPTH results are reordered by maximal marginal relevance, each place going to the
# record with the best (score ÷ best score) − DIVERSITY × (its greatest cosine with a record
# already placed above it), on their first passages. Nothing is dropped; the first result
# stays first. 1.0 from 0.1–2 on the bench's tuning half (0.75–1.5 score alike; 2 moved a
# keyword query's answer out of the first five). 0.5 since copies are grouped (issue 15, fourth
# round: with templates folded into one result, a strong penalty mostly pushed down real
# reviews on the same topic as a template's; 0, 0.25, 0.5 and 1 tried on both development sets).
DIVERSE_DEPTH = 50
DIVERSITY = 0.5
# A "confident" match scores at least this share of the best match's score: the total the
# page leads with, for a common phrase that half the library mentions somewhere.
CONFIDENT_SHARE = 0.5
YEAR_FILTERS = ("year_from", "year_to")
# A review type or age group named in the query ("SARs about care homes", "babies"): the
# records of that kind score (1 + FACET_BOOST) times as much, for each of the two that matches.
FACET_BOOST = 0.5
# A theme of the library's taxonomy whose whole name the query holds ("domestic abuse",
# "neglect"): its records score (1 + THEME_BOOST) times as much (ranking round six). Less than a
# review type's boost: a theme's name is also ordinary words, and the index already ranks the
# record's theme names. 0.2 from 0, 0.2 and 0.5 on the four development sets (0.5 lost facet
# recall on one of them).
THEME_BOOST = 0.2


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
    year: int | None  # None: not known
    age_group: str
    partnership_id: int
    is_public: bool
    url: str = ""
    grouped: int = 0  # near-duplicates grouped under this hit (not listed on their own)


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
    confident: int = 0  # matches scoring at least CONFIDENT_SHARE of the best (the first ones)
    grouped: int = 0  # near-duplicates folded into the hits before them (not in ``total``)
    year_from: int | None = None  # the year range the query's own words asked for
    year_to: int | None = None
    year_text: str = ""  # those words as typed ("since 2019")

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


# Searching ------------------------------------------------------------------------------------


def _year(value) -> int | None:
    if isinstance(value, list | tuple | set | frozenset):
        value = next(iter(value), None)
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 4 else None


def _normalise_filters(filters: dict | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, value in (filters or {}).items():
        if name in YEAR_FILTERS:
            year = _year(value)
            if year is not None:
                out[name] = {str(year)}
            continue
        if name not in FACETS or value in (None, "", [], ()):
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        out[name] = {str(v) for v in values if v not in (None, "")}
    return {k: v for k, v in out.items() if v}


def _passes(cat: Catalogue, row: int, filters: dict[str, set[str]], skip: str = "") -> bool:
    for name, wanted in filters.items():
        if name == skip or (skip == "year" and name in YEAR_FILTERS):
            continue
        if name in YEAR_FILTERS:
            # A year range never matches a record whose year is not known.
            year = cat.facet_values["year"][row]
            if not year:
                return False
            bound = int(next(iter(wanted)))
            if (name == "year_from" and int(year) < bound) or (
                name == "year_to" and int(year) > bound
            ):
                return False
            continue
        value = cat.facet_values[name][row]
        if isinstance(value, tuple):
            if not wanted.intersection(value):
                return False
        elif value not in wanted:
            return False
    return True


@lru_cache(maxsize=QUERY_VECTORS_KEPT)
def _query_vector(text: str) -> np.ndarray:
    """The sentence vector of a query, kept per process: turning a page or choosing a filter
    searches the same words again, and the model is most of a search's time. From the model's
    8-bit query graph (``embeddings.embed_query``; the records' vectors are float32)."""
    vector = embeddings.embed_query(text)
    vector.setflags(write=False)
    return vector


# The query's vector is worked out in this thread while the full-text ranking runs in the
# request's own: onnxruntime lets go of the GIL while it works, so a search takes about the
# longer of the two, not their sum. One thread per process: the model runs one batch at a time
# anyway (``embeddings.Embedder.lock``). The thread does nothing but the vector: the similarities
# with the records' vectors are worked out in the request's thread once the vector is there
# (issue 15, fifth speed round). In the thread, each numpy step that lets go of the GIL (the
# product with every passage vector) had to win it back from the request's thread, busy with
# Python, which gives it up only every ``sys.getswitchinterval()`` (5 ms).
_embedder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="library-query-vector")


def _start_query_vector(cat: Catalogue, text: str) -> Future | None:
    """The query's vector, started now in ``_embedder`` (None when vectors are off)."""
    if not embeddings.available() or not len(cat.vectors):
        return None
    return _embedder.submit(_query_vector, text)


def _meaning_ranking(
    cat: Catalogue, query_vector: np.ndarray, partnership_id: int | None, public_only: bool
) -> list[tuple[int, float]]:
    """(catalogue row, similarity) of the records closest in meaning to the query whose
    sentence vector is ``query_vector``, best first, down to MEANING_MIN_SIMILARITY."""
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

    def in_index(candidates: list[str]) -> set[str]:
        return search_index.words_in_index(
            candidates, partnership_id=partnership_id, public_only=public_only
        )

    analysis = analyse(query, cat, partnership_id, smart=mode == "smart", in_index=in_index)
    wanted = _normalise_filters(filters)
    # Year words in the query narrow the years chosen on the page (both apply).
    for name, year, pick in (
        ("year_from", analysis.year_from, max),
        ("year_to", analysis.year_to, min),
    ):
        if year is not None:
            chosen = _year(wanted.get(name))
            wanted[name] = {str(year if chosen is None else pick(year, chosen))}
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))

    # The fusion is worked out in numpy, one array of scores by catalogue row, each list's
    # share added in the same order and with the same operations as a loop of Python floats
    # would (so the same sums to the last bit: the ranking must not move, issue 15).
    total = np.zeros(len(cat.ids), dtype=np.float64)
    listed: list[list[int]] = []  # each list's rows, in fusion order (the rows' first mention)

    def fuse(ranking: list[int], weight: float, shares=None) -> None:
        if not ranking:
            return
        listed.append(ranking)
        ranks = np.arange(RRF_K + 1, RRF_K + 1 + len(ranking), dtype=np.float64)
        share = 1.0 if shares is None else np.asarray(shares, dtype=np.float64)
        np.add.at(total, np.asarray(ranking, dtype=np.int64), (share * weight) / ranks)

    def rows(matches: list[tuple[int, float]]) -> list[int]:
        return [cat.row_of[pk] for pk, _ in matches if pk in cat.row_of]

    where = {"partnership_id": partnership_id, "public_only": public_only}
    pending = None
    if mode == "smart" and analysis.words and not analysis.names_only:  # while the index works
        pending = _start_query_vector(cat, analysis.meaning_text)
    # The query's own words, what its abbreviations stand for, and (smart mode) its case names
    # and side-by-side words as phrases: a phrase is one more term to the index's ranking,
    # counting for much when it is rare ("child y", "elm court") and nothing when it is common.
    # (One query for both lists, each ranked as if alone: ``keyword_match_lists``; in smart
    # mode on SQLite the same scores worked out in memory, ``search_postings``.)
    lists = [analysis.phrases + analysis.name_phrases, analysis.expansion_phrases]
    if mode == "smart":
        own, expanded = search_postings.keyword_match_lists(cat, lists, **where)
    else:  # the keyword mode, the speed goal's yardstick, keeps the index's own query
        own, expanded = search_index.keyword_match_lists(lists, **where)
    own_rows = rows(own)
    fuse(own_rows, KEYWORD_WEIGHT)
    if mode == "smart" and own and own[0][1] > 0:
        best = own[0][1]
        own_scores = np.array([score for pk, score in own if pk in cat.row_of], dtype=np.float64)
        np.add.at(
            total,
            np.asarray(own_rows, dtype=np.int64),
            (KEYWORD_SCORE_WEIGHT * np.maximum(0.0, own_scores)) / best,
        )
    if analysis.expansion_phrases:
        fuse(rows(expanded), EXPANSION_WEIGHT)
    # Every row with a share, in the order of its first mention (as a dict filled list by
    # list would hold them: the facets count them in this order). The full-text matches'
    # facets are counted now, while the model may still be working out the query's vector
    # (issue 15, fifth speed round); the meaning ranking's other records are added after.
    found = list(dict.fromkeys(itertools.chain.from_iterable(listed)))
    counted = _count_facets(cat, found, wanted)
    if pending is not None:
        meaning = _meaning_ranking(cat, pending.result(), partnership_id, public_only)
        span = MEANING_FULL_SIMILARITY - MEANING_MIN_SIMILARITY
        shares = [min(1.0, (s - MEANING_MIN_SIMILARITY) / span) for _, s in meaning]
        fuse([row for row, _ in meaning], MEANING_WEIGHT, shares)
        seen = set(found)
        more = [row for row in dict.fromkeys(row for row, _ in meaning) if row not in seen]
        found += more
        _count_facets(cat, more, wanted, counted)
    at = np.asarray(found, dtype=np.int64)

    if mode == "smart":
        for name, named in (
            ("review_type", analysis.review_types),
            ("age_group", analysis.age_groups),
        ):
            if named:
                values = cat.facet_values[name]
                boosted = [row for row in found if values[row] in named]
                if boosted:
                    total[np.asarray(boosted, dtype=np.int64)] *= 1 + FACET_BOOST
        if analysis.themes and THEME_BOOST:
            values = cat.facet_values["theme"]
            boosted = [row for row in found if analysis.themes.intersection(values[row])]
            if boosted:
                total[np.asarray(boosted, dtype=np.int64)] *= 1 + THEME_BOOST
    fused = total[at]
    scores: dict[int, float] = dict(zip(found, fused.tolist(), strict=True))  # row → score
    # Best first, equal scores by record id: the catalogue's rows are in record id order, so
    # ordering by score (descending) and then by row is that order, without reading ``cat.ids``.
    matching = at[np.lexsort((at, -fused))].tolist()
    if wanted:
        matching = [row for row in matching if _passes(cat, row, wanted)]
    members: dict[int, list[int]] = {}
    if mode == "smart":  # (the keyword baseline lists every match)
        matching, members = _group(cat, matching)
        matching = _diversify(cat, matching, scores)
    grouped = sum(len(m) for m in members.values())
    facets = _facets(cat, counted, wanted)
    page = matching[offset : offset + limit]
    hits = _hits(cat, page, scores, analysis, members)
    best = scores[matching[0]] if matching else 0.0
    confident = sum(1 for row in matching if scores[row] >= CONFIDENT_SHARE * best)
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
        confident=confident,
        grouped=grouped,
        year_from=analysis.year_from,
        year_to=analysis.year_to,
        year_text=analysis.year_text,
    )


def _group(cat: Catalogue, ranked: list[int]) -> tuple[list[int], dict[int, list[int]]]:
    """``ranked`` with near-duplicates taken out, and {kept row: the rows grouped under it}.
    Among the first GROUP_DEPTH rows, a row is grouped under the best-placed kept row that is
    the same review (``Catalogue.identity``: the same review held by two partnerships is
    listed once) or a near-duplicate of it (see NEAR_DUPLICATE), or under the group of any
    better-placed row that it is a copy of (the same wording: ``Catalogue.copies``). Rows
    past GROUP_DEPTH are left as they are."""
    head, tail = ranked[:GROUP_DEPTH], ranked[GROUP_DEPTH:]
    members: dict[int, list[int]] = {}
    if len(head) < 2:
        return ranked, members
    index = cat.passages[head] if len(cat.passages) else np.full((len(head), 2), -1)
    comparable = (index[:, 0] >= 0) & (index[:, 1] >= 0)  # both passages (see NEAR_DUPLICATE)
    # One product for every pair of the head (300 × 300: well under a millisecond).
    if comparable.any():
        first = cat.vectors[index[:, 0]]  # (a row without both passages is zeroed next)
        first[~comparable] = 0.0
    else:
        first = np.zeros((len(head), cat.vectors.shape[1]), dtype=np.float32)
    # (A row without both passages is all zeros here, so near nothing: NEAR_DUPLICATE > 0. A
    # row's near-duplicates placed below it are never looked at: only kept rows are, and
    # they are placed above it.)
    near = (first @ first.T) >= NEAR_DUPLICATE
    # Copies among the head: each row's copies placed above it, read from each head row's own
    # copies (``Grouping.copy_partners``) rather than from every pair of the catalogue.
    copy = np.zeros((len(head), len(head)), dtype=bool)
    grouping = _grouping(cat)
    if len(grouping.copy_partners):
        rows = np.asarray(head, dtype=np.int64)
        position_of = np.full(len(cat.ids), -1, dtype=np.int64)
        position_of[rows] = np.arange(len(head))
        starts = grouping.copy_offsets[rows]
        counts = grouping.copy_offsets[rows + 1] - starts
        listed = int(counts.sum())
        if listed:
            # The positions in ``copy_partners`` of each head row's partners, one after another.
            at = np.arange(listed) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
            a = np.repeat(np.arange(len(head)), counts)
            b = position_of[grouping.copy_partners[at]]
            both = b >= 0
            copy[np.maximum(a[both], b[both]), np.minimum(a[both], b[both])] = True
    # The walk reads each row's near-duplicates and copies above it as the bits of a Python
    # int, not numpy rows (issue 15, sixth speed round: numpy's per-call cost on 300 rows,
    # most of which have near-duplicates or copies on the bench, was most of the grouping).
    near_above, copies_above = _bit_rows(near), _bit_rows(copy)
    kept: list[int] = []  # positions in head, best-placed first
    kept_vector = 0  # the bits of the kept positions with both passages
    leader_of = list(range(len(head)))  # the position each row is listed under
    group_of: dict[int, int] = {}  # kept position → the bits of the positions listed under it
    by_identity: dict[str, int] = {}
    identities = cat.identity
    comparable_of = comparable.tolist()
    nobody = len(head)
    for position, row in enumerate(head):
        identity = identities[row] if identities else str(row)
        leader = by_identity.get(identity)
        if leader is None:
            close = near_above[position] & kept_vector
            best = _lowest_bit(close) if close else nobody  # the best-placed one
            copies = copies_above[position]
            if copies:
                # A copy of a grouped row joins that row's group: copies of copies are one
                # group. The best-placed group holding any of its copies (at worst the
                # group of its best-placed copy).
                best = min(best, leader_of[_lowest_bit(copies)])
                for placed in kept:
                    if placed >= best:
                        break
                    if group_of[placed] & copies:
                        best = placed
                        break
            if best < nobody:
                leader = best
        if leader is None:
            kept.append(position)
            group_of[position] = 1 << position
            by_identity.setdefault(identity, position)
            if comparable_of[position]:
                kept_vector |= 1 << position
        else:
            leader_of[position] = leader
            group_of[leader] |= 1 << position
            members.setdefault(head[leader], []).append(row)
    return [head[p] for p in kept] + tail, members


@dataclass
class Grouping:
    """Each catalogue row's copies (``Catalogue.copies`` both ways round, by row:
    ``copy_partners[copy_offsets[r]:copy_offsets[r + 1]]``), worked out once per catalogue, so
    that ``_group`` looks up its 300 rows' copies instead of every pair of the library (issue
    15, PostgreSQL speed round two)."""

    copy_offsets: np.ndarray
    copy_partners: np.ndarray
    made_from: np.ndarray  # ``Catalogue.copies`` as it was (a test may replace it)


def _grouping(cat: Catalogue) -> Grouping:
    found = cat.grouping
    if found is not None and found.made_from is cat.copies:
        return found
    pairs = np.asarray(cat.copies, dtype=np.int64).reshape(-1, 2)
    owner = np.concatenate([pairs[:, 0], pairs[:, 1]])
    partner = np.concatenate([pairs[:, 1], pairs[:, 0]])
    offsets = np.zeros(len(cat.ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=len(cat.ids)), out=offsets[1:])
    found = cat.grouping = Grouping(
        copy_offsets=offsets,
        copy_partners=partner[np.argsort(owner, kind="stable")],
        made_from=cat.copies,
    )
    return found


def _bit_rows(matrix: np.ndarray) -> list[int]:
    """Each row of a square boolean matrix as a Python int whose bit j is column j."""
    packed = np.packbits(matrix, axis=1, bitorder="little")
    width, data = packed.shape[1], packed.tobytes()
    return [int.from_bytes(data[i : i + width], "little") for i in range(0, len(data), width)]


def _lowest_bit(bits: int) -> int:
    """The position of the lowest bit set in ``bits`` (not 0)."""
    return (bits & -bits).bit_length() - 1


def _diversify(cat: Catalogue, ranked: list[int], scores: dict[int, float]) -> list[int]:
    """``ranked`` with its first DIVERSE_DEPTH rows in order of maximal marginal relevance
    (see DIVERSITY): a record much like one already above it gives its place to a slightly
    lower-scoring record that says something else."""
    head, tail = ranked[:DIVERSE_DEPTH], ranked[DIVERSE_DEPTH:]
    if DIVERSITY <= 0 or len(head) < 3 or not len(cat.passages):
        return ranked
    first = cat.passages[head, 0]
    has = first >= 0
    vectors = np.zeros((len(head), cat.vectors.shape[1]), dtype=np.float32)
    vectors[has] = cat.vectors[first[has]]
    similar = vectors @ vectors.T  # rows without a vector: 0 with everything
    relevance = np.array([scores[row] for row in head], dtype=np.float32)
    relevance /= relevance[0] if relevance[0] > 0 else 1.0
    placed = [0]
    closest = similar[0].copy()  # each row's greatest similarity to a placed row
    # Each step's values in one buffer, with no new arrays (PostgreSQL speed round four): the
    # penalty, then the relevance less it, then -inf added to the rows placed already (0
    # to the others, which changes no value), as ``np.where`` gave them before.
    placed_off = np.zeros(len(head), dtype=np.float32)
    placed_off[0] = -np.inf
    value = np.empty(len(head), dtype=np.float32)
    for _ in range(len(head) - 1):
        np.multiply(closest, DIVERSITY, out=value)
        np.subtract(relevance, value, out=value)
        value += placed_off
        pick = int(value.argmax())
        placed.append(pick)
        placed_off[pick] = -np.inf
        np.maximum(closest, similar[pick], out=closest)
    return [head[i] for i in placed] + tail


def _count_facets(
    cat: Catalogue,
    rows: list[int],
    wanted: dict[str, set[str]],
    counts: dict[str, Counter] | None = None,
) -> dict[str, Counter]:
    """Each facet's values counted over ``rows`` (each facet over the rows that the other
    facets' filters let through), added to ``counts`` if given. Counting a list in two parts,
    one after the other, gives the same counters, in the same order, as counting it whole: the
    default search counts its full-text matches while the query's vector is worked out, and
    the records only the meaning ranking found once it is there."""
    if counts is None:
        counts = {name: Counter() for name in FACETS}
    # Which rows each filter lets through (once per filter, not once per facet and row).
    passing = {
        name: [_passes(cat, row, {name: chosen}) for row in rows] for name, chosen in wanted.items()
    }
    for name in FACETS:
        values = cat.facet_values[name]
        others = [
            kept
            for other, kept in passing.items()
            if other != name and not (name == "year" and other in YEAR_FILTERS)
        ]
        if others:
            chosen_rows = [row for row, *ok in zip(rows, *others, strict=True) if all(ok)]
        else:
            chosen_rows = rows
        picked = [values[row] for row in chosen_rows]
        if name == "theme":
            counts[name].update(itertools.chain.from_iterable(picked))
        else:
            counts[name].update(picked)
    return counts


def _facets(cat: Catalogue, counted: dict[str, Counter], wanted: dict[str, set[str]]) -> dict:
    """The facets to show from ``_count_facets``'s counts."""
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        counts = counted[name]
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
            counts.pop("", None)  # a year not known is no value to filter by
            keys = sorted(counts, reverse=True)
        else:
            labels = cat.theme_names if name == "theme" else {}
            keys = sorted(counts, key=lambda v: (-counts[v], labels.get(v, v).lower()))
        facets[name] = [
            FacetValue(value=v, label=labels.get(v, v), count=counts[v], selected=v in chosen)
            for v in keys
        ]
    return facets


def _hits(
    cat: Catalogue, rows: list[int], scores: dict, analysis: Analysis, members: dict
) -> list[SearchHit]:
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
                grouped=len(members.get(row, ())),
            )
        )
    return hits


# Snippets -------------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    """The words of ``text`` as ``word_spans`` gives them, without their offsets (the regular
    expression's own list: for a full text several times quicker than the spans)."""
    if text.isascii():
        return WORD.findall(text.lower())
    return [w for _, _, w in word_spans(text)]


def snippet(
    texts: list[str],
    highlight: set[str],
    phrases: list[tuple[str, ...]] = (),
    size: int = SNIPPET_WORDS,
) -> SafeString:
    """The passage of ``texts`` (in order of preference) with the most of the ``highlight``
    stems and ``phrases`` (stems side by side), about ``size`` words, every matched word in
    <mark>; everything else escaped. The last text (the full text) is read only when the
    others have no match; when none has, the start of the first text with words."""
    best = None  # (distinct matches, matches, -text index, text, start, matched positions)
    fallback = ""  # the first text with words
    firsts = {phrase[0] for phrase in phrases}
    for index, text in enumerate(texts):
        if not text:
            continue
        if index == len(texts) - 1 and best is not None:
            break  # the last text (the full text) only when the others have no match
        tokens = _tokens(text)
        if not tokens:
            continue
        fallback = fallback or text
        # Stems only for the distinct words (a full text has thousands of words, a few
        # hundred distinct); a text none of whose words can match is passed over at once.
        distinct = set(tokens)
        if firsts:  # (each distinct word stemmed once for both: PostgreSQL speed round four)
            stems_of = list(zip(distinct, map(stem, distinct), strict=True))
            marked = {w for w, s in stems_of if s in highlight and w not in STOPWORDS}
            starting = {w for w, s in stems_of if s in firsts}
        else:
            marked = {w for w in distinct if w not in STOPWORDS and stem(w) in highlight}
            starting = set()
        if not marked and not starting:
            continue
        hit = {i for i, w in enumerate(tokens) if w in marked}
        for i in [i for i, w in enumerate(tokens) if w in starting] if starting else ():
            first = stem(tokens[i])
            for phrase in phrases:
                n = len(phrase)
                if phrase[0] == first and tuple(stem(t) for t in tokens[i : i + n]) == phrase:
                    hit.update(range(i, i + n))
        if not hit:
            continue
        positions = sorted(hit)
        stems = [stem(tokens[p]) for p in positions]
        # Each window starts 3 words before a matched word and is ``size`` words long; the
        # matched words inside it are kept as a sliding range of ``positions`` (both ends
        # only move forward), with a count of each stem: linear in the matches.
        inside: Counter[str] = Counter()
        low = high = 0
        for start in positions:
            begin = max(0, start - 3)
            end = min(len(tokens), begin + size)
            while high < len(positions) and positions[high] < end:
                inside[stems[high]] += 1
                high += 1
            while positions[low] < begin:
                gone = stems[low]
                inside[gone] -= 1
                if not inside[gone]:
                    del inside[gone]
                low += 1
            candidate = (len(inside), high - low, -index)
            if best is None or candidate > best[:3]:
                best = (*candidate, text, begin, hit)
    if best is None:
        if not fallback:
            return SafeString("")
        text, begin, hit = fallback, 0, set()
    else:
        _, _, _, text, begin, hit = best
    # The words' offsets up to the window's end and one more (is there more after it?): the
    # same as ``word_spans`` gives (lower case changes no ASCII letter's class).
    spans = [m.span() for m in itertools.islice(WORD.finditer(text), begin + size + 1)]
    end = min(len(spans), begin + size)
    # The text between two marked words is escaped in one piece (escaping works character by
    # character, so the same as word by word; issue 15, sixth speed round).
    out = ["…" if begin > 0 else ""]
    position = spans[begin][0]  # the start of the text not yet written
    for i in sorted(hit.intersection(range(begin, end))):
        start, stop = spans[i]
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        position = stop
    if end < len(spans):
        out.append(html.escape(text[position : spans[end - 1][1]]))
        out.append("…")
    else:
        out.append(html.escape(text[position:].rstrip()))
    # Every piece of text is escaped above (``html.escape``, which Django's ``escape`` calls).
    return mark_safe("".join(out).strip())
