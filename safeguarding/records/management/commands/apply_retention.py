"""Apply the retention schedule now, or show what it would do.

    manage.py apply_retention --dry-run               # list what is due today; change nothing
    manage.py apply_retention                         # archive, delete and anonymise what is due
    manage.py apply_retention --dry-run --date 2036-01-01   # what would be due on that day

The daily run (``send_reminders``, settings.DAILY_JOBS) does the same every day. Every batch is
written with its audit event (records/retention.py; docs/security.md §Retention).
"""

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguarding.records.retention import retention_apply


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: use the form YYYY-MM-DD, for example 2036-01-01"
        ) from None


class Command(BaseCommand):
    help = (
        "Archive, delete or anonymise the records the retention schedule says are due today. "
        "With --dry-run, list them and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is due, and change nothing"
        )
        parser.add_argument(
            "--date",
            type=iso_date,
            help="the day to apply the schedule for, YYYY-MM-DD (default: today); a day after "
            "today needs --dry-run",
        )

    def handle(self, *args, dry_run=False, date=None, **options):
        today = timezone.localdate()
        day = date or today
        if day > today and not dry_run:
            raise CommandError(
                "A day after today can only be looked at with --dry-run: records are never "
                "deleted before they are due"
            )
        run = retention_apply(today=day, dry_run=dry_run)
        self.stdout.write("\n".join(run.lines()))
        if not dry_run:
            self.stdout.write(f"Done: {run.done:,} record(s).")
