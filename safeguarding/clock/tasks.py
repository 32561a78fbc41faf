"""Background tasks of the clock (django-tasks). In production they wait in the database
(``django_tasks_db.DatabaseBackend``) until ``manage.py db_worker`` runs them; in development
and tests the immediate backend runs them at once."""

import datetime

from django.utils import timezone
from django_tasks import task

from .reminders import reminders_send


@task()
def send_milestone_reminders(on_date: str | None = None) -> int:
    """Send every reminder due today (or on ``on_date``, YYYY-MM-DD) from every registered
    source (milestones, agency requests, actions); return how many were sent. Safe to run more
    than once a day: a reminder already sent is never sent again."""
    today = datetime.date.fromisoformat(on_date) if on_date else timezone.localdate()
    return reminders_send(today=today)
