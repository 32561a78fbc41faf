"""Writing the sentence vectors of a partnership's findings and recommendations
(``FindingVector``), which "have we seen this before?" (``similar.py``) compares a text with.

A vector is kept with the SHA-256 of the text it was made from and made again when the text
changes. ``finding_vectors`` computes the missing or stale ones as it is asked for them (at most
MAX_NEW_VECTORS in one call); ``store_finding_vectors`` computes all of a partnership's
(``manage.py search_library --rebuild``, through ``search_index.rebuild_index``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np
from django.db.models import Q

from safeguarding.actions.models import Recommendation
from safeguarding.reviews.models import Finding

from . import embeddings
from .models import FindingVector


def finding_texts(partnership, exclude_review_id) -> list[dict]:
    """The partnership's findings and recommendations (not those of ``exclude_review_id``), each
    as a dict: kind, id, title, text, the text to embed, year and the review it belongs to."""
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


def finding_vectors(items: list[dict]) -> np.ndarray:
    """The vector of each of the partnership's findings and recommendations, from
    ``FindingVector`` rows, computing (and storing) those missing or whose text changed: at
    most MAX_NEW_VECTORS in one call (the others score 0 until a later call)."""
    if not items:
        return np.zeros((0, embeddings.DIM), np.float32)
    stored = {}
    by_kind = defaultdict(list)
    for item in items:
        by_kind[item["kind"]].append(item["id"])
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
    items = finding_texts(partnership, None)
    for start in range(0, len(items), MAX_NEW_VECTORS):
        finding_vectors(items[start : start + MAX_NEW_VECTORS])
        if log:
            log(f"{partnership}: vectors of {min(start + MAX_NEW_VECTORS, len(items))} findings")
    return len(items)
