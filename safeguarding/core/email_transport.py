"""How an email leaves the service: GOV.UK Notify when ``NOTIFY_API_KEY`` is set, otherwise
Django's mail backend (SMTP in production without Notify, the console in the demo, memory in
tests). Every email of the service goes through here: notifications (notifications/services.py),
the learning digests and the invitations to join a partnership (accounts/people/emails.py). It
lives in ``core`` so that every app may use it, ``accounts`` included, which sits below
``notifications`` in the import layers; password resets and two-factor codes stay on Django's
mail (ADR 0009).

GOV.UK Notify sends from templates held in Notify: each email names a template id, chosen by
its template key (a notification kind such as ``milestone.due_soon``, ``digest.issue`` or
``people.invitation``) in
``NOTIFY_TEMPLATE_IDS``, or else ``NOTIFY_GENERIC_TEMPLATE_ID``. Every template is given the
personalisation ``subject``, ``body`` and ``link`` (the email as this service wrote it), plus the
email's own fields; the generic template is just ``((subject))`` and ``((body))``. Notify sends
no attachments: the notification keeps them for the recipient to download in the service.
"""

import datetime
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.dateformat import format as date_format


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str  # "text/calendar"
    params: tuple[tuple[str, str], ...] = ()  # MIME parameters, e.g. (("method", "REQUEST"),)

    @property
    def content_type(self) -> str:
        extra = "".join(f"; {name}={value}" for name, value in self.params)
        charset = "; charset=utf-8" if self.mimetype.startswith("text/") else ""
        return f"{self.mimetype}{extra}{charset}"


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    template: str = ""  # the key of its GOV.UK Notify template (a notification kind)
    link: str = ""
    personalisation: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    reference: str = ""  # ours, given to Notify to find the email by
    unsubscribe_url: str = ""  # List-Unsubscribe (RFC 8058) or Notify's one-click unsubscribe


class EmailTransport(Protocol):
    attaches_files: bool

    def send(self, email: OutgoingEmail) -> str:
        """Send one email; return the provider's reference for it ("" if it has none)."""


def notify_configured() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def transport_attaches_files() -> bool:
    """Whether emails carry their attachments (Django's mail does; GOV.UK Notify does not)."""
    return not notify_configured()


def personalisation_value(value) -> str | None:
    """A context value as Notify personalisation text, or None for values that are not text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, datetime.datetime):
        return date_format(value, "j F Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _mime_part(attachment: Attachment) -> MIMEBase:
    maintype, subtype = attachment.mimetype.split("/", 1)
    if maintype == "text":
        part: MIMEBase = MIMEText(attachment.content.decode("utf-8"), subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(attachment.content)
        encoders.encode_base64(part)
    for name, value in attachment.params:
        part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


class DjangoMailTransport:
    """Django's mail backend (settings.EMAIL_BACKEND), one connection for many emails."""

    attaches_files = True

    def __init__(self, connection) -> None:
        self.connection = connection

    def send(self, email: OutgoingEmail) -> str:
        headers = {}
        if email.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
        message = EmailMessage(
            subject=email.subject,
            body=email.body,
            to=[email.to],
            headers=headers,
            connection=self.connection,
        )
        for attachment in email.attachments:
            message.attach(_mime_part(attachment))
        message.send()
        return ""


class NotifyTransport:
    """GOV.UK Notify's API (notifications-python-client), at ``NOTIFY_BASE_URL``."""

    attaches_files = False

    def __init__(self) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
        )

    @staticmethod
    def template_id(key: str) -> str:
        return settings.NOTIFY_TEMPLATE_IDS.get(key) or settings.NOTIFY_GENERIC_TEMPLATE_ID

    def send(self, email: OutgoingEmail) -> str:
        personalisation = {
            **email.personalisation,
            "subject": email.subject,
            "body": email.body,
            "link": email.link,
        }
        response = self.client.send_email_notification(
            email_address=email.to,
            template_id=self.template_id(email.template),
            personalisation=personalisation,
            reference=email.reference or None,
            one_click_unsubscribe_url=email.unsubscribe_url or None,
        )
        return str(response.get("id", "")) if isinstance(response, dict) else ""


@contextmanager
def email_transport() -> Iterator[EmailTransport]:
    """The configured transport, open for as many emails as the caller sends."""
    if notify_configured():
        yield NotifyTransport()
        return
    with get_connection() as connection:
        yield DjangoMailTransport(connection)


def email_send(email: OutgoingEmail) -> str:
    """Send one email through the configured transport; return its provider reference."""
    with email_transport() as transport:
        return transport.send(email)
