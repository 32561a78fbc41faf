"""Learning digests (DESIGN §5 `digests`; issue 7 item 5): numbered issues for a period, made
of items the service proposes from the library and the editor chooses and orders; published as
a web page on the public site and as PDF and DOCX; emailed once to confirmed subscribers."""

import secrets

from django.db import models

from safeguarding.accounts.models import Partnership
from safeguarding.core.files import UploadPath
from safeguarding.core.models import TimeStampedModel
from safeguarding.library.models import LibraryRecord


def _token() -> str:
    return secrets.token_urlsafe(32)


class DigestIssue(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="digest_issues"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    introduction = models.TextField(max_length=10_000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(
        upload_to=UploadPath("digests", "partnership_id"), blank=True, max_length=300
    )
    docx = models.FileField(
        upload_to=UploadPath("digests", "partnership_id"), blank=True, max_length=300
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "number"], name="digest_number_once")
        ]

    def __str__(self) -> str:
        return f"Issue {self.number}: {self.title}"


class DigestItem(models.Model):
    class Kind(models.TextChoices):
        REVIEW = "review", "Review published"
        LEARNING = "learning", "Key learning"
        NATIONAL = "national", "National review"
        THEME = "theme", "Recurring theme"
        OTHER = "other", "Other"

    issue = models.ForeignKey(DigestIssue, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    record = models.ForeignKey(
        LibraryRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    heading = models.CharField(max_length=300)
    text = models.TextField(max_length=10_000)
    link = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["issue", "position", "id"]

    def __str__(self) -> str:
        return self.heading


class Subscriber(models.Model):
    """A practitioner who asked for digests by email: confirmed by a link, unsubscribed with one
    click (the token in every email)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="digest_subscribers"
    )
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "email"], name="subscriber_once")
        ]

    def __str__(self) -> str:
        return self.email


class DigestDelivery(models.Model):
    """One issue sent to one subscriber: written before the email goes, so never twice."""

    issue = models.ForeignKey(DigestIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="digest_delivery_once")
        ]

    def __str__(self) -> str:
        return f"Issue {self.issue_id} to subscriber {self.subscriber_id}"
