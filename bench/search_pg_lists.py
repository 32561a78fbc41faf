"""PostgreSQL: the default search's two ranking lists in one statement against one statement
each (issue 15, PostgreSQL speed round three; docs/search.md).

    .venv/bin/python bench/search_pg_lists.py [--all] [--rounds 3]

On the honest bench's PostgreSQL database (DATABASE_URL, as ``bench/search_eval.py``). Every
query's default search is run once to collect the lists it ranks (its own words, its
synonyms); for each search with both, ``search_index.keyword_match_lists`` is called with the
lists in one statement and in one statement each, for the bench's partnership and its public
records, every partnership and every public record: the (record id, score) lists must be the
same, in the same order, floats equal to the last bit. Then both are timed, alternating, the
bench's partnership only. ``--all``: every query file of ``bench/search_eval/``.
Writes ``bench/results/search-pg-lists.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("LIBRARY_EMBED_THREADS", "1")
    from bench import search_common, search_eval

    search_common.configure("search-eval")
    from django.db import connection

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import search_index
    from safeguarding.library.search import search_records

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only (DATABASE_URL)")
    search_common.sync_terms()
    partnership = Partnership.objects.get(slug=search_eval.SLUG)
    names = ["queries.json"]
    if args.all:
        names = sorted(p.name for p in search_eval.EVAL_DIR.glob("queries*.json"))
    calls: list[list] = []
    original = search_index.keyword_match_lists

    def record(lists, **where):
        calls.append([[list(p) for p in phrases] for phrases in lists])
        return original(lists, **where)

    search_index.keyword_match_lists = record
    searched = 0
    for name in names:
        for query in search_eval.queries(search_eval.EVAL_DIR / name):
            search_records(partnership, query["text"], filters=query.get("filters") or None)
            searched += 1
    search_index.keyword_match_lists = original
    both = [lists for lists in calls if sum(1 for p in lists if p) > 1]
    scopes = [
        {"partnership_id": partnership.pk, "public_only": False},
        {"partnership_id": partnership.pk, "public_only": True},
        {"partnership_id": None, "public_only": False},
        {"partnership_id": None, "public_only": True},
    ]
    differ = 0
    compared = 0
    for lists in both:
        for where in scopes:
            one = original(lists, **where)
            each = original(lists, **where, together=False)
            compared += 1
            if one != each:
                differ += 1
                print("DIFFER:", lists, where)
    print(
        f"{searched} searches, {len(both)} with both lists; {compared} comparisons "
        f"(4 scopes each): {differ} differ"
    )
    where = scopes[0]
    times: dict[str, list[float]] = {"one statement": [], "a statement each": []}
    load = [os.getloadavg()[0]]
    for n in range(args.rounds):
        for i, lists in enumerate(both):
            order = [True, False] if (i + n) % 2 == 0 else [False, True]
            for together in order:
                started = time.perf_counter()
                original(lists, **where, together=together)
                key = "one statement" if together else "a statement each"
                times[key].append((time.perf_counter() - started) * 1000)
    load.append(os.getloadavg()[0])
    summary = {
        k: {
            "median_ms": round(statistics.median(v), 3),
            "mean_ms": round(statistics.fmean(v), 3),
            "p95_ms": round(search_eval.percentile(sorted(v), 95), 3),
        }
        for k, v in times.items()
    }
    for k, s in summary.items():
        print(
            f"  {k:<18} median {s['median_ms']:.2f} mean {s['mean_ms']:.2f} p95 {s['p95_ms']:.2f}"
        )
    print(f"  load {load}")
    out = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": names,
        "searches": searched,
        "with_both_lists": len(both),
        "comparisons": compared,
        "differ": differ,
        "rounds": args.rounds,
        "load": load,
        "ranking_ms": summary,
    }
    path = search_common.RESULTS_DIR / "search-pg-lists.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"Results written to {path.relative_to(search_common.ROOT)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
