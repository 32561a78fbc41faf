"""Send the reminders due today (milestones, agency requests, actions), or put the task on the
queue for the worker.

    manage.py send_reminders                      # send now; prints how many were sent
    manage.py send_reminders --date 2026-12-01    # as if today were 1 December 2026
    manage.py send_reminders --enqueue            # queue the task for `manage.py db_worker`

Schedule ``send_reminders --enqueue`` once a day (docs/how-to/run-reminders.md). Running it
twice sends nothing more: each reminder is claimed once (clock/reminders.py). Both ways also
run the other daily jobs (settings.DAILY_JOBS: the retention schedule), with today's date.
"""

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus

from safeguarding.clock.reminders import reminders_send
from safeguarding.clock.tasks import daily_jobs_run, send_milestone_reminders


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: use the form YYYY-MM-DD, for example 2026-12-01"
        ) from None


class Command(BaseCommand):
    help = (
        "Send the reminders due today (milestones, agency requests, actions): before the due "
        "date and when it is overdue. With --enqueue, put the task on the queue for the worker "
        "instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=iso_date,
            help="the day to send the reminders for, YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the send_milestone_reminders task for the worker (manage.py db_worker)",
        )

    def handle(self, *args, date: datetime.date | None = None, enqueue: bool = False, **options):
        day = date or timezone.localdate()
        if enqueue:
            result = send_milestone_reminders.enqueue(on_date=date.isoformat() if date else None)
            queued = f"Queued the reminders for {day:%d %B %Y} (task {result.id})"
            if result.status == TaskResultStatus.FAILED:  # the immediate backend ran it already
                raise CommandError(f"{queued}, and it failed: {result.errors[-1].traceback}")
            if result.status == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"{queued}; it ran at once: {result.return_value} sent.")
            else:
                self.stdout.write(f"{queued}; the worker will run it.")
            return
        sent = reminders_send(today=day)
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'} for {day:%d %B %Y}.")
        daily_jobs_run()
