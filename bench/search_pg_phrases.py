"""The default search's ranking statements on PostgreSQL, the phrase check through the
document (base10's statement) and through ``library_search.terms`` (ADR 0057), with the keyword
mode's, run in turn on one database (issue 15, PostgreSQL speed round five): per search, wall
ms and EXPLAIN ANALYZE execution ms, medians and means. The statements are those the searches
of ``queries.json`` send; the old one is the new one with the document's join put back.

    DATABASE_URL=postgres://… .venv/bin/python bench/search_pg_phrases.py [--rounds 2] OUT.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("LIBRARY_EMBED_THREADS", "1")
    from bench import search_common, search_eval

    search_common.configure("search-eval")
    from django.db import connection

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import search_index
    from safeguarding.library.search import search_records

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: set DATABASE_URL")
    partnership = Partnership.objects.get(slug=search_eval.SLUG)
    queries = search_eval.queries(search_eval.EVAL_DIR / "queries.json")
    sent: dict[str, list[list]] = {"smart": [], "keyword": []}
    for mode, lists in sent.items():
        for query in queries:
            caught: list = []

            def catch(execute, sql, params, many, context, caught=caught):
                if "unnest(" in sql and "@@" in sql:
                    caught.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(catch):
                search_records(
                    partnership,
                    query["text"],
                    filters=query.get("filters") or None,
                    limit=10,
                    mode=mode,
                )
            lists.append(caught)
    new_join, old_join = search_index._POSTGRES_TERMS_MATCH, search_index._POSTGRES_DOCUMENT_MATCH
    phrased = sum(new_join in sql for caught in sent["smart"] for sql, _ in caught)
    print(f"{len(queries)} searches, {phrased} default statements with a phrase")
    variants = {
        "old": (sent["smart"], lambda sql: sql.replace(new_join, old_join)),
        "new": (sent["smart"], lambda sql: sql),
        "keyword": (sent["keyword"], lambda sql: sql),
    }
    wall: dict[str, list[float]] = {name: [] for name in variants}
    executed: dict[str, list[float]] = {name: [] for name in variants}
    load = [os.getloadavg()[0]]
    with connection.cursor() as cursor:
        for n in range(args.rounds):
            for i in range(len(queries)):
                names = ["old", "new", "keyword"] if (i + n) % 2 else ["new", "old", "keyword"]
                for name in names:
                    statements, made = variants[name]
                    spent = server = 0.0
                    for sql, params in statements[i]:
                        started = time.perf_counter()
                        cursor.execute(made(sql), params)
                        cursor.fetchall()
                        spent += time.perf_counter() - started
                        cursor.execute(
                            "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + made(sql), params
                        )
                        server += cursor.fetchone()[0][0]["Execution Time"]
                    wall[name].append(spent * 1000)
                    executed[name].append(server)
    load.append(os.getloadavg()[0])
    out: dict = {"load": load, "searches": len(queries), "rounds": args.rounds}
    for name in variants:
        out[name] = {
            "wall_median": statistics.median(wall[name]),
            "wall_mean": statistics.mean(wall[name]),
            "exec_median": statistics.median(executed[name]),
            "exec_mean": statistics.mean(executed[name]),
        }
        print(name, {k: round(v, 2) for k, v in out[name].items()})
    print("load", load)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
