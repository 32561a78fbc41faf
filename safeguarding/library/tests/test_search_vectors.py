"""Record vectors are computed by a background task after the commit, not in the request: the
record is found by its words at once and by its meaning once the task has run; an import queues
its records in batches; ``search_library --missing-vectors`` catches up any record left
without vectors (docs/search.md)."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings
from django_tasks import default_task_backend

from safeguarding.library import embeddings, search_index, services
from safeguarding.library.models import LibraryRecord, RecordVector
from safeguarding.library.search import search_records
from safeguarding.library.tasks import compute_record_vectors

from .search_support import make_record

pytestmark = [pytest.mark.django_db, pytest.mark.search_vectors]  # the model on (off elsewhere)

# Installed, not `available()`: the test settings turn vectors off until a test asks for them.
needs_model = pytest.mark.skipif(not embeddings._installed(), reason="no sentence model installed")

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
SLEEP = {
    "title": "Child K: a baby who died in the parents' bed",
    "review_type": "cspr",
    "publisher": "Testshire Safeguarding Partnership",
    "year": 2024,
    "summary": "The infant was found unresponsive after sharing a bed with parents who had "
    "been drinking alcohol. Safer sleep advice had not been repeated after the birth.",
}
# No word of the record: only its meaning can find it.
PARAPHRASE = "little one passed away next to mum and dad after a night out"


def _add(partnership, user, **values):
    return services.record_add(partnership=partnership, actor=user, **(SLEEP | values))


@needs_model
def test_a_saved_record_gets_its_vectors_after_the_commit(
    partnership, business_unit_user, django_capture_on_commit_callbacks
):
    make_record(partnership, title="Hoarding and self-neglect", summary="A cluttered flat.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record = _add(partnership, business_unit_user)
    (queue,) = _vector_callbacks(callbacks)
    assert not RecordVector.objects.filter(record=record).exists()  # none in the request
    assert search_records(partnership, "unresponsive infant").hits[0].record_id == record.pk
    assert record.pk not in [h.record_id for h in search_records(partnership, PARAPHRASE).hits]

    queue()  # the commit: the immediate backend runs the task
    assert RecordVector.objects.filter(record=record).count() == 1
    assert search_records(partnership, PARAPHRASE).hits[0].record_id == record.pk


@needs_model
def test_a_change_drops_the_old_vectors_at_once(
    partnership, business_unit_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = _add(partnership, business_unit_user)
    before = RecordVector.objects.get(record=record).vector
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.record_update(
            record=record,
            actor=business_unit_user,
            **(SLEEP | {"summary": "Cuckooing: a man's flat was taken over by drug dealers."}),
        )
    assert not RecordVector.objects.filter(record=record).exists()
    (queue,) = _vector_callbacks(callbacks)
    queue()
    assert bytes(RecordVector.objects.get(record=record).vector) != bytes(before)


def _vector_callbacks(callbacks):
    """The callbacks that queue vectors (the public pages' content version adds its own, ADR
    0023)."""
    return [c for c in callbacks if getattr(c, "__name__", "") != "forget_read_versions"]


@override_settings(TASKS=DUMMY_TASKS)
def test_an_import_queues_its_records_in_batches(
    partnership, business_unit_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(search_index, "VECTOR_BATCH", 2)
    rows = [SLEEP | {"external_id": f"x-{n}", "title": f"Review {n}"} for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.library_import(
            partnership=partnership,
            actor=business_unit_user,
            source=json.dumps({"records": rows}).encode(),
            name="records.json",
        )
    assert result.created == 5
    assert len(_vector_callbacks(callbacks)) == 1  # one for the whole import
    queued = default_task_backend.results
    assert [r.task.name for r in queued] == [compute_record_vectors.name] * 3
    ids = sorted(LibraryRecord.objects.values_list("pk", flat=True))
    assert [r.kwargs["record_ids"] for r in queued] == [ids[0:2], ids[2:4], ids[4:5]]
    assert not RecordVector.objects.exists()  # the worker has not run them
    # the words are searchable at once
    assert search_records(partnership, "unresponsive infant", mode="keyword").total == 5


def test_nothing_is_queued_without_the_model(
    partnership, business_unit_user, django_capture_on_commit_callbacks, settings
):
    settings.LIBRARY_SEARCH_VECTORS = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _add(partnership, business_unit_user)
    assert _vector_callbacks(callbacks) == []


@needs_model
def test_missing_vectors_are_caught_up(partnership):
    live = make_record(partnership, title="Neglect of a toddler", summary="Poor home conditions.")
    waiting = make_record(partnership, title="Neglect of twins", index=False)
    archived = make_record(partnership, title="Neglect of an infant", index=False)
    archived.archived_at = archived.modified_at
    archived.save()
    assert search_index.records_missing_vectors() == [waiting.pk]

    out = StringIO()
    call_command("search_library", "--missing-vectors", stdout=out)
    assert "1 records" in out.getvalue()
    assert RecordVector.objects.filter(record=waiting).exists()
    assert not RecordVector.objects.filter(record=archived).exists()
    assert RecordVector.objects.filter(record=live).count() == 1
    assert search_index.records_missing_vectors() == []

    RecordVector.objects.filter(record=waiting).delete()
    out = StringIO()
    call_command("search_library", "--missing-vectors", "--enqueue", stdout=out)
    assert "Queued the missing vectors" in out.getvalue()  # the immediate backend ran it
    assert search_index.records_missing_vectors() == []


@needs_model
def test_the_query_vector_is_worked_out_beside_the_index_query(partnership, business_unit_user):
    """The query's vector is embedded in the search module's own thread while the full-text
    queries run in the request's (issue 15: the time is the longer of the two, not their
    sum), and the search finds by meaning exactly as when the vector is made first."""
    import threading

    from safeguarding.library import search
    from safeguarding.library.search_catalogue import catalogue

    with TestCase.captureOnCommitCallbacks(execute=True):
        record = _add(partnership, business_unit_user)
    threads = []
    embed_query = embeddings.embed_query

    def spy(text):
        threads.append(threading.current_thread().name)
        return embed_query(text)

    search._query_vector.cache_clear()
    try:
        embeddings.embed_query = spy
        found = search_records(partnership, PARAPHRASE)
    finally:
        embeddings.embed_query = embed_query
    assert threads and threads[0].startswith("library-query-vector")
    assert threads[0] != threading.current_thread().name
    assert found.hits[0].record_id == record.pk
    pending = search._start_query_vector(catalogue(), PARAPHRASE)
    assert pending is not None
    assert np.array_equal(pending.result(), embed_query(PARAPHRASE))
