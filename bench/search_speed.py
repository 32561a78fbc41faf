"""Library search speed on a national-size library: 5,000 records with full texts of about
20,000 words each (100 million words), searched with the bench query set (70 queries).

    .venv/bin/python bench/search_speed.py       # generate if needed (minutes), then time
    .venv/bin/python bench/search_speed.py --regenerate
    .venv/bin/python bench/search_speed.py --records 500 --words 2000   # a quick small run
    DATABASE_URL=postgres://postgres@127.0.0.1:54329/app .venv/bin/python bench/search_speed.py

The records are built like bench/search_quality.py's (same topics and sentence banks), their
full texts drawn fast with numpy (bench/search_data.FastFullText), and loaded through the real
index (the database triggers) and the real vectors (``search_index.index_records``). On
PostgreSQL it uses a database ``bench_search_speed`` beside the one DATABASE_URL names.

Each of the 70 queries is run once to warm up (the per-process catalogue and vocabulary are
built by the first), then timed in ``--rounds`` interleaved rounds in each mode (smart, and the
plain keyword baseline); then each is run once more with its queries captured. Reports the
median and 95th percentile time of a search (ten hits with snippets, facets, the total), and
the number of queries a search takes. Results go to bench/results/search-speed.json
(search-speed-postgresql.json on PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import search_common
from bench.search_data import QUERIES, TOPICS, FastFullText, library_records

SLUG = "bench-national-library"


def build_with(records: int, words: int):
    def build(log) -> dict:
        from safeguarding.accounts.models import Partnership

        partnership = Partnership.objects.create(name="National Library Benchmark", slug=SLUG)
        Partnership.objects.create(name="Neighbouring Partnership", slug="bench-neighbour")
        rng = random.Random(search_common.SEED + 1)
        fast = FastFullText(search_common.SEED + 1)
        started = time.perf_counter()
        batch = 100
        total_words = 0
        for start in range(0, records, batch):
            chunk = library_records(min(batch, records - start), rng, full_text_words=10)
            for offset, record in enumerate(chunk):
                record["external_id"] = f"NAT-{start + offset + 1:05d}"
                topic = TOPICS[record["topic"]]
                related = [TOPICS[n] for n in topic.related if n in TOPICS]
                second = rng.choice(related) if related and rng.random() < 0.4 else None
                record["full_text"] = fast.text(
                    topic,
                    second,
                    {
                        "child": "Child X",
                        "adult": "Mr X",
                        "months": 5,
                        "old_age": 80,
                        "place": "Northmoor",
                        "family": "Example",
                    },
                    words,
                )
                total_words += len(record["full_text"].split())
            search_common.load_records(partnership, chunk, log=lambda *_: None)
            done = start + len(chunk)
            if done % 500 == 0 or done == records:
                log(
                    f"  {done:,} of {records:,} records with {total_words:,} words of full "
                    f"text ({time.perf_counter() - started:.0f} s)"
                )
        return {"slug": SLUG, "records": records, "full_text_words": total_words}

    return build


def time_searches(partnership, rounds: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguarding.library import search
    from safeguarding.library.search import search_records

    queries = [q for q, _, _ in QUERIES]
    results = {}
    for mode in ("smart", "keyword"):
        started = time.perf_counter()
        search_records(partnership, queries[0], mode=mode)  # builds the catalogue
        first = (time.perf_counter() - started) * 1000
        for query in queries:
            search_records(partnership, query, mode=mode)
        samples: dict[str, list[float]] = {q: [] for q in queries}
        gc.collect()
        for _ in range(rounds):
            for query in queries:
                # Each timed search pays for the sentence model, as a new query does (the
                # process keeps recent queries' vectors: bench/search_eval.py does the same).
                search._query_vector.cache_clear()
                started = time.perf_counter()
                result = search_records(partnership, query, mode=mode)
                samples[query].append((time.perf_counter() - started) * 1000)
        counts = {}
        totals = {}
        for query in queries:
            with CaptureQueriesContext(connection) as captured:
                result = search_records(partnership, query, mode=mode)
            counts[query] = len(captured.captured_queries)
            totals[query] = result.total
        flat = sorted(t for ts in samples.values() for t in ts)
        per_query = sorted(statistics.median(ts) for ts in samples.values())
        results[mode] = {
            "searches": len(flat),
            "median_ms": round(statistics.median(flat), 1),
            "p95_ms": round(percentile(flat, 95), 1),
            "max_ms": round(flat[-1], 1),
            "slowest_query": max(samples, key=lambda q: statistics.median(samples[q])),
            "slowest_query_median_ms": round(per_query[-1], 1),
            "first_search_ms": round(first, 1),
            "queries_per_search": sorted(set(counts.values())),
            "matching_records_median": statistics.median(totals.values()),
            "per_query": [
                {
                    "query": q,
                    "median_ms": round(statistics.median(samples[q]), 1),
                    "queries": counts[q],
                    "total": totals[q],
                }
                for q in queries
            ],
        }
    return results


def percentile(ordered: list[float], pct: float) -> float:
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--words", type=int, default=20000, help="words of full text each")
    parser.add_argument("--rounds", type=int, default=3, help="timed searches per query")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    wanted = {
        "seed": search_common.SEED,
        "records": args.records,
        "words": args.words,
        "generator": search_common.source_hash(
            "bench/search_data.py",
            "bench/search_common.py",
            "bench/search_speed.py",
        ),
    }
    name = (
        "search-speed"
        if (args.records, args.words) == (5000, 20000)
        else (f"search-speed-{args.records}x{args.words}")
    )
    if args.regenerate:
        wanted["forced"] = dt.datetime.now(dt.UTC).isoformat()
    stamp, where = search_common.ensure(name, wanted, build_with(args.records, args.words))
    search_common.ensure_vectors(stamp, where["stamp_path"])

    from django.db import connection

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import embeddings

    search_common.sync_terms()
    partnership = Partnership.objects.get(slug=stamp["slug"])
    results = time_searches(partnership, args.rounds)
    counts = stamp["counts"]
    print(
        f"\nLibrary search speed: {counts['records']:,} records, "
        f"{counts['full_text_words']:,} words of full text, {connection.vendor} "
        f"({where['where']}); sentence model: "
        f"{embeddings.model_name() if embeddings.available() else 'none'}; "
        f"{len(QUERIES)} queries × {args.rounds} rounds\n"
    )
    print(
        f"{'mode':<8} {'median ms':>9} {'p95 ms':>7} {'max ms':>7} {'queries':>7} "
        f"{'first ms':>8} {'matches':>7}"
    )
    for mode, r in results.items():
        print(
            f"{mode:<8} {r['median_ms']:>9.1f} {r['p95_ms']:>7.1f} {r['max_ms']:>7.1f} "
            f"{'/'.join(map(str, r['queries_per_search'])):>7} {r['first_search_ms']:>8.0f} "
            f"{r['matching_records_median']:>7}"
        )
    print(
        "\nmedian/p95/max: one search (10 hits with snippets, facets, total); queries: per "
        "search; first: the first search of the process (builds the catalogue); matches: "
        "median number of matching records."
    )
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "model": embeddings.model_name() if embeddings.available() else None,
        "data_set": {k: v for k, v in stamp.items() if k != "forced"},
        "rounds": args.rounds,
        "results": results,
    }
    suffix = "" if connection.vendor == "sqlite" else f"-{connection.vendor}"
    if name != "search-speed":
        suffix += f"-{args.records}x{args.words}"
    output = search_common.RESULTS_DIR / f"search-speed{suffix}.json"
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Results written to {output.relative_to(search_common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
