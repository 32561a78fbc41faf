"""One append-only table of audit events."""

from django.conf import settings
from django.db import models

from .registry import action_label


class AuditEventImmutable(Exception):
    """Audit events are never changed or deleted through the application."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEventImmutable("Audit events cannot be changed")

    def delete(self):
        raise AuditEventImmutable("Audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEventImmutable("Audit events cannot be changed")

    def delete_under_retention(self) -> int:
        """The one way events leave the table: the retention schedule deletes events older
        than its period (records/retention.py), and records that it did in a new event in the
        same transaction. Returns how many were deleted."""
        return models.QuerySet.delete(self)[0]


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    # Kept as text too, so the trail reads the same if a name or email changes.
    actor_label = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    partnership = models.ForeignKey(
        "accounts.Partnership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["partnership", "-occurred_at"], name="audit_partnership_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_label or '-'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutable("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events cannot be deleted")

    @property
    def action_label(self) -> str:
        return action_label(self.action)
