"""Milestone reminders (DESIGN §4): a source of the reminder engine (reminders.py), registered
by the clock's AppConfig.

The rules:

* **upcoming**: the milestone is due (not paused, done or not applicable) and today is within
  its rule's ``reminder_working_days_before`` working days of the due date, the due date
  included: ``add_working_days(due_on, -N) <= today <= due_on`` (working days as R39, R40).
* **overdue**: the milestone is due and its due date has passed (``due_on < today``), by no more
  than ``OVERDUE_REMINDER_DAYS`` calendar days. Older overdue milestones are on the dashboard;
  emailing them all would flood people the first time reminders run over imported data.
* once per milestone, kind and due date (the engine's claim): a milestone extended to a later
  date is reminded again for the new date.
* it goes to the milestone's owner, if they are still an active member of the partnership;
  otherwise to every active business-unit member of the partnership (one email each).
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from safeguarding.accounts.models import Role, User
from safeguarding.accounts.selectors import membership_list_for_partnership
from safeguarding.core.calendar import add_working_days

from .models import Milestone, MilestoneRule
from .reminders import (
    OVERDUE_REMINDER_DAYS,
    Kind,
    Reminder,
    not_claimed,
    overdue_window_start,
)

CHUNK_SIZE = 1000
ACTOR_LABEL = "Milestone reminders"
NOTIFICATION = {Kind.UPCOMING: "milestone.due_soon", Kind.OVERDUE: "milestone.overdue"}


def reminder_kind(milestone: Milestone, today: datetime.date) -> str | None:
    """Which reminder ``milestone`` calls for ``today`` (``Kind.UPCOMING``, ``Kind.OVERDUE``),
    or None. Sent or not is not considered here: see ``reminders_due``."""
    if milestone.status != Milestone.Status.DUE:
        return None
    if milestone.due_on < today:
        if (today - milestone.due_on).days > OVERDUE_REMINDER_DAYS:
            return None
        return Kind.OVERDUE
    before = milestone.rule.reminder_working_days_before
    if add_working_days(milestone.due_on, -before) <= today:
        return Kind.UPCOMING
    return None


def _candidates(today: datetime.date) -> dict[str, QuerySet[Milestone]]:
    """The milestones that may need a reminder today, filtered in the database by date, so a
    daily run reads only those (not every open milestone).

    For a rule with N working days' notice, ``add_working_days(due_on, -N) <= today`` holds
    exactly when ``due_on <= add_working_days(today, N)``: the N working days after today all
    come before any later date. One window per distinct N (rules share a handful of values).
    """
    notice = sorted(
        set(MilestoneRule.objects.values_list("reminder_working_days_before", flat=True))
    )
    window = Q(pk__in=[])
    for days in notice:
        window |= Q(
            rule__reminder_working_days_before=days, due_on__lte=add_working_days(today, days)
        )
    due = Milestone.objects.filter(status=Milestone.Status.DUE).select_related(
        "rule", "owner", "partnership"
    )
    return {
        Kind.UPCOMING: due.filter(window, due_on__gte=today).filter(
            not_claimed(Milestone, Kind.UPCOMING)
        ),
        Kind.OVERDUE: due.filter(due_on__lt=today, due_on__gte=overdue_window_start(today)).filter(
            not_claimed(Milestone, Kind.OVERDUE)
        ),
    }


def reminders_due(today: datetime.date) -> list[tuple[Milestone, str]]:
    """Every (milestone, kind) that should be reminded ``today`` and has not been yet, oldest
    due date first. A fixed number of queries however many milestones there are."""
    due = []
    for kind, queryset in _candidates(today).items():
        for milestone in queryset.order_by("due_on", "id").iterator(chunk_size=CHUNK_SIZE):
            if reminder_kind(milestone, today) == kind:  # the rule, checked once more in Python
                due.append((milestone, kind))
    return due


@dataclass(frozen=True)
class _Team:
    member_ids: frozenset[int]
    business_unit: list[User]  # active business-unit members, by email


def _team(partnership, teams: dict[int, _Team]) -> _Team:
    if partnership.pk not in teams:
        members = [
            m for m in membership_list_for_partnership(partnership=partnership) if m.user.is_active
        ]
        business_unit = {m.user.pk: m.user for m in members if m.role == Role.BUSINESS_UNIT}
        teams[partnership.pk] = _Team(
            member_ids=frozenset(m.user_id for m in members),
            business_unit=sorted(business_unit.values(), key=lambda user: user.email),
        )
    return teams[partnership.pk]


def reminder_recipients(
    milestone: Milestone, teams: dict[int, _Team] | None = None
) -> tuple[list[User], bool]:
    """Who is reminded, and whether that is the owner: the owner if they are still an active
    member of the partnership (someone who has left must not be sent case details), otherwise
    every active business-unit member."""
    team = _team(milestone.partnership, {} if teams is None else teams)
    owner = milestone.owner
    if owner is not None and owner.is_active and owner.pk in team.member_ids:
        return [owner], True
    return team.business_unit, False


def milestone_reminder(
    milestone: Milestone, kind: str, teams: dict[int, _Team] | None = None
) -> Reminder:
    """The reminder of ``kind`` about ``milestone``, for the engine to send."""
    recipients, to_owner = reminder_recipients(milestone, teams)
    return Reminder(
        subject=milestone,
        kind=kind,
        due_on=milestone.due_on,
        partnership=milestone.partnership,
        recipients=list(recipients),
        notification=NOTIFICATION[kind],
        audit_action="milestone.reminder_sent",
        audit_target=milestone,
        actor_label=ACTOR_LABEL,
        audit_payload={
            "kind": kind,
            "due_on": milestone.due_on.isoformat(),
            "rule": milestone.rule.rule_id,
            "to": "owner" if to_owner else "business_unit",
            "recipients": len(recipients),
        },
        context={"milestone": milestone, "rule": milestone.rule, "to_owner": to_owner},
        link=milestone.subject_url,
    )


def milestone_reminders(today: datetime.date) -> Iterator[Reminder]:
    """The source: every milestone reminder due ``today`` and not sent yet."""
    teams: dict[int, _Team] = {}
    for milestone, kind in reminders_due(today):
        yield milestone_reminder(milestone, kind, teams)
