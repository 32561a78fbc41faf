"""Loading what library search needs before the first search of a process, so that no search
waits for it (docs/search.md, "In the web server"). The web server does this once, in
gunicorn's master process before it forks the workers (config/gunicorn.conf.py), so that the
workers share the memory; management commands and tests do not.

- ``load_process()``: the sentence model, the English word frequencies of the spelling
  correction and its list of common English words; no database. Run when the app starts if
  LIBRARY_WARM_UP is set (apps.py).
- ``load_catalogue()``: the per-process catalogue of the live records and the library's
  vocabulary (``search_catalogue.py``), from the database, and what the first search would
  otherwise work out from them (PostgreSQL speed round four, docs/search.md): the search terms
  prepared for each partnership and for every partnership, the themes' names, each record's
  copies for grouping, and Django's table of the models' relations. A worker keeps using them
  until the library changes. (No search is run: its query vector's thread, started in the
  master, would not exist in a forked worker.)
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def load_process() -> float:
    """Load the model and the English frequencies; the seconds it took."""
    from . import embeddings, text

    started = time.perf_counter()
    embeddings.warm_up()
    text.english_frequencies()
    text._common_english()
    return time.perf_counter() - started


def load_catalogue() -> float | None:
    """Build the catalogue and the vocabulary; the seconds it took, or None (logged) if the
    database cannot give them (not migrated yet, say): the first search builds them then."""
    from django.db import DatabaseError

    from . import search, search_catalogue, search_query
    from .models import LibraryRecord

    started = time.perf_counter()
    try:
        cat = search_catalogue.catalogue()
        cat.vocabulary()
        for partnership_id in [None, *sorted(set(cat.partnership.tolist()))]:
            search_query._prepared_terms(cat, partnership_id)
        search_query._themes_named(cat, [])
        search._grouping(cat)
        LibraryRecord._meta.get_fields()  # (fills Django's relation tree for every model)
    except DatabaseError:
        logger.warning("Library search catalogue not built at start-up", exc_info=True)
        return None
    seconds = time.perf_counter() - started
    logger.info("Library search catalogue built in %.1f s", seconds)
    return seconds
