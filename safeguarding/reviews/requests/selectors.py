"""Reads for agency requests, returns and the rapid review, scoped to a partnership (and, for
agency contributors, to their own agencies)."""

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safeguarding.accounts.models import Membership, Partnership, Role
from safeguarding.accounts.selectors import agency_contact_counts
from safeguarding.core.compiled_sql import RecordQuery
from safeguarding.notifications.models import Notification
from safeguarding.notifications.selectors import notifications_about

from ..models import AgencyRequest, AgencyReturn, ImmediateAction, Review
from ..permissions import agency_ids_for, can_view_review

# Every page of an agency request reads it first: the SQL is built once (issue 16).
_AGENCY_REQUEST = RecordQuery(
    lambda: AgencyRequest.objects.select_related(
        "review",
        "review__partnership",
        "review__case",
        "agency",
        "requested_by",
        "closed_by",
        "replaced_by",
        "replaced_by__agency",
        "replaces",
        "replaces__agency",
    ),
    lambda partnership: Q(review__partnership=partnership) | Q(answered_in=partnership),
    partnership_model=Partnership,
)


def agency_request_get_for_user(*, user, partnership, pk: int) -> AgencyRequest:
    """The request, for its agency's contributors and the review's readers; 404 for anyone
    else, so another agency's contributor cannot tell that it exists (ADR 0010)."""
    agency_request = _AGENCY_REQUEST.get(partnership=partnership, pk=pk)
    if agency_request is None:
        raise Http404("No such request")
    if not is_answered_here(agency_request, partnership):
        # A partner's contributors reach only the requests addressed to their agency in their
        # partnership (ADR 0022); nothing else of the owner's review.
        contributor = False
    else:
        contributor = agency_request.agency_id in agency_ids_for(user, partnership)
    if agency_request.review.partnership_id != partnership.pk and not contributor:
        raise Http404("No such request")
    if not contributor and not can_view_review(user, agency_request.review):
        raise Http404("No such request")
    return agency_request


def is_answered_here(agency_request: AgencyRequest, partnership) -> bool:
    """The request is answered by ``partnership``'s contributors of the agency."""
    return agency_request.answering_partnership_id == partnership.pk


def _answered_in_q(partnership) -> Q:
    return Q(review__partnership=partnership, answered_in__isnull=True) | Q(answered_in=partnership)


def return_get(*, request: AgencyRequest, pk: int) -> AgencyReturn:
    """A return with an attachment, of a request already read through
    ``agency_request_get_for_user``."""
    agency_return = get_object_or_404(AgencyReturn, request=request, pk=pk)
    if not agency_return.attachment:
        raise Http404("No attachment")
    return agency_return


def _with_returns(queryset: QuerySet[AgencyRequest]) -> QuerySet[AgencyRequest]:
    return queryset.select_related(
        "agency", "review", "review__partnership", "replaced_by__agency", "answered_in"
    ).prefetch_related(
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
    # Who was emailed the request when it was sent, and how many people at the agency have an
    # account now (filled for the business unit's pages only).
    emailed: list[Notification] = field(default_factory=list)
    contributors: int = 0
    # How many email-only contacts the partnership holds at the agency now (ADR 0020).
    contacts: int = 0

    # The latest return's version where the returns were not read (an agency's own list).
    version_read: int | None = None

    @property
    def latest(self) -> AgencyReturn | None:
        return self.returns[0] if self.returns else None

    @property
    def latest_version(self) -> int | None:
        return self.returns[0].version if self.returns else self.version_read

    @property
    def not_emailed(self) -> bool:
        """Open, and no one at the agency was emailed the request (no one had an account and
        the partnership had no email contact there)."""
        return self.request.is_open and not self.emailed


def _rows(requests) -> list[RequestRow]:
    today = timezone.localdate()
    return [
        RequestRow(request=r, returns=list(r.returns.all()), overdue=r.is_overdue(today))
        for r in requests
    ]


def contributor_counts(*, partnership, agency_ids: set[int]) -> dict[int, int]:
    """How many active people act for each agency in the partnership (who can be emailed)."""
    counts = (
        Membership.objects.filter(
            partnership=partnership,
            role=Role.AGENCY_CONTRIBUTOR,
            agency_id__in=agency_ids,
            user__is_active=True,
        )
        .values("agency_id")
        .annotate(people=Count("user", distinct=True))
    )
    return {row["agency_id"]: row["people"] for row in counts}


def request_emails(*, requests: list[AgencyRequest]) -> dict[int, list[Notification]]:
    """Who was emailed each request when it was sent (by request id)."""
    return notifications_about(objects=requests, kinds=["agency_request.sent"])


def request_rows_for_review(*, review: Review) -> list[RequestRow]:
    """Every request of the review (cancelled ones too, last), with its returns, who was
    emailed it and how many people at the agency have an account or are its email contacts:
    for the business unit."""
    rows = _rows(
        _with_returns(review.requests.all()).order_by("due_on", "agency__name", "kind", "pk")
    )
    emails = request_emails(requests=[row.request for row in rows])
    # Contributors and contacts are counted in the partnership that answers each request: the
    # review's, or a partner's for a request to its agency (ADR 0022; queried only if any).
    by_answerer: dict[int, tuple[dict[int, int], dict[int, int]]] = {
        review.partnership_id: (
            contributor_counts(
                partnership=review.partnership,
                agency_ids={r.request.agency_id for r in rows if r.request.answered_in_id is None},
            ),
            agency_contact_counts(partnership=review.partnership),
        )
    }
    for row in rows:
        answerer = row.request.answered_in or review.partnership
        if answerer.pk not in by_answerer:
            by_answerer[answerer.pk] = (
                contributor_counts(
                    partnership=answerer,
                    agency_ids={
                        r.request.agency_id
                        for r in rows
                        if r.request.answering_partnership_id == answerer.pk
                    },
                ),
                agency_contact_counts(partnership=answerer),
            )
        counts, contacts = by_answerer[answerer.pk]
        row.emailed = emails.get(row.request.pk, [])
        row.contributors = counts.get(row.request.agency_id, 0)
        row.contacts = contacts.get(row.request.agency_id, 0)
    return sorted(rows, key=lambda row: row.request.is_cancelled)


def request_list_for_agencies(*, partnership, agency_ids: set[int]) -> QuerySet[AgencyRequest]:
    """An agency contributor's requests: only their agencies', across the partnership's
    reviews, and those a partnership sharing its case with this one addressed to their agency
    here (ADR 0022); those waiting for a return first, by due date, then the rest by when they
    were returned. Each carries its latest return's version (``latest_version``, None before
    the first) instead of its returns: the list shows no more, and reads no more, so it can be
    read a page at a time in one query (issue 16). Shows no other content of the review."""
    latest = (
        AgencyReturn.objects.filter(request=OuterRef("pk")).order_by("-version").values("version")
    )
    return (
        AgencyRequest.objects.filter(_answered_in_q(partnership), agency_id__in=agency_ids)
        .select_related("agency", "review")
        .annotate(latest_version=Subquery(latest[:1]))
        .order_by(F("returned_at").asc(nulls_first=True), "due_on", "id")
    )


def request_rows_for_list(requests) -> list[RequestRow]:
    """Rows for requests read by ``request_list_for_agencies`` (their returns not read)."""
    today = timezone.localdate()
    return [
        RequestRow(
            request=r, returns=[], overdue=r.is_overdue(today), version_read=r.latest_version
        )
        for r in requests
    ]


def open_request_count_for_agencies(*, partnership, agency_ids: set[int]) -> int:
    if not agency_ids:
        return 0
    return AgencyRequest.objects.filter(
        _answered_in_q(partnership),
        agency_id__in=agency_ids,
        returned_at__isnull=True,
        closure="",
    ).count()


def immediate_action_list(*, review: Review) -> list[ImmediateAction]:
    return list(review.immediate_actions.select_related("agency", "recorded_by"))


def latest_summaries(*, review: Review) -> list[tuple[AgencyRequest, AgencyReturn | None]]:
    """Each agency summary request with its latest return (for the rapid review report)."""
    rows = request_rows_for_review(review=review)
    return [
        (row.request, row.latest)
        for row in sorted(rows, key=lambda row: row.request.agency.name)
        if row.request.kind == AgencyRequest.Kind.AGENCY_SUMMARY and not row.request.is_cancelled
    ]


def overdue_rows(rows: list[RequestRow]) -> list[RequestRow]:
    """The overdue requests of a review's rows that can be chased by email (someone at the
    agency has an account)."""
    return [row for row in rows if row.overdue and row.contributors]
