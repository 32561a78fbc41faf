"""Check bench/search_eval/briefs.json: fields present and of the right kind, ids unique, themes
in the shared vocabulary (safeguarding/actions/default_themes.py), counts as the README says.

    .venv/bin/python bench/search_eval/check_briefs.py

Prints a summary and exits 1 with every problem listed if anything is wrong."""

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

REVIEW_TYPES = {"cspr", "scr", "sar", "dhr", "national", "other"}
WELSH_TYPES = {
    "Child Practice Review",
    "Adult Practice Review",
    "Single Unified Safeguarding Review",
}
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
CLUES = {None, "place", "abbreviation"}
FIELDS = [
    "id",
    "review_type",
    "welsh_type",
    "publisher",
    "area",
    "year",
    "age_group",
    "themes",
    "case_name",
    "facts",
    "learning",
    "distinctive_terms",
    "near_duplicate_group",
    "clue",
    "abbreviations",
]


def theme_names() -> set[str]:
    sys.path.insert(0, str(ROOT))
    from safeguarding.actions.default_themes import DEFAULT_THEMES

    return {name for names in DEFAULT_THEMES.values() for name in names}


def text(value) -> bool:
    return isinstance(value, str) and value.strip() == value and value != ""


def check(briefs: list[dict], themes: set[str]) -> list[str]:
    problems = []
    ids = Counter(b.get("id") for b in briefs)
    problems += [f"id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    for b in briefs:
        where = b.get("id", "?")
        if list(b) != FIELDS:
            problems.append(f"{where}: fields {list(b)} are not {FIELDS}")
            continue
        if not (text(b["id"]) and b["id"].startswith("b")):
            problems.append(f"{where}: bad id")
        if b["review_type"] not in REVIEW_TYPES:
            problems.append(f"{where}: review_type {b['review_type']!r}")
        if b["welsh_type"] is not None and (
            b["welsh_type"] not in WELSH_TYPES or b["review_type"] != "other"
        ):
            problems.append(
                f"{where}: welsh_type {b['welsh_type']!r} with review_type {b['review_type']!r}"
            )
        for key in ("publisher", "area", "case_name"):
            if not text(b[key]):
                problems.append(f"{where}: {key} missing or untrimmed")
        if b["year"] is not None and not (isinstance(b["year"], int) and 2010 <= b["year"] <= 2026):
            problems.append(f"{where}: year {b['year']!r}")
        if b["age_group"] not in AGE_GROUPS:
            problems.append(f"{where}: age_group {b['age_group']!r}")
        if not (1 <= len(b["themes"]) <= 4) or len(set(b["themes"])) != len(b["themes"]):
            problems.append(f"{where}: {len(b['themes'])} themes (1 to 4, no repeats)")
        problems += [
            f"{where}: theme {t!r} is not in default_themes.py"
            for t in b["themes"]
            if t not in themes
        ]
        for key, low, high in (("facts", 5, 10), ("learning", 3, 5), ("distinctive_terms", 3, 6)):
            items = b[key]
            if not (
                isinstance(items, list)
                and low <= len(items) <= high
                and all(text(x) for x in items)
            ):
                problems.append(f"{where}: {key} must be {low} to {high} non-empty strings")
        own = " ".join([b["case_name"], *b["facts"], *b["learning"]]).lower()
        problems += [
            f"{where}: distinctive term {t!r} is not in its own facts or learning"
            for t in b["distinctive_terms"]
            if isinstance(t, str)
            and not re.search(rf"(?<![a-z]){re.escape(t.lower())}(?![a-z])", own)
        ]
        group = b["near_duplicate_group"]
        if group is not None and not (text(group) and group.startswith("G")):
            problems.append(f"{where}: near_duplicate_group {group!r}")
        if b["clue"] not in CLUES:
            problems.append(f"{where}: clue {b['clue']!r}")
        abbreviations = b["abbreviations"]
        if not (
            isinstance(abbreviations, dict)
            and all(text(k) and text(v) for k, v in abbreviations.items())
        ):
            problems.append(f"{where}: abbreviations must map abbreviation to expansion")
        if b["clue"] == "abbreviation" and not abbreviations:
            problems.append(f"{where}: an abbreviation clue needs its abbreviation")
    groups = Counter(b.get("near_duplicate_group") for b in briefs if b.get("near_duplicate_group"))
    problems += [f"group {g} has only one brief" for g, n in groups.items() if n < 2]
    places = [b for b in briefs if b.get("clue") == "place"]
    areas = Counter(b.get("area") for b in briefs)
    problems += [
        f"{b['id']}: place clue {b['area']!r} is shared with another brief"
        for b in places
        if areas[b["area"]] > 1
    ]
    return problems


def main() -> int:
    doc = json.loads((HERE / "briefs.json").read_text(encoding="utf-8"))
    briefs = doc["briefs"]
    problems = check(briefs, theme_names())
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(briefs)} briefs")
    print("review types:", dict(Counter(b["review_type"] for b in briefs)))
    print("welsh types:", dict(Counter(b["welsh_type"] for b in briefs if b["welsh_type"])))
    print("age groups:", dict(Counter(b["age_group"] for b in briefs)))
    print("year not known:", sum(b["year"] is None for b in briefs))
    print("clues:", dict(Counter(b["clue"] for b in briefs if b["clue"])))
    groups: dict[str, list[str]] = {}
    for b in briefs:
        if b["near_duplicate_group"]:
            groups.setdefault(b["near_duplicate_group"], []).append(b["id"])
    print("near-duplicate groups:", len(groups))
    for group, ids in sorted(groups.items()):
        print(f"  {group}: {', '.join(ids)}")
    print("themes used:", len({t for b in briefs for t in b["themes"]}))
    print("problems:", len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
