"""The demo's library records all get their sentence vectors while `load_demo` runs (the
background task runs after its transaction commits: immediate backend), and the model loads
through a temporary folder that it leaves behind empty (issue 16: `load_demo` under 400 MB)."""

import tempfile

import numpy as np
import pytest
from django.core.management import call_command

from safeguarding.library import embeddings, search_index
from safeguarding.library.models import LibraryRecord, RecordVector

# Whether the package is installed: `available()` also reads LIBRARY_SEARCH_VECTORS, which
# the test settings turn off, so asking it here skipped these tests everywhere.
needs_model = pytest.mark.skipif(not embeddings._installed(), reason="no sentence model installed")


@needs_model
@pytest.mark.django_db
@pytest.mark.search_vectors
def test_every_demo_library_record_has_vectors_after_load_demo(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    live = LibraryRecord.objects.filter(archived_at__isnull=True)
    assert live.count() >= 10
    assert search_index.records_missing_vectors() == []
    for record in live:
        vectors = RecordVector.objects.filter(record=record).order_by("position")
        assert vectors.count() == len(embeddings.record_passages(record, embeddings.domain_stems()))
        first = np.frombuffer(vectors[0].vector, np.float32)
        assert first.shape == (embeddings.DIM,)
        assert abs(float(np.linalg.norm(first)) - 1) < 1e-5


@needs_model
def test_the_model_loads_through_a_folder_it_removes(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fresh = embeddings.Embedder()
    assert list(tmp_path.iterdir()) == []  # the weights stay mapped after the name has gone
    sentences = ["A baby with bruising was not seen by a doctor.", "Coercive control", ""]
    assert np.array_equal(fresh.embed(sentences), embeddings.embed(sentences))
