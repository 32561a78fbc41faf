"""Background tasks of the library (django-tasks; see safeguarding/clock/tasks.py): the sentence
vectors of records, computed after the save that changed them has committed, so that saving or
importing records never waits for the model (``indexing.py``, docs/search.md). In production
they wait in the database until ``manage.py db_worker`` runs them; in development and tests the
immediate backend runs them at once, after the commit."""

from django_tasks import task

from . import embeddings, search_index


@task()
def compute_record_vectors(record_ids: list[int]) -> int:
    """Compute the vectors of these records (the live ones) from their text as it is now;
    return how many records got vectors. Safe to run late or more than once."""
    return search_index.store_vectors(record_ids)


@task()
def compute_missing_vectors() -> int:
    """Compute the vectors of every live record that has none (saved while no worker ran, or
    whose task failed), and of the findings and recommendations missing theirs; return how many
    records got vectors. ``search_library --missing-vectors [--enqueue]`` runs it daily."""
    from safeguarding.accounts.models import Partnership

    from .finding_vectors import store_finding_vectors

    if not embeddings.available():
        return 0
    done = search_index.store_vectors(search_index.records_missing_vectors())
    for partnership in Partnership.objects.order_by("pk"):
        store_finding_vectors(partnership)
    return done
