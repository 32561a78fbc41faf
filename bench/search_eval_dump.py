"""Every query's default search, dumped to JSON, to check that a speed change moved nothing
(issue 15: the ranking must not change, or the held-out quality figures no longer hold).

    .venv/bin/python bench/search_eval_dump.py OUT.json            # in this checkout
    cd /tmp/old-checkout && /path/to/bench/search_eval_dump.py OUT.json  # the same on old code
    .venv/bin/python bench/search_eval_dump.py --all OUT.json      # every query file
    .venv/bin/python bench/search_eval_dump.py --compare A.json B.json

Run from the root of the checkout whose code is to be dumped (that checkout's ``bench/.data``
and, with DATABASE_URL, its PostgreSQL database are used, as ``bench/search_eval.py`` uses
them). For each query of ``queries.json``, ``queries_fresh.json`` and ``queries_fresh2.json``
the dump holds the default mode's first ten record ids in order, and beside them what else the
page shows: each hit's score and snippet, the total, the grouped count, the confident count and the
facets, so that ``--compare`` can say whether only the ranking or anything at all changed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

FILES = ("queries.json", "queries_fresh.json", "queries_fresh2.json")
# ``--all``: every query file of bench/search_eval/ (the held-out ones too: a dump only checks
# that a speed change moved nothing, it tunes nothing).
ALL_FILES = "queries*.json"


def dump(out: Path, every_file: bool = False) -> None:
    root = Path.cwd()
    sys.path.insert(0, str(root))
    os.environ.setdefault("LIBRARY_EMBED_THREADS", "1")
    from bench import search_common, search_eval

    search_common.configure("search-eval")
    from safeguarding.accounts.models import Partnership
    from safeguarding.library.search import search_records

    search_common.sync_terms()
    partnership = Partnership.objects.get(slug=search_eval.SLUG)
    found: dict[str, dict] = {}
    names = FILES
    if every_file:
        names = tuple(sorted(p.name for p in search_eval.EVAL_DIR.glob(ALL_FILES)))
    for name in names:
        for query in search_eval.queries(search_eval.EVAL_DIR / name):
            result = search_records(
                partnership, query["text"], filters=query.get("filters") or None, limit=10
            )
            found[f"{name}:{query['id']}"] = {
                "top": [hit.record_id for hit in result.hits],
                "scores": [hit.score for hit in result.hits],
                "snippets": [str(hit.snippet) for hit in result.hits],
                "grouped_under": [hit.grouped for hit in result.hits],
                "total": result.total,
                "grouped": result.grouped,
                "confident": result.confident,
                "facets": {
                    name: [(v.value, v.count, v.selected) for v in values]
                    for name, values in result.facets.items()
                },
            }
    out.write_text(json.dumps(found, indent=1) + "\n")
    print(f"{len(found)} queries dumped to {out}")


def compare(a: Path, b: Path) -> int:
    old, new = json.loads(a.read_text()), json.loads(b.read_text())
    if old.keys() != new.keys():
        print("The two dumps are of different queries.")
        return 2
    top = [q for q in old if old[q]["top"] != new[q]["top"]]
    anything = [q for q in old if old[q] != new[q]]
    print(f"{len(old)} queries: top ten differ in {len(top)}, anything differs in {len(anything)}")
    for q in anything[:10]:
        print("  ", q)
    return 1 if top else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    every = "--all" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "--all"]
    dump(Path(args[0]), every_file=every)
