"""Check bench/search_eval/records.json: one library record (docs/library-schema.md,
`library-record/1`) for each brief in briefs.json, with the schema's field rules, the brief's
type, publisher, year, age group and themes, the lengths asked for, and no sentence of a brief
copied into the record text.

    .venv/bin/python bench/search_eval/check_records.py

Prints a summary and exits 1 with every problem listed if anything is wrong. The one departure
from the import rules is deliberate: a record whose brief has `"year": null` has `"year": null`
(the import format needs a year; the evaluation handles records without one)."""

import datetime
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# The fields of docs/library-schema.md, in its order, with their length limits.
FIELDS = [
    "external_id",
    "title",
    "review_type",
    "publisher",
    "year",
    "published_on",
    "age_group",
    "themes",
    "summary",
    "learning",
    "recommendations",
    "full_text",
    "url",
    "is_public",
]
MAX_CHARS = {
    "external_id": 100,
    "title": 300,
    "publisher": 200,
    "summary": 20_000,
    "learning": 50_000,
    "recommendations": 50_000,
    "full_text": 2_000_000,
    "url": 500,
}
REVIEW_TYPES = {"cspr", "scr", "sar", "dhr", "national", "other"}
AGE_GROUPS = {
    "infant",
    "young_child",
    "child",
    "adolescent",
    "young_adult",
    "adult",
    "older_adult",
    "not_known",
}
# What the evaluation asks of the texts (words are runs of non-space characters).
SUMMARY_WORDS = (80, 200)
FULL_TEXT_WORDS = (1_200, 3_000)
LEARNING_POINTS = (3, 5)
RECOMMENDATIONS = (2, 5)
# A brief sentence counts as copied when this many consecutive words of it (and at least
# COPIED_SHARE of the sentence) appear in a record's text.
COPIED_RUN = 10
COPIED_SHARE = 0.6


def theme_names() -> set[str]:
    sys.path.insert(0, str(ROOT))
    from safeguarding.actions.default_themes import DEFAULT_THEMES

    return {name for names in DEFAULT_THEMES.values() for name in names}


def words(value: str) -> int:
    return len(value.split())


def points(value: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", value.strip()) if p.strip()]


def tokens(value: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", value.lower())


def copied_sentences(brief: dict, record: dict) -> list[str]:
    """Sentences of the brief's facts and learning that reappear word for word in the record."""
    found = []
    fields = ("title", "summary", "learning", "recommendations", "full_text")
    text = [tokens(record.get(f) or "") for f in fields]
    for sentence in [*brief["facts"], *brief["learning"]]:
        sent = tokens(sentence)
        n = max(COPIED_RUN, math.ceil(COPIED_SHARE * len(sent)))
        if len(sent) < n:
            continue
        grams = {tuple(sent[i : i + n]) for i in range(len(sent) - n + 1)}
        for field, toks in zip(fields, text, strict=True):
            if any(tuple(toks[i : i + n]) in grams for i in range(len(toks) - n + 1)):
                found.append(f"{field} repeats {sentence[:70]!r}")
                break
    return found


def check(records: list[dict], briefs: list[dict], themes: set[str]) -> list[str]:
    problems = []
    this_year = datetime.date.today().year
    by_id = {"eval-" + b["id"]: b for b in briefs}
    ids = Counter(r.get("external_id") for r in records)
    problems += [f"external_id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    problems += [f"no record for brief {i[5:]}" for i in by_id if i not in ids]
    for number, r in enumerate(records, 1):
        where = f"record {number} ({r.get('external_id', '?')})"
        extra = [k for k in r if k not in FIELDS]
        if extra:
            problems.append(f"{where}: keys that are not fields: {extra}")
        brief = by_id.get(r.get("external_id"))
        if brief is None:
            problems.append(f"{where}: external_id does not name a brief")
            continue
        for key in ("external_id", "title", "publisher"):
            value = r.get(key)
            if not (isinstance(value, str) and value.strip() == value and value):
                problems.append(f"{where}: {key} missing or untrimmed")
        for key, limit in MAX_CHARS.items():
            value = r.get(key)
            if isinstance(value, str) and len(value) > limit:
                problems.append(f"{where}: {key} longer than {limit} characters")
        for key in ("review_type", "publisher", "age_group", "themes"):
            if r.get(key) != brief[key]:
                problems.append(f"{where}: {key} {r.get(key)!r} is not the brief's {brief[key]!r}")
        if r.get("review_type") not in REVIEW_TYPES:
            problems.append(f"{where}: review_type {r.get('review_type')!r}")
        if r.get("age_group") not in AGE_GROUPS:
            problems.append(f"{where}: age_group {r.get('age_group')!r}")
        year = r.get("year")
        if year != brief["year"]:
            problems.append(f"{where}: year {year!r} is not the brief's {brief['year']!r}")
        elif year is not None and not (isinstance(year, int) and 1900 <= year <= this_year):
            problems.append(f"{where}: year must be between 1900 and {this_year}")
        if r.get("published_on") is not None:
            problems.append(f"{where}: published_on is not used in this set")
        record_themes = r.get("themes")
        if not (isinstance(record_themes, list) and all(isinstance(t, str) for t in record_themes)):
            problems.append(f"{where}: themes must be a list of names")
        else:
            problems += [
                f"{where}: theme {t!r} is not in the list of themes"
                for t in record_themes
                if t not in themes
            ]
        url = r.get("url")
        if not (isinstance(url, str) and url.startswith("https://example.org/")):
            problems.append(f"{where}: url must be a fictional https://example.org/ address")
        if r.get("is_public") is not True:
            problems.append(f"{where}: is_public must be true")
        text_fields = ("summary", "learning", "recommendations", "full_text")
        if not all(isinstance(r.get(k), str) and r[k].strip() for k in text_fields):
            problems.append(f"{where}: summary, learning, recommendations and full_text needed")
            continue
        for key, (low, high), count in (
            ("summary", SUMMARY_WORDS, words(r["summary"])),
            ("full_text", FULL_TEXT_WORDS, words(r["full_text"])),
            ("learning", LEARNING_POINTS, len(points(r["learning"]))),
            ("recommendations", RECOMMENDATIONS, len(points(r["recommendations"]))),
        ):
            if not low <= count <= high:
                problems.append(f"{where}: {key} has {count} (wanted {low} to {high})")
        name = brief["case_name"].lower()
        if name not in r["title"].lower() and name not in r["full_text"].lower():
            problems.append(f"{where}: the case name {brief['case_name']!r} is in neither text")
        problems += [f"{where}: {p}" for p in copied_sentences(brief, r)]
    return problems


def main() -> int:
    briefs = json.loads((HERE / "briefs.json").read_text(encoding="utf-8"))["briefs"]
    doc = json.loads((HERE / "records.json").read_text(encoding="utf-8"))
    records = doc["records"]
    problems = check(records, briefs, theme_names())
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(records)} records for {len(briefs)} briefs")
    print("review types:", dict(Counter(r["review_type"] for r in records)))
    print("year not known:", sum(r["year"] is None for r in records))
    for key in ("summary", "full_text"):
        counts = [words(r[key]) for r in records]
        print(
            f"{key} words: mean {sum(counts) / len(counts):.0f},"
            f" min {min(counts)}, max {max(counts)}"
        )
    for key in ("learning", "recommendations"):
        counts = [len(points(r[key])) for r in records]
        print(f"{key} points: mean {sum(counts) / len(counts):.1f}")
    print("problems:", len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
