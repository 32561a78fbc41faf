"""Reads for the partnership setup pages, scoped to one partnership."""

from dataclasses import dataclass

from django.db import router
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from safeguarding.accounts.models import (
    CASE_DATA_ROLES,
    Agency,
    Membership,
    Partnership,
    ReviewType,
    User,
)
from safeguarding.actions.models import Action
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledQuery,
    RecordQuery,
)
from safeguarding.referrals.models import DecisionMaker, Track
from safeguarding.reviews.models import AgencyRequest, Review


def agency_list_linked(*, partnership: Partnership) -> QuerySet[Agency]:
    """The agencies linked to the partnership, by name, with how many partnerships use each."""
    return (
        # Linked by id, so that the count below is not limited to this partnership's link.
        Agency.objects.filter(pk__in=partnership.agencies.values("pk"))
        .annotate(partnership_count=Count("partnerships", distinct=True))
        .order_by("name")
    )


# An agency's setup pages read it first: the SQL built once (ADR 0038; issue 16).
_LINKED_AGENCY = CompiledQuery(
    lambda partnership_id, pk: (
        agency_list_linked(partnership=Partnership(pk=partnership_id)).filter(pk=pk).order_by()
    ),
    {
        "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
        "pk": (PK_PLACEHOLDER, Agency._meta.pk),
    },
)


def agency_get_linked(*, partnership: Partnership, pk: int) -> Agency:
    """One agency linked to the partnership: 404 for any other."""
    found = _LINKED_AGENCY.objects(router.db_for_read(Agency), partnership_id=partnership.pk, pk=pk)
    if not found:
        raise Http404("No such agency in this partnership")
    return found[0]


def agency_list_not_linked(*, partnership: Partnership) -> QuerySet[Agency]:
    """Agencies that exist nationally and are not linked to the partnership yet."""
    return Agency.objects.exclude(partnerships=partnership).order_by("name")


@dataclass(frozen=True)
class AgencyWork:
    """What still ties an agency to a partnership: open requests, open actions, contributors."""

    open_requests: int
    open_actions: int
    contributors: int

    @property
    def any(self) -> bool:
        return bool(self.open_requests or self.open_actions or self.contributors)


def agency_open_work(*, partnership: Partnership, agency: Agency) -> AgencyWork:
    ids = {"partnership_id": partnership.pk, "agency_id": agency.pk}
    return AgencyWork(
        open_requests=_count(_OPEN_REQUESTS, AgencyRequest, ids),
        open_actions=_count(_OPEN_ACTIONS, Action, ids),
        contributors=_count(_CONTRIBUTORS, Membership, ids),
    )


def _counted(records: QuerySet) -> QuerySet:
    """``records.count()`` as a queryset whose SQL can be kept: grouped by a constant, which
    Django leaves out of GROUP BY, so one row (0 when nothing matches)."""
    return (
        records.order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("pk"))
        .values_list("n")
    )


def _count(query: CompiledQuery, model, ids: dict) -> int:
    (row,) = query.rows(router.db_for_read(model), **ids)
    return row[0]


# The agency removal page's three counts, with the SQL built once (ADR 0038; issue 16).
_AGENCY_IDS = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
    "agency_id": (PK_PLACEHOLDER, Agency._meta.pk),
}
_OPEN_REQUESTS = CompiledQuery(
    lambda partnership_id, agency_id: _counted(
        AgencyRequest.objects.filter(
            review__partnership_id=partnership_id,
            agency_id=agency_id,
            returned_at__isnull=True,
            closure="",
        )
    ),
    _AGENCY_IDS,
)
_OPEN_ACTIONS = CompiledQuery(
    lambda partnership_id, agency_id: _counted(
        Action.objects.filter(
            partnership_id=partnership_id, agency_id=agency_id, status__in=Action.OPEN
        )
    ),
    _AGENCY_IDS,
)
_CONTRIBUTORS = CompiledQuery(
    lambda partnership_id, agency_id: _counted(
        Membership.objects.filter(partnership_id=partnership_id, agency_id=agency_id)
    ),
    _AGENCY_IDS,
)


@dataclass(frozen=True)
class DecisionMakerGroup:
    review_type: ReviewType
    makers: list[DecisionMaker]
    waiting: int  # reviews of this type that wait for sign-off now


def decision_maker_groups(*, partnership: Partnership) -> list[DecisionMakerGroup]:
    """The partnership's current decision makers, one group per review type it runs."""
    makers = list(
        DecisionMaker.objects.filter(partnership=partnership)
        .select_related("user")
        .order_by("review_type", "capacity")
    )
    waiting = signatures_waiting_by_type(
        partnership=partnership, review_types=list(partnership.review_types)
    )
    return [
        DecisionMakerGroup(
            review_type=review_type,
            makers=[m for m in makers if m.review_type == review_type],
            waiting=waiting[review_type],
        )
        for review_type in partnership.review_types
    ]


_DECISION_MAKER = RecordQuery(lambda: DecisionMaker.objects.select_related("user"))


def decision_maker_get(*, partnership: Partnership, pk: int) -> DecisionMaker:
    maker = _DECISION_MAKER.get(partnership=partnership, pk=pk)
    if maker is None:
        raise Http404("No such decision maker")
    return maker


def signatures_waiting(*, partnership: Partnership, review_type: str) -> int:
    """How many reviews (at sign-off) of ``review_type`` wait for the signatures of its
    decision makers. Decisions are not counted: each keeps the signatories it was sent to
    (ADR 0019), and one who left is replaced on the decision itself."""
    return signatures_waiting_by_type(partnership=partnership, review_types=[review_type])[
        review_type
    ]


def signatures_waiting_by_type(
    *, partnership: Partnership, review_types: list[str]
) -> dict[str, int]:
    """``signatures_waiting`` for several review types in one query. A review waits for the
    partnership's decision makers of a type when it is at sign-off with a track of that type
    that the partnership decides, or one that nobody was named to decide on a review of its
    own.

    Read from the reviews at sign-off (the partnership's own, through ``review_partnership_stage``,
    and those with a track it decides), each checked for its tracks: not from the tracks, as a
    join did, which made SQLite read every track nobody was named to decide, of every
    partnership (7,675 at ten years; issue 16)."""
    if not review_types:
        return {}
    key = tuple(review_types)
    if key not in _WAITING:
        if len(_WAITING) >= 64:  # a partnership runs one to three review types
            _WAITING.clear()
        _WAITING[key] = CompiledQuery(
            lambda partnership_id: _waiting(Partnership(pk=partnership_id), review_types),
            {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
        )
    (counts,) = _WAITING[key].rows(router.db_for_read(Review), partnership_id=partnership.pk)
    return {review_type: counts[n] or 0 for n, review_type in enumerate(review_types)}


# ``signatures_waiting_by_type``'s query, with the SQL built once per set of review types
# (ADR 0038; issue 16).
_WAITING: dict[tuple[str, ...], CompiledQuery] = {}


def _waiting(partnership: Partnership, review_types: list[str]) -> QuerySet[Review]:
    decided_here = Track.objects.filter(decided_by=partnership).values("reviews")

    def tracks(review_type: str) -> QuerySet[Track]:
        return Track.objects.filter(reviews=OuterRef("pk"), review_type=review_type)

    # Grouped by a constant, which Django leaves out of GROUP BY: one row of counts, as
    # ``aggregate()`` gives, from a queryset whose SQL can be kept.
    counts = {
        f"waiting_{n}": Count(
            "pk",
            filter=Q(Exists(tracks(review_type).filter(decided_by=partnership)))
            | Q(partnership=partnership)
            & Q(Exists(tracks(review_type).filter(decided_by__isnull=True))),
        )
        for n, review_type in enumerate(review_types)
    }
    return (
        Review.objects.filter(
            Q(partnership=partnership) | Q(pk__in=decided_here), stage=Review.Stage.SIGN_OFF
        )
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(**counts)
        .values_list(*counts)
    )


def member_list(*, partnership: Partnership) -> QuerySet[User]:
    """Active people who may be named decision makers: those with a role in the partnership
    that opens case content. A decision maker reads the decisions they sign, which an
    administrator alone may never see (ADR 0011)."""
    return (
        User.objects.filter(
            memberships__partnership=partnership,
            memberships__role__in=CASE_DATA_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )
