"""Email a published digest issue to the subscribers who have not had it yet (a retry after a
mail server failure, say). Nobody gets the same issue twice."""

from django.core.management.base import BaseCommand, CommandError

from safeguarding.digests.models import DigestIssue
from safeguarding.digests.tasks import send_digest_issue


class Command(BaseCommand):
    help = "Email a published learning digest issue to subscribers who have not had it yet"

    def add_arguments(self, parser):
        parser.add_argument("partnership", help="The partnership's slug, e.g. testshire")
        parser.add_argument("number", type=int, help="The issue number")

    def handle(self, *args, partnership: str, number: int, **options):
        issue = DigestIssue.objects.filter(
            partnership__slug=partnership, number=number, status=DigestIssue.Status.PUBLISHED
        ).first()
        if issue is None:
            raise CommandError(f"No published issue {number} for {partnership}")
        result = send_digest_issue.enqueue(issue_id=issue.pk)
        self.stdout.write(f"Queued issue {number} for sending ({result.id})")
