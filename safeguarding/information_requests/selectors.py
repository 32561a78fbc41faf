"""Reads of requests for information, scoped to who may see them (the case's readers)."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership
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


def information_request_lists(
    *, user, partnership: Partnership, today: datetime.date, case: Case | None = None
) -> RequestLists:
    """The partnership's (or one case's) requests: overdue, still open, answered or refused
    (newest first). One query."""
    if not can_view_information_requests(user, partnership):
        raise Http404("No such page")
    rows = _base(partnership)
    if case is not None:
        rows = rows.filter(case=case)
    overdue, waiting, closed = [], [], []
    for row in rows.prefetch_related("escalations"):
        if row.is_overdue(today):
            overdue.append(row)
        elif row.status == InformationRequest.Status.OPEN:
            waiting.append(row)
        else:
            closed.append(row)
    closed.sort(key=lambda r: (r.answered_on or r.refused_on or r.made_on, r.pk), reverse=True)
    return RequestLists(overdue=overdue, open=waiting, closed=closed)


def information_request_get_for_user(
    *, user, partnership: Partnership, pk: int
) -> InformationRequest:
    """One request; 404 outside the partnership and for members who do not see cases."""
    if not can_view_information_requests(user, partnership):
        raise Http404("No such request")
    request = _base(partnership).filter(pk=pk).first()
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
