"""Each query of a scenario's page timed on both data sets, side by side (medians of N requests).

    .venv/bin/python bench/query_times.py reports.figures --repeat 15

Uses bench/run.py's set-up. For each data set: the median request wall and CPU time, and each
query in page order (its median time, and the rows it returned when ``--rows``) with the first
characters of its SQL; the queries' sum; what the page spends outside SQL. For finding what
grows with the years and what a page spends apart from its queries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR.parent))

from bench.run import activate, client_for, path_for, prepare_databases, request  # noqa: E402
from bench.scenarios import SCENARIOS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="+")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--width", type=int, default=110, help="characters of SQL shown")
    args = parser.parse_args()
    from django.db import connection as default_connection  # noqa: F401

    sets = prepare_databases(regenerate=False)
    results: dict[str, dict[str, dict]] = {}
    for size, data_set in sets.items():
        activate(data_set)
        from django.db import connection

        from safeguarding.accounts.models import Partnership

        partnership = Partnership.objects.get(slug=data_set["stamp"]["target_slug"])
        users: dict = {}
        for name in args.scenario:
            scenario = next(s for s in SCENARIOS if s.name == name)
            client = client_for(scenario, partnership, users)
            path = path_for(scenario, partnership)
            for _ in range(3):
                request(client, scenario, path, check_content=True)
            per_query: list[list[float]] = []
            sqls: list[str] = []
            walls, cpus = [], []
            for _ in range(args.repeat):
                times: list[float] = []
                texts: list[str] = []

                def wrapper(execute, sql, params, many, context, times=times, texts=texts):
                    start = time.thread_time()
                    try:
                        return execute(sql, params, many, context)
                    finally:
                        times.append((time.thread_time() - start) * 1000)
                        texts.append(sql)

                wall, cpu = time.perf_counter(), time.thread_time()
                with connection.execute_wrapper(wrapper):
                    request(client, scenario, path)
                cpus.append((time.thread_time() - cpu) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
                for i, t in enumerate(times):
                    if len(per_query) <= i:
                        per_query.append([])
                    per_query[i].append(t)
                sqls = texts
            results.setdefault(name, {})[size] = {
                "wall": statistics.median(walls),
                "cpu": statistics.median(cpus),
                "queries": [
                    (statistics.median(ts), sql) for ts, sql in zip(per_query, sqls, strict=False)
                ],
            }
    for name, by_size in results.items():
        sizes = list(by_size)
        print(f"\n=== {name}")
        for size in sizes:
            r = by_size[size]
            sql_total = sum(t for t, _ in r["queries"])
            print(
                f"  {size:9} wall {r['wall']:7.2f} ms  cpu {r['cpu']:7.2f} ms  "
                f"sql {sql_total:6.2f} ms in {len(r['queries'])} queries  "
                f"rest {r['cpu'] - sql_total:6.2f} ms"
            )
        first, last = by_size[sizes[0]]["queries"], by_size[sizes[-1]]["queries"]
        for i, (t_last, sql) in enumerate(last):
            t_first = first[i][0] if i < len(first) else float("nan")
            print(f"  {i:2} {t_first:6.2f} {t_last:6.2f}  {sql[: args.width]}")


if __name__ == "__main__":
    main()
