"""``python manage.py working_days DATE N``: print the date N working days after DATE.

DATE is day 0 (R40). N may be negative to count backwards, for example
``python manage.py working_days 2026-12-29 -3``. argparse treats ``-3`` as a
positional value here because none of the command's options look like a negative
number.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguarding.core.calendar import add_working_days

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BAD_DATE = "DATE must be an ISO date like 2026-12-24"


class Command(BaseCommand):
    help = (
        "Print the ISO date N working days (England & Wales) after DATE. "
        "DATE is day 0; N may be negative to count backwards."
    )
    # Pure date arithmetic: no system checks (and so no database) needed.
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("date", metavar="DATE", help="trigger date (day 0), e.g. 2026-12-24")
        parser.add_argument(
            "n", metavar="N", type=int, help="number of working days to add (may be negative)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw: str = options["date"]
        if not _ISO_DATE.fullmatch(raw):
            raise CommandError(f"{_BAD_DATE} (got {raw!r})")
        try:
            start = date.fromisoformat(raw)
        except ValueError as exc:
            raise CommandError(f"{_BAD_DATE} (got {raw!r}: {exc})") from exc
        try:
            result = add_working_days(start, options["n"])
        except OverflowError as exc:
            raise CommandError(f"Result is outside the supported date range: {exc}") from exc
        self.stdout.write(result.isoformat())
