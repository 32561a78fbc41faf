"""Keeping the search index and the vectors in step with library records.

The library services call ``record_indexed(record)`` after a record is saved,
``records_indexed(records)`` after an import (inside their transaction) and
``record_unindexed(record)`` after it is archived. The text index is already in step by then
(database triggers, ``search_index.py``). The sentence vectors are not computed in the request:
the record's old vectors are dropped at once (so no search uses the meaning of text that has
changed, and the catch-up can tell the record needs new ones), and once the transaction has
committed a background task (``tasks.compute_record_vectors``, VECTOR_BATCH records a task)
computes the new ones. Until then the record is found by its words alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import transaction


def record_indexed(record) -> None:
    records_indexed([record])


def records_indexed(records: Iterable) -> None:
    """After ``records`` were saved: drop their vectors now and queue the new ones for after the
    commit (archived records get none)."""
    from . import search_index

    ids = [record.pk for record in records if record.archived_at is None]
    if ids and search_index.drop_vectors(ids):
        transaction.on_commit(partial(_queue_vectors, ids), robust=True)


def _queue_vectors(ids: list[int]) -> None:
    from .search_index import VECTOR_BATCH
    from .tasks import compute_record_vectors

    for start in range(0, len(ids), VECTOR_BATCH):
        compute_record_vectors.enqueue(record_ids=ids[start : start + VECTOR_BATCH])


def record_unindexed(record) -> None:
    from . import search_index

    search_index.unindex_record(record)
