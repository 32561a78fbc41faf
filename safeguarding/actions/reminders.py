"""Reminders to agencies about their actions: ten working days before the target date, and once
it has passed (for the first 30 days). A source of the clock's reminder engine
(clock/reminders.py, registered by the actions AppConfig): at most once per action, kind and
target date; an action whose target date changes is reminded again for the new date.

Only actions the agency still has to do are reminded (not started, on track, at risk): not one
waiting for the business unit to accept its completion, and never a complete action or one the
partnership decided not to implement. The reminder goes to the owner agency's active
contributors in the partnership (one email each), or to the business unit when the agency has
none.
"""

import datetime
from collections.abc import Iterator

from django.urls import reverse

from safeguarding.accounts.models import Role, User
from safeguarding.accounts.selectors import user_list_with_role
from safeguarding.clock.reminders import Kind, Reminder, not_claimed, overdue_window_start
from safeguarding.core.calendar import add_working_days

from .models import Action

NOTICE_WORKING_DAYS = 10  # [K] two working weeks: time to act, or to ask for a new date
ACTOR_LABEL = "Action reminders"
NOTIFICATION = {Kind.UPCOMING: "action.due_soon", Kind.OVERDUE: "action.overdue"}


def action_reminders_due(today: datetime.date) -> list[tuple[Action, str]]:
    """Every (action, kind) to remind ``today`` and not reminded yet: two queries."""
    to_do = Action.objects.filter(status__in=Action.AGENCY_SETTABLE).select_related(
        "agency", "partnership", "recommendation", "recommendation__review"
    )
    upcoming = to_do.filter(
        target_date__gte=today,
        target_date__lte=add_working_days(today, NOTICE_WORKING_DAYS),
    ).filter(not_claimed(Action, Kind.UPCOMING, due_field="target_date"))
    overdue = to_do.filter(
        target_date__lt=today, target_date__gte=overdue_window_start(today)
    ).filter(not_claimed(Action, Kind.OVERDUE, due_field="target_date"))
    return [(a, Kind.UPCOMING) for a in upcoming.order_by("target_date", "id")] + [
        (a, Kind.OVERDUE) for a in overdue.order_by("target_date", "id")
    ]


def _recipients(action: Action, cache: dict) -> tuple[list[User], bool]:
    """The owner agency's active contributors in the partnership, or (if there are none) the
    partnership's business unit; and whether it is the agency."""
    key = (action.partnership_id, action.agency_id)
    if key not in cache:
        users = user_list_with_role(
            partnership=action.partnership, role=Role.AGENCY_CONTRIBUTOR, agency=action.agency
        )
        to_agency = bool(users)
        if not users:
            users = user_list_with_role(partnership=action.partnership, role=Role.BUSINESS_UNIT)
        cache[key] = (users, to_agency)
    return cache[key]


def action_reminder(action: Action, kind: str, cache: dict | None = None) -> Reminder:
    recipients, to_agency = _recipients(action, {} if cache is None else cache)
    review = action.recommendation.review
    partnership = action.partnership
    return Reminder(
        subject=action,
        kind=kind,
        due_on=action.target_date,
        partnership=partnership,
        recipients=list(recipients),
        notification=NOTIFICATION[kind],
        audit_action="action.reminder_sent",
        audit_target=action,
        actor_label=ACTOR_LABEL,
        audit_payload={
            "action": action.reference,
            "kind": kind,
            "due_on": action.target_date.isoformat(),
            "agency": action.agency.slug,
            "to": "agency" if to_agency else "business_unit",
            "recipients": len(recipients),
        },
        context={
            "action": action,
            "review": review,
            "agency": action.agency,
            "to_agency": to_agency,
        },
        link=reverse("actions:action", args=[partnership.slug, action.pk]),
    )


def action_reminders(today: datetime.date) -> Iterator[Reminder]:
    """The source: every action reminder due ``today`` and not sent yet."""
    cache: dict = {}
    for action, kind in action_reminders_due(today):
        yield action_reminder(action, kind, cache)
