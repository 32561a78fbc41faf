"""Telling people: ``notify()`` and marking notifications read.

``notify()`` is called by the service that makes a hand-off, inside its transaction. It writes
one ``Notification`` per recipient there and then (so the notice is part of the change: if the
change rolls back, no one is told), and sends the emails only after the commit
(``transaction.on_commit``), so no transaction is held open while a mail server or GOV.UK Notify
answers. Each email is sent once: the row's status records whether it went (``sent``, with
Notify's reference) or not (``failed``, with the error and the time). A failed email is not
retried, because the notice is in the service and the hand-off's own page shows what is due;
ADR 0009 gives the reasons.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding.accounts.models import Partnership, User
from safeguarding.core.email_transport import (
    Attachment,
    OutgoingEmail,
    email_transport,
    personalisation_value,
    transport_attaches_files,
)
from safeguarding.core.errors import ServiceError

from .kinds import kind_get
from .models import Notification, NotificationAttachment

logger = logging.getLogger(__name__)

Recipient = User | str
SUBJECT_MAX = 200
ERROR_MAX = 2_000


def absolute_url(path: str) -> str:
    """``path`` on the service's own address (``SERVICE_URL``), or "" when that is not set."""
    if not path or not settings.SERVICE_URL:
        return ""
    return f"{settings.SERVICE_URL}{path}"


def _recipients(recipients: Iterable[Recipient]) -> list[tuple[User | None, str]]:
    """(user or None, email) once per address, in the order given. Users who are no longer
    active are left out: someone whose account is closed is told nothing."""
    seen: set[str] = set()
    result: list[tuple[User | None, str]] = []
    for recipient in recipients:
        if isinstance(recipient, User):
            if not recipient.is_active:
                continue
            user, email = recipient, recipient.email
        else:
            user, email = None, recipient
        email = (email or "").strip()
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        result.append((user, email))
    return result


def _write_order(user: User | None) -> tuple[bool, int]:
    return (user is None, user.pk if user is not None else 0)


def _render(kind_code: str, context: Mapping[str, Any]) -> tuple[str, str]:
    kind = kind_get(kind_code)
    subject_template = engines["django"].from_string(
        "{% autoescape off %}" + kind.subject + "{% endautoescape %}"
    )
    subject = " ".join(subject_template.render(dict(context)).split())[:SUBJECT_MAX]
    body = render_to_string(kind.template, dict(context)).strip() + "\n"
    return subject, body


def _personalisation(context: Mapping[str, Any]) -> dict[str, str]:
    values = {key: personalisation_value(value) for key, value in context.items()}
    return {key: value for key, value in values.items() if value is not None}


def notify(
    *,
    kind: str,
    recipients: Iterable[Recipient],
    partnership: Partnership,
    subject_object: models.Model | None = None,
    context: Mapping[str, Any] | None = None,
    link: str = "",
    dedupe_key: str | None = None,
    attachments: Sequence[Attachment] = (),
    private_context: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """Tell each recipient (a user, or an email address for someone without an account) about
    a hand-off of ``kind`` (registered in kinds.py: an unknown kind raises
    UnknownNotificationKind). Writes the notifications in the caller's transaction and emails
    them after it commits. Returns the notifications written.

    ``context`` fills the kind's subject and body templates, with ``partnership``, ``link`` (the
    page on the service's address, or "" without ``SERVICE_URL``), ``path`` (``link`` as given),
    ``recipient`` (the user, or None) and ``attaches_files``. ``private_context`` goes into the
    email only, never into the stored notice (a referrer's private status link).
    ``dedupe_key`` names the hand-off: each person is told about it once, however often it is
    called. ``attachments`` go with the email and stay on the notice to download.
    """
    kind_get(kind)  # raises for an unregistered kind
    if link and not link.startswith("/"):
        raise ValueError(f"A notification links to a page of the service, not {link!r}")
    subject_type = (
        ContentType.objects.get_for_model(subject_object) if subject_object is not None else None
    )
    base = {
        "service_name": settings.SERVICE_NAME,
        "service_url": settings.SERVICE_URL,
        "partnership": partnership,
        "link": absolute_url(link),
        "path": link,
        "attaches_files": transport_attaches_files(),
        **(context or {}),
    }
    told = _recipients(recipients)
    # Written with account holders in the order of their ids (then the rest), whatever order
    # they were given in: each unread notification takes its person's kept count row lock
    # until the commit (ADR 0046), and two requests telling the same people in opposite orders
    # would wait on each other (a deadlock on PostgreSQL). Returned and emailed as given.
    written: dict[int, tuple[Notification, tuple[int, OutgoingEmail]]] = {}
    for position in sorted(range(len(told)), key=lambda i: _write_order(told[i][0])):
        user, address = told[position]
        stored_context = {**base, "recipient": user}
        subject, body = _render(kind, stored_context)
        email_body = body
        if private_context:
            _, email_body = _render(kind, {**stored_context, **private_context})
        notification = Notification(
            recipient=user,
            email=address,
            partnership=partnership,
            kind=kind,
            subject=subject,
            body=body,
            link=link,
            subject_type=subject_type,
            subject_id=subject_object.pk if subject_object is not None else None,
            dedupe_key=f"{dedupe_key}:{address.lower()}"[:255] if dedupe_key else None,
        )
        if dedupe_key is None:
            notification.save()
        else:
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                if Notification.objects.filter(dedupe_key=notification.dedupe_key).exists():
                    continue  # told about this hand-off already
                raise
        NotificationAttachment.objects.bulk_create(
            NotificationAttachment(
                notification=notification,
                filename=attachment.filename,
                content_type=attachment.content_type,
                content=attachment.content,
            )
            for attachment in attachments
        )
        written[position] = (
            notification,
            (
                notification.pk,
                OutgoingEmail(
                    to=address,
                    subject=subject,
                    body=email_body,
                    template=kind,
                    link=base["link"],
                    personalisation=_personalisation({**stored_context, **(private_context or {})}),
                    attachments=tuple(attachments),
                    reference=f"notification-{notification.pk}",
                ),
            ),
        )
    created = [written[position][0] for position in sorted(written)]
    emails = [written[position][1] for position in sorted(written)]
    if emails:
        transaction.on_commit(lambda: notifications_email(emails))
    return created


def notifications_email(emails: Sequence[tuple[int, OutgoingEmail]]) -> None:
    """Send the emails of notifications already committed, and record for each whether it went.
    Run after the commit by ``notify``; never raises (a failure is recorded and logged)."""
    done: set[int] = set()
    try:
        with email_transport() as transport:
            for notification_id, email in emails:
                try:
                    reference = transport.send(email)
                except Exception as error:
                    _email_failed(notification_id, error)
                else:
                    Notification.objects.filter(pk=notification_id).update(
                        email_status=Notification.EmailStatus.SENT,
                        email_status_at=timezone.now(),
                        email_reference=reference[:100],
                        email_error="",
                    )
                done.add(notification_id)
    except Exception as error:  # the transport itself could not be opened (or closed)
        for notification_id, _ in emails:
            if notification_id not in done:
                _email_failed(notification_id, error)


def _email_failed(notification_id: int, error: Exception) -> None:
    logger.error("Could not email notification %s: %s", notification_id, error, exc_info=error)
    Notification.objects.filter(pk=notification_id).update(
        email_status=Notification.EmailStatus.FAILED,
        email_status_at=timezone.now(),
        email_error=(f"{type(error).__name__}: {error}")[:ERROR_MAX],
    )


def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Mark one of ``user``'s notifications read (opening it does this)."""
    if notification.recipient_id != user.pk:
        raise ServiceError("A notification is marked read only by the person it was for")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user`` read; return how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
