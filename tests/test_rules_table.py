"""docs/rules.md is the rule table the code cites: every rule ID (R1…R44) and every
"docs/rules.md §anchor" cited anywhere in the repository must be in it, and every file and name
its "Where it lives" column gives must exist. Pure file reading: no database."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "rules.md"
THIS_FILE = Path(__file__).resolve()

# Where the code, templates and docs live; what is read there.
SCANNED = ("safeguarding", "tests", "bench", "config", "docs")
SCANNED_FILES = ("README.md", "Makefile")
SUFFIXES = {".py", ".html", ".txt", ".md"}
SKIPPED_DIRS = {"node_modules", "staticfiles", "var", "__pycache__", ".venv"}

# A rule ID: R and one or two digits, not part of a longer word or number (so a reference
# such as "R2026-BULK0001" is not read as a rule). A range "R19-R22" / "R15–R17" / "R1…R44"
# cites every rule in between.
RULE_ID = re.compile(r"(?<![\w/.-])R(\d{1,2})(?![\w])")
RULE_RANGE = re.compile(r"(?<![\w/.-])R(\d{1,2})\s*[-–…]\s*R(\d{1,2})(?![\w])")
# A section of docs/rules.md is cited as "docs/rules.md §themes", or "§themes" after the file
# has been named; other documents are cited by number ("DESIGN §2"), so a § followed by a
# lowercase word is always a docs/rules.md anchor.
ANCHOR_CITED = re.compile(r"§([a-z][a-z0-9-]*)")
ANCHOR_DEFINED = re.compile(r'<a id="([A-Za-z0-9-]+)"></a>')
TABLE_ROW = re.compile(r"^\| (R\d+) \|")
CODE_SPAN = re.compile(r"`([^`]+)`")
PATH_LIKE = re.compile(r"^(safeguarding|tests|bench|config|docs)/\S+\.(py|html|md|txt)$")


def _scanned_files() -> list[Path]:
    files = [ROOT / name for name in SCANNED_FILES if (ROOT / name).exists()]
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            if SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                continue
            if path.resolve() in (RULES, THIS_FILE):
                continue
            files.append(path)
    return files


def _cited_rules(text: str) -> set[int]:
    numbers = {int(n) for n in RULE_ID.findall(text)}
    for low, high in RULE_RANGE.findall(text):
        numbers.update(range(int(low), int(high) + 1))
    return numbers


def _rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in RULES.read_text(encoding="utf-8").splitlines():
        match = TABLE_ROW.match(line)
        if match:
            assert match.group(1) not in rows, f"docs/rules.md has two rows for {match.group(1)}"
            rows[match.group(1)] = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return rows


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_table_has_one_complete_row_per_rule_r1_to_r46():
    rows = _rows()
    assert sorted(rows, key=lambda r: int(r[1:])) == [f"R{n}" for n in range(1, 47)]
    for rule_id, cells in rows.items():
        assert len(cells) == 6, f"{rule_id}: expected 6 columns, found {len(cells)}"
        empty = [i for i, cell in enumerate(cells) if not cell]
        assert not empty, f"{rule_id}: empty column(s) {empty}"
        assert cells[4].startswith("<http"), f"{rule_id}: the source is not a URL"


def test_every_rule_id_cited_in_the_repository_is_in_the_table():
    known = {int(rule_id[1:]) for rule_id in _rows()}
    unknown = []
    for path in _scanned_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for rule in sorted(_cited_rules(line) - known):
                unknown.append(f"{_rel(path)}:{number} cites R{rule}: {line.strip()[:100]}")
    assert not unknown, "Rule IDs not in docs/rules.md:\n" + "\n".join(unknown)


def test_every_rules_md_anchor_cited_exists():
    text = RULES.read_text(encoding="utf-8")
    defined = set(ANCHOR_DEFINED.findall(text))
    missing = [
        f"docs/rules.md links to #{anchor}"
        for anchor in re.findall(r"\]\(#([A-Za-z0-9-]+)\)", text)
        if anchor not in defined
    ]
    for path in _scanned_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for anchor in ANCHOR_CITED.findall(line):
                if anchor not in defined:
                    missing.append(f"{_rel(path)}:{number} cites docs/rules.md §{anchor}")
    assert not missing, "Anchors not in docs/rules.md:\n" + "\n".join(missing)


def test_where_each_rule_lives_exists():
    """Each path in the "Where it lives" column exists, and each name after it (a function,
    constant, class, field or clock rule code) appears in that file."""
    problems = []
    for rule_id, cells in _rows().items():
        where = cells[5]
        if not where.startswith("not encoded"):
            assert PATH_LIKE.match(CODE_SPAN.findall(where)[0]), f"{rule_id}: no file given"
        current: Path | None = None
        for token in CODE_SPAN.findall(where):
            if PATH_LIKE.match(token):
                current = ROOT / token
                if not current.is_file():
                    problems.append(f"{rule_id}: {token} does not exist")
                    current = None
                continue
            if current is None:
                problems.append(f"{rule_id}: `{token}` does not follow an existing file")
                continue
            source = current.read_text(encoding="utf-8")
            for part in token.split("."):
                if not re.search(rf"(?<![\w-]){re.escape(part)}(?![\w-])", source):
                    problems.append(f"{rule_id}: `{part}` is not in {_rel(current)}")
    assert not problems, "docs/rules.md 'Where it lives' is out of date:\n" + "\n".join(problems)


def test_every_file_named_in_rules_md_exists():
    text = RULES.read_text(encoding="utf-8")
    missing = [
        token
        for token in CODE_SPAN.findall(text)
        if PATH_LIKE.match(token) and not (ROOT / token).exists()
    ]
    assert not missing, f"docs/rules.md names files that do not exist: {missing}"


def test_nothing_cites_the_domain_notes_outside_the_repository():
    """The rules are cited from docs/rules.md, not from a file or machine path outside the
    repository."""
    outside = re.compile(r"STATUTORY\.md|STATUTORY §|/work/|\.\./shared|shared/domain")
    found = []
    for path in _scanned_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if outside.search(line):
                found.append(f"{_rel(path)}:{number}: {line.strip()[:100]}")
    assert not found, "References outside the repository:\n" + "\n".join(found)
