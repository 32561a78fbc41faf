"""Run the named benchmark scenarios and print, for each, its server time next to the floor's.

    .venv/bin/python bench/run.py                          # every scenario, 30 timed requests
    .venv/bin/python bench/run.py --repeat 100 --scenario public_reviews_page
    .venv/bin/python bench/run.py --size small             # the small data set, to compare
    .venv/bin/python bench/run.py --regenerate             # build the data set again first

Each scenario is one page, requested in this process through django.test.Client (no network,
no server threads), against a copy of the generated data set, so that sessions and audit
events written during a run never change the data set itself. After a few warm-up requests the
scenarios are timed in interleaved rounds (one request of each per round), then each is asked
three more times with the queries captured, which are not timed. The ratio is the scenario's
median over the floor's median (the floor is a trivial view through the same middleware).

Results go to bench/results/latest.json (latest-small.json for --size small). A scenario that
does not answer 200 with the text it expects fails the run: the exit status is 1.
"""

import argparse
import datetime as dt
import gc
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402  (needs the project root on the path)
from bench.scenarios import BY_NAME, FLOOR, SCENARIOS, Scenario  # noqa: E402

RESULTS_DIR = BENCH_DIR / "results"
QUERY_SAMPLES = 3
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


class ScenarioFailed(Exception):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time named pages against the generated data set, next to a trivial view."
    )
    parser.add_argument(
        "--repeat", type=int, default=30, metavar="N", help="timed requests per scenario (30)"
    )
    parser.add_argument(
        "--warmup", type=int, default=5, metavar="N", help="untimed requests first (5)"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=[s.name for s in SCENARIOS],
        metavar="NAME",
        help="run only this scenario (repeatable; the floor always runs). "
        f"One of: {', '.join(s.name for s in SCENARIOS)}",
    )
    parser.add_argument("--size", choices=sorted(generate.SIZES), default="default")
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the data set again first"
    )
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    return args


# Setting up ---------------------------------------------------------------------------------


def prepare_database(size: str, regenerate: bool) -> tuple[dict, Path]:
    """Generate the data set if needed (in a child process), then start Django on a copy."""
    command = [sys.executable, str(BENCH_DIR / "generate.py"), "--size", size]
    if regenerate:
        command.append("--regenerate")
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - our own script
    paths = generate.data_paths(size)
    stamp = generate.read_stamp(paths["stamp"])
    working = paths["db"].with_name(f"run{'' if size == 'default' else '-' + size}.sqlite3")
    for leftover in working.parent.glob(working.name + "*"):
        leftover.unlink()
    shutil.copyfile(paths["db"], working)
    print(f"Data set ready in {time.perf_counter() - started:.1f} s; timing on a copy.")
    generate.configure_django(working, paths["media"])
    return stamp, working


def machine_info() -> dict:
    import django
    from django.db import connection

    info = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": {"vendor": connection.vendor, "version": connection.Database.sqlite_version}
        if connection.vendor == "sqlite"
        else {"vendor": connection.vendor},
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
    }
    try:
        git = ["git", "-C", str(ROOT)]
        info["git_commit"] = subprocess.run(  # noqa: S603
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(  # noqa: S603
            [*git, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        info["git_dirty"] = bool(status.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def make_client(scenario: Scenario, stamp: dict):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    if scenario.user is not None:
        email = stamp["users"][scenario.user]
        client.force_login(get_user_model().objects.get(email=email))
    return client


# Measuring ----------------------------------------------------------------------------------


def request(client, scenario: Scenario, path: str, check_content: bool = False):
    response = client.get(path)
    if response.status_code != 200:
        where = f" to {response['Location']}" if response.has_header("Location") else ""
        raise ScenarioFailed(f"GET {path} answered {response.status_code}{where}, not 200")
    if check_content and scenario.expect.encode() not in response.content:
        raise ScenarioFailed(f"GET {path} answered 200 without the text {scenario.expect!r}")
    return response


def sql_shape(sql: str) -> str:
    """The statement with its literal values taken out, to spot the same query repeated."""
    return _LITERALS.sub("?", sql)


def capture_queries(client, scenario: Scenario, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, db_ms, repeated = [], [], {}
    for _ in range(QUERY_SAMPLES):
        with CaptureQueriesContext(connection) as captured:
            request(client, scenario, path)
        queries = captured.captured_queries
        counts.append(len(queries))
        db_ms.append(sum(float(query["time"]) for query in queries) * 1000)
        shapes = Counter(sql_shape(query["sql"]) for query in queries)
        repeated = {sql: times for sql, times in shapes.items() if times > 1}
    return {
        "queries": counts[-1],
        "query_counts_sampled": counts,
        "queries_stable": len(set(counts)) == 1,
        "db_ms": round(statistics.median(db_ms), 1),
        "repeated_queries": [{"times": t, "sql": sql} for sql, t in repeated.items()],
        "sql": [{"ms": float(query["time"]) * 1000, "sql": query["sql"]} for query in queries],
    }


def path_for(scenario: Scenario, stamp: dict) -> str:
    """The scenario's path, with {slug} and any record it names (PATH_VALUES) filled in."""
    from bench.scenarios import PATH_VALUES

    values = {key: lookup() for key, lookup in PATH_VALUES.items() if f"{{{key}}}" in scenario.path}
    return scenario.path.format(slug=stamp["target_slug"], **values)


def run(scenarios: list[Scenario], stamp: dict, repeat: int, warmup: int) -> tuple[list, list]:
    paths = {s.name: path_for(s, stamp) for s in scenarios}
    clients, failures = {}, []

    def fail(scenario: Scenario, error: Exception) -> None:
        message = str(error) if isinstance(error, ScenarioFailed) else traceback.format_exc()
        failures.append({"scenario": scenario.name, "path": paths[scenario.name], "error": message})
        clients.pop(scenario.name, None)
        print(f"FAILED {scenario.name}: {message}", file=sys.stderr)

    for scenario in scenarios:
        try:
            client = make_client(scenario, stamp)
            response = request(client, scenario, paths[scenario.name], check_content=True)
            clients[scenario.name] = (client, len(response.content))
            for _ in range(warmup):
                request(client, scenario, paths[scenario.name])
        except Exception as error:
            fail(scenario, error)

    samples = {name: [] for name in clients}
    gc.collect()
    for _ in range(repeat):  # interleaved, so that a slow moment hits every scenario alike
        for scenario in scenarios:
            if scenario.name not in clients:
                continue
            client = clients[scenario.name][0]
            try:
                started = time.perf_counter()
                request(client, scenario, paths[scenario.name])
                samples[scenario.name].append((time.perf_counter() - started) * 1000)
            except Exception as error:
                fail(scenario, error)

    results = []
    for scenario in scenarios:
        if scenario.name not in clients:
            continue
        client, size = clients[scenario.name]
        try:
            queries = capture_queries(client, scenario, paths[scenario.name])
        except Exception as error:
            fail(scenario, error)
            continue
        times = sorted(samples[scenario.name])
        results.append(
            {
                "name": scenario.name,
                "path": paths[scenario.name],
                "user": scenario.user,
                "status": 200,
                "median_ms": round(statistics.median(times), 3),
                "p90_ms": round(percentile(times, 90), 3),
                "min_ms": round(times[0], 3),
                "response_bytes": size,
                **queries,
                "samples_ms": [round(t, 3) for t in samples[scenario.name]],
            }
        )
    floor = next((r for r in results if r["name"] == FLOOR), None)
    for result in results:
        result["ratio_to_floor"] = (
            round(result["median_ms"] / floor["median_ms"], 1) if floor else None
        )
    return results, failures


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


# Reporting ----------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    header = ("scenario", "median ms", "p90 ms", "× floor", "queries", "repeated", "db ms", "KB")
    rows = [
        (
            r["name"],
            f"{r['median_ms']:.2f}",
            f"{r['p90_ms']:.2f}",
            f"{r['ratio_to_floor']:.1f}" if r["ratio_to_floor"] is not None else "-",
            str(r["queries"]) + ("" if r["queries_stable"] else "*"),
            str(sum(q["times"] - 1 for q in r["repeated_queries"])),
            f"{r['db_ms']:.1f}",
            f"{r['response_bytes'] / 1024:.1f}",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells)

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def describe(counts: dict) -> str:
    return (
        f"{counts['partnerships']} partnerships, {counts['users']:,} users, "
        f"{counts['audit_events']:,} audit events ({counts['target_audit_trail_events']:,} in the "
        f"target's trail), {counts['public_documents']} documents "
        f"({counts['target_documents_live']} live on the target's page), "
        f"{counts['content_blocks']} sections ({counts['target_content_blocks']} on the target's); "
        f"the target's {counts.get('target_referrals', 0):,} referrals "
        f"({counts.get('target_referrals_new', 0):,} new), {counts.get('target_cases', 0):,} cases "
        f"and {counts.get('target_milestones', 0):,} milestones "
        f"({counts.get('target_milestones_overdue', 0):,} overdue, "
        f"{counts.get('target_milestones_due_this_week', 0):,} due in the next 5 working days, "
        f"{counts.get('target_milestones_paused', 0):,} paused, today); "
        f"{counts.get('target_recommendations', 0):,} recommendations and "
        f"{counts.get('target_actions', 0):,} actions "
        f"({counts.get('target_actions_open', 0):,} open, "
        f"{counts.get('target_actions_overdue', 0):,} overdue today)"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [FLOOR, *(n for n in (args.scenario or BY_NAME) if n != FLOOR)]
    scenarios = [BY_NAME[name] for name in dict.fromkeys(names)]

    stamp, working = prepare_database(args.size, args.regenerate)
    from django.db import connection

    from safeguarding.accounts.models import Partnership

    counts = generate.dataset_counts(Partnership.objects.get(slug=stamp["target_slug"]))
    print(f"Data set ({args.size}): {describe(counts)}.")
    print(
        f"Timing {len(scenarios)} scenarios: {args.warmup} warm-up and {args.repeat} timed "
        f"requests each, in process, {connection.vendor} …\n"
    )
    started = time.perf_counter()
    results, failures = run(scenarios, stamp, args.repeat, args.warmup)
    elapsed = time.perf_counter() - started

    if results:
        print(table(results))
    print(
        f"\nMedian and p90 of {args.repeat} requests; × floor = median / floor's median; "
        f"queries per request (* if it varied); repeated = queries that repeat an earlier one "
        f"with other values; db ms = time in those queries (untimed requests). "
        f"Timed in {elapsed:.1f} s."
    )
    for result in results:
        for repeat in result["repeated_queries"]:
            print(f"  {result['name']}: {repeat['times']}× {repeat['sql'][:300]}")

    output = args.output or RESULTS_DIR / (
        "latest.json" if args.size == "default" else f"latest-{args.size}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "repeat": args.repeat,
        "warmup": args.warmup,
        "machine": machine_info(),
        "data_set": {
            "size": args.size,
            "seed": stamp["seed"],
            "generator": stamp["generator"],
            "params": stamp["params"],
            "counts": counts,
        },
        "scenarios": results,
        "failures": failures,
    }
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"Results written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}"
    )
    from django.db import connections

    connections.close_all()
    for leftover in working.parent.glob(working.name + "*"):
        leftover.unlink()
    if failures:
        print(f"\n{len(failures)} scenario(s) FAILED:")
        for failure in failures:
            print(f"  {failure['scenario']}: {failure['error'].strip()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
