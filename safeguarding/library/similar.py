""" "Have we seen this before?" (docs/search.md): the library records, and the partnership's
own findings and recommendations, most like a text (``similar_texts``, wired into the action
plan forms by ``settings.SIMILAR_LEARNING_FINDER``) or like a record (``similar_records``, the
"similar reviews" of a record's page). By meaning with the sentence model; by shared words
without it. The vectors of findings and recommendations come from ``finding_vectors.py``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import numpy as np
from django.db.models import Q

from safeguarding.actions.models import Action

from . import embeddings, search_index
from .finding_vectors import finding_texts, finding_vectors
from .models import LibraryRecord
from .search_catalogue import Catalogue, catalogue
from .text import content_words, stem


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
    when no sentence model is installed), best first.

    Which records they are is worked out once per state of the library and kept in the
    catalogue (any change to a record, its themes, its vectors or the search terms makes a new
    one): ranking the record against every record of the library grew with the library
    (issue 16: 0.8 ms for 40 records, 4.8 ms for 400). Their titles and summaries are read
    afresh."""
    cat = catalogue()
    return _record_items(cat, _kept_ranked(cat, record, limit, public_only))


def similar_record_ids(record, limit: int = 5, public_only: bool = False) -> list[int]:
    """The ids of ``similar_records``' records, in its order, without reading them (a record's
    page reads the ones it shows itself; issue 16)."""
    cat = catalogue()
    return [int(cat.ids[row]) for row, _ in _kept_ranked(cat, record, limit, public_only)]


def _kept_ranked(cat: Catalogue, record, limit: int, public_only: bool) -> list[tuple[int, float]]:
    key = (record.pk, public_only, limit)
    ranked = cat.similar.get(key)
    if ranked is None:
        ranked = _similar_ranked(cat, record, limit, public_only)
        cat.similar[key] = ranked
    return ranked


def _similar_ranked(
    cat: Catalogue, record, limit: int, public_only: bool
) -> list[tuple[int, float]]:
    row = cat.row_of.get(record.pk)
    if embeddings.available() and len(cat.vectors):
        if row is not None:
            own = cat.vectors[cat.vector_rows == row]
        else:
            own = embeddings.embed([embeddings.record_passages(record)[0]])
        ranked = _rank_records_by_vector(
            cat, own, record.partnership_id, exclude_row=row, public_only=public_only
        )
        return ranked[:limit]
    words_ = content_words(f"{record.title} {record.themes_text} {record.summary}")[:20]
    matches = search_index.keyword_matches(
        [[w] for w in words_], partnership_id=record.partnership_id, public_only=public_only
    )
    ranked = [
        (cat.row_of[pk], score) for pk, score in matches if pk != record.pk and pk in cat.row_of
    ]
    return ranked[:limit]


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
    finding_ids = [i.id for i in items if i.kind == "finding"]
    recommendation_ids = [i.id for i in items if i.kind == "recommendation"]
    if not finding_ids and not recommendation_ids:
        return {}
    labels = dict(Action.Status.choices)
    counts: dict[tuple[str, int], Counter] = defaultdict(Counter)
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
    items = finding_texts(partnership, exclude_review_id)
    candidates: list[tuple[float, SimilarItem | tuple]] = []
    if embeddings.available():
        query_vector = embeddings.embed([text])
        own = finding_vectors(items)
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
