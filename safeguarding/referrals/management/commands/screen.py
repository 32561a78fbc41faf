"""``python manage.py screen FILE.json``: screen one JSON object of facts (``-`` reads stdin).

Prints the screening result as JSON (see ``safeguarding.referrals.screening`` and
docs/screening.md). Unreadable input, a non-object or invalid facts: the problems go to stderr
and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from safeguarding.guidance.default_versions import dhr_test_for, national_versions_on
from safeguarding.referrals.screening import (
    BOOLEAN_FACTS,
    CHOICE_FACTS,
    CSPR_RESULTS,
    DEFAULT_DHR_TEST,
    DHR_RESULTS,
    DHR_TEST_LABELS,
    DHR_TESTS,
    FACT_LABELS,
    FACT_NAMES,
    MAX_AGE,
    NOTIFICATION_LABELS,
    SAR_RESULTS,
    Facts,
    ScreeningFactsError,
    screen,
)

#: Exit status for unreadable input or invalid facts (argparse uses 2 for usage errors too).
INPUT_ERROR = 2


def _fact_lines() -> list[str]:
    lines = []
    for name in FACT_NAMES:
        if name in BOOLEAN_FACTS:
            kind = "true or false"
        elif name in CHOICE_FACTS:
            kind = " | ".join(CHOICE_FACTS[name])
        else:
            kind = f"number of years, 0 to {MAX_AGE}"
        lines.append(f"  {name}: {kind}\n      {FACT_LABELS[name]}")
    return lines


HELP = "\n".join(
    [
        "Screen one JSON object of facts against the statutory review tests and print a JSON",
        "object of results. FILE is a path, or - to read standard input.",
        "",
        "Facts (each may be missing or null, which can make a result 'unknown'):",
        *_fact_lines(),
        "",
        "Output:",
        '  {"CSPR": {"result": ..., "rules": [...], "reasons": [...]},',
        '   "SAR": {...}, "DHR": {...}, "notifications": [...]}',
        f"  CSPR result: {' | '.join(CSPR_RESULTS)}  (serious incident notification, R1)",
        f"  SAR result: {' | '.join(SAR_RESULTS)}  (R19-R22)",
        f"  DHR result: {' | '.join(DHR_RESULTS)}  (R27-R29; R38 with --dhr-test vpa2024_s19)",
        "  DHR test: the --dhr-test applied",
        "  rules: rule IDs from the statutory rules (R1-R44), sorted by number",
        "  reasons: plain-English sentences, each ending with its rule IDs",
        "  notifications (in this order, when due):",
        *(f"    {name}: {label}" for name, label in NOTIFICATION_LABELS.items()),
        "",
        '--guidance-date YYYY-MM-DD adds a "guidance" object naming the national guidance',
        "versions in force by default on that day (one per strand) and the DHR test they call",
        "for, and applies that DHR test unless --dhr-test is given. A partnership's own",
        "adoption dates are not read here: the case page shows them.",
        "",
        "DHR tests (--dhr-test):",
        *(f"  {name}: {DHR_TEST_LABELS[name]}" for name in DHR_TESTS),
        "",
        "A result is 'unknown' only when the missing facts could change it.",
        "Exit status: 0 printed a result; 2 the input could not be read or the facts are",
        "invalid (every problem is listed on stderr). See docs/screening.md.",
    ]
)


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option order, with the description printed as written."""


class Command(BaseCommand):
    help = HELP
    # Pure function of the file's facts: no system checks (and so no database) needed.
    requires_system_checks = ()
    # Tests pass ``stdin=StringIO(...)`` through call_command to read "-".
    stealth_options = ("stdin",)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", metavar="FILE", help="JSON file holding one object of facts, or - for stdin"
        )
        parser.add_argument(
            "--guidance-date",
            metavar="YYYY-MM-DD",
            type=_iso_date,
            help="say which guidance versions were in force by default on this day",
        )
        parser.add_argument(
            "--dhr-test",
            choices=DHR_TESTS,
            default=None,
            help=(
                "which statutory test the DHR track applies (default: the one in force on"
                f" --guidance-date, else {DEFAULT_DHR_TEST.value})"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        source = "standard input" if path == "-" else path
        text = self._read(path, source, options.get("stdin") or sys.stdin)
        try:
            data = json.loads(
                text, parse_constant=_reject_constant, object_pairs_hook=_reject_duplicate_keys
            )
        except ValueError as exc:
            message = f"{source} is not valid JSON: {exc}"
            raise CommandError(message, returncode=INPUT_ERROR) from exc
        try:
            facts = Facts.from_dict(data)
        except ScreeningFactsError as exc:
            problems = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(
                f"The facts in {source} are not valid:\n{problems}", returncode=INPUT_ERROR
            ) from exc
        on_date: datetime.date | None = options.get("guidance_date")
        dhr_test: str = options.get("dhr_test") or DEFAULT_DHR_TEST.value
        guidance: dict[str, Any] | None = None
        if on_date is not None:
            versions = national_versions_on(on_date)
            guidance = {
                "date": on_date.isoformat(),
                "versions": {
                    strand: {"code": v.code, "title": v.title, "from": v.effective_from.isoformat()}
                    for strand, v in sorted(versions.items())
                },
                "dhr_test": dhr_test_for(v.code for v in versions.values()),
            }
            if not options.get("dhr_test"):
                dhr_test = guidance["dhr_test"]
        result = screen(facts, dhr_test=dhr_test).as_dict()
        if guidance is not None:
            result["guidance"] = guidance
        self.stdout.write(json.dumps(result, indent=2, sort_keys=False))

    def _read(self, path: str, source: str, stdin: Any) -> str:
        try:
            if path == "-":
                return stdin.read()
            with open(path, encoding="utf-8-sig") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {source}: {exc}", returncode=INPUT_ERROR) from exc


def _iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2024-03-03") from exc


def _reject_constant(name: str) -> Any:
    # json.loads accepts NaN and Infinity by default; they are not JSON.
    raise ValueError(f"{name} is not allowed in JSON")


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys silently; a fact given twice is a mistake.
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"{', '.join(map(repr, repeated))} appears more than once")
    return dict(pairs)
