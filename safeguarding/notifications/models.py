"""A notification: one person told one thing, seen in the service and sent by email.

A row is written per recipient in the transaction of the hand-off that causes it (services.py
``notify``); its email goes after the commit, and the row records how that went (queued, sent or
failed, with the error and the time). ``dedupe_key`` is unique, so a hand-off that gives one
tells each person once however often it runs. People without an account (a referrer, an
email-only attendee) get the email; the row records it, and no one sees it in the service.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from safeguarding.accounts.models import Partnership


class Notification(models.Model):
    class EmailStatus(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text="Empty for someone without an account: the email address only",
    )
    email = models.EmailField(help_text="The address the email went to")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=60, help_text="A registered kind (notifications/kinds.py)")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True, help_text="A page of the service")
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_object = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    email_status_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)
    email_reference = models.CharField(
        max_length=100, blank=True, help_text="GOV.UK Notify's id for the email, when it sent it"
    )
    dedupe_key = models.CharField(max_length=255, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_newest"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.email})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class UnreadCount(models.Model):
    """How many of a person's notifications are unread: the count in the service navigation of
    every staff page (issue 16, ADR 0046). Kept by database triggers on the notifications
    (migration ``notifications/0002``), whatever writes them (``notify``, marking read,
    ``update()``, ``bulk_create()``, deletes); never written by the code. No row, or a row at
    0, means none unread. Named to sort after ``Notification``: a restore loads tables in name
    order and each table's rows replace what triggers wrote into it (``records/backup.py``)."""

    recipient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.n} unread (user {self.recipient_id})"


class NotificationAttachment(models.Model):
    """A file that went with the email (a calendar invitation), kept so that the recipient can
    also download it from the notification in the service."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=100)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
