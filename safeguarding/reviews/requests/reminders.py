"""Reminders to agencies about requests: two working days before the due date, and once it is
overdue (for the first 30 days). A source of the clock's reminder engine (clock/reminders.py,
registered by the reviews AppConfig): at most once per request, kind and due date. Only open
requests of reviews not yet signed off are reminded (not those returned, cancelled or with
nothing to return). The agency's active contributors in the partnership are reminded (with none,
its email-only contacts, ADR 0020); an
overdue request is also told to the business unit, so it can chase, record a return sent by
email or on paper, or close the request: also for an agency with no one to remind (the
request page shows it was not emailed)."""

import datetime
from collections.abc import Iterator

from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.selectors import agency_contact_list, user_list_with_role
from safeguarding.clock.reminders import Kind, Reminder, not_claimed, overdue_window_start
from safeguarding.core.calendar import add_working_days

from ..models import AgencyRequest, Review

NOTICE_WORKING_DAYS = 2
ACTOR_LABEL = "Agency reminders"
NOTIFICATION = {Kind.UPCOMING: "agency_request.due_soon", Kind.OVERDUE: "agency_request.overdue"}


def agency_reminders_due(today: datetime.date) -> list[tuple[AgencyRequest, str]]:
    open_requests = (
        AgencyRequest.objects.filter(returned_at__isnull=True, closure="")
        .exclude(review__stage=Review.Stage.SIGNED_OFF)
        .select_related("agency", "review", "review__partnership", "answered_in")
    )
    upcoming = open_requests.filter(
        due_on__gte=today, due_on__lte=add_working_days(today, NOTICE_WORKING_DAYS)
    ).filter(not_claimed(AgencyRequest, Kind.UPCOMING))
    overdue = open_requests.filter(
        due_on__lt=today, due_on__gte=overdue_window_start(today)
    ).filter(not_claimed(AgencyRequest, Kind.OVERDUE))
    return [(r, Kind.UPCOMING) for r in upcoming.order_by("due_on", "id")] + [
        (r, Kind.OVERDUE) for r in overdue.order_by("due_on", "id")
    ]


def agency_request_reminder(request: AgencyRequest, kind: str) -> Reminder:
    # A request to a partner's agency (ADR 0022) reminds the partner's contributors under the
    # partner's address; the owner's business unit sees it overdue on the review's requests.
    partnership = request.answering_partnership
    contributors = user_list_with_role(
        partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=request.agency
    )
    # An agency without an account in the service: its email-only contacts (ADR 0020).
    contacts = (
        []
        if contributors
        else [c.email for c in agency_contact_list(partnership=partnership, agency=request.agency)]
    )
    business_unit = (
        user_list_with_role(partnership=partnership, role=Role.BUSINESS_UNIT)
        if kind == Kind.OVERDUE and request.answered_in_id is None
        else []
    )
    return Reminder(
        subject=request,
        kind=kind,
        due_on=request.due_on,
        partnership=partnership,
        recipients=[*contributors, *contacts, *business_unit],
        notification=NOTIFICATION[kind],
        audit_action="agency_request.reminder_sent",
        audit_target=request.review,
        actor_label=ACTOR_LABEL,
        audit_payload={"request": request.pk, "kind": kind, "agency": request.agency.slug},
        context={
            "request": request,
            "kind": kind,
            "contributor_ids": {user.pk for user in contributors},
            "agency_emailed": bool(contributors or contacts),
        },
        link=reverse("reviews:request_detail", args=[partnership.slug, request.pk]),
    )


def agency_reminders(today: datetime.date) -> Iterator[Reminder]:
    """The source: every agency request reminder due ``today`` and not sent yet."""
    for request, kind in agency_reminders_due(today):
        yield agency_request_reminder(request, kind)
