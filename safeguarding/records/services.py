"""Writes of the records app: a partnership's retention periods, retention holds, and the audited
search for data about a person. Each in one transaction with its audit event. (The download of
data about a person is audited by ``core.files.file_response``, as every staff download is.)"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError
from safeguarding.referrals.models import Case

from .models import RetentionHold, RetentionSetting
from .person_data import Match
from .retention_schedule import BY_KEY, RecordType

MAX_MONTHS = 1_200  # 100 years


def retention_setting_update(
    *, partnership: Partnership, record_type: RecordType, months: int, enabled: bool, actor
) -> RetentionSetting:
    """A partnership's own period for a record type of the schedule ([K] defaults), or the
    rule switched off. The next daily run uses it."""
    if record_type.key not in BY_KEY or not record_type.configurable:
        raise ServiceError("This period is set for the whole service and cannot be changed")
    if months < record_type.minimum_months or months > MAX_MONTHS:
        raise ServiceError(
            f"Enter a number of months from {record_type.minimum_months} to {MAX_MONTHS:,}",
            field="months",
        )
    with transaction.atomic():
        setting, _ = RetentionSetting.objects.update_or_create(
            partnership=partnership,
            record_type=record_type.key,
            defaults={"months": months, "enabled": enabled, "modified_by": actor},
        )
        audit_record(
            action="retention.setting_changed",
            actor=actor,
            target=setting,
            partnership=partnership,
            payload={
                "rule": record_type.key,
                "months": months,
                "enabled": enabled,
                "default_months": record_type.default_amount,
            },
        )
    return setting


def retention_hold_place(
    *, partnership: Partnership, case: Case, reason: str, actor
) -> RetentionHold:
    """Keep a case out of the retention schedule until the hold is lifted."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("Enter why the case is kept", field="reason")
    if case.partnership_id != partnership.pk:
        raise ServiceError("No such case", field="case_reference")
    with transaction.atomic():
        if RetentionHold.objects.filter(case=case, lifted_at__isnull=True).exists():
            raise ServiceError("This case is already on hold", field="case_reference")
        hold = RetentionHold.objects.create(
            partnership=partnership, case=case, reason=reason, placed_by=actor
        )
        audit_record(
            action="retention.hold_placed",
            actor=actor,
            target=case,
            partnership=partnership,
            payload={"hold": hold.pk, "reason": reason[:500]},
        )
    return hold


def retention_hold_lift(*, hold: RetentionHold, actor) -> RetentionHold:
    with transaction.atomic():
        if hold.lifted_at is None:
            hold.lifted_at = timezone.now()
            hold.lifted_by = actor
            hold.save(update_fields=["lifted_at", "lifted_by"])
            audit_record(
                action="retention.hold_lifted",
                actor=actor,
                target=hold.case,
                partnership=hold.partnership,
                payload={"hold": hold.pk},
            )
    return hold


def person_data_searched(*, partnership: Partnership, matches: list[Match], actor, **asked):
    """Record that identities were searched (the results show real identities). The name
    searched for is not recorded: an audit event never holds a real identity."""
    with transaction.atomic():
        audit_record(
            action="person_data.searched",
            actor=actor,
            partnership=partnership,
            payload={
                "matches": len(matches),
                "kinds": sorted({m.kind for m in matches}),
                "with_date_of_birth": asked.get("date_of_birth") is not None,
                "with_email": bool(asked.get("email")),
            },
        )
