"""Sending a published learning digest issue by email (run by ``tasks.send_digest_issue``).

Each email is recorded by a ``DigestDelivery`` row written (and committed) before it goes,
unique per issue and subscriber, so running the task again, or retrying it, sends nobody the
same issue twice. Imports go one way: ``services`` queues the task, ``tasks`` calls this module,
and this module imports neither.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from safeguarding.audit.services import audit_record

from . import rendering, selectors
from .models import DigestDelivery, DigestIssue

logger = logging.getLogger(__name__)

SENDER_LABEL = "Learning digest emails"


def _digest_message(issue, document, subscriber, base_url, connection):
    slug = issue.partnership.slug
    unsubscribe = rendering.public_url(
        "digests_public:unsubscribe", base_url, slug, subscriber.token
    )
    context = {
        "issue": issue,
        "document": document,
        "page": rendering.public_url("digests_public:issue", base_url, slug, issue.number),
        "pdf": rendering.public_url("digests_public:pdf", base_url, slug, issue.number),
        "docx": rendering.public_url("digests_public:docx", base_url, slug, issue.number),
        "unsubscribe": unsubscribe,
    }
    subject = " ".join(f"{issue.partnership.name}: {document.title}".split())[:200]
    return EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("digests/email/issue.txt", context),
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        },
        connection=connection,
    )


def issue_send(*, issue: DigestIssue, base_url: str = "") -> int:
    """Email a published issue to every confirmed subscriber who has not had it; return how
    many were sent. The delivery row is written (and committed) before each email goes."""
    if issue.status != DigestIssue.Status.PUBLISHED:
        return 0
    base_url = base_url or settings.SERVICE_URL
    document = rendering.build_document(issue, selectors.item_list(issue=issue), base_url=base_url)
    sent = 0
    with get_connection() as connection:
        for subscriber in selectors.subscribers_to_send(issue=issue):
            try:
                with transaction.atomic():
                    DigestDelivery.objects.create(issue=issue, subscriber=subscriber)
            except IntegrityError:
                continue  # another run sent it first
            try:
                _digest_message(issue, document, subscriber, base_url, connection).send()
            except Exception:  # recorded as sent: never twice, even if the server failed
                logger.exception(
                    "Could not email digest %s to subscriber %s", issue.pk, subscriber.pk
                )
                continue
            sent += 1
    if sent:
        audit_record(
            action="digest.sent",
            target=issue,
            actor_label=SENDER_LABEL,
            payload={"number": issue.number, "sent": sent},
        )
    return sent
