"""Base models shared by every app."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """Who created and last changed a record, and when."""

    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class ArchivableModel(TimeStampedModel):
    """Case and content records are archived, never deleted through the application."""

    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class RateLimitHit(models.Model):
    """One counted request for a rate limit (``core.rate_limits``): which limit, for whom
    (a keyed hash of the email or client address, never the value itself) and when. Kept in
    the database so that every server process counts the same hits."""

    bucket = models.CharField(max_length=60)
    key_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["bucket", "key_hash", "at"], name="rate_limit_hit_lookup")]

    def __str__(self) -> str:
        return f"{self.bucket} at {self.at:%Y-%m-%d %H:%M}"
