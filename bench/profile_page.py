"""Time (and optionally profile) a few bench scenarios in one process, and the staff layout alone.

    .venv/bin/python bench/profile_page.py records.hold_lift accounts.account --repeat 200
    .venv/bin/python bench/profile_page.py records.hold_lift --profile 40
    .venv/bin/python bench/profile_page.py --layout --repeat 500

Uses bench/run.py's set-up (the same data sets, users and paths) on the one-year set unless
`--size default`. Prints the median wall and CPU time per request, the floor (`/healthz`,
anonymous) beside them, and with `--profile N` the top of a cProfile of the scenario's requests.
`--layout` also times rendering `base.html` with an empty content block for the
business-unit user: what the layout alone costs a page.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR.parent))

from bench.run import activate, client_for, path_for, prepare_databases, request, user_for  # noqa: E402
from bench.scenarios import FLOOR, SCENARIOS  # noqa: E402

LAYOUT_SOURCE = '{% extends "base.html" %}{% block content %}{% endblock %}'


def timed(call, repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.thread_time()
        call()
        cpus.append((time.thread_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def scenario_call(name: str, partnership, users: dict):
    scenario = next(s for s in SCENARIOS if s.name == name)
    client = client_for(scenario, partnership, users)
    path = path_for(scenario, partnership)
    request(client, scenario, path, check_content=True)
    return lambda: request(client, scenario, path)


def layout_call(partnership, users: dict):
    """Render the staff layout with an empty content block, as a page's view would."""
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines
    from django.test import RequestFactory

    if "business_unit" not in users:
        users["business_unit"] = user_for("business_unit", partnership)
    template = engines["django"].from_string(LAYOUT_SOURCE)
    request = RequestFactory().get(f"/p/{partnership.slug}/")
    request.user = users["business_unit"] or AnonymousUser()
    request.partnership = partnership
    request.csp_nonce = "bench"
    return lambda: template.render({"partnership": partnership}, request)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="*", help="scenario names (bench/scenarios.py)")
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N requests")
    parser.add_argument("--top", type=int, default=40, help="profile lines to print")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--layout", action="store_true", help="also time the layout alone")
    parser.add_argument("--callers", default="", help="print the callers of functions matching")
    parser.add_argument("--size", default="one_year", choices=["one_year", "default"])
    args = parser.parse_args()

    sets = prepare_databases(regenerate=False)
    data_set = sets[args.size]
    activate(data_set)
    from safeguarding.accounts.models import Partnership

    partnership = Partnership.objects.get(slug=data_set["stamp"]["target_slug"])
    users: dict = {}
    calls = {name: scenario_call(name, partnership, users) for name in [FLOOR, *args.scenario]}
    if args.layout:
        calls["layout"] = layout_call(partnership, users)
    for call in calls.values():  # warm up
        for _ in range(5):
            call()
    floor_wall, _ = timed(calls[FLOOR], args.repeat)
    for name, call in calls.items():
        wall, cpu = timed(call, args.repeat)
        print(f"{name:40} {wall:7.2f} ms wall {cpu:7.2f} ms cpu {wall / floor_wall:6.1f}x floor")
    for name in [*args.scenario, *(["layout"] if args.layout else [])] if args.profile else []:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile):
            calls[name]()
        profiler.disable()
        print(f"\n--- {name}: {args.profile} requests, by {args.sort}")
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        if args.callers:
            stats.print_callers(args.callers)
        else:
            stats.print_stats(args.top)


if __name__ == "__main__":
    main()
