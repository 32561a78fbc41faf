"""Library search quality: smart search against the plain keyword baseline, same data.

    .venv/bin/python bench/search_quality.py                 # generate if needed, then measure
    .venv/bin/python bench/search_quality.py --regenerate
    .venv/bin/python bench/search_quality.py --verbose       # every query's top five

A generated library of 416 fictional records across 26 topics (bench/search_data.py: titles,
summaries, learning, recommendations and ~900-word full texts written as reports are written)
and 70 queries written as practitioners search (their own words, paraphrases with almost none
of the reports' words, misspellings, abbreviations).
A record is relevant to a query when its primary topic is the query's (16 per query). For each
mode it reports, over the queries:

- **hit@5**: the share of queries with at least one relevant record in the top five;
- **recall@5**: relevant records in the top five over min(5, relevant), averaged;
- **MRR**: the mean reciprocal rank of the first relevant record (0 when none in the top 50);
- **first rank**: the mean rank of the first relevant record, counting 51 when none is in the
  top 50 (and how many queries found none).

Results go to bench/results/search-quality.json (search-quality-postgresql.json on PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import search_common
from bench.search_data import QUERIES, TOPICS, library_records

RECORDS = 16 * len(TOPICS)
DEPTH = 50
SLUG = "bench-library"


def build(log) -> dict:
    from safeguarding.accounts.models import Partnership

    partnership = Partnership.objects.create(name="Benchmark Library Partnership", slug=SLUG)
    records = library_records(RECORDS, random.Random(search_common.SEED))
    search_common.load_records(partnership, records, log=log)
    return {"slug": SLUG, "records": len(records)}


def measure(partnership, mode: str, verbose: bool) -> dict:
    from safeguarding.library.models import LibraryRecord
    from safeguarding.library.search import search_records

    topic_of = dict(
        LibraryRecord.objects.filter(partnership=partnership).values_list("pk", "external_id")
    )
    expected = {r["external_id"]: r["topic"] for r in _records()}
    per_query = []
    for query, topics, kind in QUERIES:
        started = time.perf_counter()
        result = search_records(partnership, query, limit=DEPTH, mode=mode)
        elapsed = (time.perf_counter() - started) * 1000
        ranked = [expected[topic_of[h.record_id]] in topics for h in result.hits]
        relevant = sum(1 for t in expected.values() if t in topics)
        first = next((i + 1 for i, ok in enumerate(ranked) if ok), None)
        per_query.append(
            {
                "query": query,
                "kind": kind,
                "topics": list(topics),
                "relevant": relevant,
                "hit_at_5": any(ranked[:5]),
                "recall_at_5": sum(ranked[:5]) / min(5, relevant),
                "first_relevant_rank": first,
                "total": result.total,
                "ms": round(elapsed, 1),
                "corrected": result.corrected_query,
                "top5": [h.title for h in result.hits[:5]],
            }
        )
        if verbose:
            mark = "".join("+" if ok else "." for ok in ranked[:10])
            print(f"  [{mode:7}] {mark:10} first={first!s:>4}  {query}")
    return {"mode": mode, **summarise(per_query), "per_query": per_query}


def summarise(per_query: list[dict]) -> dict:
    def block(rows):
        firsts = [r["first_relevant_rank"] for r in rows]
        return {
            "queries": len(rows),
            "hit_at_5": round(statistics.mean(r["hit_at_5"] for r in rows), 3),
            "recall_at_5": round(statistics.mean(r["recall_at_5"] for r in rows), 3),
            "mrr": round(statistics.mean(1 / f if f else 0 for f in firsts), 3),
            "mean_first_rank": round(statistics.mean(f or DEPTH + 1 for f in firsts), 2),
            "not_found": sum(1 for f in firsts if f is None),
        }

    kinds = sorted({r["kind"] for r in per_query})
    return {
        **block(per_query),
        "by_kind": {k: block([r for r in per_query if r["kind"] == k]) for k in kinds},
    }


_RECORDS_CACHE: list = []


def _records() -> list[dict]:
    if not _RECORDS_CACHE:
        _RECORDS_CACHE.extend(library_records(RECORDS, random.Random(search_common.SEED)))
    return _RECORDS_CACHE


def table(results: list[dict]) -> str:
    lines = [
        f"{'mode':<9} {'kind':<13} {'queries':>7} {'hit@5':>6} {'recall@5':>8} {'MRR':>6} "
        f"{'first rank':>10} {'none':>5}"
    ]
    for result in results:
        rows = [("all", result), *result["by_kind"].items()]
        for kind, r in rows:
            lines.append(
                f"{result['mode']:<9} {kind:<13} {r['queries']:>7} {r['hit_at_5']:>6.2f} "
                f"{r['recall_at_5']:>8.2f} {r['mrr']:>6.2f} {r['mean_first_rank']:>10.1f} "
                f"{r['not_found']:>5}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="show each query's ranking")
    args = parser.parse_args(argv)
    wanted = {
        "seed": search_common.SEED,
        "records": RECORDS,
        "generator": search_common.source_hash(
            "bench/search_data.py",
            "bench/search_common.py",
            "bench/search_quality.py",
        ),
    }
    if args.regenerate:
        wanted["forced"] = dt.datetime.now(dt.UTC).isoformat()
    stamp, where = search_common.ensure("search-quality", wanted, build)
    search_common.ensure_vectors(stamp, where["stamp_path"])

    from django.db import connection

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import embeddings

    partnership = Partnership.objects.get(slug=stamp["slug"])
    search_common.sync_terms()
    results = [measure(partnership, mode, args.verbose) for mode in ("smart", "keyword")]
    print(
        f"\nLibrary search quality: {RECORDS} generated records, {len(QUERIES)} queries, "
        f"{connection.vendor}; sentence model: "
        f"{embeddings.model_name() if embeddings.available() else 'none'}\n"
    )
    print(table(results))
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "model": embeddings.model_name() if embeddings.available() else None,
        "data_set": {k: v for k, v in stamp.items() if k != "forced"},
        "results": results,
    }
    suffix = "" if connection.vendor == "sqlite" else f"-{connection.vendor}"
    output = search_common.RESULTS_DIR / f"search-quality{suffix}.json"
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nResults written to {output.relative_to(search_common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
