"""Keeping the search index and the vectors in step with library records.

``record_indexed(record)`` is called by the library services after a record is saved (inside
their transaction); ``record_unindexed(record)`` after it is archived. The search helper's
implementation lives in search_index.py and embeddings.py.
"""


def record_indexed(record) -> None:
    from . import search_index

    search_index.index_record(record)


def record_unindexed(record) -> None:
    from . import search_index

    search_index.unindex_record(record)
