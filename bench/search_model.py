"""The library's sentence model in the web server: how long it takes to load, the memory of each
gunicorn worker, and the first search of a worker, for three ways of running gunicorn on one
generated library (bench/search_speed.py's records: by default 2,000 with 2,000 words of full
text each, with their vectors):

- ``lazy``: the old command, ``gunicorn config.wsgi -w 2``: each worker loads the model on its
  first search (2 onnxruntime threads each);
- ``worker-warm-up``: the same with LIBRARY_WARM_UP=true: each worker loads its own model when
  it starts (one thread each);
- ``preload``: ``gunicorn -c config/gunicorn.conf.py``: the master loads the app, the model and
  the search catalogue and vocabulary once and forks the workers, which share that memory.

    .venv/bin/python bench/search_model.py                  # generate if needed, then measure
    .venv/bin/python bench/search_model.py --records 300 --words 300   # a quick small run

For each way: 2 workers on 127.0.0.1; the seconds until the server answers; each worker's
memory (VmRSS, its proportional share Pss, which counts memory shared with other processes
once between them, and the peak VmHWM) after start-up and after a burst of searches (the bench
query set, two clients at once, ``--rounds`` times); the first search of each worker (two
searches sent at once to the just-started server); the median and 95th percentile of the
public search page during the burst. Then, in this process: the model's load time and memory
(in a fresh Python, ``--loads`` times), and the median and 95th percentile of a search against
the plain keyword query of the same index (search_speed.time_searches). Results go to
bench/results/search-model.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import search_common, search_speed
from bench.search_data import QUERIES

WORKERS = 2
LOAD_SCRIPT = """
import json, os, time
import django
django.setup()
from safeguarding.library import embeddings

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024

before = status("VmRSS")
started = time.perf_counter()
embeddings.warm_up()
seconds = time.perf_counter() - started
threads = embeddings.model().session.get_session_options().intra_op_num_threads
print(json.dumps({"seconds": seconds, "rss_before_mb": before, "rss_after_mb": status("VmRSS"),
                  "peak_mb": status("VmHWM"), "threads": threads}))
"""


def memory(pid: int) -> dict:
    """VmRSS, Pss and VmHWM of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        if key == "Pss":
            values["Pss"] = int(rest.split()[0]) / 1024
    return {
        "rss_mb": round(values["VmRSS"], 1),
        "pss_mb": round(values["Pss"], 1),
        "peak_mb": round(values["VmHWM"], 1),
    }


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return sorted(int(p) for p in path.read_text().split()) if path.exists() else []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - loopback only
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    return (time.perf_counter() - started) * 1000


def percentile(ordered: list[float], pct: float) -> float:
    return search_speed.percentile(ordered, pct)


def run_server(way: str, slug: str, env: dict, rounds: int, log) -> dict:
    port = free_port()
    bind = f"127.0.0.1:{port}"
    env = dict(env)
    if way == "preload":
        env |= {"GUNICORN_BIND": bind, "WEB_CONCURRENCY": str(WORKERS)}
        command = ["-c", "config/gunicorn.conf.py"]
    else:
        command = ["config.wsgi:application", "-b", bind, "-w", str(WORKERS)]
        if way == "worker-warm-up":
            env |= {"LIBRARY_WARM_UP": "true", "LIBRARY_EMBED_THREADS": "1"}
    started = time.perf_counter()
    server = subprocess.Popen(  # noqa: S603 - this Python's gunicorn, fixed arguments
        [sys.executable, "-m", "gunicorn", *command],
        cwd=search_common.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://{bind}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn ({way}) stopped: {server.stderr.read()[-2000:]}")
            if len(children(server.pid)) == WORKERS:
                try:
                    get(f"{base}/healthz")
                    break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn ({way}) did not start")
            time.sleep(0.2)
        ready_s = time.perf_counter() - started
        # A worker answers /healthz once it has loaded the app; let both finish starting.
        time.sleep(3)
        workers = children(server.pid)
        idle = {str(pid): memory(pid) for pid in workers}
        master_idle = memory(server.pid)
        page = f"{base}/{slug}/library/?"
        queries = [q for q, _, _ in QUERIES]

        first: list[float] = []

        def first_search(query):
            first.append(get(page + urllib.parse.urlencode({"q": query})))

        threads = [threading.Thread(target=first_search, args=(q,)) for q in queries[:WORKERS]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        samples: list[float] = []
        lock = threading.Lock()
        work = [q for _ in range(rounds) for q in queries]

        def client(offset):
            for query in work[offset::WORKERS]:
                took = get(page + urllib.parse.urlencode({"q": query}))
                with lock:
                    samples.append(took)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        after = {str(pid): memory(pid) for pid in workers}
        master_after = memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    ordered = sorted(samples)
    log(
        f"  {way}: ready in {ready_s:.1f} s; first searches {', '.join(f'{t:.0f}' for t in first)}"
        f" ms; page median {statistics.median(ordered):.0f} ms, p95 "
        f"{percentile(ordered, 95):.0f} ms; worker Pss after "
        f"{', '.join(str(m['pss_mb']) for m in after.values())} MB"
    )
    return {
        "command": "gunicorn " + " ".join(command),
        "ready_seconds": round(ready_s, 1),
        "master": {"after_start": master_idle, "after_searches": master_after},
        "workers_after_start": idle,
        "workers_after_searches": after,
        "worker_pss_sum_after_searches_mb": round(sum(m["pss_mb"] for m in after.values()), 1),
        "total_pss_after_searches_mb": round(
            sum(m["pss_mb"] for m in after.values()) + master_after["pss_mb"], 1
        ),
        "first_search_ms": [round(t, 1) for t in sorted(first)],
        "page": {
            "searches": len(ordered),
            "clients": WORKERS,
            "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(percentile(ordered, 95), 1),
            "max_ms": round(ordered[-1], 1),
        },
    }


def model_loads(env: dict, count: int) -> dict:
    loads = []
    for _ in range(count):
        out = subprocess.run(  # noqa: S603 - this Python, a fixed script
            [sys.executable, "-c", LOAD_SCRIPT],
            cwd=search_common.ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        loads.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "loads": count,
        "seconds_median": round(statistics.median(x["seconds"] for x in loads), 2),
        "seconds": [round(x["seconds"], 2) for x in loads],
        "rss_before_mb": round(statistics.median(x["rss_before_mb"] for x in loads), 1),
        "rss_after_mb": round(statistics.median(x["rss_after_mb"] for x in loads), 1),
        "peak_mb": round(statistics.median(x["peak_mb"] for x in loads), 1),
        "threads": loads[0]["threads"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--words", type=int, default=2000, help="words of full text each")
    parser.add_argument("--rounds", type=int, default=2, help="page searches per query")
    parser.add_argument("--loads", type=int, default=3, help="model loads to time")
    args = parser.parse_args(argv)
    wanted = {
        "seed": search_common.SEED,
        "records": args.records,
        "words": args.words,
        "generator": search_common.source_hash(
            "bench/search_data.py", "bench/search_common.py", "bench/search_speed.py"
        ),
    }
    name = f"search-model-{args.records}x{args.words}"
    stamp, where = search_common.ensure(
        name, wanted, search_speed.build_with(args.records, args.words)
    )
    search_common.ensure_vectors(stamp, where["stamp_path"])
    search_common.sync_terms()

    from django.db import connection, connections

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import embeddings

    if not embeddings.available():
        print("No sentence model installed: nothing to measure.")
        return 1
    partnership = Partnership.objects.get(slug=stamp["slug"])
    connections.close_all()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIBRARY_", "GUNICORN_", "WEB_CONCURRENCY", "TOKENIZERS_"))
    }
    print(f"\nThe sentence model in the web server ({where['where']}, {WORKERS} workers)")
    print("Model loads …")
    loads = model_loads(env, args.loads)
    print(
        f"  load {loads['seconds_median']} s (median of {args.loads}); resident "
        f"{loads['rss_before_mb']} → {loads['rss_after_mb']} MB, peak {loads['peak_mb']} MB"
    )
    ways = {}
    for way in ("lazy", "worker-warm-up", "preload"):
        ways[way] = run_server(way, stamp["slug"], env, args.rounds, print)
    print("In-process search against the plain keyword query of the same index …")
    timed = search_speed.time_searches(partnership, rounds=args.rounds)
    in_process = {
        mode: {k: r[k] for k in ("searches", "median_ms", "p95_ms", "max_ms", "first_search_ms")}
        for mode, r in timed.items()
    }
    for mode, r in in_process.items():
        print(f"  {mode:<8} median {r['median_ms']} ms, p95 {r['p95_ms']} ms")
    load_average = os.getloadavg()
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "model": embeddings.model_name(),
        "cores": os.cpu_count(),
        "load_average_at_end": [round(x, 1) for x in load_average],
        "data_set": {k: v for k, v in stamp.items() if k != "forced"},
        "model_load": loads,
        "gunicorn": ways,
        "in_process_search": in_process,
    }
    output = search_common.RESULTS_DIR / "search-model.json"
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Results written to {output.relative_to(search_common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
