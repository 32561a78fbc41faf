"""Background tasks of learning digests (django-tasks; see safeguarding/clock/tasks.py). In
production the task waits in the database until ``manage.py db_worker`` runs it; in development
and tests the immediate backend runs it at once."""

from django_tasks import task

from .models import DigestIssue
from .sending import issue_send


@task()
def send_digest_issue(issue_id: int, base_url: str = "") -> int:
    """Email a published issue to its partnership's confirmed subscribers; return how many were
    sent. Safe to run again: nobody is sent the same issue twice."""
    issue = DigestIssue.objects.select_related("partnership").filter(pk=issue_id).first()
    if issue is None:
        return 0
    return issue_send(issue=issue, base_url=base_url)
