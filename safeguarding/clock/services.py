"""Starting, completing, pausing and extending milestones. Every date sum goes through
core.calendar (R39, R40)."""

import datetime

from django.db import transaction
from django.db.models import Model

from safeguarding.accounts.models import Partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.calendar import add_calendar_months, add_working_days
from safeguarding.core.errors import ServiceError

from .models import (
    Milestone,
    MilestoneRule,
    OffsetUnit,
    PartnershipMilestoneSetting,
    subject_type_for,
)


def due_date(start: datetime.date, amount: int, unit: str) -> datetime.date:
    """The due date ``amount`` units after ``start`` (day 0, R40)."""
    if unit == OffsetUnit.WORKING_DAYS:
        return add_working_days(start, amount)
    if unit == OffsetUnit.CALENDAR_DAYS:
        return start + datetime.timedelta(days=amount)
    if unit == OffsetUnit.CALENDAR_MONTHS:
        return add_calendar_months(start, amount)
    raise ValueError(f"Unknown offset unit {unit!r}")


def milestones_start(
    *,
    partnership: Partnership,
    event: str,
    subject: Model,
    on_date: datetime.date,
    label: str,
    url: str = "",
    review_types: list[str] | None = None,
    owner=None,
) -> list[Milestone]:
    """Start every milestone whose rule begins with ``event`` (once per subject and rule).

    ``review_types`` limits the rules to those types (default: the types the partnership runs).
    """
    types = review_types or [t.value for t in partnership.review_types]
    rules = MilestoneRule.objects.filter(starts_on_event=event, review_type__in=types)
    settings_by_rule = {
        s.rule_id: s
        for s in PartnershipMilestoneSetting.objects.filter(partnership=partnership, rule__in=rules)
    }
    subject_type = subject_type_for(subject)
    started = []
    with transaction.atomic():
        for rule in rules:
            setting = settings_by_rule.get(rule.pk)
            if setting is not None and not setting.enabled:
                continue
            amount = setting.offset_amount if setting and rule.configurable else rule.offset_amount
            due = due_date(on_date, amount, rule.offset_unit)
            milestone, created = Milestone.objects.get_or_create(
                rule=rule,
                subject_type=subject_type,
                subject_id=subject.pk,
                defaults={
                    "partnership": partnership,
                    "subject_label": label,
                    "subject_url": url,
                    "offset_amount": amount,
                    "offset_unit": rule.offset_unit,
                    "starts_on": on_date,
                    "due_on": due,
                    "original_due_on": due,
                    "owner": owner,
                },
            )
            if created:
                started.append(milestone)
    return started


def milestones_complete(
    *, event: str, subject: Model, on_date: datetime.date, actor=None
) -> list[Milestone]:
    """Mark done every open milestone of ``subject`` that ``event`` completes."""
    done = []
    with transaction.atomic():
        for milestone in Milestone.objects.select_for_update().filter(
            subject_type=subject_type_for(subject),
            subject_id=subject.pk,
            rule__done_on_event=event,
            status__in=[Milestone.Status.DUE, Milestone.Status.PAUSED],
        ):
            milestone.status = Milestone.Status.DONE
            milestone.done_on = on_date
            milestone.save(update_fields=["status", "done_on", "modified_at"])
            audit_record(
                action="milestone.completed",
                actor=actor,
                target=milestone,
                partnership=milestone.partnership,
                payload={"rule": milestone.rule.rule_id, "done_on": on_date.isoformat()},
            )
            done.append(milestone)
    return done


def milestones_not_applicable(*, subject: Model, review_type: str, actor=None) -> None:
    """Close the open milestones of one review type (e.g. after a 'no review' decision)."""
    with transaction.atomic():
        for milestone in Milestone.objects.filter(
            subject_type=subject_type_for(subject),
            subject_id=subject.pk,
            rule__review_type=review_type,
            status__in=[Milestone.Status.DUE, Milestone.Status.PAUSED],
        ):
            milestone.status = Milestone.Status.NOT_APPLICABLE
            milestone.save(update_fields=["status", "modified_at"])
            audit_record(
                action="milestone.not_applicable",
                actor=actor,
                target=milestone,
                partnership=milestone.partnership,
            )


def milestone_pause(*, milestone: Milestone, reason: str, actor) -> Milestone:
    if not reason.strip():
        raise ServiceError("Enter why the milestone is paused", field="reason")
    if milestone.status != Milestone.Status.DUE:
        raise ServiceError("Only a milestone that is due can be paused")
    with transaction.atomic():
        milestone.status = Milestone.Status.PAUSED
        milestone.paused_reason = reason.strip()
        milestone.save(update_fields=["status", "paused_reason", "modified_at"])
        audit_record(
            action="milestone.paused",
            actor=actor,
            target=milestone,
            partnership=milestone.partnership,
            payload={"reason": reason.strip()[:500]},
        )
    return milestone


def milestone_resume(*, milestone: Milestone, actor) -> Milestone:
    if milestone.status != Milestone.Status.PAUSED:
        raise ServiceError("Only a paused milestone can be resumed")
    with transaction.atomic():
        milestone.status = Milestone.Status.DUE
        milestone.save(update_fields=["status", "modified_at"])
        audit_record(
            action="milestone.resumed",
            actor=actor,
            target=milestone,
            partnership=milestone.partnership,
        )
    return milestone


def milestone_extend(
    *, milestone: Milestone, new_due_on: datetime.date, reason: str, actor
) -> Milestone:
    if not reason.strip():
        raise ServiceError("Enter the reason for the extension", field="reason")
    if new_due_on <= milestone.due_on:
        raise ServiceError("The new date must be after the current due date", field="new_due_on")
    if milestone.status in (Milestone.Status.DONE, Milestone.Status.NOT_APPLICABLE):
        raise ServiceError("A milestone that is done cannot be extended")
    with transaction.atomic():
        old = milestone.due_on
        milestone.due_on = new_due_on
        milestone.extension_reason = reason.strip()
        milestone.save(update_fields=["due_on", "extension_reason", "modified_at"])
        audit_record(
            action="milestone.extended",
            actor=actor,
            target=milestone,
            partnership=milestone.partnership,
            payload={
                "from": old.isoformat(),
                "to": new_due_on.isoformat(),
                "reason": reason.strip()[:500],
            },
        )
    return milestone


def milestone_setting_update(
    *, partnership: Partnership, rule: MilestoneRule, offset_amount: int, enabled: bool, actor
) -> PartnershipMilestoneSetting:
    """A partnership's own value for a configurable rule ([K]/[C] in docs/rules.md). Applies to
    milestones started from now on; existing ones keep the offset they were computed with."""
    if not rule.configurable:
        raise ServiceError("This rule is set in law or national guidance and cannot be changed")
    if rule.review_type not in [t.value for t in partnership.review_types]:
        raise ServiceError("The partnership does not run this kind of review")
    if offset_amount < 1 or offset_amount > 400:
        raise ServiceError("Enter a number from 1 to 400", field="offset_amount")
    with transaction.atomic():
        setting, _ = PartnershipMilestoneSetting.objects.update_or_create(
            partnership=partnership,
            rule=rule,
            defaults={"offset_amount": offset_amount, "enabled": enabled},
        )
        audit_record(
            action="milestone.setting_changed",
            actor=actor,
            target=rule,
            partnership=partnership,
            payload={
                "rule": rule.rule_id,
                "offset_amount": offset_amount,
                "enabled": enabled,
                "default": rule.offset_amount,
            },
        )
    return setting
