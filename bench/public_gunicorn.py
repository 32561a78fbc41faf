"""The public pages under gunicorn against a static file of the same size (issue 16, ADR 0047).

    .venv/bin/python bench/public_gunicorn.py                  # 10 s a measurement
    .venv/bin/python bench/public_gunicorn.py --seconds 5 --reuse-data

It builds the Riverton demo in a fresh SQLite file under bench/.data/ (as bench/load.py does;
``--reuse-data`` keeps the one there), renders each public page once to learn its size, writes a
copy of it as a static file (same size, same server: WhiteNoise), starts gunicorn on 127.0.0.1
and, for each page, measures requests per second with a bounded Python client (``--clients``
threads, each with one keep-alive connection, for ``--seconds``):

Each is measured in turns of ``--slice`` seconds (static, cached, rendered, again), so that all
three meet the same background load on a shared machine:

- ``static``: the same-size static file;
- ``cached``: the page as an anonymous visitor gets it (from the public page cache);
- ``rendered``: the page with a session cookie (a visitor who may be signed in: rendered every
  time, as every visitor's was before the cache).

It also checks that a conditional GET with the page's ETag answers 304. The figures go to
``bench/results/public-gunicorn.json``: for each page the three rates, ``cached / static`` (the
goal is at least 0.5) and ``cached / rendered``. The client is Python: on a small machine it is
itself a limit, so the static rate it measures is below what wrk would see (the ratio is what
counts: both are measured by the same client in the same run). The machine's load average is
recorded before and after. ``in_process`` gives the server's own time without a client: the
median of ``--repeat`` calls of the WSGI application, static copy and cached page in turns, and
``static_over_cached`` (the share of a static file's rate the page would reach if the server
alone were the limit). It is not a test and never reaches beyond the loopback address.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import DATA, RESULTS, ROOT, SLUG, _env, prepare, start_server, stop_server

DATABASE_URL = f"sqlite:///{DATA / 'public-gunicorn.sqlite3'}"
MEDIA = DATA / "public-gunicorn-media"
STATIC_COPIES = "bench-public"  # under STATIC_ROOT, removed at the end


def _pages() -> dict[str, str]:
    """The public pages of the demo partnership (one of each kind), by name."""
    from django.urls import reverse

    from safeguarding.digests.models import DigestIssue
    from safeguarding.library.models import LibraryRecord
    from safeguarding.publication.models import Publication

    publication = (
        Publication.objects.filter(partnership__slug=SLUG, status="published")
        .order_by("-publish_on")
        .first()
    )
    record = LibraryRecord.objects.filter(partnership__slug=SLUG, is_public=True).first()
    issue = DigestIssue.objects.filter(partnership__slug=SLUG, status="published").first()
    pages = {
        "reviews": reverse("public_site:reviews", args=[SLUG]),
        "documents": reverse("public_site:documents", args=[SLUG]),
        "archive": reverse("published:archive", args=[SLUG]),
        "library": reverse("library_public:search", args=[SLUG]),
        "digests": reverse("digests_public:list", args=[SLUG]),
    }
    if publication is not None:
        pages["review"] = reverse("published:detail", args=[SLUG, publication.pk])
    if record is not None:
        pages["library_record"] = reverse("library_public:record", args=[SLUG, record.pk])
    if issue is not None:
        pages["digest"] = reverse("digests_public:issue", args=[SLUG, issue.number])
    return pages


def _render_copies(pages: dict[str, str]) -> tuple[Path, dict[str, dict]]:
    """Render each page once in this process and write it as a static file of the same size."""
    os.environ.update(_env(DATABASE_URL, MEDIA))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    pages.update(_pages())
    folder = Path(settings.STATIC_ROOT) / STATIC_COPIES
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sizes = {}
    client = Client()
    for name, path in pages.items():
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        (folder / f"{name}.html").write_bytes(response.content)
        sizes[name] = {
            "path": path,
            "bytes": len(response.content),
            "static": f"{settings.STATIC_URL}{STATIC_COPIES}/{name}.html",
        }
    return folder, sizes


def _rate(base: str, path: str, seconds: float, clients: int, headers: dict) -> dict:
    """Requests per second of ``clients`` threads, each on one keep-alive connection."""
    host, port = base.removeprefix("http://").split(":")
    counts = [0] * clients
    failures = [0] * clients
    stop = time.monotonic() + seconds

    def run(slot: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        while time.monotonic() < stop:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failures[slot] += 1
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                continue
            if response.status == 200:
                counts[slot] += 1
            else:
                failures[slot] += 1
        connection.close()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "requests_per_second": round(sum(counts) / elapsed, 1),
        "requests": sum(counts),
        "failures": sum(failures),
        "elapsed": elapsed,
    }


def _start_response(status, headers, exc_info=None):
    return lambda data: None


def _in_process(sizes: dict[str, dict], repeat: int) -> dict[str, dict]:
    """Server time without a client: the median of ``repeat`` calls of the WSGI application in
    this process, for the static copy and the cached page of each page (not limited by the
    client, as the rates over HTTP are on a small machine)."""
    import io
    import statistics

    from django.core.handlers.wsgi import WSGIHandler

    application = WSGIHandler()  # made after the copies were written: WhiteNoise sees them

    def call(path: str) -> float:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http",
        }
        started = time.perf_counter()
        body = application(environ, _start_response)
        b"".join(body)
        body.close()
        return time.perf_counter() - started

    out = {}
    for name, page in sizes.items():
        call(page["static"])
        call(page["path"])
        static, cached = [], []
        for _ in range(repeat):  # in turns, so that both meet the same background load
            static.append(call(page["static"]))
            cached.append(call(page["path"]))
        out[name] = {
            "static_median_us": round(statistics.median(static) * 1e6),
            "cached_median_us": round(statistics.median(cached) * 1e6),
            "static_over_cached": round(statistics.median(static) / statistics.median(cached), 3),
        }
    return out


def _interleaved(base: str, targets: dict, seconds: float, clients: int, slice_: float) -> dict:
    """The rates of several targets measured in turns of ``slice_`` seconds, so that each
    meets the same background load (the machine is shared)."""
    totals = {name: {"requests": 0, "failures": 0, "seconds": 0.0} for name in targets}
    for _ in range(max(1, round(seconds / slice_))):
        for name, (path, headers) in targets.items():
            rate = _rate(base, path, slice_, clients, headers)
            totals[name]["requests"] += rate["requests"]
            totals[name]["failures"] += rate["failures"]
            totals[name]["seconds"] += rate["elapsed"]
    return {
        name: {
            "requests_per_second": round(t["requests"] / t["seconds"], 1) if t["seconds"] else 0,
            "requests": t["requests"],
            "failures": t["failures"],
        }
        for name, t in totals.items()
    }


def _conditional(base: str, path: str) -> dict:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", path)
    first = connection.getresponse()
    first.read()
    etag = first.getheader("ETag")
    connection.request("GET", path, headers={"If-None-Match": etag or ""})
    second = connection.getresponse()
    second.read()
    connection.close()
    return {
        "etag": etag,
        "last_modified": first.getheader("Last-Modified"),
        "cache_control": first.getheader("Cache-Control"),
        "csp_has_nonce": "nonce" in (first.getheader("Content-Security-Policy") or ""),
        "conditional_status": second.status,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument(
        "--slice", type=float, default=0.5, help="seconds of each turn (static, cached, rendered)"
    )
    parser.add_argument("--repeat", type=int, default=300, help="calls a page, in process")
    parser.add_argument("--clients", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reuse-data", action="store_true", help="keep the demo database")
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    if not (args.reuse_data and Path(DATABASE_URL.removeprefix("sqlite:///")).exists()):
        prepare(DATABASE_URL, MEDIA)
    pages: dict[str, str] = {}
    folder, sizes = _render_copies(pages)
    in_process = _in_process(sizes, args.repeat)
    load_before = os.getloadavg()
    server, base = start_server(DATABASE_URL, MEDIA, args.workers, args.threads)
    results = {}
    try:
        session_cookie = {"Cookie": "sessionid=not-a-session"}  # bypasses the cache
        for name, page in sizes.items():
            print(f"{name}: {page['path']} ({page['bytes']} bytes)", flush=True)
            # Warm up (every worker renders and keeps the page once), not counted.
            _rate(base, page["static"], 1, args.clients, {})
            _rate(base, page["path"], 1, args.clients, {})
            rates = _interleaved(
                base,
                {
                    "static": (page["static"], {}),
                    "cached": (page["path"], {}),
                    "rendered": (page["path"], session_cookie),
                },
                args.seconds,
                args.clients,
                args.slice,
            )
            static, cached, rendered = rates["static"], rates["cached"], rates["rendered"]
            results[name] = {
                **page,
                "static": static,
                "cached": cached,
                "rendered": rendered,
                "cached_over_static": round(
                    cached["requests_per_second"] / static["requests_per_second"], 3
                ),
                "cached_over_rendered": round(
                    cached["requests_per_second"] / max(rendered["requests_per_second"], 0.1), 1
                ),
                "headers": _conditional(base, page["path"]),
            }
            print(
                f"  static {static['requests_per_second']}/s, cached "
                f"{cached['requests_per_second']}/s, rendered "
                f"{rendered['requests_per_second']}/s: cached/static "
                f"{results[name]['cached_over_static']}",
                flush=True,
            )
    finally:
        stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)
    load_after = os.getloadavg()
    report = {
        "what": "bench/public_gunicorn.py: public pages against a same-size static file",
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads, "
        "127.0.0.1, SQLite (Riverton demo)",
        "client": f"Python http.client, {args.clients} threads with keep-alive, "
        f"{args.seconds:g} s a measurement in turns of {args.slice:g} s",
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "goal": "cached_over_static >= 0.5 for every page",
        "pages": results,
        "all_within_goal": all(r["cached_over_static"] >= 0.5 for r in results.values()),
        "in_process": in_process,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "public-gunicorn.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Written {out.relative_to(ROOT)}")
    return 0 if report["all_within_goal"] else 1


if __name__ == "__main__":
    sys.exit(main())
