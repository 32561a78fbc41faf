"""Rate limits counted in the database (``RateLimitHit``), shared by every server process.

A limit allows ``limit`` hits per key in any sliding ``window``. Callers check and record in
the same transaction; on SQLite (transactions take the write lock when they begin) two requests
cannot both pass the last free place, on PostgreSQL they rarely can, which is harmless for
limits that protect against floods.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateLimitHit


def _key_hash(key: str) -> str:
    # Keyed with the secret key: the table never holds an email or client address, nor a plain
    # hash of one that a list of addresses could reverse.
    return salted_hmac("safeguarding.core.rate_limits", key.strip().lower()).hexdigest()


@dataclass(frozen=True)
class RateLimit:
    bucket: str
    limit: int
    window: datetime.timedelta

    def exceeded(self, key: str) -> bool:
        """Whether ``key`` has used up the limit in the current window."""
        since = timezone.now() - self.window
        hits = RateLimitHit.objects.filter(bucket=self.bucket, key_hash=_key_hash(key))
        return hits.filter(at__gt=since).count() >= self.limit

    def record(self, key: str) -> None:
        """Count one hit for ``key``, and forget this limit's hits older than the window."""
        now = timezone.now()
        RateLimitHit.objects.filter(bucket=self.bucket, at__lte=now - self.window).delete()
        RateLimitHit.objects.create(bucket=self.bucket, key_hash=_key_hash(key), at=now)

    def allow(self, key: str) -> bool:
        """Count one hit for ``key`` and say True, or say False if the limit is used up (a
        refused request is not counted). An empty key (no client address known) is allowed
        and not counted."""
        if not key:
            return True
        with transaction.atomic():
            if self.exceeded(key):
                return False
            self.record(key)
        return True
