"""Base models shared by every app, and the one helper that applies changed values."""

from collections.abc import Iterable, Mapping
from typing import Any

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


class ArchivableQuerySet(models.QuerySet):
    """For an archivable model's manager: ``active()`` is what the service shows and uses,
    ``archived()`` what was taken out (kept, with who and when)."""

    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


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


def apply_changes(
    instance: models.Model, values: Mapping[str, Any], fields: Iterable[str] | None = None
) -> list[str]:
    """Set on ``instance`` each value in ``values`` that differs from what it holds, and return
    the names of the fields that changed, in the order given.

    ``fields`` limits which names are looked at (default: every key of ``values``); a name in
    ``fields`` that is not in ``values`` is left alone. Nothing is saved: callers save with
    ``update_fields=[*changed, …]`` and put the names in their audit payload. Many-to-many
    fields are not set here (they need a saved instance): see ``apply_many_changes``.
    """
    names = list(values) if fields is None else [name for name in fields if name in values]
    changed = []
    for name in names:
        if instance._meta.get_field(name).many_to_many:
            raise ValueError(f"{name} is a many-to-many field: use apply_many_changes")
        if getattr(instance, name) != values[name]:
            setattr(instance, name, values[name])
            changed.append(name)
    return changed


def apply_many_changes(
    instance: models.Model, values: Mapping[str, Iterable[models.Model]]
) -> list[str]:
    """For a saved ``instance``: set each many-to-many field in ``values`` whose members differ
    from the ones it holds, and return the names of those that changed."""
    changed = []
    for name, objects in values.items():
        objects = list(objects)
        manager = getattr(instance, name)
        if {obj.pk for obj in objects} != set(manager.values_list("pk", flat=True)):
            manager.set(objects)
            changed.append(name)
    return changed
