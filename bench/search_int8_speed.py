"""The int8 query path against the float32 one, in one process (issue 15, docs/search.md
"int8 query vectors"): query by query, the default search with the query's vector from the
float32 graph, the same with the 8-bit query graph, and the keyword mode (the speed goal's
yardstick), in turn, the query-vector cache emptied before each search; then the model alone,
both graphs. On the honest bench's data set (run ``bench/search_eval.py`` once first).

    .venv/bin/python bench/search_int8_speed.py [--rounds 2] [--queries queries.json]

With DATABASE_URL pointing at PostgreSQL it runs on that server's bench database, as
``bench/search_eval.py`` does. Writes ``bench/results/search-int8-speed-<database>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--queries", default="queries.json")
    args = parser.parse_args()
    os.environ.setdefault("LIBRARY_EMBED_THREADS", "1")  # as the web server
    from bench import search_common, search_eval

    search_common.configure("search-eval")
    from django.db import connection

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import embeddings, search

    search_common.sync_terms()
    partnership = Partnership.objects.get(slug=search_eval.SLUG)
    queries = search_eval.queries(search_eval.EVAL_DIR / args.queries)
    model = embeddings.model()
    sessions = {"float32": model.session, "int8": model.query_session}
    if sessions["int8"] is sessions["float32"]:
        raise SystemExit("LIBRARY_QUERY_INT8 is off: nothing to compare")
    load = [os.getloadavg()[0]]
    for query in queries:  # warm-up: the catalogue, postings, both sessions
        for name in sessions:
            model.query_session = sessions[name]
            search._query_vector.cache_clear()
            search_eval.ranked_ids("default", partnership, query)
        search_eval.ranked_ids("keyword", partnership, query)
    samples: dict[str, list[float]] = {"float32": [], "int8": [], "keyword": []}
    gc.collect()
    for n in range(args.rounds):
        for i, query in enumerate(queries):
            order = ["float32", "int8", "keyword"]
            if (i + n) % 2:
                order = ["int8", "float32", "keyword"]
            for name in order:
                if name != "keyword":
                    model.query_session = sessions[name]
                search._query_vector.cache_clear()
                started = time.perf_counter()
                search_eval.ranked_ids(
                    "default" if name != "keyword" else "keyword", partnership, query
                )
                samples[name].append((time.perf_counter() - started) * 1000)
    alone: dict[str, list[float]] = {"float32": [], "int8": []}
    for query in queries:
        for name in alone:
            model.query_session = sessions[name]
            started = time.perf_counter()
            model.embed_query(query["text"])
            alone[name].append((time.perf_counter() - started) * 1000)
    model.query_session = sessions["int8"]
    load.append(os.getloadavg()[0])

    def stats(values: list[float]) -> dict:
        ordered = sorted(values)
        return {
            "median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(search_eval.percentile(ordered, 95), 2),
        }

    out = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "queries": args.queries,
        "rounds": args.rounds,
        "load": load,
        "search": {name: stats(values) for name, values in samples.items()},
        "model_alone": {name: stats(values) for name, values in alone.items()},
    }
    keyword = out["search"]["keyword"]
    print(f"{len(queries)} queries × {args.rounds} rounds, {connection.vendor}, load {load}")
    for name, s in out["search"].items():
        ratio = s["median_ms"] / keyword["median_ms"]
        p95 = s["p95_ms"] / keyword["p95_ms"]
        print(
            f"  {name:<10} {s['median_ms']:6.1f} / {s['p95_ms']:6.1f} ms  {ratio:.2f}× / {p95:.2f}×"
        )
    for name, s in out["model_alone"].items():
        print(f"  model alone, {name:<8} {s['median_ms']:5.2f} / {s['p95_ms']:5.2f} ms")
    path = search_common.RESULTS_DIR / f"search-int8-speed-{connection.vendor}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"Results written to {path.relative_to(search_common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
