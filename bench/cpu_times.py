"""The CPU time of every scenario's request on one data set, beside the floor, in one process.

    .venv/bin/python bench/cpu_times.py OUT.json                # ten years, 5 rounds
    .venv/bin/python bench/cpu_times.py OUT.json --rounds 8 --size one_year
    .venv/bin/python bench/cpu_times.py --summary BEFORE.json AFTER.json

On a machine shared with other work (2 cores at a load of 10 and more), `bench/run.py`'s wall
times say more about the other processes than about the page: a long request is preempted
several times, the floor's short one rarely, so the staff pages came out 40-180x the floor
where a quiet machine gives about 16x. This times each request by the CPU time of the thread
that serves it (`time.thread_time`), which waiting for a core does not count. It is still
inflated by a busy machine (caches, shared cores): compare runs made at the same moment, the
old code and the new alternately, and read the ratios to the floor of the same run. It uses
`bench/run.py`'s set-up (data sets, users, paths) and checks each page's first answer as
run.py does; it runs no query capture and no EXPLAIN. ``--summary`` prints, for each file, the
staff pages within 10x the floor and their median ratio (by the median and by the fastest
round).
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

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR.parent))

from bench.run import activate, client_for, path_for, prepare_databases, request  # noqa: E402
from bench.scenarios import FLOOR, SCENARIOS  # noqa: E402

GOAL_STAFF = 10.0


def measure(size: str, rounds: int) -> dict:
    sets = prepare_databases(regenerate=False)
    data_set = sets[size]
    activate(data_set)
    from safeguarding.accounts.models import Partnership

    partnership = Partnership.objects.get(slug=data_set["stamp"]["target_slug"])
    users: dict = {}
    ready = []
    for scenario in SCENARIOS:
        client = client_for(scenario, partnership, users)
        path = path_for(scenario, partnership)
        request(client, scenario, path, check_content=True)
        request(client, scenario, path)  # warm
        ready.append((scenario, client, path, []))
    gc.collect()
    for _ in range(rounds):  # interleaved, as run.py
        for scenario, client, path, samples in ready:
            started = time.thread_time()
            request(client, scenario, path)
            samples.append((time.thread_time() - started) * 1000)
    return {
        scenario.name: {
            "kind": "public" if scenario.user is None else "staff",
            "median_cpu_ms": round(statistics.median(samples), 3),
            "min_cpu_ms": round(min(samples), 3),
        }
        for scenario, _, _, samples in ready
    }


def summary(path: Path) -> str:
    found = json.loads(path.read_text())
    pages = found["pages"]
    floor = pages[FLOOR]
    staff = [p for name, p in pages.items() if p["kind"] == "staff" and name != "floor_signed_in"]
    by_median = [p["median_cpu_ms"] / floor["median_cpu_ms"] for p in staff]
    by_fastest = [p["min_cpu_ms"] / floor["min_cpu_ms"] for p in staff]
    return (
        f"{path.name}: load {found['load_average']}, floor {floor['median_cpu_ms']:.3f} ms CPU; "
        f"{len(staff)} staff pages, within {GOAL_STAFF:g}x: "
        f"{sum(r <= GOAL_STAFF for r in by_median)} (median {statistics.median(by_median):.1f}x, "
        f"{statistics.median(p['median_cpu_ms'] for p in staff):.2f} ms); by the fastest round "
        f"{sum(r <= GOAL_STAFF for r in by_fastest)} (median {statistics.median(by_fastest):.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", default="default", choices=["one_year", "default"])
    parser.add_argument("--summary", type=Path, nargs="+", metavar="JSON")
    args = parser.parse_args()
    if args.summary:
        print("\n".join(summary(path) for path in args.summary))
        return
    if args.out is None:
        parser.error("give the JSON file to write (or --summary)")
    load_before = [round(x, 2) for x in os.getloadavg()]
    pages = measure(args.size, args.rounds)
    result = {
        "size": args.size,
        "rounds": args.rounds,
        "load_average": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
        "pages": pages,
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(summary(args.out))


if __name__ == "__main__":
    main()
