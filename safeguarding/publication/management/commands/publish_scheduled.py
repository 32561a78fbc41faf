"""Publish the scheduled publications whose date has come, or queue the task for the worker.

    manage.py publish_scheduled                      # publish now; prints how many
    manage.py publish_scheduled --date 2027-01-04    # as if today were 4 January 2027
    manage.py publish_scheduled --enqueue            # queue the task for `manage.py db_worker`

Schedule ``publish_scheduled --enqueue`` once a day, early in the morning, next to
``send_reminders``. Running it twice publishes nothing more: only items still 'scheduled' are
published. An item that no longer meets the rules (a new file with unresolved findings, say)
stays scheduled and is shown on its page.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus

from safeguarding.clock.management.commands.send_reminders import iso_date
from safeguarding.publication.publishing import scheduled_publications_publish
from safeguarding.publication.tasks import publish_scheduled


class Command(BaseCommand):
    help = (
        "Publish the scheduled publications whose date has come. With --enqueue, put the task "
        "on the queue for the worker instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=iso_date, help="the day to publish for, YYYY-MM-DD (default: today)"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the publish_scheduled task for the worker (manage.py db_worker)",
        )

    def handle(self, *args, date: datetime.date | None = None, enqueue: bool = False, **options):
        day = date or timezone.localdate()
        if enqueue:
            result = publish_scheduled.enqueue(on_date=date.isoformat() if date else None)
            queued = f"Queued the scheduled publications for {day:%d %B %Y} (task {result.id})"
            if result.status == TaskResultStatus.FAILED:
                raise CommandError(f"{queued}, and it failed: {result.errors[-1].traceback}")
            if result.status == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"{queued}; it ran at once: {result.return_value} published.")
            else:
                self.stdout.write(f"{queued}; the worker will run it.")
            return
        count = scheduled_publications_publish(day)
        self.stdout.write(
            f"Published {count} scheduled item{'' if count == 1 else 's'} for {day:%d %B %Y}."
        )
