"""Starting, completing, pausing and extending milestones: every write to a milestone is here,
audited. Every date sum goes through core.calendar (R39, R40). A subject starts only the rules of
the guidance versions it follows (ADR 0018).

Per-track owners (ADR 0022): a milestone belongs to one partnership (``Milestone.partnership``),
the one whose staff home shows it, whose business unit is reminded of it and may pause, extend
or complete it. For a case shared between partnerships, the milestones of the track a partner
decides (a DHR decided by the Community Safety Partnership on a Safeguarding Adults Board's
case) belong to the partner: callers pass ``owners`` (review type -> ``TrackOwner``) when they
start or move milestones, and ``milestones_hand_over`` moves a track's milestones when a share
gives the track to a partner or takes it back."""

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import router, transaction
from django.db.models import Model

from safeguarding.accounts.models import Partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.calendar import add_calendar_months, add_working_days, working_days_between
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledQuery,
)
from safeguarding.core.errors import ServiceError
from safeguarding.guidance.selectors import codes_applying

from .models import (
    Milestone,
    MilestoneRule,
    OffsetUnit,
    PartnershipMilestoneSetting,
    subject_type_for,
)


@dataclass(frozen=True)
class TrackOwner:
    """Who keeps the milestones of one review type of a subject, and the subject's page under
    that partnership's address (the link in its dashboard and reminders)."""

    partnership: Partnership
    url: str


Owners = Mapping[str, TrackOwner]


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
    versions: Collection[str] | None = None,
    owner=None,
    owners: Owners | None = None,
) -> list[Milestone]:
    """Start every milestone whose rule begins with ``event`` (once per subject and rule).

    ``review_types`` limits the rules to those types (default: the types the partnership runs).
    ``versions`` are the codes of the guidance versions the subject follows (a case's recorded
    versions); only their rules start. Without it, the versions that apply to the partnership
    on ``on_date`` (a referral before it has a case). ``owners`` gives the milestones of a
    review type to another partnership (a track a partner decides, ADR 0022).
    """
    types = review_types or [t.value for t in partnership.review_types]
    if versions is None:
        versions = codes_applying(partnership=partnership, on_date=on_date)
    rules = MilestoneRule.objects.filter(
        starts_on_event=event, review_type__in=types, version__code__in=list(versions)
    )
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
            keeper = (owners or {}).get(rule.review_type)
            milestone, created = Milestone.objects.get_or_create(
                rule=rule,
                subject_type=subject_type,
                subject_id=subject.pk,
                defaults={
                    "partnership": keeper.partnership if keeper else partnership,
                    "subject_label": label,
                    "subject_url": keeper.url if keeper else url,
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


def _rules(rule_id: str, versions: list[str], review_type: str | None):
    rules = MilestoneRule.objects.filter(rule_id=rule_id, version__code__in=versions)
    if review_type is not None:
        rules = rules.filter(review_type=review_type)
    return rules.order_by("-version__effective_from")[:1]


# ``expected_due``'s two reads, with the SQL built once (ADR 0038; issue 16): the rule, one
# query per number of versions and with or without a review type (placeholders no rule has),
# and the partnership's setting of it.
_RULE_QUERIES: dict[tuple[int, bool], CompiledQuery] = {}
_RULE_ID = MilestoneRule._meta.get_field("rule_id")
_VERSION_CODE = MilestoneRule._meta.get_field("version").related_model._meta.get_field("code")
_REVIEW_TYPE = MilestoneRule._meta.get_field("review_type")


def _rule_for(rule_id: str, versions: list[str], review_type: str | None):
    if not versions:  # a case no guidance version applies to (aware before any took effect):
        return None  # no rule; ``version__code__in=[]`` cannot be compiled (EmptyResultSet)
    key = (len(versions), review_type is not None)
    if key[0] > 8:  # never in practice (a case follows a version or two per strand)
        return _rules(rule_id, versions, review_type).first()
    if key not in _RULE_QUERIES:
        placeholders: dict[str, tuple[Any, Any]] = {"rule_id": ("\x00rule\x00", _RULE_ID)}
        placeholders.update(
            {f"version_{n}": (f"\x00version {n}\x00", _VERSION_CODE) for n in range(key[0])}
        )
        if review_type is not None:
            placeholders["review_type"] = ("\x00review type\x00", _REVIEW_TYPE)

        def build(rule_id: str, review_type: str | None = None, **codes: str):
            return _rules(rule_id, [codes[f"version_{n}"] for n in range(len(codes))], review_type)

        _RULE_QUERIES[key] = CompiledQuery(build, placeholders)
    values = {"rule_id": rule_id, **{f"version_{n}": code for n, code in enumerate(versions)}}
    if review_type is not None:
        values["review_type"] = review_type
    found = _RULE_QUERIES[key].objects(router.db_for_read(MilestoneRule), **values)
    return found[0] if found else None


_SETTING = CompiledQuery(
    lambda partnership_id, rule_id: PartnershipMilestoneSetting.objects.filter(
        partnership_id=partnership_id, rule_id=rule_id
    ).order_by("pk")[:1],
    {
        "partnership_id": (
            PARTNERSHIP_PLACEHOLDER,
            PartnershipMilestoneSetting._meta.get_field("partnership").target_field,
        ),
        "rule_id": (PK_PLACEHOLDER, MilestoneRule._meta.pk),
    },
)


def expected_due(
    *,
    partnership: Partnership,
    rule_id: str,
    versions: Collection[str],
    start: datetime.date,
    review_type: str | None = None,
) -> tuple[datetime.date, str]:
    """The due date a rule gives from ``start`` (the rule of the subject's versions, with the
    partnership's own offset where the rule allows one), without starting a milestone, and the
    offset in words ("15 working days"): the one place other apps read a clock rule's figure
    from (e.g. R9's 15 working days). The partnership's setting is read once (issue 16: the
    rapid-review pages read it twice)."""
    rule = _rule_for(rule_id, list(versions), review_type)
    if rule is None:
        raise ServiceError(f"No clock rule {rule_id} in the guidance this case follows")
    found = _SETTING.objects(
        router.db_for_read(PartnershipMilestoneSetting),
        partnership_id=partnership.pk,
        rule_id=rule.pk,
    )
    setting = found[0] if found else None
    amount = setting.offset_amount if setting and rule.configurable else rule.offset_amount
    in_words = f"{amount} {OffsetUnit(rule.offset_unit).label}"
    return due_date(start, amount, rule.offset_unit), in_words


def _close_not_applicable(milestone: Milestone, actor, reason: str) -> None:
    milestone.status = Milestone.Status.NOT_APPLICABLE
    milestone.save(update_fields=["status", "modified_at"])
    audit_record(
        action="milestone.not_applicable",
        actor=actor,
        target=milestone,
        partnership=milestone.partnership,
        payload={"rule": milestone.rule.rule_id, "reason": reason},
    )


def milestones_follow_versions(
    *, subject: Model, versions: Collection[str], label: str, url: str = "", actor=None
) -> list[Milestone]:
    """Make the open milestones of ``subject`` those of ``versions``: an open milestone of
    another version closes (not applicable) and the rule of the same R-number, review type and
    starting event in ``versions`` starts instead, from the same day."""
    started: list[Milestone] = []
    with transaction.atomic():
        others = list(
            Milestone.objects.select_for_update(of=("self",))
            .select_related("rule", "partnership")
            .filter(
                subject_type=subject_type_for(subject),
                subject_id=subject.pk,
                status__in=[Milestone.Status.DUE, Milestone.Status.PAUSED],
            )
            .exclude(rule__version__code__in=list(versions))
        )
        for milestone in others:
            rule = milestone.rule
            _close_not_applicable(milestone, actor, "guidance version")
            started += milestones_start(
                partnership=milestone.partnership,
                event=rule.starts_on_event,
                subject=subject,
                on_date=milestone.starts_on,
                label=label,
                url=milestone.subject_url or url,
                review_types=[rule.review_type],
                versions=versions,
                owner=milestone.owner,
            )
    return started


def milestones_move(
    *,
    source: Model,
    target: Model,
    label: str,
    url: str,
    versions: Collection[str],
    actor=None,
    owners: Owners | None = None,
) -> None:
    """Move a referral's milestones to the case it joins. A clock the case already runs (the
    same rule, from an earlier referral) keeps the case's; a milestone of a version the case
    does not follow gives way to the case's own rule (``milestones_follow_versions``). A
    milestone of a track a partner decides (``owners``) goes to the partner."""
    source_type, target_type = subject_type_for(source), subject_type_for(target)
    with transaction.atomic():
        target_rules = set(
            Milestone.objects.filter(subject_type=target_type, subject_id=target.pk).values_list(
                "rule_id", flat=True
            )
        )
        for milestone in Milestone.objects.select_for_update(of=("self",)).filter(
            subject_type=source_type, subject_id=source.pk
        ):
            if milestone.rule_id in target_rules:
                # The case already runs this clock from an earlier referral: that one counts.
                if milestone.status in (Milestone.Status.DUE, Milestone.Status.PAUSED):
                    _close_not_applicable(milestone, actor, "already on the case")
                continue
            keeper = (owners or {}).get(milestone.rule.review_type)
            milestone.subject_type = target_type
            milestone.subject_id = target.pk
            milestone.subject_label = label
            milestone.subject_url = keeper.url if keeper else url
            if keeper:
                milestone.partnership = keeper.partnership
            milestone.save(
                update_fields=[
                    "subject_type",
                    "subject_id",
                    "subject_label",
                    "subject_url",
                    "partnership",
                ]
            )
            audit_record(
                action="milestone.moved",
                actor=actor,
                target=milestone,
                partnership=milestone.partnership,
                payload={"rule": milestone.rule.rule_id, "to": label},
            )
        milestones_follow_versions(
            subject=target, versions=versions, label=label, url=url, actor=actor
        )


def milestones_hand_over(
    *, subject: Model, review_type: str, to: TrackOwner, actor
) -> list[Milestone]:
    """Give the milestones of one review type of ``subject`` to ``to.partnership`` (a share
    gives a partner the track, or an ended share gives it back, ADR 0022): from now on they are
    on its staff home, its business unit is reminded and manages them, and the other side
    reads them on the case page. Done ones move too, so the track's history stays together.
    One audit event in each partnership's trail per milestone moved."""
    moved = []
    with transaction.atomic():
        for milestone in (
            Milestone.objects.select_for_update(of=("self",))
            .select_related("rule", "partnership")
            .filter(
                subject_type=subject_type_for(subject),
                subject_id=subject.pk,
                rule__review_type=review_type,
            )
            .exclude(partnership=to.partnership)
        ):
            was = milestone.partnership
            milestone.partnership = to.partnership
            milestone.subject_url = to.url
            milestone.save(update_fields=["partnership", "subject_url", "modified_at"])
            for trail in (was, to.partnership):
                audit_record(
                    action="milestone.handed_over",
                    actor=actor,
                    target=milestone,
                    partnership=trail,
                    payload={
                        "rule": milestone.rule.rule_id,
                        "from": was.slug,
                        "to": to.partnership.slug,
                    },
                )
            moved.append(milestone)
    return moved


def milestones_restart(
    *, subject: Model, events: Collection[str], on_date: datetime.date, actor=None
) -> list[Milestone]:
    """Count the open milestones that ``events`` started from ``on_date`` instead (the day the
    partnership became aware was corrected); done ones keep their dates."""
    restarted = []
    with transaction.atomic():
        for milestone in Milestone.objects.select_for_update(of=("self",)).filter(
            subject_type=subject_type_for(subject),
            subject_id=subject.pk,
            rule__starts_on_event__in=list(events),
            status__in=[Milestone.Status.DUE, Milestone.Status.PAUSED],
        ):
            old = milestone.due_on
            due = due_date(on_date, milestone.offset_amount, milestone.offset_unit)
            milestone.starts_on = on_date
            milestone.due_on = due
            milestone.original_due_on = due
            milestone.save(update_fields=["starts_on", "due_on", "original_due_on", "modified_at"])
            audit_record(
                action="milestone.restarted",
                actor=actor,
                target=milestone,
                partnership=milestone.partnership,
                payload={"from": old.isoformat(), "to": due.isoformat()},
            )
            restarted.append(milestone)
    return restarted


def milestone_repeat(
    *, milestone: Milestone, on_date: datetime.date, reason: str, actor
) -> Milestone:
    """A repeating milestone (R13's progress checks) done on ``on_date``: the next one falls
    due one interval later."""
    with transaction.atomic():
        old = milestone.due_on
        next_due = due_date(on_date, milestone.offset_amount, milestone.offset_unit)
        milestone.due_on = next_due
        milestone.extension_reason = reason
        milestone.status = Milestone.Status.DUE
        milestone.save(update_fields=["due_on", "extension_reason", "status", "modified_at"])
        audit_record(
            action="milestone.repeated",
            actor=actor,
            target=milestone,
            partnership=milestone.partnership,
            payload={
                "from": old.isoformat(),
                "to": next_due.isoformat(),
                "done_on": on_date.isoformat(),
            },
        )
    return milestone


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
            milestone.working_days_taken = working_days_between(milestone.starts_on, on_date)
            milestone.save(update_fields=["status", "done_on", "working_days_taken", "modified_at"])
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
