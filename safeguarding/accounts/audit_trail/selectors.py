"""Reads of the audit trail page, scoped to one partnership."""

import datetime
import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from safeguarding.accounts.models import Membership, Partnership
from safeguarding.audit.models import AuditEvent
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery

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


def _own(partnership: Partnership, **filters) -> QuerySet[AuditEvent]:
    return _filtered(AuditEvent.objects.filter(partnership=partnership), **filters)


def _theirs(partnership: Partnership, **filters) -> QuerySet[AuditEvent]:
    members = Membership.objects.filter(partnership=partnership).values("user_id")
    return _filtered(
        AuditEvent.objects.filter(partnership__isnull=True, actor_id__in=members), **filters
    )


# The unfiltered reads of the first pages (the trail as it opens), by how many events they
# need: each pair of queries built once per process (core.compiled_sql), for so many pages.
_COMPILED_PAGES = 5
_FIRST_PAGE_READS: dict[int, tuple[CompiledQuery, CompiledQuery]] = {}


def _first_pages(need: int) -> tuple[CompiledQuery, CompiledQuery] | None:
    reads = _FIRST_PAGE_READS.get(need)
    if reads is None and len(_FIRST_PAGE_READS) < _COMPILED_PAGES:
        placeholder = {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)}
        reads = _FIRST_PAGE_READS[need] = (
            CompiledQuery(
                lambda partnership_id: _own(Partnership(pk=partnership_id))[:need], placeholder
            ),
            CompiledQuery(
                lambda partnership_id: _theirs(Partnership(pk=partnership_id))[:need],
                placeholder,
            ),
        )
    return reads


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
    reads = _first_pages(need) if not any(filters.values()) else None
    own: Iterable[AuditEvent]
    theirs: Iterable[AuditEvent]
    if reads is not None:  # the first pages unfiltered: SQL built once (issue 16)
        own = reads[0].read(partnership_id=partnership.pk)
        theirs = reads[1].read(partnership_id=partnership.pk)
    else:
        own = _own(partnership, **filters)[:need]
        theirs = _theirs(partnership, **filters)[:need]
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
