"""Library search on an honest bench (issue 15): one relevant review among thousands.

    .venv/bin/python bench/search_eval.py                  # generate if needed, then measure
    .venv/bin/python bench/search_eval.py --regenerate
    .venv/bin/python bench/search_eval.py --failures       # the TUNING half's misses, in detail
    .venv/bin/python bench/search_eval.py --no-timing      # quality only (faster)
    .venv/bin/python bench/search_eval.py --tuning-only    # print the tuning half alone
    .venv/bin/python bench/search_eval.py --queries other.json   # another query file, all held out
    DATABASE_URL=postgres://postgres@127.0.0.1:54334/app .venv/bin/python bench/search_eval.py

**The library.** The 90 records of ``bench/search_eval/records.json`` (written from the case
briefs of ``briefs.json`` by a helper who did not read the search code or the queries; 12 have
no year; the Welsh ones get their Welsh review type from their brief) and 2,000 generated
distractors on the same topics (``bench/search_data.py``: 26 topics, 13 publishers, ~900-word
reports), all imported into one partnership's library through the product's own import
(``services.library_import``, the code behind ``import_library``), then given their vectors by
``search_index.index_records`` (cached in ``bench/.data/search-eval-vectors.npz`` by text,
model and ``embeddings.py``).

**The queries.** The 236 queries of ``bench/search_eval/queries.json``, written from the briefs
by another helper who read neither the records nor the search code, each with the briefs
judged relevant (relevant record: ``eval-<brief id>``). Kinds: keyword, paraphrase, place,
abbreviation, case_name, year, facet, misspelt. The four facet queries that carry ``filters``
are searched with those filters in every mode.

**The split (fixed before any ranking change, never changed since).** A query with an odd
number (q001, q003 …) is in the *tuning* half, one with an even number in the *held-out* half;
ids run in file order grouped by kind, so each kind is split about evenly (118 / 118). Only
the tuning half's failures may be looked at (``--failures`` prints nothing else); the held-out
half is the headline figure.

**Another query file** (``--queries PATH``, same format as ``queries.json``; ids may be any
unique strings): every one of its queries is held out, since none of them was seen while
tuning, and the figures are printed per kind (its own kinds too). Its relevant briefs must be
among the 90 records. Results go to ``search-eval-<database>-<file name>.json``.

**Three rankings of every query, in the same run and on the same index:**

- ``default``: ``search_records(partnership, text)``, what the search page does;
- ``keyword``: ``search_records(..., mode="keyword")``, the product's keyword mode;
- ``bm25``: plain BM25, no product code: SQLite FTS5 ``bm25()`` with equal column weights over
  the index's columns, the query's words OR-ed; on PostgreSQL ``ts_rank_cd`` over the same
  ``document`` tsvector with the query's ``plainto_tsquery('english', …)`` words OR-ed
  (``plainto_tsquery`` alone ANDs them, which finds nothing for most queries of several
  words, so it would be a strawman).

**Measures** (top 10 taken): hit@5 (a relevant record in the first five), recall@5 (relevant
records in the first five over min(5, relevant)), top-1 (the first result is relevant) and
MRR@10 (reciprocal rank of the first relevant record, 0 when none is in the ten), per kind and
overall, per half.

**Speed** (unless ``--no-timing``): every query in each of the three rankings, in interleaved
rounds after a warm-up; the median and 95th percentile of the default search (10 hits with
snippets, facets, total) against the keyword mode (the raw index query with snippets and
facets, no spelling, terms or meaning) and the bare BM25 query. The per-process cache of query
vectors is emptied before every timed search, so each one pays for the sentence model.

Results: ``bench/results/search-eval-sqlite.json`` / ``search-eval-postgresql.json``.
"""

from __future__ import annotations

# ruff: noqa: S608 - the SQL is built from the index's table names; values go as parameters
import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import search_common
from bench.search_data import library_records

EVAL_DIR = search_common.BENCH_DIR / "search_eval"
SLUG = "bench-search-eval"
DISTRACTORS = 2000
DATA_VERSION = 1  # bump when the way the data set is built changes
DEPTH = 10
CUT = 5
MODES = ("default", "keyword", "bm25")
KINDS = ("keyword", "paraphrase", "place", "abbreviation", "case_name", "year", "facet", "misspelt")
HALVES = ("held-out", "tuning")
WELSH_TYPES = {
    "Child Practice Review": "cpr",
    "Adult Practice Review": "apr",
    "Single Unified Safeguarding Review": "susr",
}


DEFAULT_QUERIES = EVAL_DIR / "queries.json"
FILTERS = ("review_type", "age_group")  # the filters a query file may carry


def half_of(query_id: str) -> str:
    """The fixed split: odd query numbers tune, even ones are held out."""
    return "tuning" if int(query_id.lstrip("q")) % 2 == 1 else "held-out"


def _load(name: str) -> dict:
    return json.loads((EVAL_DIR / name).read_text(encoding="utf-8"))


def _check_queries(found: list, path: Path) -> None:
    """A query file in the format of queries.json, or ValueError saying what is wrong."""
    briefs = {b["id"] for b in _load("briefs.json")["briefs"]}
    seen: set[str] = set()
    for n, query in enumerate(found, start=1):
        where = f"{path.name}, query {n}"
        if not isinstance(query, dict):
            raise ValueError(f"{where}: not an object")
        for key in ("id", "kind", "text"):
            if not isinstance(query.get(key), str) or not query[key].strip():
                raise ValueError(f"{where}: no {key!r}")
        if query["id"] in seen:
            raise ValueError(f"{where}: the id {query['id']!r} is used twice")
        seen.add(query["id"])
        relevant = query.get("relevant")
        if not isinstance(relevant, list) or not relevant:
            raise ValueError(f"{where} ({query['id']}): 'relevant' must list at least one brief")
        unknown = [b for b in relevant if b not in briefs]
        if unknown:
            raise ValueError(f"{where} ({query['id']}): no brief {', '.join(map(str, unknown))}")
        filters = query.get("filters") or {}
        if not isinstance(filters, dict) or set(filters) - set(FILTERS):
            raise ValueError(f"{where} ({query['id']}): filters may only be {', '.join(FILTERS)}")


def queries(path: Path | str | None = None) -> list[dict]:
    """The queries of ``path`` (queries.json by default), each with its half: the default
    file's fixed split, or held-out for every query of any other file (none of them was seen
    while tuning)."""
    path = Path(path) if path else DEFAULT_QUERIES
    found = json.loads(path.read_text(encoding="utf-8")).get("queries")
    if not isinstance(found, list) or not found:
        raise ValueError(f"{path.name}: no 'queries' list")
    _check_queries(found, path)
    default = path.resolve() == DEFAULT_QUERIES.resolve()
    return [dict(q, half=half_of(q["id"]) if default else "held-out") for q in found]


def kinds_of(rows: list[dict]) -> list[str]:
    """The kinds of ``rows``: the default file's in their order, then any others by name."""
    present = {r["kind"] for r in rows}
    return [k for k in KINDS if k in present] + sorted(present - set(KINDS))


# The data set ---------------------------------------------------------------------------------


def _welsh_types_supported() -> bool:
    from safeguarding.library.models import ReviewType

    return set(WELSH_TYPES.values()) <= set(ReviewType.values)


def eval_records() -> list[dict]:
    """records.json as it is, but a Welsh review gets its Welsh type (from its brief) when the
    product has those types."""
    briefs = {b["id"]: b for b in _load("briefs.json")["briefs"]}
    records = _load("records.json")["records"]
    if _welsh_types_supported():
        for record in records:
            welsh = briefs[record["external_id"].removeprefix("eval-")]["welsh_type"]
            if welsh:
                record["review_type"] = WELSH_TYPES[welsh]
    return records


def distractor_records() -> list[dict]:
    """The generated records in the import format (themes that are not in the shared list are
    left out, as an importer would have to)."""
    from safeguarding.actions.models import Theme

    known = set(Theme.objects.filter(partnership=None).values_list("name", flat=True))
    out = []
    for r in library_records(DISTRACTORS, random.Random(search_common.SEED)):
        out.append(
            {
                "external_id": r["external_id"],
                "title": r["title"],
                "review_type": r["review_type"],
                "publisher": r["publisher"],
                "year": r["year"],
                "age_group": r["age_group"],
                "themes": [t for t in dict.fromkeys(r["theme_names"]) if t in known],
                "summary": r["summary"],
                "learning": r["learning"],
                "recommendations": r["recommendations"],
                "full_text": r["full_text"],
                "is_public": True,
            }
        )
    return out


def build(log) -> dict:
    from django.test.utils import override_settings

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import services

    partnership = Partnership.objects.create(name="Search Evaluation Library", slug=SLUG)
    started = time.perf_counter()
    # The import's own vectors are turned off here and made afterwards in batches (and from
    # the cache): the same vectors, far faster than one record at a time.
    with override_settings(LIBRARY_SEARCH_VECTORS=False):
        for name, records in (
            ("distractors.json", distractor_records()),
            ("search-eval-records.json", eval_records()),
        ):
            result = services.library_import(
                partnership=partnership,
                actor=None,
                source=json.dumps({"records": records}).encode(),
                name=name,
            )
            log(
                f"  imported {result.created:,} records from {name} "
                f"({time.perf_counter() - started:.0f} s)"
            )
    return {
        "slug": SLUG,
        "records": DISTRACTORS + 90,
        "distractors": DISTRACTORS,
        "welsh_types": _welsh_types_supported(),
    }


# The three rankings ---------------------------------------------------------------------------


def bm25_ids(partnership_id: int, text: str, filters: dict, limit: int = DEPTH) -> list[int]:
    """Plain BM25 (SQLite) or ts_rank_cd (PostgreSQL) over the product's index: no weights, no
    spelling, no synonyms, no vectors. The query's words are OR-ed."""
    import re

    from django.db import connection

    from safeguarding.library.search_index import INDEX_TABLE, RECORD_TABLE

    where = ["r.partnership_id = %s", "r.archived_at IS NULL"]
    params: list = [partnership_id]
    for name, value in (filters or {}).items():
        if name not in FILTERS:
            raise ValueError(f"No filter {name!r} in the query file's schema")
        where.append(f"r.{name} = %s")
        params.append(value)
    conditions = " AND ".join(where)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            words = list(dict.fromkeys(re.findall(r"[^\W_]+", text.lower())))
            if not words:
                return []
            expression = " OR ".join(f'"{w}"' for w in words)
            cursor.execute(
                f"SELECT r.id FROM {INDEX_TABLE} JOIN {RECORD_TABLE} r "
                f"ON r.id = {INDEX_TABLE}.rowid WHERE {INDEX_TABLE} MATCH %s AND {conditions} "
                f"ORDER BY bm25({INDEX_TABLE}), r.id LIMIT %s",
                [expression, *params, limit],
            )
        else:
            cursor.execute(
                "WITH q AS (SELECT replace(plainto_tsquery('english', %s)::text, ' & ', ' | ') "
                "AS t) "
                f"SELECT r.id FROM q, {INDEX_TABLE} s JOIN {RECORD_TABLE} r ON r.id = s.record_id "
                f"WHERE q.t <> '' AND s.document @@ q.t::tsquery AND {conditions} "
                "ORDER BY ts_rank_cd(s.document, q.t::tsquery) DESC, r.id LIMIT %s",
                [text, *params, limit],
            )
        return [row[0] for row in cursor.fetchall()]


def ranked_ids(mode: str, partnership, query: dict) -> list[int]:
    from safeguarding.library.search import search_records

    filters = query.get("filters") or {}
    if mode == "bm25":
        return bm25_ids(partnership.pk, query["text"], filters)
    result = search_records(
        partnership,
        query["text"],
        filters=filters or None,
        limit=DEPTH,
        mode="smart" if mode == "default" else "keyword",
    )
    return [hit.record_id for hit in result.hits]


# Quality --------------------------------------------------------------------------------------


def judge(ranked: list[str], relevant: set[str]) -> dict:
    marks = [external_id in relevant for external_id in ranked[:DEPTH]]
    first = next((i + 1 for i, ok in enumerate(marks) if ok), None)
    return {
        "hit_at_5": any(marks[:CUT]),
        "recall_at_5": sum(marks[:CUT]) / min(CUT, len(relevant)),
        "top_1": bool(marks[:1] and marks[0]),
        "rr_at_10": 1 / first if first else 0.0,
        "first_relevant_rank": first,
    }


def measure_quality(partnership, all_queries: list[dict]) -> list[dict]:
    from safeguarding.library.models import LibraryRecord

    external = dict(
        LibraryRecord.objects.filter(partnership=partnership).values_list("pk", "external_id")
    )
    rows = []
    for query in all_queries:
        relevant = {f"eval-{b}" for b in query["relevant"]}
        row = {k: query[k] for k in ("id", "kind", "half", "text", "relevant")}
        if query.get("filters"):
            row["filters"] = query["filters"]
        for mode in MODES:
            ranked = [external[pk] for pk in ranked_ids(mode, partnership, query)]
            row[mode] = {**judge(ranked, relevant), "top": ranked}
        rows.append(row)
    return rows


def block(rows: list[dict], mode: str) -> dict:
    if not rows:
        return {"queries": 0}
    values = [r[mode] for r in rows]
    return {
        "queries": len(rows),
        "hit_at_5": round(statistics.mean(v["hit_at_5"] for v in values), 3),
        "recall_at_5": round(statistics.mean(v["recall_at_5"] for v in values), 3),
        "top_1": round(statistics.mean(v["top_1"] for v in values), 3),
        "mrr_at_10": round(statistics.mean(v["rr_at_10"] for v in values), 3),
    }


def summarise(rows: list[dict]) -> dict:
    out = {}
    kinds = kinds_of(rows)
    for half in (*HALVES, "all"):
        chosen = rows if half == "all" else [r for r in rows if r["half"] == half]
        out[half] = {
            mode: {
                "all": block(chosen, mode),
                **{k: block([r for r in chosen if r["kind"] == k], mode) for k in kinds},
            }
            for mode in MODES
        }
    return out


def quality_table(summary: dict, half: str) -> str:
    """One line per kind (those of the summary, in its order): hit@5, recall@5, top-1 and
    MRR@10 of each ranking."""
    width = max(13, *(len(k) for k in summary[half]["default"]))
    lines = [
        f"{'kind':<{width}} {'n':>3}  "
        + "  ".join(f"{m + ' hit@5 rec@5 top1 MRR':<30}" for m in MODES).rstrip()
    ]
    for kind in summary[half]["default"]:
        n = summary[half]["default"][kind]["queries"]
        if not n:
            continue
        cells = []
        for mode in MODES:
            b = summary[half][mode][kind]
            cells.append(
                f"{'':<{len(mode)}} {b['hit_at_5']:>5.2f} {b['recall_at_5']:>5.2f} "
                f"{b['top_1']:>4.2f} {b['mrr_at_10']:>4.2f}"
            )
        lines.append(f"{kind:<{width}} {n:>3}  " + "  ".join(f"{c:<30}" for c in cells).rstrip())
    return "\n".join(lines)


def show_failures(rows: list[dict]) -> None:
    """The tuning half's queries where the default search misses a relevant record in the
    first five, with the other rankings' first relevant rank. The held-out half is never
    printed."""
    from safeguarding.library.models import LibraryRecord

    titles = dict(LibraryRecord.objects.values_list("external_id", "title"))
    for row in rows:
        if row["half"] != "tuning" or row["default"]["recall_at_5"] >= 1:
            continue
        ranks = ", ".join(f"{m} {row[m]['first_relevant_rank'] or '-'}" for m in MODES)
        print(f"\n{row['id']} [{row['kind']}] {row['text']!r}  want {row['relevant']}  ({ranks})")
        for n, external_id in enumerate(row["default"]["top"][:CUT], start=1):
            mark = "*" if external_id.removeprefix("eval-") in row["relevant"] else " "
            print(f"   {mark}{n}. {external_id:<10} {titles.get(external_id, '')[:90]}")


# Speed ----------------------------------------------------------------------------------------


def percentile(ordered: list[float], pct: float) -> float:
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def measure_speed(partnership, all_queries: list[dict], rounds: int) -> dict:
    from safeguarding.library import search_catalogue

    search_catalogue.clear_caches()
    started = time.perf_counter()
    ranked_ids("default", partnership, all_queries[0])
    first = (time.perf_counter() - started) * 1000
    for query in all_queries:  # warm-up
        for mode in MODES:
            ranked_ids(mode, partnership, query)
    samples: dict[str, list[float]] = {mode: [] for mode in MODES}
    gc.collect()
    from safeguarding.library import search

    for _ in range(rounds):
        for query in all_queries:
            for mode in MODES:
                # Every timed search is a new query to the sentence model: the process keeps
                # the vectors of recent queries (a page turn searches the same words again),
                # which would otherwise make every round after the warm-up skip the model.
                search._query_vector.cache_clear()
                started = time.perf_counter()
                ranked_ids(mode, partnership, query)
                samples[mode].append((time.perf_counter() - started) * 1000)
    out = {"rounds": rounds, "first_search_ms": round(first, 1)}
    for mode in MODES:
        ordered = sorted(samples[mode])
        out[mode] = {
            "searches": len(ordered),
            "median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(percentile(ordered, 95), 2),
            "max_ms": round(ordered[-1], 2),
        }
    out["default_over_keyword"] = {
        "median": round(out["default"]["median_ms"] / out["keyword"]["median_ms"], 2),
        "p95": round(out["default"]["p95_ms"] / out["keyword"]["p95_ms"], 2),
    }
    return out


def speed_table(speed: dict) -> str:
    names = {
        "default": "default (the page's search)",
        "keyword": "keyword mode (raw index query, snippets, facets)",
        "bm25": "bm25 (the bare index query, ids only)",
    }
    lines = [f"{'':<50} {'median ms':>9} {'p95 ms':>7} {'max ms':>7}"]
    for mode in MODES:
        s = speed[mode]
        lines.append(
            f"{names[mode]:<50} {s['median_ms']:>9.1f} {s['p95_ms']:>7.1f} {s['max_ms']:>7.1f}"
        )
    ratio = speed["default_over_keyword"]
    lines.append(
        f"default ÷ keyword mode: median {ratio['median']:.2f}×, p95 {ratio['p95']:.2f}×; "
        f"first search of the process {speed['first_search_ms']:.0f} ms"
    )
    return "\n".join(lines)


# Running --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--failures", action="store_true", help="the tuning half's misses")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="timed searches per query")
    parser.add_argument("--label", default="", help="a note stored with the results")
    parser.add_argument(
        "--queries",
        type=Path,
        default=DEFAULT_QUERIES,
        help="a query file in the format of queries.json (default: that file); every query "
        "of another file is held out",
    )
    parser.add_argument(
        "--tuning-only", action="store_true", help="print the tuning half's figures alone"
    )
    args = parser.parse_args(argv)
    # The sentence model runs on one thread, as in the web server (config/gunicorn.conf.py):
    # for one short query that is about twice as fast as two on a busy machine.
    os.environ.setdefault("LIBRARY_EMBED_THREADS", "1")
    all_queries = queries(args.queries)  # checked before the data set is built
    own_file = args.queries.resolve() != DEFAULT_QUERIES.resolve()
    wanted = {
        "seed": search_common.SEED,
        "distractors": DISTRACTORS,
        "data_version": DATA_VERSION,
        "data": search_common.source_hash(
            "bench/search_data.py",
            "bench/search_eval/records.json",
            "bench/search_eval/briefs.json",
        ),
    }
    if args.regenerate:
        wanted["forced"] = dt.datetime.now(dt.UTC).isoformat()
    stamp, where = search_common.ensure("search-eval", wanted, build)
    search_common.ensure_vectors_cached(stamp, where["stamp_path"], "search-eval-vectors")

    from django.db import connection

    from safeguarding.accounts.models import Partnership
    from safeguarding.library import embeddings

    search_common.sync_terms()
    partnership = Partnership.objects.get(slug=stamp["slug"])
    rows = measure_quality(partnership, all_queries)
    summary = summarise(rows)
    model = embeddings.model_name() if embeddings.available() else "none"
    print(
        f"\nLibrary search, honest bench: {stamp['counts']['records']:,} records "
        f"({DISTRACTORS:,} generated distractors + 90 evaluation records), "
        f"{len(all_queries)} queries from {args.queries.name}, {connection.vendor}; "
        f"sentence model: {model}"
    )
    for half in HALVES:
        count = sum(1 for r in rows if r["half"] == half)
        if not count or (args.tuning_only and half != "tuning"):
            continue
        if own_file:
            title = f"ALL HELD OUT ({args.queries.name}: none of its queries was tuned on)"
        else:
            title = "HELD-OUT half (the headline)" if half == "held-out" else "tuning half"
        print(f"\n{title}: {count} queries\n")
        print(quality_table(summary, half))
    if args.failures:
        show_failures(rows)
    speed = None
    if not args.no_timing:
        speed = measure_speed(partnership, all_queries, args.rounds)
        print(f"\nSpeed: {len(all_queries)} queries × {args.rounds} rounds, each ranking\n")
        print(speed_table(speed))
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "database": connection.vendor,
        "model": embeddings.model_name() if embeddings.available() else None,
        "queries": str(args.queries),
        "split": "every query held out" if own_file else "odd query number: tuning; even: held-out",
        "data_set": {k: v for k, v in stamp.items() if k != "forced"},
        "summary": summary,
        "speed": speed,
        "per_query": rows,
    }
    suffix = f"-{args.queries.stem}" if own_file else ""
    output = search_common.RESULTS_DIR / f"search-eval-{connection.vendor}{suffix}.json"
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nResults written to {output.relative_to(search_common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
