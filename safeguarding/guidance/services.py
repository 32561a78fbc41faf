"""Recording the date a partnership adopted a guidance version (validated, one transaction,
audited). Cases already recorded keep their versions: only cases the partnership becomes aware
of afterwards follow a changed adoption (ADR 0018)."""

import datetime

from django.db import transaction
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError

from .models import GuidanceAdoption, GuidanceVersion

# An adoption more than this many days ahead is taken only with a confirmation (a mistyped year).
FAR_FUTURE_DAYS = 366


def adoption_record(
    *,
    partnership: Partnership,
    version: GuidanceVersion,
    adopted_on: datetime.date,
    confirmed: bool,
    actor,
) -> GuidanceAdoption:
    """Record (or change) the date ``partnership`` adopted ``version``."""
    if not set(version.review_types) & {t.value for t in partnership.review_types}:
        raise ServiceError("The partnership does not run the reviews this guidance covers")
    if adopted_on < version.effective_from:
        raise ServiceError(
            f"The date must be on or after {version.effective_from:%-d %B %Y}, when "
            f"{version.short_title} took effect",
            field="adopted_on",
        )
    if version.effective_to is not None and adopted_on > version.effective_to:
        raise ServiceError(
            f"The date must be on or before {version.effective_to:%-d %B %Y}, when "
            f"{version.short_title} stopped applying",
            field="adopted_on",
        )
    today = timezone.localdate()
    if adopted_on > today + datetime.timedelta(days=FAR_FUTURE_DAYS) and not confirmed:
        raise ServiceError(
            "The date is more than a year from today: check it, and confirm it if it is right",
            field="confirmed",
        )
    if version.needs_confirmation and not confirmed:
        raise ServiceError(
            f"Confirm that the partnership follows {version.short_title}: it is "
            f"{version.get_status_display().lower()}",
            field="confirmed",
        )
    with transaction.atomic():
        adoption = (
            GuidanceAdoption.objects.select_for_update()
            .filter(partnership=partnership, version=version)
            .first()
        )
        if adoption is None:
            adoption = GuidanceAdoption.objects.create(
                partnership=partnership, version=version, adopted_on=adopted_on, recorded_by=actor
            )
            audit_record(
                action="guidance.adopted",
                actor=actor,
                target=adoption,
                partnership=partnership,
                payload={"version": version.code, "adopted_on": adopted_on.isoformat()},
            )
            return adoption
        old = adoption.adopted_on
        if old == adopted_on:
            return adoption
        adoption.adopted_on = adopted_on
        adoption.recorded_by = actor
        adoption.save(update_fields=["adopted_on", "recorded_by", "recorded_at"])
        audit_record(
            action="guidance.adoption_changed",
            actor=actor,
            target=adoption,
            partnership=partnership,
            payload={
                "version": version.code,
                "from": old.isoformat(),
                "to": adopted_on.isoformat(),
            },
        )
    return adoption


def adoption_remove(*, adoption: GuidanceAdoption, actor) -> None:
    """Take an adoption back (for example a draft adopted by mistake). Cases already recorded
    keep the version they follow."""
    with transaction.atomic():
        audit_record(
            action="guidance.adoption_removed",
            actor=actor,
            target=adoption,
            partnership=adoption.partnership,
            payload={
                "version": adoption.version.code,
                "adopted_on": adoption.adopted_on.isoformat(),
            },
        )
        adoption.delete()
