"""Reads for agency requests, returns and the rapid review, scoped to a partnership (and, for
agency contributors, to their own agencies)."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import AgencyRequest, AgencyReturn, ImmediateAction, Review
from ..permissions import agency_ids_for, can_view_review


def agency_request_get_for_user(*, user, partnership, pk: int) -> AgencyRequest:
    """The request, for its agency's contributors and the review's readers; 404 for anyone
    else, so another agency's contributor cannot tell that it exists (ADR 0010)."""
    agency_request = get_object_or_404(
        AgencyRequest.objects.select_related(
            "review", "review__partnership", "review__case", "agency", "requested_by"
        ),
        review__partnership=partnership,
        pk=pk,
    )
    contributor = agency_request.agency_id in agency_ids_for(user, partnership)
    if not contributor and not can_view_review(user, agency_request.review):
        raise Http404("No such request")
    return agency_request


def return_get(*, request: AgencyRequest, pk: int) -> AgencyReturn:
    """A return with an attachment, of a request already read through
    ``agency_request_get_for_user``."""
    agency_return = get_object_or_404(AgencyReturn, request=request, pk=pk)
    if not agency_return.attachment:
        raise Http404("No attachment")
    return agency_return


def _with_returns(queryset: QuerySet[AgencyRequest]) -> QuerySet[AgencyRequest]:
    return queryset.select_related("agency", "review").prefetch_related(
        Prefetch(
            "returns",
            queryset=AgencyReturn.objects.select_related("submitted_by").order_by("-version"),
        )
    )


@dataclass
class RequestRow:
    request: AgencyRequest
    returns: list[AgencyReturn]
    overdue: bool

    @property
    def latest(self) -> AgencyReturn | None:
        return self.returns[0] if self.returns else None


def _rows(requests) -> list[RequestRow]:
    today = timezone.localdate()
    return [
        RequestRow(
            request=r,
            returns=list(r.returns.all()),
            overdue=r.returned_at is None and r.due_on < today,
        )
        for r in requests
    ]


def request_rows_for_review(*, review: Review) -> list[RequestRow]:
    return _rows(_with_returns(review.requests.all()).order_by("due_on", "agency__name", "kind"))


def request_rows_for_agencies(*, partnership, agency_ids: set[int]) -> list[RequestRow]:
    """An agency contributor's requests: only their agencies', across the partnership's
    reviews. Shows no other content of the review."""
    return _rows(
        _with_returns(
            AgencyRequest.objects.filter(review__partnership=partnership, agency_id__in=agency_ids)
        ).order_by("returned_at", "due_on", "id")
    )


def open_request_count_for_agencies(*, partnership, agency_ids: set[int]) -> int:
    if not agency_ids:
        return 0
    return AgencyRequest.objects.filter(
        review__partnership=partnership, agency_id__in=agency_ids, returned_at__isnull=True
    ).count()


def immediate_action_list(*, review: Review) -> list[ImmediateAction]:
    return list(review.immediate_actions.select_related("agency", "recorded_by"))


def latest_summaries(*, review: Review) -> list[tuple[AgencyRequest, AgencyReturn | None]]:
    """Each agency summary request with its latest return (for the rapid review report)."""
    rows = request_rows_for_review(review=review)
    return [
        (row.request, row.latest)
        for row in sorted(rows, key=lambda row: row.request.agency.name)
        if row.request.kind == AgencyRequest.Kind.AGENCY_SUMMARY
    ]
