"""Reads of the audit trail page, scoped to one partnership."""

import datetime
import heapq
from dataclasses import dataclass

from django.db.models import QuerySet

from safeguarding.accounts.models import Membership, Partnership
from safeguarding.audit.models import AuditEvent

# Deeper pages than this are refused: narrow the dates instead (keeps every page fast).
MAX_PAGE = 200


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    number: int
    has_next: bool
    older_events_hidden: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _filtered(
    events: QuerySet[AuditEvent],
    *,
    user_email: str = "",
    record: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    if user_email:
        events = events.filter(actor_label__icontains=user_email.strip())
    if record:
        record = record.strip()
        object_type, _, object_id = record.partition(":")
        if object_id and "." in object_type:
            events = events.filter(object_type=object_type, object_id=object_id)
        else:
            events = events.filter(object_label__icontains=record)
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return events.order_by("-occurred_at", "-id")


def audit_event_page_for_partnership(
    *, partnership: Partnership, page: int = 1, per_page: int = 50, **filters
) -> AuditPage:
    """One page of the partnership's trail, newest first: events about its records, plus the
    sign-in events of its members.

    The two kinds are read separately, each from its own index and only as far as the page
    needs, then merged: the cost depends on the page, not on the length of the trail.
    ``record`` matches the record's label, or "type:id" exactly ("public_site.contentblock:3").
    Dates are inclusive, in the service's time zone.
    """
    page = max(1, min(page, MAX_PAGE))
    need = page * per_page + 1
    own = _filtered(AuditEvent.objects.filter(partnership=partnership), **filters)[:need]
    members = Membership.objects.filter(partnership=partnership).values("user_id")
    theirs = _filtered(
        AuditEvent.objects.filter(partnership__isnull=True, actor_id__in=members), **filters
    )[:need]
    merged = list(
        heapq.merge(own, theirs, key=lambda event: (event.occurred_at, event.id), reverse=True)
    )
    start = (page - 1) * per_page
    more = len(merged) > start + per_page
    return AuditPage(
        events=merged[start : start + per_page],
        number=page,
        has_next=more and page < MAX_PAGE,
        older_events_hidden=more and page == MAX_PAGE,
    )
