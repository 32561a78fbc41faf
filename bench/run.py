"""Time every page of the service at one year and at ten years of data, side by side.

    .venv/bin/python bench/run.py                  # every scenario, both data sets
    .venv/bin/python bench/run.py --quick          # fewer requests: a quick look (a minute or two)
    .venv/bin/python bench/run.py --scenario reviews.list --scenario annual_figures --repeat 50
    .venv/bin/python bench/run.py --regenerate     # build the data sets again first

Two generated data sets (bench/generate.py): ``one_year`` (the partnership's first year: a
tenth of every row that piles up, dated in the year before the data sets' today; ADR 0028) and
``default`` (ten years). Both are opened in this process, each through its
own connection, and every scenario is asked of both in interleaved rounds (one request of each
scenario on each data set per round), so that a slow moment on the machine hits both alike. The
requests go through django.test.Client (no network, no server threads) against copies of the
data sets, so that sessions and audit events written during a run never change them.

For each scenario it prints the 1-year and 10-year medians, the queries on each, the ratio
(10-year median over 1-year median; the goal of issue 16 is at most 1.25 with the same number of
queries) and the floor ratio (the 10-year median over the median of a trivial view, ``floor``,
in the same run; the goals: staff pages at most 10, public pages at most 5). Then EXPLAIN for
the slowest queries of the run on the ten-year set.

Every URL pattern of the service must have a scenario (bench/scenarios.py) or a reasoned
entry in EXCLUDED: the run lists any pattern with neither and exits 1, as it does when a
scenario does not answer 200 (with the text it expects). Results go to bench/results/latest.json
(``--output`` to change it).
"""

from __future__ import annotations

import argparse
import copy
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
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402  (needs the project root on the path)
from bench.scenarios import (  # noqa: E402
    BY_NAME,
    EXCLUDED,
    FLOOR,
    LOOKUPS,
    SCENARIOS,
    USERS,
    Scenario,
)

RESULTS_DIR = BENCH_DIR / "results"
SETS = ("one_year", "default")  # the first is the baseline of the ratio
SET_LABEL = {"one_year": "1 year", "default": "10 years"}
QUERY_SAMPLES = 2
GOAL_RATIO = 1.25
GOAL_FLOOR = {"staff": 10.0, "public": 5.0}
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


class ScenarioFailed(Exception):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time every page at one and ten years of data, next to a trivial view."
    )
    parser.add_argument("--repeat", type=int, default=15, metavar="N", help="timed rounds (15)")
    parser.add_argument("--warmup", type=int, default=2, metavar="N", help="untimed first (2)")
    parser.add_argument(
        "--quick", action="store_true", help="5 timed rounds and 1 warm-up: a quick look"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(BY_NAME),
        metavar="NAME",
        help="run only this scenario (repeatable; the floor always runs)",
    )
    parser.add_argument(
        "--explain", type=int, default=5, metavar="N", help="EXPLAIN the N slowest queries (5)"
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the data sets again first"
    )
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.warmup = 5, 1
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    return args


# Coverage: every URL pattern has a scenario or a reason -----------------------------------


def url_names() -> list[str]:
    """Every named URL pattern of the service (the Django admin's own pages left out)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, namespace: str | None = None):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(name for name in set(walk(get_resolver())) if not name.startswith("admin:"))


def coverage() -> dict[str, list[str]]:
    names = set(url_names())
    scenario_names = {s.url_name for s in SCENARIOS}
    return {
        "missing": sorted(names - scenario_names - set(EXCLUDED)),
        "stale": sorted((scenario_names | set(EXCLUDED)) - names),
        "both": sorted(scenario_names & set(EXCLUDED)),
    }


# Setting up ---------------------------------------------------------------------------------


def prepare_databases(regenerate: bool) -> dict[str, dict]:
    """Generate the data sets if needed (each in a child process), copy them, start Django on
    the first copy and open one connection per copy."""
    sets: dict[str, dict] = {}
    for size in SETS:
        command = [sys.executable, str(BENCH_DIR / "generate.py"), "--size", size]
        if regenerate:
            command.append("--regenerate")
        subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - our own script
        paths = generate.data_paths(size)
        working = paths["db"].with_name(f"run-{size}.sqlite3")
        for leftover in working.parent.glob(working.name + "*"):
            leftover.unlink()
        shutil.copyfile(paths["db"], working)
        sets[size] = {
            "stamp": generate.read_stamp(paths["stamp"]),
            "working": working,
            "media": paths["media"],
        }
    generate.configure_django(sets[SETS[0]]["working"], sets[SETS[0]]["media"])
    from django.db import connections

    base = connections["default"]
    for data_set in sets.values():
        settings_dict = copy.deepcopy(base.settings_dict)
        settings_dict["NAME"] = str(data_set["working"])
        data_set["connection"] = type(base)(settings_dict, alias="default")
    return sets


def activate(data_set: dict) -> None:
    """Make the data set's connection the one Django uses (both stay open)."""
    from django.db import connections

    connections["default"] = data_set["connection"]


def machine_info() -> dict:
    import django
    from django.db import connection

    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
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


def user_for(key: str, partnership):
    from safeguarding.accounts.models import User

    wanted = USERS[key]
    if wanted.startswith("lookup:"):  # a user found in the data set (a lookup of user ids)
        return User.objects.get(pk=LOOKUPS[wanted.removeprefix("lookup:")](partnership))
    if wanted.startswith("role:"):
        user = (
            User.objects.filter(
                memberships__partnership=partnership,
                memberships__role=wanted.removeprefix("role:"),
                is_active=True,
            )
            .order_by("pk")
            .first()
        )
        if user is None:
            raise ScenarioFailed(f"no {wanted} member of the target in the data set")
        return user
    return User.objects.get(email=wanted)


def client_for(scenario: Scenario, partnership, users: dict):
    """A test client for the scenario: signed in as its user (each user read once into
    ``users``, which the caller keeps per data set), or anonymous."""
    from django.test import Client

    client = Client()
    if scenario.user is not None:
        if scenario.user not in users:
            users[scenario.user] = user_for(scenario.user, partnership)
        client.force_login(users[scenario.user])
    return client


def path_for(scenario: Scenario, partnership) -> str:
    """The scenario's path on the active data set: the target's slug and any record it names."""
    from django.urls import NoReverseMatch, reverse

    kwargs = {
        key: LOOKUPS[value](partnership) if isinstance(value, str) and value in LOOKUPS else value
        for key, value in scenario.kwargs.items()
    }
    try:
        path = reverse(scenario.url_name, kwargs={"slug": partnership.slug, **kwargs})
    except NoReverseMatch:
        path = reverse(scenario.url_name, kwargs=kwargs or None)
    if scenario.query:
        names = re.findall(r"{(\w+)}", scenario.query)
        path += "?" + scenario.query.format(**{n: LOOKUPS[n](partnership) for n in names})
    return path


# Measuring ----------------------------------------------------------------------------------


def request(client, scenario: Scenario, path: str, check_content: bool = False):
    response = client.get(path)
    if response.status_code != 200:
        where = f" to {response['Location']}" if response.has_header("Location") else ""
        raise ScenarioFailed(f"GET {path} answered {response.status_code}{where}, not 200")
    if check_content:
        if scenario.expect and scenario.expect.encode() not in response.content:
            raise ScenarioFailed(f"GET {path} answered 200 without the text {scenario.expect!r}")
        if getattr(response, "streaming", False):
            raise ScenarioFailed(f"GET {path} streams: a download, not a page")
    return response


def sql_shape(sql: str) -> str:
    """The statement with its literal values taken out, to spot the same query repeated."""
    return _LITERALS.sub("?", sql)


def capture_queries(client, scenario: Scenario, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, db_ms, repeated, queries = [], [], {}, []
    for _ in range(QUERY_SAMPLES):
        connection.queries_log.clear()  # the log keeps 9,000: a page past that would count 0
        with CaptureQueriesContext(connection) as captured:
            request(client, scenario, path)
        queries = captured.captured_queries
        counts.append(len(queries))
        db_ms.append(sum(float(query["time"]) for query in queries) * 1000)
        shapes = Counter(sql_shape(query["sql"]) for query in queries)
        repeated = {sql: times for sql, times in shapes.items() if times > 1}
    return {
        "queries": counts[-1],
        "queries_stable": len(set(counts)) == 1,
        "db_ms": round(statistics.median(db_ms), 1),
        "repeated_queries": [{"times": t, "sql": sql[:500]} for sql, t in repeated.items()],
        "sql": [{"ms": float(query["time"]) * 1000, "sql": query["sql"]} for query in queries],
    }


def run(scenarios: list[Scenario], sets: dict[str, dict], repeat: int, warmup: int):
    from safeguarding.accounts.models import Partnership

    # (scenario name, set) -> client, path, size
    ready: dict[tuple[str, str], dict] = {}
    failures: list[dict] = []

    def fail(scenario: Scenario, size: str, path: str, error: Exception) -> None:
        message = str(error) if isinstance(error, ScenarioFailed) else traceback.format_exc()
        failures.append({"scenario": scenario.name, "set": size, "path": path, "error": message})
        ready.pop((scenario.name, size), None)
        print(f"FAILED {scenario.name} ({SET_LABEL[size]}): {message.strip()}", file=sys.stderr)

    for size, data_set in sets.items():
        activate(data_set)
        partnership = Partnership.objects.get(slug=data_set["stamp"]["target_slug"])
        data_set["partnership"] = partnership
        users: dict[str, Any] = {}
        for scenario in scenarios:
            path = "?"
            try:
                path = path_for(scenario, partnership)
                client = client_for(scenario, partnership, users)
                response = request(client, scenario, path, check_content=True)
                for _ in range(warmup):
                    request(client, scenario, path)
                ready[(scenario.name, size)] = {
                    "client": client,
                    "path": path,
                    "bytes": len(response.content),
                    "samples": [],
                }
            except Exception as error:
                fail(scenario, size, path, error)

    gc.collect()
    for _ in range(repeat):  # interleaved: a slow moment hits every scenario and set alike
        for scenario in scenarios:
            for size, data_set in sets.items():
                entry = ready.get((scenario.name, size))
                if entry is None:
                    continue
                activate(data_set)
                try:
                    started = time.perf_counter()
                    request(entry["client"], scenario, entry["path"])
                    entry["samples"].append((time.perf_counter() - started) * 1000)
                except Exception as error:
                    fail(scenario, size, entry["path"], error)

    measured: dict[tuple[str, str], dict] = {}
    for scenario in scenarios:
        for size, data_set in sets.items():
            entry = ready.get((scenario.name, size))
            if entry is None:
                continue
            activate(data_set)
            try:
                queries = capture_queries(entry["client"], scenario, entry["path"])
            except Exception as error:
                fail(scenario, size, entry["path"], error)
                continue
            times = sorted(entry["samples"])
            measured[(scenario.name, size)] = {
                "path": entry["path"],
                "median_ms": round(statistics.median(times), 3),
                "p90_ms": round(percentile(times, 90), 3),
                "min_ms": round(times[0], 3),
                "response_bytes": entry["bytes"],
                **queries,
            }
    return measured, failures


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summarise(scenarios: list[Scenario], measured: dict) -> list[dict]:
    base, big = SETS
    floor = measured.get((FLOOR, big))
    rows = []
    for scenario in scenarios:
        one, ten = measured.get((scenario.name, base)), measured.get((scenario.name, big))
        if one is None and ten is None:
            continue
        ratio = round(ten["median_ms"] / one["median_ms"], 2) if one and ten else None
        floor_ratio = round(ten["median_ms"] / floor["median_ms"], 1) if ten and floor else None
        kind = "public" if scenario.public else "staff"
        same_queries = bool(one and ten and one["queries"] == ten["queries"])
        meets = (
            ratio is not None
            and ratio <= GOAL_RATIO
            and same_queries
            and floor_ratio is not None
            and floor_ratio <= GOAL_FLOOR[kind]
        )
        rows.append(
            {
                "name": scenario.name,
                "url_name": scenario.url_name,
                "user": scenario.user,
                "kind": kind,
                "ratio": ratio,
                "floor_ratio": floor_ratio,
                "same_queries": same_queries,
                "meets_ratio_goal": ratio is not None and ratio <= GOAL_RATIO and same_queries,
                "meets_goal": meets,
                SET_LABEL[base]: {k: v for k, v in (one or {}).items() if k != "sql"},
                SET_LABEL[big]: {k: v for k, v in (ten or {}).items() if k != "sql"},
            }
        )
    return rows


def explain(measured: dict, sets: dict, count: int) -> list[dict]:
    """EXPLAIN (QUERY PLAN on SQLite) for the ``count`` slowest distinct queries on the ten-year
    data set, with the scenario that ran each."""
    big = SETS[-1]
    slowest: dict[str, dict] = {}
    for (name, size), result in measured.items():
        if size != big:
            continue
        for query in result["sql"]:
            shape = sql_shape(query["sql"])
            if query["sql"].lstrip().upper().startswith(("SELECT", "WITH")) and (
                shape not in slowest or query["ms"] > slowest[shape]["ms"]
            ):
                slowest[shape] = {"scenario": name, "ms": round(query["ms"], 2), **query}
    activate(sets[big])
    from django.db import connection

    plans = []
    for query in sorted(slowest.values(), key=lambda q: -q["ms"])[:count]:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        try:
            with connection.cursor() as cursor:
                cursor.execute(prefix + query["sql"])
                plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
        except Exception as error:
            plan = [f"(could not explain: {error})"]
        plans.append(
            {
                "scenario": query["scenario"],
                "ms": round(query["ms"], 2),
                "sql": query["sql"][:2000],
                "plan": plan,
            }
        )
    return plans


# Reporting ----------------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    one, ten = (SET_LABEL[s] for s in SETS)
    header = ("scenario", "1y ms", "10y ms", "1y q", "10y q", "ratio", "× floor", "goal")
    lines = []
    for r in rows:
        a, b = r[one], r[ten]
        lines.append(
            (
                r["name"],
                f"{a['median_ms']:.2f}" if a else "-",
                f"{b['median_ms']:.2f}" if b else "-",
                str(a.get("queries", "-")) + ("" if a.get("queries_stable", True) else "*"),
                str(b.get("queries", "-")) + ("" if b.get("queries_stable", True) else "*"),
                f"{r['ratio']:.2f}" if r["ratio"] is not None else "-",
                f"{r['floor_ratio']:.1f}" if r["floor_ratio"] is not None else "-",
                "ok" if r["meets_goal"] else ("ratio ok" if r["meets_ratio_goal"] else "MISS"),
            )
        )
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def line(row) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells)

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, lines)])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [FLOOR, *(n for n in (args.scenario or BY_NAME) if n != FLOOR)]
    scenarios = [BY_NAME[name] for name in dict.fromkeys(names)]
    load_before = os.getloadavg()

    sets = prepare_databases(args.regenerate)
    covered = coverage()
    activate(sets[SETS[0]])
    print(
        f"Timing {len(scenarios)} scenarios on {len(sets)} data sets "
        f"({', '.join(SET_LABEL[s] for s in sets)}): {args.warmup} warm-up and {args.repeat} "
        f"timed rounds, in process. Load average {load_before[0]:.2f} …\n"
    )
    started = time.perf_counter()
    measured, failures = run(scenarios, sets, args.repeat, args.warmup)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    rows = summarise(scenarios, measured)
    plans = explain(measured, sets, args.explain) if args.explain else []

    print(table(rows))
    print(
        f"\nMedians of {args.repeat} rounds. ratio = 10-year median / 1-year median (goal ≤ "
        f"{GOAL_RATIO} with the same queries); × floor = 10-year median / floor's (goal: staff "
        f"≤ {GOAL_FLOOR['staff']:.0f}, public ≤ {GOAL_FLOOR['public']:.0f}). goal: ok (both), "
        f"'ratio ok' (flat with data, above the floor goal), MISS. * queries varied. "
        f"Timed in {elapsed:.1f} s; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after."
    )
    for row in rows:
        for size in (SET_LABEL[s] for s in SETS):
            for repeat in row[size].get("repeated_queries", []):
                print(f"  {row['name']} ({size}): {repeat['times']}× {repeat['sql'][:200]}")
    if plans:
        print(f"\nThe {len(plans)} slowest queries on the ten-year data set:")
        for plan in plans:
            print(f"\n  {plan['ms']:.2f} ms in {plan['scenario']}: {plan['sql'][:300]}")
            for step in plan["plan"]:
                print(f"    {step}")

    output = args.output or RESULTS_DIR / "latest.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "repeat": args.repeat,
        "warmup": args.warmup,
        "load_average": {"before": load_before, "after": load_after},
        "machine": machine_info(),
        "data_sets": {
            SET_LABEL[size]: {
                "size": size,
                "seed": data_set["stamp"]["seed"],
                "generator": data_set["stamp"]["generator"],
                "counts": data_set["stamp"]["counts"],
            }
            for size, data_set in sets.items()
        },
        "goals": {"ratio": GOAL_RATIO, "floor": GOAL_FLOOR},
        "scenarios": rows,
        "explain": plans,
        "coverage": {**covered, "excluded": EXCLUDED},
        "failures": failures,
    }
    output.write_text(json.dumps(report, indent=2) + "\n")
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    print(f"\nResults written to {shown}")

    from django.db import connections

    for data_set in sets.values():
        data_set["connection"].close()
    connections.close_all()
    for data_set in sets.values():
        for leftover in data_set["working"].parent.glob(data_set["working"].name + "*"):
            leftover.unlink()

    status = 0
    if failures:
        print(f"\n{len(failures)} scenario run(s) FAILED:")
        for failure in failures:
            print(
                f"  {failure['scenario']} ({SET_LABEL[failure['set']]}): {failure['error'].strip()}"
            )
        status = 1
    if covered["missing"] or covered["stale"] or covered["both"]:
        print("\nURL patterns without a scenario or a reason (add them to bench/scenarios.py):")
        for name in covered["missing"]:
            print(f"  MISSING {name}")
        for name in covered["stale"]:
            print(f"  STALE   {name} (no longer a URL pattern)")
        for name in covered["both"]:
            print(f"  BOTH    {name} (has a scenario and an exclusion)")
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
