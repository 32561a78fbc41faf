"""Reads of the records app, scoped to one partnership (its business unit's pages)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.referrals.models import Case

from .models import RetentionHold
from .permissions import can_manage_records
from .retention import DueCount, Period, periods_for, retention_due_counts
from .retention_schedule import BY_KEY, SCHEDULE, RecordType


def retention_periods(*, partnership: Partnership) -> list[Period]:
    """The schedule as it applies to the partnership: its own periods where it set them."""
    periods = periods_for(partnership)
    return [periods[record_type.key] for record_type in SCHEDULE]


def record_type_get(*, key: str) -> RecordType:
    record_type = BY_KEY.get(key)
    if record_type is None or not record_type.configurable:
        raise Http404("No such record type")
    return record_type


def retention_due(
    *, partnership: Partnership, today: datetime.date, periods: list[Period] | None = None
) -> list[DueCount]:
    """What the next daily run would do to the partnership's records, by record type (the
    figures of the run's dry run, in a fixed number of queries). ``periods``: the
    partnership's (``retention_periods``), if the caller has read them already."""
    return retention_due_counts(
        partnership=partnership,
        today=today,
        periods=None if periods is None else {p.record_type.key: p for p in periods},
    )


def holds_in_place(*, partnership: Partnership) -> QuerySet[RetentionHold]:
    """The holds in place with the columns the retention page's table shows
    (``rows.hold_rows_html``): a partnership's holds pile up with its cases, and each case's
    and person's every column made a growing part of the page (issue 16)."""
    return (
        RetentionHold.objects.filter(partnership=partnership, lifted_at__isnull=True)
        .select_related("case", "placed_by")
        .only(
            "reason",
            "placed_at",
            "case__reference",
            "case__pseudonym",
            "placed_by__full_name",
        )
    )


def hold_get_for_user(*, user, partnership: Partnership, pk: int) -> RetentionHold:
    """A hold in place on one of the partnership's cases, for the business unit (the only role
    that sees holds); 404 for anyone else, as for a hold that does not exist (ADR 0010)."""
    if not can_manage_records(user, partnership):
        raise Http404("No such hold")
    try:
        return RetentionHold.objects.select_related("case").get(
            partnership=partnership, pk=pk, lifted_at__isnull=True
        )
    except RetentionHold.DoesNotExist:
        raise Http404("No such hold") from None


def case_by_reference(*, partnership: Partnership, reference: str) -> Case | None:
    return Case.objects.filter(partnership=partnership, reference__iexact=reference.strip()).first()


ARCHIVED_LIMIT = 50


def archived_cases(*, partnership: Partnership) -> list[Case]:
    """The most recently archived cases (they are no longer in the working lists)."""
    return list(
        Case.objects.filter(partnership=partnership, archived_at__isnull=False).order_by(
            "-archived_at", "-pk"
        )[:ARCHIVED_LIMIT]
    )
