"""Figures for a board's reports, read from the other apps and scoped to one partnership.

The annual implementation figures (R24): what the partnership did in a financial year (1 April to
31 March) to act on the findings of its reviews. A fixed number of queries, whatever the size.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.actions.models import Action, ActionUpdate, Recommendation, Theme
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery, aggregating
from safeguarding.referrals.models import Decision, Referral, Track
from safeguarding.reports.models import ActionYear
from safeguarding.reviews.models import Finding, Review

Status = Action.Status


@dataclass(frozen=True)
class FinancialYear:
    """1 April to 31 March (R24: the SAB annual report covers each financial year)."""

    start_year: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"April {self.start_year} to March {self.start_year + 1}"

    @property
    def short_label(self) -> str:
        return f"{self.start_year} to {self.start_year + 1}"

    def _midnight(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    @property
    def starts_at(self) -> datetime.datetime:
        return self._midnight(self.start)

    @property
    def ends_before(self) -> datetime.datetime:
        """The first moment after the year (1 April of the next year, local time)."""
        return self._midnight(self.end + datetime.timedelta(days=1))

    @classmethod
    def containing(cls, day: datetime.date) -> "FinancialYear":
        return cls(day.year if day.month >= 4 else day.year - 1)


def partnership_recommendations(partnership: Partnership):
    """The partnership's recommendations (those of its reviews), as ``EXISTS`` on the review:
    with a date range, SQLite then reads the range of the date's index (``recommendation_agreed``,
    ``recommendation_impact_recorded``) instead of every recommendation of every review of the
    partnership, as the join on the review made it do without statistics (issue 16)."""
    return Recommendation.objects.filter(
        Exists(Review.objects.filter(pk=OuterRef("review_id"), partnership=partnership))
    )


# A read of a period with its SQL built once -----------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """What a ``Period`` or a ``FinancialYear`` gives a ``PeriodQuery``: placeholders while its
    SQL is built."""

    start: datetime.date
    end: datetime.date
    starts_at: datetime.datetime
    ends_before: datetime.datetime


#: Each value a board-pack read may take, with a placeholder no real row has and the field that
#: prepares it (core.compiled_sql).
BOUND_FIELDS: dict[str, tuple[Any, Any]] = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Review._meta.get_field("partnership")),
    "start": (datetime.date(1901, 3, 4), Recommendation._meta.get_field("agreed_on")),
    "end": (datetime.date(1901, 3, 5), Recommendation._meta.get_field("agreed_on")),
    "starts_at": (
        datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC),
        Review._meta.get_field("signed_off_at"),
    ),
    "ends_before": (
        datetime.datetime(1901, 2, 3, 4, 5, 7, tzinfo=datetime.UTC),
        Review._meta.get_field("signed_off_at"),
    ),
}


class PeriodQuery:
    """A read of the partnership's records in a period (``build(partnership, bounds)``: the
    board pack's ``_sources``, the annual figures' lists), its SQL built once per database with
    the partnership and the period's bounds as parameters (ADR 0038, core.compiled_sql).
    Building the report pages' dozen reads in the ORM on every request cost several times
    running them (issue 16)."""

    def __init__(self, build: Callable[[Partnership, Bounds], QuerySet]):
        self.build = build
        self._compiled: CompiledQuery | None = None

    def _queryset(self, values: dict[str, Any]) -> QuerySet:
        bounds = Bounds(values["start"], values["end"], values["starts_at"], values["ends_before"])
        return self.build(Partnership(pk=values["partnership_id"]), bounds)

    def _query(self) -> CompiledQuery:
        if self._compiled is None:
            placeholders = {name: value for name, (value, _field) in BOUND_FIELDS.items()}
            queryset = self._queryset(placeholders)
            alias = router.db_for_read(queryset.model)
            connection = connections[alias]
            _sql, params = queryset.query.get_compiler(using=alias).as_sql()
            # Only the values the read's SQL holds are its parameters (a count of the year's
            # referrals has no moments); the others stay placeholders that are in no SQL.
            used = {
                name: (value, field)
                for name, (value, field) in BOUND_FIELDS.items()
                if field.get_db_prep_value(value, connection, prepared=False) in list(params)
            }
            # A bound the SQL holds in another form than its field's (a day compared with a
            # moment's column) would not be found above, and its placeholder would stay in the
            # SQL as a constant: every figure counted from 1901. Refuse it instead.
            prepared = [
                field.get_db_prep_value(value, connection, prepared=False)
                for value, field in used.values()
            ]
            left = [p for p in params if str(p).startswith("1901-") and p not in prepared]
            if left:
                raise ValueError(f"A period bound in the SQL as {left!r}: use a field's form")
            self._compiled = CompiledQuery(
                lambda **given: self._queryset({**placeholders, **given}), used
            )
        return self._compiled

    def _values(self, query: CompiledQuery, partnership: Partnership, period) -> dict[str, Any]:
        values = {
            "partnership_id": partnership.pk,
            "start": period.start,
            "end": period.end,
            "starts_at": period.starts_at,
            "ends_before": period.ends_before,
        }
        return {name: values[name] for name in query.placeholders}

    def rows(self, partnership: Partnership, period) -> list[tuple]:
        """What ``values_list()`` of the read gives (``period``: a ``Period`` or a
        ``FinancialYear``)."""
        query = self._query()
        return query.read_values(**self._values(query, partnership, period))

    def objects(self, partnership: Partnership, period) -> list:
        """The model instances of the read, as iterating it gives them."""
        query = self._query()
        return query.read(**self._values(query, partnership, period))


# The report pages' reads of the partnership's years and kept figures, their SQL built once
# (ADR 0038, core.compiled_sql): both pages make them on every request (issue 16).
_PARTNERSHIP = {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Review._meta.get_field("partnership"))}
_FIRST_REVIEW = CompiledQuery(
    lambda partnership_id: aggregating(
        Review.objects.filter(partnership=partnership_id).order_by(), first=Min("started_on")
    ),
    _PARTNERSHIP,
)
# The first by the agreed date's index (the earliest of the partnership's, as MIN).
_FIRST_AGREED = CompiledQuery(
    lambda partnership_id: (
        partnership_recommendations(Partnership(pk=partnership_id))
        .filter(agreed_on__isnull=False)
        .order_by("agreed_on")
        .values_list("agreed_on")[:1]
    ),
    _PARTNERSHIP,
)
_YEAR_START = datetime.date(1901, 3, 4)
_YEAR_END = datetime.date(1901, 3, 5)
_IN_YEAR = {
    **_PARTNERSHIP,
    "start": (_YEAR_START, Recommendation._meta.get_field("agreed_on")),
    "end": (_YEAR_END, Recommendation._meta.get_field("agreed_on")),
}
_ACTION_YEAR = CompiledQuery(
    lambda partnership_id, start_year: ActionYear.objects.filter(
        partnership=partnership_id, start_year=start_year
    ).order_by("pk")[:1],
    {
        **_PARTNERSHIP,
        # A year no row has, within the column's range (an id out of it would find nothing).
        "start_year": (32_719, ActionYear._meta.get_field("start_year")),
    },
)


def annual_years(*, partnership: Partnership, today: datetime.date) -> list[FinancialYear]:
    """The financial years from the first with data (a review started or a recommendation
    agreed) to the current one, newest first. Two queries."""
    current = FinancialYear.containing(today)
    agreed = _FIRST_AGREED.read_values(partnership_id=partnership.pk)
    firsts = [
        _FIRST_REVIEW.read_values(partnership_id=partnership.pk)[0][0],
        agreed[0][0] if agreed else None,
    ]
    known = [day for day in firsts if day is not None]
    first = FinancialYear.containing(min(known)).start_year if known else current.start_year - 1
    first = min(first, current.start_year - 1)  # the last complete year is always offered
    return [FinancialYear(year) for year in range(current.start_year, first - 1, -1)]


def default_annual_year(today: datetime.date) -> FinancialYear:
    """The last complete financial year."""
    return FinancialYear(FinancialYear.containing(today).start_year - 1)


@dataclass
class AnnualFigures:
    year: FinancialYear
    complete: bool  # the year has ended
    reviews_signed_off: Sequence[Review]  # each with finding_count and learning_point_count
    findings_concluded: int
    learning_points_concluded: int
    reviews_ongoing: list[Review]
    recommendations_agreed: int
    actions_agreed: int
    actions_completed: int
    actions_outstanding: int
    actions_outstanding_overdue: int
    not_implemented: Sequence[Action]  # each with decided_at
    impact_recorded: list[Recommendation]
    judgements: list[tuple[str, int]]  # (label, count) for every judgement
    # How many rows each list has in all: more than it holds when only the first are read
    # (``annual_figures(shown=...)``, the page; the spreadsheet and the records read them all).
    reviews_signed_off_count: int
    reviews_ongoing_count: int
    not_implemented_count: int
    impact_recorded_count: int


def _decided_not_to_implement():
    return (
        ActionUpdate.objects.filter(action=OuterRef("pk"), kind=ActionUpdate.Kind.NOT_IMPLEMENTED)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )


def annual_action_sets(*, partnership: Partnership, year) -> tuple[Any, dict[str, Q]]:
    """The partnership's actions (each with ``decided_at``: for an action decided against, when
    the decision not to implement was recorded, its update or the last change if none) and the
    filters of the action figures for a year or any period (R24): the annual figures count
    them, the lists behind the figures read them."""
    start, end = year.start, year.end
    # ``decided_at`` is read only for actions decided against: the update is looked up for
    # those alone (a CASE), not for each of the thousands of actions counted (issue 16).
    actions = Action.objects.filter(partnership=partnership).annotate(
        decided_at=Case(
            When(
                status=Status.NOT_IMPLEMENTED,
                then=Coalesce(Subquery(_decided_not_to_implement()), "modified_at"),
            ),
            default=F("modified_at"),
        )
    )
    outstanding = (
        Q(recommendation__agreed_on__lte=end)
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=end))
        & (~Q(status=Status.NOT_IMPLEMENTED) | Q(decided_at__gte=year.ends_before))
    )
    return actions, {
        "agreed": Q(recommendation__agreed_on__range=(start, end)),
        "completed": Q(status=Status.COMPLETE, completed_on__range=(start, end)),
        "outstanding": outstanding,
        "outstanding_overdue": outstanding & Q(target_date__lte=end),
    }


#: The keys of the kept action figures: ``annual_action_sets``' figures, the decisions not to
#: implement, and the actions of the recommendations agreed in the period by their status today
#: (the board pack's "actions by status", ``by_status:<status>``).
BY_STATUS = {value: f"by_status:{value}" for value in Status.values}


def _count_actions(actions, sets: dict[str, Q], year) -> dict[str, int]:
    """The action figures, the decisions not to implement in the year and the actions agreed in
    it by their status today, in one query."""
    # Every count but the decisions needs the recommendation agreed by the year end and the
    # action not complete before the year began: counting only those keeps the count flat as
    # the years pile up (issue 16), instead of reading every action the partnership ever agreed.
    in_play = Q(recommendation__agreed_on__lte=year.end) & (
        Q(completed_on__isnull=True) | Q(completed_on__gte=year.start)
    )
    decided = _decided_in(year)
    agreed = sets["agreed"]
    counts = actions.filter(in_play | decided | agreed).aggregate(
        **{name: Count("pk", filter=q & in_play) for name, q in sets.items()},
        not_implemented=Count("pk", filter=decided),
        **{key: Count("pk", filter=agreed & Q(status=value)) for value, key in BY_STATUS.items()},
    )
    return {name: n or 0 for name, n in counts.items()}


def screening_tracks(partnership: Partnership, period):
    """The tracks opened in the period (the board pack's screening outcomes, counted on the local
    day a track was opened), through the partnership's cases."""
    return Track.objects.filter(
        case__partnership=partnership,
        created_at__gte=period.starts_at,
        created_at__lt=period.ends_before,
    )


def _count_screening(partnership: Partnership, period) -> list[list]:
    """The tracks opened in the period by review type and screening result, as kept:
    ``[[review type, result, count], ...]``. One query."""
    return [
        [review_type, result, n]
        for review_type, result, n in screening_tracks(partnership, period)
        .order_by("review_type", "screening_result")
        .values_list("review_type", "screening_result")
        .annotate(n=Count("pk"))
    ]


#: The keys of the annual figures' counts kept with the action figures (``reports/0005``):
#: the reviews signed off in the year, their findings and learning points and the reviews
#: ongoing at its end (``_REVIEW_COUNTS``, in that order), the recommendations agreed in it, and
#: the recommendations whose impact was recorded in it by judgement (``[[judgement, n], ...]``).
ANNUAL_KEYS = ("annual:reviews", "annual:agreed", "annual:judgements")


def _count_annual(partnership: Partnership, year) -> dict[str, Any]:
    """The annual figures' counts of a year (``ANNUAL_KEYS``), as the page counted them (the
    aggregate of ``_annual_reads``, ``_AGREED_COUNT``, ``_IMPACT_BY_JUDGEMENT``), with the board
    pack's reviews by kind (``pack:reviews``) in the same aggregate. Two queries: the
    recommendations agreed and those with impact recorded are grouped by judgement in one."""
    sets = review_sets(year)
    by_kind = {
        f"{name}:{kind}": Count("pk", filter=q & Q(kind=kind), distinct=True)
        for name, q in sets.items()
        for kind in PACK_REVIEW_KINDS
    }
    (row,) = aggregating(
        pack_reviews(partnership).filter(Q(*sets.values(), _connector=Q.OR)).order_by(),
        **_review_aggregates(year),
        **by_kind,
    ).values_list(*_REVIEW_COUNT_COLUMNS, *by_kind)
    reviews = row[: len(_REVIEW_COUNT_COLUMNS)]
    agreed = Q(agreed_on__range=(year.start, year.end))
    impact = Q(impact_recorded_on__range=(year.start, year.end)) & ~Q(impact_judgement="")
    groups = (
        partnership_recommendations(partnership)
        .filter(agreed | impact)
        .values_list("impact_judgement")
        .annotate(n_agreed=Count("pk", filter=agreed), n_impact=Count("pk", filter=impact))
        .order_by("impact_judgement")
    )
    rows = list(groups)
    return {
        "annual:reviews": list(reviews),
        "annual:agreed": sum(n_agreed for _judgement, n_agreed, _n in rows),
        "annual:judgements": [[judgement, n] for judgement, _agreed, n in rows if n],
        "pack:reviews": dict(zip(by_kind, row[len(_REVIEW_COUNT_COLUMNS) :], strict=True)),
    }


# The board pack's counts of a period (``figures.board_pack``): each figure defined once, here;
# a financial year's kept with the action figures (``PACK_KEYS``, migration ``reports/0006``,
# ADR 0059), any other period's counted by the pack with the same reads. ---------------------


def final_decisions(partnership: Partnership) -> QuerySet[Decision]:
    """The final decisions this partnership makes: its own tracks, less those a partner decides,
    and the tracks of shared cases it decides (ADR 0022)."""
    return Decision.objects.filter(state=Decision.State.FINAL).filter(
        Q(track__decided_by=partnership)
        | Q(track__decided_by__isnull=True, track__case__partnership=partnership)
    )


def pack_reviews(partnership: Partnership) -> QuerySet[Review]:
    """The partnership's reviews the pack counts (rapid reviews are counted apart)."""
    return Review.objects.filter(partnership=partnership).exclude(kind=Review.Kind.RAPID_REVIEW)


#: The keys of ``review_sets``, in its order.
REVIEW_SET_NAMES = ("reviews_commissioned", "reviews_completed", "reviews_ongoing")
#: The kinds of review the pack counts (kept for every kind: a partnership's kinds may change).
PACK_REVIEW_KINDS = [kind for kind in Review.Kind.values if kind != Review.Kind.RAPID_REVIEW]


def review_sets(period) -> dict[str, Q]:
    """Reviews commissioned (started), completed (signed off) and ongoing (started by the last
    day and not signed off by then) in the period."""
    completed = Q(signed_off_at__gte=period.starts_at, signed_off_at__lt=period.ends_before)
    return {
        "reviews_commissioned": Q(started_on__range=(period.start, period.end)),
        "reviews_completed": completed,
        "reviews_ongoing": Q(started_on__lte=period.end)
        & (Q(signed_off_at__isnull=True) | Q(signed_off_at__gte=period.ends_before)),
    }


PACK_REFERRAL_COLUMNS = (
    "review_type",
    "source_agency_id",
    "source_agency__name",
    "referrer_organisation",
)


def pack_referral_counts(partnership: Partnership, period) -> QuerySet:
    """The period's referrals counted by review type and by where they came from
    (``PACK_REFERRAL_COLUMNS`` and the count), over the ``referral_received_counts`` index."""
    return (
        Referral.objects.filter(
            partnership=partnership, received_on__range=(period.start, period.end)
        )
        .order_by()
        .values(*PACK_REFERRAL_COLUMNS)
        .annotate(n=Count("pk"))
        .values_list(*PACK_REFERRAL_COLUMNS, "n")
    )


def pack_decision_counts(partnership: Partnership, period) -> QuerySet:
    """The final decisions of the period by review type and outcome: ``(type, outcome, n)``."""
    return (
        final_decisions(partnership)
        .filter(decided_on__range=(period.start, period.end))
        .order_by()
        .values("track__review_type", "outcome")
        .annotate(n=Count("pk"))
        .values_list("track__review_type", "outcome", "n")
    )


def pack_theme_counts(partnership: Partnership, period) -> QuerySet:
    """The themes tagged on findings of two or more reviews signed off in the period, most
    reviews first: ``(theme id, name, reviews)``."""
    return (
        Theme.objects.filter(
            findings__review__in=pack_reviews(partnership).filter(
                review_sets(period)["reviews_completed"]
            )
        )
        .values("pk", "name", "facet")
        .annotate(n=Count("findings__review", distinct=True))
        .filter(n__gte=2)
        .order_by("-n", "name")
        .values_list("pk", "name", "n")
    )


#: The board pack's counts kept with the action figures (``reports/0006``): its referrals by
#: type and source (``[[type, agency id, agency name, organisation typed, n], ...]``), final
#: decisions by type and outcome, recurring themes, and reviews by kind (``_count_annual``).
PACK_KEYS = ("pack:referrals", "pack:decisions", "pack:themes", "pack:reviews")


def _count_pack(partnership: Partnership, year) -> dict[str, Any]:
    """The board pack's referrals, decisions and themes of a year, as the pack reads them for
    any other period. Three queries."""
    return {
        "pack:referrals": [list(row) for row in pack_referral_counts(partnership, year)],
        "pack:decisions": [list(row) for row in pack_decision_counts(partnership, year)],
        "pack:themes": [list(row) for row in pack_theme_counts(partnership, year)],
    }


def _count_kept(partnership: Partnership, actions, sets: dict[str, Q], year) -> dict[str, Any]:
    """Everything a kept year holds (``ActionYear``): the action figures, the screening
    outcomes, the annual figures' counts (``ANNUAL_KEYS``) and the board pack's (``PACK_KEYS``).
    Seven queries."""
    return {
        **_count_actions(actions, sets, year),
        "screening": _count_screening(partnership, year),
        **_count_annual(partnership, year),
        **_count_pack(partnership, year),
    }


def _kept_year(year) -> int | None:
    """The financial year a period is, if it is one (only those are kept)."""
    if isinstance(year, FinancialYear):
        return year.start_year
    return getattr(year, "financial_year", None)


def _action_counts(*, partnership: Partnership, year) -> dict[str, Any]:
    """The action figures of ``annual_action_sets``, the decisions not to implement in the
    year, the actions agreed in it by status and the screening outcomes (``_count_kept``). A
    financial year's are kept (``ActionYear``, ADR 0031): read from one row when kept and not
    stale (one query, whatever the number of actions, tracks, reviews and recommendations; the
    querysets that count them are then not even built, issue 16); else counted and kept in ten
    (read, claim, count seven times, store). Any other period is counted without the annual
    figures' counts, which only a financial year shows (two queries)."""

    def counted() -> dict[str, Any]:
        actions, sets = annual_action_sets(partnership=partnership, year=year)
        return _count_kept(partnership, actions, sets, year)

    start_year = _kept_year(year)
    if start_year is None:
        actions, sets = annual_action_sets(partnership=partnership, year=year)
        return {
            **_count_actions(actions, sets, year),
            "screening": _count_screening(partnership, year),
        }
    found = _ACTION_YEAR.read(partnership_id=partnership.pk, start_year=start_year)
    row = found[0] if found else None
    # A year kept in an older shape (without the figures added since) is counted again.
    if (
        row is not None
        and row.stored
        and not row.stale
        and {"screening", *BY_STATUS.values(), *ANNUAL_KEYS, *PACK_KEYS} <= set(row.counts)
    ):
        return dict(row.counts)
    token = uuid.uuid4().hex
    # Claimed before counting: an action changed from here on marks the year stale again, and
    # the store below then keeps nothing. The partnership's row (start_year 0) is claimed with
    # the year: on PostgreSQL a writer's trigger takes it first, so this waits for a writer in
    # progress (whose change the count must see) even when the year had no row yet.
    ActionYear.objects.bulk_create(
        [
            ActionYear(
                partnership=partnership, start_year=y, stale=False, stored=False, token=token
            )
            for y in (0, start_year)
        ],
        update_conflicts=True,
        unique_fields=["partnership", "start_year"],
        update_fields=["stale", "stored", "token"],
    )
    counts = counted()
    ActionYear.objects.filter(
        partnership=partnership, start_year=start_year, token=token, stale=False
    ).update(stored=True, counts=counts)
    return counts


def _decided_in(year) -> Q:
    return Q(
        status=Status.NOT_IMPLEMENTED,
        decided_at__gte=year.starts_at,
        decided_at__lt=year.ends_before,
    )


def _decided_not_to_implement_in(actions, year):
    """The actions decided against in the year. ``decided_at`` is their last "not implemented"
    update's moment, or their last change without one: so every such action either changed in
    the year or has such an update in it. Those candidates are picked first (the change from
    the ``action_status_modified`` index, the update by the action's), and ``decided_at`` is
    worked out for them alone, not for every action the partnership ever decided against
    (issue 16). The same actions: the exact test is still applied to each candidate."""
    changed_in_year = Q(modified_at__gte=year.starts_at, modified_at__lt=year.ends_before)
    updated_in_year = Exists(
        ActionUpdate.objects.filter(
            action=OuterRef("pk"),
            kind=ActionUpdate.Kind.NOT_IMPLEMENTED,
            created_at__gte=year.starts_at,
            created_at__lt=year.ends_before,
        )
    )
    # The candidates' cheap tests first: SQLite then works ``decided_at`` out (two correlated
    # subqueries) only for the actions changed or decided in the year, not for every one the
    # partnership ever decided against (1.3 -> 1.1 ms at ten years of bench data).
    return (
        actions.filter(status=Status.NOT_IMPLEMENTED)
        .filter(changed_in_year | updated_in_year)
        .filter(_decided_in(year))
    )


def _impact_recorded_in(partnership: Partnership, year):
    return (
        partnership_recommendations(partnership)
        .filter(impact_recorded_on__range=(year.start, year.end))
        .exclude(impact_judgement="")
    )


class _Year:
    """A year's bounds while the SQL of a read of it is built."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.start, self.end = start, end


_IMPACT_COUNT = CompiledQuery(
    lambda partnership_id, start, end: aggregating(
        _impact_recorded_in(Partnership(pk=partnership_id), _Year(start, end)).order_by(),
        n=Count("*"),
    ),
    _IN_YEAR,
)
_IMPACT_BY_JUDGEMENT = CompiledQuery(
    lambda partnership_id, start, end: (
        _impact_recorded_in(Partnership(pk=partnership_id), _Year(start, end))
        .values_list("impact_judgement")
        .annotate(n=Count("pk"))
        .order_by()
    ),
    _IN_YEAR,
)
_AGREED_COUNT = CompiledQuery(
    lambda partnership_id, start, end: aggregating(
        partnership_recommendations(Partnership(pk=partnership_id))
        .filter(agreed_on__range=(start, end))
        .order_by(),
        n=Count("*"),
    ),
    _IN_YEAR,
)


def _in_year(partnership: Partnership, year) -> dict[str, Any]:
    return {"partnership_id": partnership.pk, "start": year.start, "end": year.end}


@dataclass(frozen=True)
class ImplementationCounts:
    """The implementation figures of ``annual_figures`` as counts only (the board pack's)."""

    actions_completed: int
    actions_outstanding: int
    actions_outstanding_overdue: int
    not_implemented: int
    impact_recorded: int
    # The actions of the recommendations agreed in the period by their status today.
    actions_by_status: dict[str, int]
    # The tracks opened in the period: {(review type, screening result): count}.
    screening: dict[tuple[str, str], int]
    # A financial year's: the board pack's counts kept with it (``PACK_KEYS``) and the
    # recommendations agreed in it; None for any other period (the pack counts them).
    pack: dict[str, Any] | None = None
    recommendations_agreed: int | None = None


def implementation_counts(*, partnership: Partnership, year) -> ImplementationCounts:
    """Counted as ``annual_figures`` counts them, with no list read (the board pack shows the
    numbers; the lists are behind each figure): the action figures kept (``_action_counts``)
    and one count. Issue 16."""
    counts = _action_counts(partnership=partnership, year=year)
    return ImplementationCounts(
        actions_completed=counts["completed"],
        actions_outstanding=counts["outstanding"],
        actions_outstanding_overdue=counts["outstanding_overdue"],
        not_implemented=counts["not_implemented"],
        impact_recorded=(
            sum(n for _judgement, n in counts["annual:judgements"])
            if "annual:judgements" in counts  # a financial year: kept with the action figures
            else _IMPACT_COUNT.read_values(**_in_year(partnership, year))[0][0]
        ),
        actions_by_status={value: counts[key] for value, key in BY_STATUS.items()},
        screening={(review_type, result): n for review_type, result, n in counts["screening"]},
        pack={key: counts[key] for key in PACK_KEYS} if PACK_KEYS[0] in counts else None,
        recommendations_agreed=counts.get("annual:agreed"),
    )


# The columns the annual figures' lists show (the page, its spreadsheet and the records behind
# the board pack's figures): each list reads only those (issue 16: at ten years the year's
# lists hold hundreds of rows, and a review or recommendation row is mostly long text).
_REVIEW_SHOWN = ("pk", "reference", "title", "kind", "signed_off_at")
_NOT_IMPLEMENTED_SHOWN = (
    "pk",
    "number",
    "text",
    "not_implemented_reason",
    "agency__id",
    "agency__name",
    "recommendation__id",
    "recommendation__number",
    "recommendation__review__id",
    "recommendation__review__reference",
    "recommendation__review__title",
)
_IMPACT_SHOWN = (
    "pk",
    "number",
    "text",
    "impact_recorded_on",
    "impact_judgement",
    "review__id",
    "review__reference",
    "review__title",
)


#: Rows of each list the annual figures page shows; the rest are one link away (the records
#: behind the figure) and all are in the spreadsheet (issue 16, ADR 0029).
ANNUAL_SHOWN = 10


_REVIEW_COUNTS = ("signed_off", "findings", "learning_points", "ongoing")
_REVIEW_COUNT_COLUMNS = tuple(f"n_{name}" for name in _REVIEW_COUNTS)


def _annual_reads(partnership: Partnership, year) -> dict[str, QuerySet]:
    """The annual figures' four lists (the columns they show, in order) and the counts of the
    reviews signed off in the year, their findings and learning points, and the reviews
    ongoing at its end (one aggregate, ``_REVIEW_COUNTS``). Built, not run."""
    reviews = pack_reviews(partnership)
    sets = review_sets(year)
    in_year, still_ongoing = sets["reviews_completed"], sets["reviews_ongoing"]
    actions, _sets = annual_action_sets(partnership=partnership, year=year)
    finding, learning_point = Finding.Kind.FINDING, Finding.Kind.LEARNING_POINT
    return {
        "signed_off": reviews.filter(in_year)
        .annotate(
            finding_count=Count("findings", filter=Q(findings__kind=finding)),
            learning_point_count=Count("findings", filter=Q(findings__kind=learning_point)),
        )
        .order_by("signed_off_at", "pk")
        .only(*_REVIEW_SHOWN, "signed_off_at"),
        "ongoing": reviews.filter(still_ongoing)
        .order_by("started_on", "pk")
        .only(*_REVIEW_SHOWN, "started_on"),
        "not_implemented": _decided_not_to_implement_in(actions, year)
        .select_related("agency", "recommendation", "recommendation__review")
        .order_by("recommendation__review__reference", "recommendation__number", "number")
        .only(*_NOT_IMPLEMENTED_SHOWN),
        "impact": _impact_recorded_in(partnership, year)
        .select_related("review")
        .order_by("review__reference", "number")
        .only(*_IMPACT_SHOWN),
        # Each review once (its findings joined): the distinct reviews, the findings of those
        # signed off in the year by kind.
        "counts": aggregating(
            reviews.filter(in_year | still_ongoing).order_by(), **_review_aggregates(year)
        ),
    }


def _review_aggregates(year) -> dict[str, Count]:
    """The counts of ``_REVIEW_COUNTS`` over the partnership's reviews (their findings joined):
    each review once, the findings of those signed off in the year by kind."""
    sets = review_sets(year)
    in_year, still_ongoing = sets["reviews_completed"], sets["reviews_ongoing"]
    finding, learning_point = Finding.Kind.FINDING, Finding.Kind.LEARNING_POINT
    # Named apart from the relation (an aggregate named ``findings`` would be what
    # ``findings__kind`` then looks up).
    return {
        "n_signed_off": Count("pk", filter=in_year, distinct=True),
        "n_findings": Count("findings", filter=in_year & Q(findings__kind=finding)),
        "n_learning_points": Count("findings", filter=in_year & Q(findings__kind=learning_point)),
        "n_ongoing": Count("pk", filter=still_ongoing, distinct=True),
    }


#: The page's reads (the first ``ANNUAL_SHOWN`` rows of each list, and the counts) with their
#: SQL built once (``PeriodQuery``).
def _annual_list(name: str) -> Callable[[Partnership, Bounds], QuerySet]:
    def build(partnership: Partnership, bounds: Bounds) -> QuerySet:
        return _annual_reads(partnership, bounds)[name][:ANNUAL_SHOWN]

    return build


_ANNUAL_PAGE_READS = {
    name: PeriodQuery(_annual_list(name))
    for name in ("signed_off", "ongoing", "not_implemented", "impact")
}
_ANNUAL_PAGE_COUNTS = PeriodQuery(
    lambda partnership, bounds: _annual_reads(partnership, bounds)["counts"].values_list(
        *_REVIEW_COUNT_COLUMNS
    )
)


def annual_figures(
    *,
    partnership: Partnership,
    year: FinancialYear,
    today: datetime.date,
    shown: int | None = None,
) -> AnnualFigures:
    """The implementation figures a board's annual report needs for one financial year (R24):
    reviews signed off (findings concluded), reviews still ongoing at 31 March, actions completed,
    actions outstanding at the year end (and how many of those were overdue), decisions not to
    implement with their reasons, and impact recorded with its judgement. Six queries.

    With ``shown``, each of the four lists holds only its first ``shown`` rows and the figures
    are counted in the database instead: the page then shows as much at ten years as at one
    (issue 16). A financial year's counts of reviews, recommendations agreed and impact recorded
    are kept with its action figures (``ANNUAL_KEYS``, migration ``reports/0005``): the page reads
    them from that one row, not from every review and recommendation of the year.

    An action counts as outstanding at the year end when its recommendation was agreed by then
    and it was neither complete (``completed_on``) nor decided against (the update recording the
    decision) by then; overdue if its target date was on or before 31 March.
    """
    counts = _action_counts(partnership=partnership, year=year)
    # A financial year's counts of reviews, recommendations agreed and impact come kept with its
    # action figures (reports/0005); any other period's are counted.
    kept = counts if all(key in counts for key in ANNUAL_KEYS) else None
    # The page's reads are built once (below); the others here.
    reads = _annual_reads(partnership, year) if shown != ANNUAL_SHOWN else {}
    by_judgement: defaultdict[str, int] = defaultdict(int)
    if shown is None:
        signed_off = list(reads["signed_off"])
        ongoing = list(reads["ongoing"])
        not_implemented: list[Action] = list(reads["not_implemented"])
        impact = list(reads["impact"])
        for recommendation in impact:
            by_judgement[recommendation.impact_judgement] += 1
        review_counts = {
            "signed_off": len(signed_off),
            "findings": sum(review.finding_count for review in signed_off),
            "learning_points": sum(review.learning_point_count for review in signed_off),
            "ongoing": len(ongoing),
        }
        not_implemented_count = len(not_implemented)
    else:
        if shown == ANNUAL_SHOWN:  # the page: the reads' SQL built once (issue 16)
            signed_off, ongoing, not_implemented, impact = (
                _ANNUAL_PAGE_READS[name].objects(partnership, year)
                for name in ("signed_off", "ongoing", "not_implemented", "impact")
            )
            # Kept with a financial year's action figures (reports/0005).
            row = kept["annual:reviews"] if kept else _ANNUAL_PAGE_COUNTS.rows(partnership, year)[0]
        else:
            signed_off = list(reads["signed_off"][:shown])
            ongoing = list(reads["ongoing"][:shown])
            not_implemented = list(reads["not_implemented"][:shown])
            impact = list(reads["impact"][:shown])
            (row,) = reads["counts"].values_list(*_REVIEW_COUNT_COLUMNS)
        review_counts = dict(zip(_REVIEW_COUNTS, row, strict=True))
        not_implemented_count = counts["not_implemented"]
        judgements = (
            kept["annual:judgements"]
            if kept
            else _IMPACT_BY_JUDGEMENT.read_values(**_in_year(partnership, year))
        )
        for judgement, n in judgements:
            by_judgement[judgement] = n
    # Display attributes for the template, not model fields (so unknown to the type checker).
    for review in signed_off:
        review.signed_off_on = timezone.localdate(review.signed_off_at)
    for action in not_implemented:
        action.decided_on = timezone.localdate(action.decided_at)  # type: ignore[attr-defined]
    recommendations_agreed = (
        kept["annual:agreed"]
        if kept
        else _AGREED_COUNT.read_values(**_in_year(partnership, year))[0][0]
    )
    return AnnualFigures(
        year=year,
        complete=year.end < today,
        reviews_signed_off=signed_off,
        findings_concluded=review_counts["findings"],
        learning_points_concluded=review_counts["learning_points"],
        reviews_ongoing=ongoing,
        recommendations_agreed=recommendations_agreed,
        actions_agreed=counts["agreed"],
        actions_completed=counts["completed"],
        actions_outstanding=counts["outstanding"],
        actions_outstanding_overdue=counts["outstanding_overdue"],
        not_implemented=not_implemented,
        impact_recorded=impact,
        judgements=[
            (label, by_judgement.get(value, 0)) for value, label in Recommendation.Judgement.choices
        ],
        reviews_signed_off_count=review_counts["signed_off"],
        reviews_ongoing_count=review_counts["ongoing"],
        not_implemented_count=not_implemented_count,
        impact_recorded_count=sum(by_judgement.values()),
    )
