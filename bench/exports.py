"""Bench for the large spreadsheet exports (issue 16): the merged chronology of a review with
20,000 entries and the partnership's action tracker with 10,000 actions, each downloaded as
.xlsx through the whole stack (URL, permissions, selectors, writer, the audited file response,
the body read to its end).

    .venv/bin/python bench/exports.py                 # build the data set if missing, measure
    .venv/bin/python bench/exports.py --regenerate    # build it again first
    .venv/bin/python bench/exports.py --entries 2000 --actions 1000 --output /tmp/small.json

The data set is its own SQLite file, ``bench/.data/exports.sqlite3`` (git-ignored), made by the
migrations and the generators of the main data set (``chronology_data``, ``action_data``), seed
2026. Each export is measured in a fresh child process, twice: once for its time (median of
``--repeat`` downloads), once under ``tracemalloc`` for the peak of Python memory allocated
while the request is served and its body read (the time of that run is not reported:
tracemalloc slows Python down). The child also reports its peak resident set
(``ru_maxrss``) before and after the downloads. The queries of one download are counted.
Benchmarks are not tests: nothing here passes or fails on speed.
"""

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
DB_PATH = DATA / "exports.sqlite3"
MEDIA = DATA / "exports-media"
SEED = 2026
EXPORTS = ("chronology_xlsx", "tracker_xlsx")


def _setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.generate import configure_django

    DATA.mkdir(exist_ok=True)
    configure_django(DB_PATH, MEDIA)


def build(entries: int, actions: int, log=print) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from bench.action_data import build_action_plans
    from bench.chronology_data import build_chronology
    from bench.generate import AGENCY_KINDS, BENCH_USERS, TARGET
    from safeguarding.accounts.models import Agency, Membership, Partnership, User
    from safeguarding.referrals.models import Case

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        agencies = Agency.objects.bulk_create(
            Agency(name=f"Northmoor {label}", slug=f"northmoor-{kind.replace('_', '-')}", kind=kind)
            for label, kind in AGENCY_KINDS[:12]
        )
        target = Partnership.objects.create(**TARGET)
        target.agencies.set(agencies)
        user = User.objects.create(
            email=BENCH_USERS["business_unit"],
            full_name="Bench Business Unit",
            password="!bench-generated-user",
        )
        Membership.objects.create(user=user, partnership=target, role="business_unit")
        reviews = max(3, actions // 33)  # about 3 recommendations and 33 actions a review
        Case.objects.bulk_create(
            Case(
                partnership=target,
                reference=f"C2026-{number:05d}",
                pseudonym=f"Child {number}",
                became_aware_on=dt.date(2016, 12, 1) + dt.timedelta(days=number),
            )
            for number in range(1, reviews + 2)
        )
        build_chronology(
            {"chronology_entries": entries}, SEED + 4, target, [user], agencies, log=log
        )
        build_action_plans(
            {
                "recommendations": max(1, actions * 3 // 10),
                "actions": actions,
                "action_reviews": reviews,
            },
            SEED + 5,
            target,
            [user],
            agencies,
            log=log,
        )
    log(f"  built in {time.perf_counter() - started:.1f} s")


def _url(name: str) -> str:
    from django.urls import reverse

    from bench.chronology_data import review_pk
    from bench.generate import TARGET

    if name == "chronology_xlsx":
        return reverse("reviews:chronology_export", args=[TARGET["slug"], review_pk()]) + (
            "?format=xlsx"
        )
    return reverse("actions:tracker_xlsx", args=[TARGET["slug"]]) + "?view=all"


def _download(client, url: str) -> tuple[int, int]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    response.close()
    return size, response.status_code


def measure(name: str, repeat: int) -> dict:
    """In a child process: time, peak Python memory, peak RSS and queries of one export."""
    from django.db import connection
    from django.test import Client

    from bench.generate import BENCH_USERS
    from safeguarding.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=BENCH_USERS["business_unit"]))
    url = _url(name)
    client.get("/")  # import the views, warm the URL resolver and templates
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        size, _ = _download(client, url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        _download(client, url)
        times.append(time.perf_counter() - started)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    _download(client, url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "bytes": size,
        "queries": len(queries),
        "seconds_median": round(statistics.median(times), 3),
        "seconds": [round(t, 3) for t in times],
        "python_peak_mb": round(peak / 2**20, 1),
        "rss_before_mb": round(rss_before / 1024, 1),
        "rss_peak_mb": round(rss_after / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "exports.json"))
    parser.add_argument("--measure", choices=EXPORTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure:  # the child process
        _setup()
        print(json.dumps(measure(args.measure, args.repeat)))
        return 0

    stamp = DATA / "exports.json"
    wanted = {"entries": args.entries, "actions": args.actions, "seed": SEED}
    have = json.loads(stamp.read_text()) if stamp.exists() and DB_PATH.exists() else None
    if args.regenerate or have != wanted:
        for path in (DB_PATH, stamp):
            path.unlink(missing_ok=True)
        print(
            f"Building {DB_PATH.relative_to(ROOT)}: {args.entries} entries, {args.actions} actions"
        )
        subprocess.run(  # noqa: S603 - our own script
            [
                sys.executable,
                "-c",
                f"import bench.exports as b; b._setup(); b.build({args.entries}, {args.actions})",
            ],
            cwd=ROOT,
            check=True,
        )
        stamp.write_text(json.dumps(wanted))

    results = {}
    for name in EXPORTS:
        out = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--measure", name, "--repeat", str(args.repeat)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[name] = json.loads(out.strip().splitlines()[-1])
        r = results[name]
        print(
            f"{name:16} {r['seconds_median']:6.2f} s  {r['python_peak_mb']:6.1f} MB Python peak"
            f"  RSS {r['rss_before_mb']:.0f} -> {r['rss_peak_mb']:.0f} MB"
            f"  {r['queries']} queries  {r['bytes']:,} bytes"
        )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "bench/exports.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "git_commit": commit,
        },
        "data_set": wanted,
        "results": results,
    }
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
