"""Sending a published learning digest issue by email (run by ``tasks.send_digest_issue``).

Each email is recorded by a ``DigestDelivery`` row written (and committed) before it goes,
unique per issue and subscriber, so running the task again, or retrying it, sends nobody the
same issue twice. The emails go through the service's one email transport (GOV.UK Notify when
configured, Django's mail otherwise: core/email_transport.py), with the Notify template key
``digest.issue``; subscribers have no account, so no notifications are written. Imports go one
way: ``services`` queues the task, ``tasks`` calls this module, and this module imports neither.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from safeguarding.audit.services import audit_record
from safeguarding.core.email_transport import OutgoingEmail, email_transport

from . import rendering, selectors
from .models import DigestDelivery, DigestIssue

logger = logging.getLogger(__name__)

SENDER_LABEL = "Learning digest emails"


def _digest_email(issue, document, subscriber, base_url) -> OutgoingEmail:
    slug = issue.partnership.slug
    unsubscribe = rendering.public_url(
        "digests_public:unsubscribe", base_url, slug, subscriber.token
    )
    page = rendering.public_url("digests_public:issue", base_url, slug, issue.number)
    context = {
        "issue": issue,
        "document": document,
        "page": page,
        "pdf": rendering.public_url("digests_public:pdf", base_url, slug, issue.number),
        "docx": rendering.public_url("digests_public:docx", base_url, slug, issue.number),
        "unsubscribe": unsubscribe,
    }
    return OutgoingEmail(
        to=subscriber.email,
        subject=" ".join(f"{issue.partnership.name}: {document.title}".split())[:200],
        body=render_to_string("digests/email/issue.txt", context),
        template="digest.issue",
        link=page,
        reference=f"digest-{issue.pk}-{subscriber.pk}",
        unsubscribe_url=unsubscribe,  # List-Unsubscribe, one click (RFC 8058)
    )


def issue_send(*, issue: DigestIssue, base_url: str = "") -> int:
    """Email a published issue to every confirmed subscriber who has not had it; return how
    many were sent. The delivery row is written (and committed) before each email goes."""
    if issue.status != DigestIssue.Status.PUBLISHED:
        return 0
    base_url = base_url or settings.SERVICE_URL
    document = rendering.build_document(issue, selectors.item_list(issue=issue), base_url=base_url)
    sent = 0
    with email_transport() as transport:
        for subscriber in selectors.subscribers_to_send(issue=issue):
            try:
                with transaction.atomic():
                    DigestDelivery.objects.create(issue=issue, subscriber=subscriber)
            except IntegrityError:
                continue  # another run sent it first
            try:
                transport.send(_digest_email(issue, document, subscriber, base_url))
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
