"""What the two library search scenarios share: their own generated databases (SQLite files
under bench/.data/, or a PostgreSQL database beside the one DATABASE_URL names), reused while
their stamp matches, and the loading of generated records through the real index."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time
from pathlib import Path

# As the app's settings do (config/settings/base.py), before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
RESULTS_DIR = BENCH_DIR / "results"
SEED = 2026


def source_hash(*names: str) -> str:
    digest = hashlib.sha256()
    for name in names:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def configure(name: str) -> dict:
    """Start Django on the scenario's own database: ``bench/.data/<name>.sqlite3``, or, when
    DATABASE_URL names a PostgreSQL server, a database ``bench_<name>`` on it (created if
    missing; ``BENCH_DB_PREFIX`` replaces "bench_", so that two people sharing a server do not
    share a data set). Returns {"vendor", "where", "stamp_path"}."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        base, _, _ = url.rpartition("/")
        prefix = os.environ.get("BENCH_DB_PREFIX", "bench_")
        db_name = f"{prefix}{name.replace('-', '_')}"
        _create_postgres_database(url, db_name)
        os.environ["DATABASE_URL"] = f"{base}/{db_name}"
        where = f"PostgreSQL database {db_name}"
        vendor = "postgresql"
    else:
        path = DATA_DIR / f"{name}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        where = str(path.relative_to(ROOT))
        vendor = "sqlite"
    os.environ["BENCH_MEDIA_ROOT"] = str(DATA_DIR / "media-search")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    return {"vendor": vendor, "where": where, "stamp_path": DATA_DIR / f"{name}-{vendor}.json"}


def _create_postgres_database(url: str, db_name: str) -> None:
    import psycopg

    base, _, _ = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db_name}"')


def reset_database(vendor: str) -> None:
    """Empty the scenario's database and migrate it."""
    from django.core.management import call_command
    from django.db import connection, connections

    if vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        connections.close_all()
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    call_command("migrate", verbosity=0, interactive=False)


def pending_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure(name: str, wanted: dict, build, log=print) -> tuple[dict, dict]:
    """Reuse the scenario's database if its stamp matches ``wanted``; otherwise build it with
    ``build(log) -> counts``. Returns (stamp, where)."""
    where = configure(name)
    stamp_path = where["stamp_path"]
    try:
        stamp = json.loads(stamp_path.read_text())
    except (OSError, ValueError):
        stamp = None
    if stamp and {k: stamp.get(k) for k in wanted} == wanted and not pending_migrations():
        from safeguarding.accounts.models import Partnership
        from safeguarding.library.search_index import create_index

        if Partnership.objects.filter(slug=stamp.get("slug")).exists():
            create_index()  # idempotent: any index or trigger added since it was generated
            log(f"Reusing the {name} data set ({where['where']}).")
            return stamp, where
    log(f"Generating the {name} data set in {where['where']} …")
    started = time.perf_counter()
    reset_database(where["vendor"])
    counts = build(log)
    stamp = {
        **wanted,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "counts": counts,
        "slug": counts["slug"],
    }
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    log(f"Generated in {stamp['seconds']} s.")
    return stamp, where


def load_records(partnership, records: list[dict], log=print, batch: int = 200) -> None:
    """Create the records (bulk; the database triggers index them), their themes, then their
    vectors through ``search_index.index_records``."""
    from django.db import transaction

    from safeguarding.actions.models import Theme
    from safeguarding.library.models import LibraryRecord

    themes = {t.name: t for t in Theme.objects.filter(partnership=None)}
    started = time.perf_counter()
    created = []
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        with transaction.atomic():
            objs = LibraryRecord.objects.bulk_create(
                [
                    LibraryRecord(
                        partnership=partnership,
                        source=LibraryRecord.Source.IMPORTED,
                        external_id=r["external_id"],
                        title=r["title"],
                        review_type=r["review_type"],
                        publisher=r["publisher"],
                        year=r["year"],
                        age_group=r["age_group"],
                        summary=r["summary"],
                        learning=r["learning"],
                        recommendations=r["recommendations"],
                        full_text=r["full_text"],
                        themes_text=", ".join(r["theme_names"]),
                    )
                    for r in chunk
                ]
            )
            through = LibraryRecord.themes.through
            through.objects.bulk_create(
                [
                    through(libraryrecord_id=obj.pk, theme_id=themes[name].pk)
                    for obj, r in zip(objs, chunk, strict=True)
                    for name in dict.fromkeys(r["theme_names"])
                    if name in themes
                ]
            )
        created += objs
        if (start // batch) % 5 == 4 or start + batch >= len(records):
            log(
                f"  {len(created):,} of {len(records):,} records indexed "
                f"({time.perf_counter() - started:.0f} s)"
            )
    return created


def _vector_key(record, model: str) -> str:
    digest = hashlib.sha256(model.encode())
    for part in (record.title, record.themes_text, record.summary, record.learning):
        digest.update(b"\x00" + (part or "").encode())
    digest.update(b"\x00" + (record.full_text or "").encode())
    return digest.hexdigest()[:32]


def ensure_vectors_cached(stamp: dict, stamp_path: Path, cache_name: str, log=print) -> None:
    """``ensure_vectors`` with a cache beside the data set (``bench/.data/<cache_name>.npz``):
    a record whose text, model and ``embeddings.py`` are unchanged gets its vectors back from
    the cache, the others through ``search_index.index_records`` (which fills the cache). So a
    data set rebuilt for a new migration or index column does not recompute thousands of
    vectors."""
    import numpy as np
    from django.db import transaction

    from safeguarding.library import embeddings, search_index
    from safeguarding.library.models import LibraryRecord, RecordVector

    if not embeddings.available():
        log("No sentence model installed: no vectors.")
        return
    wanted = f"{embeddings.model_name()} {source_hash('safeguarding/library/embeddings.py')}"
    if stamp.get("vectors") == wanted:
        return
    path = DATA_DIR / f"{cache_name}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as stored:
            cache = {key: stored[key] for key in stored.files}
    RecordVector.objects.all().delete()
    started = time.perf_counter()
    records = list(LibraryRecord.objects.order_by("pk"))
    # Keyed by the model and the text; the cache is trusted only if the model, as installed
    # now, gives the cached vectors for a few records (so a change to embeddings.py that
    # does not change its output, such as logging, does not cost an hour of vectors).
    keys = {record.pk: _vector_key(record, embeddings.model_name()) for record in records}
    sample = [r for r in records if keys[r.pk] in cache][:3]
    for record in sample:
        domain = embeddings.domain_stems()
        fresh = embeddings.embed(embeddings.record_passages(record, domain))
        if fresh.shape != cache[keys[record.pk]].shape or not np.allclose(
            fresh, cache[keys[record.pk]], atol=1e-4
        ):
            log("The vector cache does not match the model as installed: recomputing.")
            cache = {}
            break
    cached = [r for r in records if keys[r.pk] in cache]
    RecordVector.objects.bulk_create(
        [
            RecordVector(record_id=r.pk, position=n, vector=row.astype(np.float32).tobytes())
            for r in cached
            for n, row in enumerate(cache[keys[r.pk]])
        ],
        batch_size=2000,
    )
    missing = [r for r in records if keys[r.pk] not in cache]
    log(f"Vectors: {len(cached):,} records from the cache, {len(missing):,} to compute …")
    for start in range(0, len(missing), 64):
        with transaction.atomic():
            search_index.index_records(missing[start : start + 64])
        done = min(start + 64, len(missing))
        if done % 640 == 0 or done == len(missing):
            log(f"  vectors for {done:,} records ({time.perf_counter() - started:.0f} s)")
    by_record: dict[int, list] = {}
    for record_id, blob in RecordVector.objects.order_by("record_id", "position").values_list(
        "record_id", "vector"
    ):
        by_record.setdefault(record_id, []).append(np.frombuffer(bytes(blob), dtype=np.float32))
    np.savez(path, **{keys[pk]: np.vstack(rows) for pk, rows in by_record.items() if pk in keys})
    stamp["vectors"] = wanted
    stamp["vectors_seconds"] = round(time.perf_counter() - started, 1)
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")


def ensure_vectors(stamp: dict, stamp_path: Path, log=print) -> None:
    """Make the records' vectors with the installed sentence model, through
    ``search_index.index_records``, unless the stamp says they were made with this model and
    this embeddings.py already (kept apart from the data, so that changing one does not
    regenerate the other)."""
    from django.db import transaction

    from safeguarding.library import embeddings, search_index
    from safeguarding.library.models import LibraryRecord, RecordVector

    if not embeddings.available():
        log("No sentence model installed: no vectors.")
        return
    wanted = f"{embeddings.model_name()} {source_hash('safeguarding/library/embeddings.py')}"
    if stamp.get("vectors") == wanted:
        return
    log(f"Computing vectors ({embeddings.model_name()}) …")
    RecordVector.objects.all().delete()
    ids = list(LibraryRecord.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for start in range(0, len(ids), 64):
        with transaction.atomic():
            batch = list(LibraryRecord.objects.filter(pk__in=ids[start : start + 64]))
            search_index.index_records(batch)
        done = min(start + 64, len(ids))
        if done % 640 == 0 or done == len(ids):
            log(f"  vectors for {done:,} records ({time.perf_counter() - started:.0f} s)")
    stamp["vectors"] = wanted
    stamp["vectors_seconds"] = round(time.perf_counter() - started, 1)
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")


def sync_terms() -> None:
    """Bring the shared search terms in a reused database up to date with default_terms.py
    (the data migration loaded them once), so that tuning the terms needs no regeneration."""
    from safeguarding.library.default_terms import DEFAULT_TERMS
    from safeguarding.library.models import SearchTerm

    current = dict(SearchTerm.objects.filter(partnership=None).values_list("term", "expansion"))
    if current == DEFAULT_TERMS:
        return
    SearchTerm.objects.filter(partnership=None).exclude(term__in=list(DEFAULT_TERMS)).delete()
    for term, expansion in DEFAULT_TERMS.items():
        if current.get(term) != expansion:
            SearchTerm.objects.update_or_create(
                partnership=None, term=term, defaults={"expansion": expansion}
            )
