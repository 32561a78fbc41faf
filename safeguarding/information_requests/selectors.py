"""Reads of requests for information, scoped to who may see them (the case's readers)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import RecordQuery
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import Review

from .models import InformationRequest, LegalBasis
from .permissions import can_view_information_requests


def _base(partnership: Partnership) -> QuerySet[InformationRequest]:
    return InformationRequest.objects.filter(partnership=partnership).select_related(
        "case", "review"
    )


@dataclass(frozen=True)
class RequestLists:
    overdue: list[InformationRequest]
    open: list[InformationRequest]
    closed: list[InformationRequest]


def information_requests_in_order(
    *, user, partnership: Partnership, today: datetime.date, case: Case | None = None
) -> QuerySet[InformationRequest]:
    """The partnership's (or one case's) requests in the list's order, for a page of it to be
    read (issue 16): overdue, then still open (soonest due first), then answered or refused
    (newest first)."""
    if not can_view_information_requests(user, partnership):
        raise Http404("No such page")
    rows = _base(partnership)
    if case is not None:
        rows = rows.filter(case=case)
    still_open = Q(status=InformationRequest.Status.OPEN)
    return (
        rows.annotate(
            group=DbCase(
                When(still_open & Q(due_on__lt=today), then=Value(0)),
                When(still_open, then=Value(1)),
                default=Value(2),
            ),
            due=DbCase(When(still_open, then=F("due_on"))),
            closed_on=DbCase(
                When(still_open, then=Value(None, output_field=DateField())),
                default=Coalesce("answered_on", "refused_on", "made_on"),
            ),
            tie=DbCase(When(still_open, then=F("pk")), default=-F("pk")),
        )
        .order_by("group", "due", F("closed_on").desc(), "tie")
        .prefetch_related("escalations")
    )


def information_request_lists(
    *, rows: Iterable[InformationRequest], today: datetime.date
) -> RequestLists:
    """Rows of ``information_requests_in_order`` (a page of them) in the list's three parts."""
    overdue, waiting, closed = [], [], []
    for row in rows:
        if row.is_overdue(today):
            overdue.append(row)
        elif row.status == InformationRequest.Status.OPEN:
            waiting.append(row)
        else:
            closed.append(row)
    return RequestLists(overdue=overdue, open=waiting, closed=closed)


# Every page of a request reads it first: the SQL is built once (issue 16).
_REQUEST = RecordQuery(lambda: InformationRequest.objects.select_related("case", "review"))


def information_request_get_for_user(
    *, user, partnership: Partnership, pk: int
) -> InformationRequest:
    """One request; 404 outside the partnership and for members who do not see cases."""
    if not can_view_information_requests(user, partnership):
        raise Http404("No such request")
    request = _REQUEST.get(partnership=partnership, pk=pk)
    if request is None:
        raise Http404("No such request")
    return request


def reviews_of_case(*, case: Case) -> QuerySet[Review]:
    return Review.objects.filter(case=case).order_by("reference")


def legal_bases_for(partnership: Partnership) -> list[LegalBasis]:
    """The powers this partnership holds: section 45 for a board that runs Safeguarding Adults
    Reviews, section 16H for safeguarding partners that run child reviews."""
    bases = []
    if partnership.runs_safeguarding_adults_reviews:
        bases.append(LegalBasis.CARE_ACT_S45)
    if partnership.runs_cspr:
        bases.append(LegalBasis.CHILDREN_ACT_S16H)
    return bases
