"""Write the HTML of bench scenarios to a folder, to compare a change's pages with the old code's.

    .venv/bin/python bench/dump_pages.py /tmp/after merged_chronology reports.figures
    (in a checkout of the old code)  .venv/bin/python bench/dump_pages.py /tmp/before ...
    diff -r /tmp/before /tmp/after

Uses bench/run.py's set-up (the same data sets, users and paths) on both data sets, one file
per scenario and set (``NAME.one_year.html``, ``NAME.default.html``), with the parts that differ
on every request (CSRF tokens, the CSP nonce) replaced by fixed text, and the number of
queries each page made (``queries.txt``). Extra ``--query`` strings are added to every path
(``--query page=2``) to compare other pages of a list or filtered views.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR.parent))

from bench.run import activate, client_for, path_for, prepare_databases, request  # noqa: E402
from bench.scenarios import SCENARIOS  # noqa: E402

_VARYING = [
    (
        re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"'),
        b'name="csrfmiddlewaretoken" value="-"',
    ),
    (re.compile(rb'nonce="[^"]+"'), b'nonce="-"'),
    (
        re.compile(rb'<meta name="csrf-token" content="[^"]+"'),
        b'<meta name="csrf-token" content="-"',
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("scenario", nargs="+")
    parser.add_argument("--query", action="append", default=[], help="added to every path")
    args = parser.parse_args()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    args.out.mkdir(parents=True, exist_ok=True)
    counts = []
    sets = prepare_databases(regenerate=False)
    for size, data_set in sets.items():
        activate(data_set)
        from safeguarding.accounts.models import Partnership

        partnership = Partnership.objects.get(slug=data_set["stamp"]["target_slug"])
        users: dict = {}
        for name in args.scenario:
            scenario = next(s for s in SCENARIOS if s.name == name)
            client = client_for(scenario, partnership, users)
            path = path_for(scenario, partnership)
            for extra in args.query:
                path += ("&" if "?" in path else "?") + extra
            request(client, scenario, path)  # warm: the first request may fill caches
            with CaptureQueriesContext(connection) as captured:
                content = request(client, scenario, path).content
            for pattern, fixed in _VARYING:
                content = pattern.sub(fixed, content)
            (args.out / f"{name}.{size}.html").write_bytes(content)
            counts.append(f"{name} {size} {len(captured.captured_queries)} {path}")
    (args.out / "queries.txt").write_text("\n".join(counts) + "\n")
    print("\n".join(counts))


if __name__ == "__main__":
    main()
