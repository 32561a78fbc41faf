"""Reminders of requests for information: five working days before the due date, and once it
has passed (for the first 30 days), to the partnership's business unit. A source of the
clock's reminder engine (clock/reminders.py): at most once per request, kind and due date."""

import datetime
from collections.abc import Iterator

from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.selectors import user_list_with_role
from safeguarding.clock.reminders import Kind, Reminder, not_claimed, overdue_window_start
from safeguarding.core.calendar import add_working_days

from .models import InformationRequest

NOTICE_WORKING_DAYS = 5  # [L] a working week: time to chase before the date
ACTOR_LABEL = "Request for information reminders"
NOTIFICATION = {
    Kind.UPCOMING: "information_request.due_soon",
    Kind.OVERDUE: "information_request.overdue",
}


def information_request_reminders_due(
    today: datetime.date,
) -> list[tuple[InformationRequest, str]]:
    """Every (request, kind) to remind ``today`` and not reminded yet: two queries."""
    open_ = InformationRequest.objects.filter(status=InformationRequest.Status.OPEN).select_related(
        "partnership", "case"
    )
    upcoming = open_.filter(
        due_on__gte=today, due_on__lte=add_working_days(today, NOTICE_WORKING_DAYS)
    ).filter(not_claimed(InformationRequest, Kind.UPCOMING))
    overdue = open_.filter(due_on__lt=today, due_on__gte=overdue_window_start(today)).filter(
        not_claimed(InformationRequest, Kind.OVERDUE)
    )
    return [(r, Kind.UPCOMING) for r in upcoming.order_by("due_on", "id")] + [
        (r, Kind.OVERDUE) for r in overdue.order_by("due_on", "id")
    ]


def information_request_reminder(request: InformationRequest, kind: str, cache: dict) -> Reminder:
    partnership = request.partnership
    if partnership.pk not in cache:
        cache[partnership.pk] = user_list_with_role(
            partnership=partnership, role=Role.BUSINESS_UNIT
        )
    return Reminder(
        subject=request,
        kind=kind,
        due_on=request.due_on,
        partnership=partnership,
        recipients=list(cache[partnership.pk]),
        notification=NOTIFICATION[kind],
        audit_action="information_request.reminder_sent",
        audit_target=request,
        actor_label=ACTOR_LABEL,
        audit_payload={
            "case": request.case.reference,
            "kind": kind,
            "due_on": request.due_on.isoformat(),
        },
        context={"request": request, "case": request.case},
        link=reverse("information_requests:detail", args=[partnership.slug, request.pk]),
    )


def information_request_reminders(today: datetime.date) -> Iterator[Reminder]:
    """The source: every request-for-information reminder due ``today`` and not sent yet."""
    cache: dict = {}
    for request, kind in information_request_reminders_due(today):
        yield information_request_reminder(request, kind, cache)
