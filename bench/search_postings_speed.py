"""The default search with its full-text ranking from FTS5's SQL query (as before issue 15's
fourth speed round) and from memory (``search_postings``), and the keyword mode, interleaved
query by query in one process on the search-eval library (SQLite), so that the three meet the
same load. Also the first search after a change of the library (the postings read again), and
the search with the query's vector kept from the warm-up (what is left without the model).

    LIBRARY_EMBED_THREADS=1 .venv/bin/python bench/search_postings_speed.py [--rounds N] [OUT.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("LIBRARY_EMBED_THREADS", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("out", nargs="?", type=Path)
    args = parser.parse_args()
    from bench import search_common, search_eval

    search_common.configure("search-eval")
    from django.db import connection

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import search, search_catalogue, search_index, search_postings

    if connection.vendor != "sqlite":
        print("SQLite only: PostgreSQL keeps its SQL ranking.")
        return 2
    partnership = Partnership.objects.get(slug=search_eval.SLUG)
    queries = search_eval.queries(search_eval.EVAL_DIR / "queries.json")
    in_memory = search_postings.keyword_match_lists

    def from_sql(cat, lists, **where):
        return search_index.keyword_match_lists(lists, **where)

    def one(kind: str, query: dict) -> float:
        search_postings.keyword_match_lists = from_sql if kind == "default, SQL" else in_memory
        cat = search_catalogue.catalogue()
        warm = cat.postings
        if kind == "default, postings cold":  # as after a change (the catalogue itself kept)
            cat.postings = None
        mode = "keyword" if kind == "keyword mode" else "smart"
        if kind != "default, vector kept":
            search._query_vector.cache_clear()  # every timed search asks the model (search_eval)
        started = time.perf_counter()
        search.search_records(
            partnership, query["text"], filters=query.get("filters") or None, mode=mode
        )
        took = (time.perf_counter() - started) * 1000
        if kind == "default, postings cold":
            cat.postings = warm
        return took

    kinds = (
        "default, SQL",
        "default, in memory",
        "keyword mode",
        "default, postings cold",
        "default, vector kept",  # the query's vector from the cache: the search without the model
    )
    for query in queries:  # warm-up
        for kind in kinds[:3]:
            one(kind, query)
    gc.collect()
    load_before = os.getloadavg()
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(args.rounds):
        for query in queries:
            for kind in kinds:
                samples[kind].append(one(kind, query))
    search_postings.keyword_match_lists = in_memory
    load_after = os.getloadavg()
    out = {
        "queries": len(queries),
        "rounds": args.rounds,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }
    keyword = statistics.median(samples["keyword mode"])
    for kind in kinds:
        ordered = sorted(samples[kind])
        p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))]
        median = statistics.median(ordered)
        out[kind] = {
            "median_ms": round(median, 2),
            "mean_ms": round(statistics.mean(ordered), 2),
            "p95_ms": round(p95, 2),
            "over_keyword_median": round(median / keyword, 2),
        }
        print(
            f"{kind:<24} median {median:6.1f}  mean {statistics.mean(ordered):6.1f}  "
            f"p95 {p95:6.1f} ms  ÷ keyword {median / keyword:.2f}×"
        )
    print(f"load {load_before[0]:.2f} → {load_after[0]:.2f}")
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
