"""Check a query file of bench/search_eval (queries.json by default) against briefs.json.

Run from the repository root:

    .venv/bin/python bench/search_eval/check_queries.py
    .venv/bin/python bench/search_eval/check_queries.py queries_fresh3.json

Ids are a letter and three digits in file order (q001 … in queries.json, f, g and h in the
fresh sets); the letter is the first query's.

Checks the format of every query, that ids are unique and in order, that every relevant id is a
brief, that year-constrained queries name no brief without a year, that filters use the briefs'
own fields and codes, that paraphrase queries do not contain a distinctive term or the case name
of a brief they should find, and that no two queries share a text. Prints the number of queries
and the average number of relevant briefs per kind, and exits 1 listing every problem if anything
is wrong. It reads only JSON files in this folder.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = (
    "keyword",
    "paraphrase",
    "place",
    "abbreviation",
    "case_name",
    "year",
    "facet",
    "misspelt",
)
FIELDS_REQUIRED = ("id", "kind", "text", "relevant", "note")
FIELDS_ALLOWED = (*FIELDS_REQUIRED, "filters")
FILTER_KEYS = ("review_type", "age_group")


def check(queries_doc: dict, briefs: list[dict]) -> list[str]:
    problems: list[str] = []
    by_id = {b["id"]: b for b in briefs}
    allowed_values = {key: {b[key] for b in briefs} for key in FILTER_KEYS}

    if queries_doc.get("schema") != "search-eval-queries/1":
        problems.append("schema must be 'search-eval-queries/1'")
    queries = queries_doc.get("queries")
    if not isinstance(queries, list) or not queries:
        return [*problems, "queries must be a non-empty list"]
    first_id = queries[0].get("id") if isinstance(queries[0], dict) else None
    prefix = first_id[:1] if isinstance(first_id, str) and first_id else "q"

    seen_ids: set[str] = set()
    seen_texts: dict[str, str] = {}
    for position, query in enumerate(queries, start=1):
        qid = query.get("id", f"#{position}")
        missing = [f for f in FIELDS_REQUIRED if f not in query]
        extra = [f for f in query if f not in FIELDS_ALLOWED]
        if missing:
            problems.append(f"{qid}: missing {missing}")
            continue
        if extra:
            problems.append(f"{qid}: unknown fields {extra}")
        if qid != f"{prefix}{position:03d}":
            problems.append(f"{qid}: expected id {prefix}{position:03d}")
        if qid in seen_ids:
            problems.append(f"{qid}: duplicate id")
        seen_ids.add(qid)
        if query["kind"] not in KINDS:
            problems.append(f"{qid}: unknown kind {query['kind']!r}")
        text = query["text"]
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{qid}: empty text")
            continue
        folded = text.casefold()
        if folded in seen_texts:
            problems.append(f"{qid}: same text as {seen_texts[folded]}")
        seen_texts[folded] = qid
        if not isinstance(query["note"], str) or not query["note"].strip():
            problems.append(f"{qid}: empty note")

        relevant = query["relevant"]
        if not isinstance(relevant, list) or not relevant:
            problems.append(f"{qid}: relevant must be a non-empty list")
            continue
        if len(set(relevant)) != len(relevant):
            problems.append(f"{qid}: relevant ids repeated")
        unknown = [r for r in relevant if r not in by_id]
        if unknown:
            problems.append(f"{qid}: unknown brief ids {unknown}")
            continue

        if query["kind"] == "year":
            undated = [r for r in relevant if by_id[r]["year"] is None]
            if undated:
                problems.append(f"{qid}: year query names briefs without a year {undated}")

        if "filters" in query:
            problems += check_filters(qid, query["filters"], relevant, by_id, allowed_values)

        if query["kind"] == "paraphrase":
            for r in relevant:
                for term in by_id[r]["distinctive_terms"]:
                    if term.casefold() in folded:
                        problems.append(f"{qid}: paraphrase uses {r}'s distinctive term {term!r}")
                name = by_id[r]["case_name"]
                if len(name) > 3 and name.casefold() in folded:
                    problems.append(f"{qid}: paraphrase uses {r}'s case name {name!r}")
    return problems


def check_filters(
    qid: str,
    filters: object,
    relevant: list[str],
    by_id: dict[str, dict],
    allowed_values: dict[str, set],
) -> list[str]:
    if not isinstance(filters, dict) or not filters:
        return [f"{qid}: filters must be a non-empty object"]
    problems: list[str] = []
    for key, value in filters.items():
        if key not in FILTER_KEYS:
            problems.append(f"{qid}: unknown filter {key!r}")
        elif value not in allowed_values[key]:
            problems.append(f"{qid}: filter {key}={value!r} is not a code in the briefs")
        else:
            wrong = [r for r in relevant if by_id[r][key] != value]
            if wrong:
                problems.append(f"{qid}: relevant {wrong} do not match {key}={value!r}")
    return problems


def summary(queries: list[dict]) -> str:
    counts: Counter[str] = Counter()
    relevant_total: defaultdict[str, int] = defaultdict(int)
    for query in queries:
        counts[query["kind"]] += 1
        relevant_total[query["kind"]] += len(query["relevant"])
    lines = [f"{len(queries)} queries", "kind           count  mean relevant"]
    for kind in KINDS:
        if counts[kind]:
            mean = relevant_total[kind] / counts[kind]
            lines.append(f"{kind:<14} {counts[kind]:>5}  {mean:.2f}")
    covered = {r for q in queries for r in q["relevant"]}
    lines.append(f"briefs named relevant by at least one query: {len(covered)}")
    return "\n".join(lines)


def main() -> int:
    briefs = json.loads((HERE / "briefs.json").read_text(encoding="utf-8"))["briefs"]
    name = sys.argv[1] if len(sys.argv) > 1 else "queries.json"
    queries_doc = json.loads((HERE / Path(name).name).read_text(encoding="utf-8"))
    problems = check(queries_doc, briefs)
    if problems:
        print("\n".join(problems))
        return 1
    print(summary(queries_doc["queries"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
