"""Background tasks of the clock (django-tasks). In production they wait in the database
(``django_tasks_db.DatabaseBackend``) until ``manage.py db_worker`` runs them; in development
and tests the immediate backend runs them at once."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .reminders import reminders_send


def daily_jobs_run() -> None:
    """The other daily jobs (settings.DAILY_JOBS: the retention schedule, records/retention.py),
    each called with today's real date, so that the clock runs them without depending on the
    apps that define them. Never a date given for the reminders: a reminder run "as if it were"
    a later day must not delete records early."""
    today = timezone.localdate()
    for path in settings.DAILY_JOBS:
        import_string(path)(today=today)


@task()
def send_milestone_reminders(on_date: str | None = None) -> int:
    """Send every reminder due today (or on ``on_date``, YYYY-MM-DD) from every registered
    source (milestones, agency requests, actions); return how many were sent. Safe to run more
    than once a day: a reminder already sent is never sent again. Then run the other daily jobs
    (``daily_jobs_run``)."""
    today = datetime.date.fromisoformat(on_date) if on_date else timezone.localdate()
    sent = reminders_send(today=today)
    daily_jobs_run()
    return sent
