"""Writes for publication: validated, in one transaction, audited."""

import datetime

from django.db import transaction
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError

from .models import NationalReview
from .signals import national_review_removed


def national_review_add(
    *,
    partnership: Partnership,
    actor,
    title: str,
    published_on: datetime.date,
    url: str,
    summary: str = "",
) -> NationalReview:
    if published_on > timezone.localdate():
        raise ServiceError("The date published must be today or in the past", field="published_on")
    if not url.lower().startswith("https://"):
        raise ServiceError("Enter a web address that starts with https://", field="url")
    with transaction.atomic():
        review = NationalReview(
            partnership=partnership,
            title=title.strip(),
            published_on=published_on,
            url=url.strip(),
            summary=summary.strip(),
            created_by=actor,
            modified_by=actor,
        )
        review.full_clean()
        review.save()
        audit_record(action="national_review.added", actor=actor, target=review)
    return review


def national_review_remove(*, review: NationalReview, actor) -> NationalReview:
    with transaction.atomic():
        if review.archived_at is None:
            review.archived_at = timezone.now()
            review.archived_by = actor
            review.save(update_fields=["archived_at", "archived_by", "modified_at"])
            audit_record(action="national_review.removed", actor=actor, target=review)
            national_review_removed.send(sender=NationalReview, review=review, actor=actor)
    return review
