"""The one way a signatory declines or disagrees, and the business unit records the escalation
that resolved it (ADR 0012), for every kind of signature: a decision
(``services.decision_decline``, ``services.disagreement_resolve``) and a review's sign-off
(``reviews/running/services.py`` ``review_sign_off_decline``, ``review_disagreement_resolve``).

These helpers check what was entered and write the objection's own fields; the callers lock
their subject, decide what the outcome does to it (a new round, a signature excused), write
the audit events and tell people, all in their one transaction.
"""

import datetime

from django.utils import timezone

from safeguarding.core.errors import ServiceError

from .models import Objection

# Every objection's reason and resolution reason is kept whole; the audit payload takes this much.
AUDIT_REASON_CHARACTERS = 500


def objection_clean(*, kind: str, reason: str) -> str:
    """The reason, stripped; refuses a kind that is not "declined" or "disagreed" and an
    empty reason."""
    if kind not in Objection.Kind.values:
        raise ServiceError("Select whether you decline to sign or disagree", field="kind")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Enter your reason", field="reason")
    return reason


def resolution_clean(
    *,
    objection: Objection,
    resolution: str,
    resolved_by: str,
    reason: str,
    resolved_on: datetime.date,
) -> tuple[str, str]:
    """(who resolved it, the reasons), stripped; refuses an unknown outcome, empty text and a
    date in the future or before the objection was raised."""
    if resolution not in Objection.Resolution.values:
        raise ServiceError("Select the outcome of the escalation", field="resolution")
    resolved_by = resolved_by.strip()
    if not resolved_by:
        raise ServiceError("Enter who resolved the disagreement", field="resolved_by")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Enter the reasons for the outcome", field="reason")
    if resolved_on > timezone.localdate():
        raise ServiceError("The date must be today or in the past", field="resolved_on")
    raised_on = timezone.localtime(objection.raised_at).date()
    if resolved_on < raised_on:
        raise ServiceError(
            "The date must be on or after the day the disagreement was raised "
            f"({raised_on:%-d %B %Y})",
            field="resolved_on",
        )
    return resolved_by, reason


def resolution_apply(
    objection: Objection,
    *,
    resolution: str,
    resolved_by: str,
    reason: str,
    resolved_on: datetime.date,
    actor,
    now: datetime.datetime,
) -> None:
    """Write the resolution onto a (locked, open) objection and save it."""
    objection.resolution = resolution
    objection.resolved_by = resolved_by
    objection.resolution_reason = reason
    objection.resolved_on = resolved_on
    objection.resolution_recorded_by = actor
    objection.resolution_recorded_at = now
    objection.save()


def resolution_payload(objection: Objection) -> dict:
    """The audit payload of a resolution (the same keys for decisions and reviews)."""
    return {
        "capacity": objection.capacity,
        "resolution": objection.resolution,
        "resolved_by": objection.resolved_by[:300],
        "resolved_on": objection.resolved_on.isoformat() if objection.resolved_on else None,
        "reason": objection.resolution_reason[:AUDIT_REASON_CHARACTERS],
    }
