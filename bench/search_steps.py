"""Where a library search's time goes, step by step, the default search beside the keyword mode
(issue 15, docs/search.md "PostgreSQL speed round three").

    .venv/bin/python bench/search_steps.py [--rounds 2] [--queries queries.json] [--explain]

On the honest bench's data set (run ``bench/search_eval.py`` once first; with DATABASE_URL
pointing at PostgreSQL, on that server's bench database, as ``search_eval.py`` does). Query by
query, the default search and the keyword mode in turn (the order alternating), the
query-vector cache emptied before each search, as ``search_int8_speed.py`` times them. Each
step of ``search.search_records`` is timed by wrapping the module's functions (the wrappers'
own cost, a microsecond or two a call, is in the figures), and every SQL statement by a
database execute wrapper, by kind (the state stamp, the ranking statements, the words-in-index
lookups, the page's records). ``--explain`` then runs EXPLAIN (ANALYZE) on every ranking
statement the searches sent (PostgreSQL only): planning and execution times summed per search.

Prints the median and mean per search of each step for each mode, and writes
``bench/results/search-steps-<database>.json``. ``--cpu`` times the request thread's CPU
(``time.thread_time``) instead of the time that passed: the Python steps without the waits
(for the database, the model's thread and the cores other processes hold), which a busy
machine changes far less (``search-steps-cpu-<database>.json``). Steps overlap where the
search overlaps them: "waiting for the vector" is the time the request's thread waited for the
model after its own work (the model runs beside the full-text ranking).
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
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STEPS = (
    "catalogue",  # the state stamp (one query) and the catalogue's lookup
    "analyse",  # understanding the query (spelling, terms, places; words_in_index inside)
    "ranking",  # the full-text ranking (the statements, or SQLite's in-memory ranking)
    "facets_count",  # counting the matches' facets
    "vector_wait",  # waiting for the query's vector after the thread's own work
    "meaning",  # the meaning ranking (numpy)
    "group",  # grouping near-duplicates and copies
    "diversify",
    "facets",  # the facets to show
    "hits",  # the page's records and their snippets
    "snippets",  # (inside hits) the snippets alone
)
SQL_KINDS = ("sql_stamp", "sql_ranking", "sql_in_index", "sql_records", "sql_other")


def _kind(sql: str) -> str:
    if "library_search_state" in sql and sql.lstrip().upper().startswith("SELECT VERSION"):
        return "sql_stamp"
    if "unnest(" in sql or (" MATCH " in sql and "bm25(" in sql):
        return "sql_ranking"
    if "LIMIT 1" in sql and "library_search" in sql:
        return "sql_in_index"
    if "library_libraryrecord" in sql and "full_text_head" in sql:
        return "sql_records"
    return "sql_other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--queries", default="queries.json")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="the request thread's CPU time (time.thread_time), not the time that passed",
    )
    args = parser.parse_args()
    clock = time.thread_time if args.cpu else time.perf_counter
    os.environ.setdefault("LIBRARY_EMBED_THREADS", "1")  # as the web server
    from bench import search_common, search_eval

    search_common.configure("search-eval")
    from django.db import connection

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import search, search_index, search_postings

    search_common.sync_terms()
    partnership = Partnership.objects.get(slug=search_eval.SLUG)
    queries = search_eval.queries(search_eval.EVAL_DIR / args.queries)

    current: dict[str, float] = defaultdict(float)
    ranking_sql: list[tuple[str, str, list]] = []  # (mode, sql, params) of the timed searches
    state = {"mode": "", "record": False}

    def timed(name, function):
        def wrapper(*a, **k):
            started = clock()
            try:
                return function(*a, **k)
            finally:
                current[name] += (clock() - started) * 1000

        return wrapper

    class TimedFuture:
        def __init__(self, future):
            self.future = future

        def result(self):
            started = clock()
            try:
                return self.future.result()
            finally:
                current["vector_wait"] += (clock() - started) * 1000

    start_vector = search._start_query_vector

    def start_query_vector(cat, text):
        future = start_vector(cat, text)
        return None if future is None else TimedFuture(future)

    search.catalogue = timed("catalogue", search.catalogue)
    search.analyse = timed("analyse", search.analyse)
    search._count_facets = timed("facets_count", search._count_facets)
    search._meaning_ranking = timed("meaning", search._meaning_ranking)
    search._group = timed("group", search._group)
    search._diversify = timed("diversify", search._diversify)
    search._facets = timed("facets", search._facets)
    search._hits = timed("hits", search._hits)
    search.snippet = timed("snippets", search.snippet)
    search._start_query_vector = start_query_vector
    # The ranking: the default search calls search_postings' (which on PostgreSQL calls
    # search_index's), the keyword mode search_index's: time the outermost call only.
    index_lists = search_index.keyword_match_lists
    postings_lists = search_postings.keyword_match_lists
    depth = {"n": 0}

    def outer(function):
        def wrapper(*a, **k):
            depth["n"] += 1
            started = clock()
            try:
                return function(*a, **k)
            finally:
                depth["n"] -= 1
                if not depth["n"]:
                    current["ranking"] += (clock() - started) * 1000

        return wrapper

    search_index.keyword_match_lists = outer(index_lists)
    search_postings.keyword_match_lists = outer(postings_lists)

    def sql_timer(execute, sql, params, many, context):
        kind = _kind(sql)
        started = clock()
        try:
            return execute(sql, params, many, context)
        finally:
            current[kind] += (clock() - started) * 1000
            current[kind.replace("sql_", "n_")] += 1
            if state["record"] and kind == "sql_ranking" and connection.vendor == "postgresql":
                ranking_sql.append((state["mode"], sql, list(params or [])))

    def search_once(mode: str, query: dict) -> dict[str, float]:
        current.clear()
        state["mode"] = mode
        search._query_vector.cache_clear()
        started = clock()
        search_eval.ranked_ids(mode, partnership, query)
        current["total"] = (clock() - started) * 1000
        return dict(current)

    load = [os.getloadavg()[0]]
    with connection.execute_wrapper(sql_timer):
        for query in queries:  # warm-up
            search_once("default", query)
            search_once("keyword", query)
        samples: dict[str, list[dict]] = {"default": [], "keyword": []}
        gc.collect()
        state["record"] = True
        for n in range(args.rounds):
            for i, query in enumerate(queries):
                order = ["default", "keyword"] if (i + n) % 2 == 0 else ["keyword", "default"]
                for mode in order:
                    samples[mode].append(search_once(mode, query))
            state["record"] = False  # one round of statements is enough to explain
    load.append(os.getloadavg()[0])

    names = ("total", *STEPS, *SQL_KINDS, "n_stamp", "n_ranking", "n_in_index", "n_records")
    summary: dict[str, dict] = {}
    for mode, rows in samples.items():
        summary[mode] = {}
        for name in names:
            values = [row.get(name, 0.0) for row in rows]
            summary[mode][name] = {
                "median": round(statistics.median(values), 3),
                "mean": round(statistics.fmean(values), 3),
            }
        accounted = [sum(row.get(s, 0.0) for s in STEPS if s != "snippets") for row in rows]
        rest = [row["total"] - a for row, a in zip(rows, accounted, strict=True)]
        summary[mode]["rest"] = {
            "median": round(statistics.median(rest), 3),
            "mean": round(statistics.fmean(rest), 3),
        }

    explained = None
    if args.explain and connection.vendor == "postgresql":
        explained = _explain(connection, ranking_sql, len(queries))

    out = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "queries": args.queries,
        "rounds": args.rounds,
        "clock": "thread CPU" if args.cpu else "wall",
        "load": load,
        "steps_ms_per_search": summary,
        "explain_ms_per_search": explained,
    }
    print(f"{len(queries)} queries × {args.rounds} rounds, {connection.vendor}, load {load}")
    print(f"  {'step':<14} {'default med/mean':>18} {'keyword med/mean':>18}")
    for name in (*names, "rest"):
        d, k = summary["default"][name], summary["keyword"][name]
        print(
            f"  {name:<14} {d['median']:8.2f} {d['mean']:8.2f}"
            f"   {k['median']:8.2f} {k['mean']:8.2f}"
        )
    if explained:
        print("  EXPLAIN ANALYZE of the ranking statements, per search (mean ms):")
        for mode, figures in explained.items():
            print(f"    {mode:<8} " + ", ".join(f"{k} {v:.2f}" for k, v in figures.items()))
    cpu = "-cpu" if args.cpu else ""
    path = search_common.RESULTS_DIR / f"search-steps{cpu}-{connection.vendor}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"Results written to {path.relative_to(search_common.ROOT)}")
    return 0


def _explain(connection, statements: list[tuple[str, str, list]], searches: int) -> dict:
    """EXPLAIN (ANALYZE, FORMAT JSON) of each recorded ranking statement: planning and execution
    time, and the time of the nodes that read the index (their own time, children excluded),
    summed per mode and divided by the number of searches of one round."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with connection.cursor() as cursor:
        for mode, sql, params in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            top = plan[0]
            totals[mode]["planning"] += top["Planning Time"]
            totals[mode]["execution"] += top["Execution Time"]
            totals[mode]["statements"] += 1
            for node, own in _own_times(top["Plan"]):
                totals[mode][node] += own
    return {
        mode: {k: round(v / searches, 3) for k, v in sorted(figures.items())}
        for mode, figures in totals.items()
    }


def _own_times(node: dict):
    """(node label, its own total time in ms: actual total × loops, children's taken off)."""
    loops = node.get("Actual Loops", 1) or 1
    total = node.get("Actual Total Time", 0.0) * loops
    children = node.get("Plans", [])
    child_total = sum(
        c.get("Actual Total Time", 0.0) * (c.get("Actual Loops", 1) or 1) for c in children
    )
    label = node["Node Type"]
    if node.get("Relation Name"):
        label += f" {node['Relation Name']}"
    if node.get("CTE Name"):
        label += f" {node['CTE Name']}"
    yield label, max(0.0, total - child_total)
    for child in children:
        yield from _own_times(child)


if __name__ == "__main__":
    sys.exit(main())
