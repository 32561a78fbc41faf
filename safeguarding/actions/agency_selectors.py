"""Reads for one agency: its actions page (an agency of the partnership, or one that owns actions
in it). Who the action reminders go to is in reminders.py."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Agency, Partnership

from .models import Action
from .permissions import sees_every_action
from .tracker_selectors import own_agency_ids, tracker_rows, view_conditions

Status = Action.Status


# The agency's page -------------------------------------------------------------------------------


def agency_get_for_user(*, user, partnership: Partnership, slug: str) -> Agency:
    """An agency of the partnership, or one that owns actions in it, for those who see every
    action and for the agency's own contributors; 404 otherwise (ADR 0010)."""
    agency = (
        Agency.objects.filter(slug=slug)
        .filter(
            Q(partnerships=partnership)
            | Exists(Action.objects.filter(partnership=partnership, agency=OuterRef("pk")))
        )
        .first()
    )
    if agency is None or not (
        sees_every_action(user, partnership) or agency.pk in own_agency_ids(user, partnership)
    ):
        raise Http404("No such agency")
    return agency


AGENCY_STATUSES = [*Status.choices[:4], ("overdue", "Overdue"), *Status.choices[4:]]


def agency_status_counts(actions: QuerySet[Action], today: datetime.date) -> dict[str, int]:
    """How many of ``actions`` are in each status (and overdue, and in all), one query."""
    counts = actions.aggregate(
        all=Count("pk"),
        overdue=Count("pk", filter=view_conditions(today)["overdue"]),
        **{status.value: Count("pk", filter=Q(status=status)) for status in Status},
    )
    return {key: value or 0 for key, value in counts.items()}


def agency_rows(actions: QuerySet[Action], *, status: str, today: datetime.date):
    if status == "overdue":
        return tracker_rows(actions, view="overdue", today=today)
    if status:
        actions = actions.filter(status=status)
    return tracker_rows(actions, view="all", today=today)
