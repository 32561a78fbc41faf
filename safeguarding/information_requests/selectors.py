"""Reads of requests for information, scoped to who may see them (the case's readers)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, PK_PLACEHOLDER, RecordQuery
from safeguarding.core.pagination import CompiledList
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import Review

from .models import Escalation, InformationRequest, LegalBasis
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


def _in_order(
    partnership: Partnership, today: datetime.date, case: Case | None = None
) -> QuerySet[InformationRequest]:
    """The partnership's (or one case's) requests in the list's order, each with the number of
    times it was escalated (``escalation_count``)."""
    rows = _base(partnership)
    if case is not None:
        rows = rows.filter(case=case)
    still_open = Q(status=InformationRequest.Status.OPEN)
    escalations = (
        Escalation.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return rows.annotate(
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
        escalation_count=Coalesce(Subquery(escalations), 0),
    ).order_by("group", "due", F("closed_on").desc(), "tie")


def information_requests_in_order(
    *, user, partnership: Partnership, today: datetime.date, case: Case | None = None
) -> QuerySet[InformationRequest]:
    """The partnership's (or one case's) requests in the list's order, for a page of it to be
    read (issue 16): overdue, then still open (soonest due first), then answered or refused
    (newest first); each with ``escalation_count``."""
    if not can_view_information_requests(user, partnership):
        raise Http404("No such page")
    return _in_order(partnership, today, case)


# The list's pages (the partnership's, a case's) from SQL built once, the page's rows and the
# count of every request in one query (ADR 0045; issue 16: paginate counted, read the page,
# then prefetched the page's escalations only to count them, each query built anew).
# The page reads only the columns its rows show (``rows.request_rows_html``): every column of
# each request, its case and its review went through the database's sort of the whole list
# before the page was cut from it, about 5 ms at ten years' 500 requests (issue 16).
_PAGE_COLUMNS = (
    "recipient",
    "legal_basis",
    "made_on",
    "due_on",
    "status",
    "answered_on",
    "refused_on",
    "case__reference",
    "case__pseudonym",
    "review__reference",
)

REQUEST_PAGES = CompiledList(
    lambda partnership_id, today, case_id=None: _in_order(
        Partnership(pk=partnership_id),
        today,
        None if case_id is None else Case(pk=case_id),
    ).only(*_PAGE_COLUMNS),
    {
        "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
        "today": (
            datetime.date(1901, 2, 3),  # a placeholder day
            InformationRequest._meta.get_field("due_on"),
        ),
        "case_id": (PK_PLACEHOLDER, Case._meta.pk),
    },
    # The count as a scalar subquery, not a window over the list: a window made the database
    # build every request's row (its case, review and escalations) before the page was cut,
    # 6.0 against 2.0 ms at ten years' 500 requests (issue 16).
    count_apart=True,
)


def information_request_page(
    request, *, user, partnership: Partnership, today: datetime.date, case: Case | None = None
):
    """A page of ``information_requests_in_order`` and its pagination links (``?page=``)."""
    if not can_view_information_requests(user, partnership):
        raise Http404("No such page")
    values: dict[str, Any] = {"partnership_id": partnership.pk, "today": today}
    if case is not None:
        values["case_id"] = case.pk
    return REQUEST_PAGES.page(request, **values)


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
