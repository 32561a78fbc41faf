"""Background tasks of publication (django-tasks; see safeguarding/clock/tasks.py)."""

import datetime

from django.utils import timezone
from django_tasks import task

from .publishing import scheduled_publications_publish


@task()
def publish_scheduled(on_date: str | None = None) -> int:
    """Publish the scheduled publications whose date has come (today, or ``on_date``,
    YYYY-MM-DD); return how many were published. Safe to run more than once a day."""
    today = datetime.date.fromisoformat(on_date) if on_date else timezone.localdate()
    return scheduled_publications_publish(today)
