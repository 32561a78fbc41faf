"""Reads for the partnership tracker: its views and filters, the choices for the filters, the
page of rows and the rows of its spreadsheet.

Every read of actions starts from ``actions_visible_to``: the business unit and partner leads see
every action of the partnership, an agency contributor only their own agency's. Lists are one
query each, whatever the number of actions (counts in two grouped queries, the page of rows with
its review and agency joined, export rows with their findings and themes in one query each).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import router
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Case, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.core.calendar import add_working_days
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery
from safeguarding.reviews.models import Review
from safeguarding.reviews.permissions import agency_ids_for

from .models import (
    Action,
    ActionCount,
    ActionEvidence,
    ActionThemeCount,
    ActionUpdate,
    FindingThemeCount,
    OpenActionTheme,
    Recommendation,
    RecommendationTheme,
    Theme,
)
from .permissions import sees_every_action
from .status_tags import status_tag_of

Status = Action.Status
DUE_SOON_WORKING_DAYS = 20
TRACKER_PAGE_SIZE = 50

# The tracker's views: (key, label). "open" is the default.
VIEWS = [
    ("open", "All open"),
    ("due_soon", "Due soon"),
    ("overdue", "Overdue"),
    ("at_risk", "At risk"),
    ("awaiting_acceptance", "Awaiting acceptance"),
    ("no_impact_evidence", "Completed without impact evidence"),
    ("not_implemented", "Not being implemented"),
    ("complete", "Complete"),
    ("all", "All actions"),
]
VIEW_LABELS = dict(VIEWS)
DEFAULT_VIEW = "open"


# The views of actions in several statuses: (statuses, the condition on the target date).
def _status_views(
    today: datetime.date | None, soon: datetime.date | None = None
) -> dict[str, tuple[tuple[str, ...], Q]]:
    # ``today`` is None only where the SQL of a view comparing no day is built once.
    if soon is None and today is not None:
        soon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    return {
        "open": (Action.OPEN, Q()),
        "due_soon": (Action.OPEN, Q(target_date__gte=today, target_date__lte=soon)),
        "overdue": (Action.AGENCY_SETTABLE, Q(target_date__lt=today)),
    }


def view_conditions(today: datetime.date, soon=None) -> dict[str, Q]:
    """The condition of each view on ``today`` (``soon``: the last day due soon, worked out
    from ``today`` when not given)."""
    several = {
        key: Q(status__in=statuses) & dates
        for key, (statuses, dates) in _status_views(today, soon).items()
    }
    return {
        **several,
        "at_risk": Q(status=Status.AT_RISK),
        "awaiting_acceptance": Q(status=Status.COMPLETION_REQUESTED),
        "no_impact_evidence": Q(status=Status.COMPLETE, recommendation__impact_result=""),
        "not_implemented": Q(status=Status.NOT_IMPLEMENTED),
        "complete": Q(status=Status.COMPLETE),
        "all": Q(),
    }


@dataclass(frozen=True)
class TrackerFilters:
    theme: Theme | None = None
    agency: Agency | None = None
    review_type: str = ""
    year: int | None = None
    view: str = DEFAULT_VIEW

    @property
    def narrowed(self) -> bool:
        """Whether any filter besides the view is set."""
        return bool(self.theme or self.agency or self.review_type or self.year)

    def as_payload(self) -> dict:
        return {
            "theme": self.theme.pk if self.theme else None,
            "agency": self.agency.slug if self.agency else None,
            "review_type": self.review_type or None,
            "year": self.year,
            "view": self.view,
        }

    def describe(self) -> str:
        parts = [f"View: {VIEW_LABELS.get(self.view, self.view)}"]
        if self.theme:
            parts.append(f"theme: {self.theme.name}")
        if self.agency:
            parts.append(f"agency: {self.agency.name}")
        if self.review_type:
            parts.append(f"review type: {Review.Kind(self.review_type).label}")
        if self.year:
            parts.append(f"recommendations agreed in {self.year}")
        return "; ".join(parts)


# Scoping -----------------------------------------------------------------------------------------


def own_agency_ids(user, partnership: Partnership) -> set[int]:
    """The agencies a contributor acts for in ``partnership`` (read once per request: kept on
    the user object, as ``roles_in`` keeps the roles)."""
    cache = user.__dict__.setdefault("_action_agency_ids", {})
    if partnership.pk not in cache:
        cache[partnership.pk] = agency_ids_for(user, partnership)
    return cache[partnership.pk]


def actions_visible_to(
    *, user, partnership: Partnership, by_recommendation: bool = False
) -> QuerySet[Action]:
    """Every action of the partnership for the business unit and partner leads; an agency
    contributor's own agency's actions only (nothing for anyone else).

    ``by_recommendation``: the same actions, for a query that should find them through their
    recommendations (under a theme): the partnership is compared as ``partnership_id + 0``, which
    no index serves, so SQLite (which keeps no statistics) reads the theme's recommendations'
    actions instead of every action of the partnership (issue 16: the counts under a theme
    23 → 2.5 ms on ten years' actions)."""
    actions: QuerySet[Action]
    if by_recommendation:
        actions = Action.objects.alias(in_partnership=F("partnership_id") + 0).filter(
            in_partnership=partnership.pk
        )
    else:
        actions = Action.objects.filter(partnership=partnership)
    if sees_every_action(user, partnership):
        return actions
    return actions.filter(agency_id__in=own_agency_ids(user, partnership))


def filtered_actions(actions: QuerySet[Action], filters: TrackerFilters) -> QuerySet[Action]:
    """The filters other than the view (theme, agency, review type, year agreed)."""
    if filters.theme is not None:
        # The recommendations answering a finding with the theme, from their kept list (issue
        # 16; ``RecommendationTheme``, migration actions 0009), found once: each action read is
        # looked up in it (the ``action_dated_answering`` index holds the recommendation), not
        # joined through every link of the theme's findings (4.8 ms on ten years' at load 7).
        answering_theme = RecommendationTheme.objects.filter(theme=filters.theme)
        actions = actions.filter(recommendation_id__in=answering_theme.values("recommendation_id"))
    if filters.agency is not None:
        actions = actions.filter(agency=filters.agency)
    if filters.review_type:
        actions = actions.filter(recommendation__review__kind=filters.review_type)
    if filters.year:
        actions = actions.filter(
            recommendation__agreed_on__gte=datetime.date(filters.year, 1, 1),
            recommendation__agreed_on__lte=datetime.date(filters.year, 12, 31),
        )
    return actions


def tracker_counts_by_agency(
    actions: QuerySet[Action], today: datetime.date, *, known: list[Agency] | None = None
) -> tuple[dict[str, int], list[dict]]:
    """How many of ``actions`` are in each view, in total and per owner agency (name and slug
    with the counts), ordered by agency name.

    One grouped query by (owner agency, status) over the ``action_counts`` index (partnership,
    agency, status, target date, recommendation): every column it reads is in the index, so it
    reads no action row and joins nothing per action (issue 16: it used to join the agency and
    the recommendation to every action, 23 ms on ten years' actions, now 2). A second counts
    the complete actions without impact evidence per agency (only they look up their
    recommendation). The views are summed from the groups in Python (each view is a set of
    statuses, some with a date range); the agencies' names come from a third query of at most
    one row per agency (none when ``known`` holds each of them, see ``_by_agency_name``)."""
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    groups = (
        actions.order_by()
        .values("agency_id", "status")
        .annotate(
            n=Count("pk"),
            before_today=Count("pk", filter=Q(target_date__lt=today)),
            soon=Count("pk", filter=Q(target_date__gte=today, target_date__lte=soon)),
        )
    )
    # The complete actions whose recommendation has no impact result, per agency: a query of
    # its own over the complete actions only (in the grouped count, the lookup cost 6 ms on ten
    # years' actions against 2 for this query, issue 16).
    no_impact = {
        row["agency_id"]: row["n"]
        for row in actions.filter(status=Status.COMPLETE, recommendation__impact_result="")
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
    }
    per_agency: dict[int, dict[str, int]] = {}
    for group in groups:
        counts = per_agency.setdefault(group["agency_id"], dict.fromkeys(VIEW_LABELS, 0))
        status, n = group["status"], group["n"]
        counts["all"] += n
        if status in Action.OPEN:
            counts["open"] += n
            counts["due_soon"] += group["soon"]
        if status in Action.AGENCY_SETTABLE:
            counts["overdue"] += group["before_today"]
        if status == Status.AT_RISK:
            counts["at_risk"] += n
        if status == Status.COMPLETION_REQUESTED:
            counts["awaiting_acceptance"] += n
        if status == Status.COMPLETE:
            counts["complete"] += n
            counts["no_impact_evidence"] += no_impact.get(group["agency_id"], 0)
        if status == Status.NOT_IMPLEMENTED:
            counts["not_implemented"] += n
    return _by_agency_name(per_agency, known)


def _kept_counts(
    partnership: Partnership, filters: TrackerFilters, *, agency_ids: set[int] | None = None
) -> QuerySet:
    """The kept counts under the filters (``ActionCount``, or ``ActionThemeCount`` under a
    theme), as (agency, status, impact missing, actions) rows; ``agency_ids``: a contributor's
    own agencies only."""
    kept: QuerySet[ActionCount] | QuerySet[ActionThemeCount]
    if filters.theme is not None:
        # Under a theme, the counts kept per theme (migration actions 0009; issue 16: counted,
        # they read every action of the theme's recommendations, 940 of ten years' against 96).
        kept = ActionThemeCount.objects.filter(theme=filters.theme, partnership=partnership)
    else:
        kept = ActionCount.objects.filter(partnership=partnership)
    if agency_ids is not None:
        kept = kept.filter(agency_id__in=agency_ids)
    if filters.agency is not None:
        kept = kept.filter(agency=filters.agency)
    if filters.review_type:
        kept = kept.filter(review_kind=filters.review_type)
    return (
        kept.order_by()
        .values_list("agency_id", "status", "impact_missing")
        .annotate(total=Sum("n"))
    )


def _dated_counts(
    actions: QuerySet[Action], filters: TrackerFilters, *, today: datetime.date, soon
) -> QuerySet:
    """The open actions due from today on under the filters, as (status, owner agency, actions,
    of them due by ``soon``) rows.

    Grouped by the agency plus 0: grouped by the column itself, SQLite (no statistics) walks the
    whole of the partnership's ``action_counts`` index for its order (3.2 ms on ten years'
    actions) rather than the open statuses' dated range of ``action_dated_answering`` (0.4)."""
    dated = actions.filter(status__in=Action.OPEN, target_date__gte=today)
    if filters.theme is not None:
        dated = filtered_actions(dated, TrackerFilters(theme=filters.theme))
    if filters.agency is not None:
        dated = dated.filter(agency=filters.agency)
    if filters.review_type:
        dated = dated.filter(recommendation__review__kind=filters.review_type)
    return (
        dated.order_by()
        .values("status", owner=F("agency_id") + 0)
        .annotate(n=Count("pk"), soon=Count("pk", filter=Q(target_date__lte=soon)))
        .values_list("status", "owner", "n", "soon")
    )


# The tracker's reads of every action of the partnership (the business unit and partner leads,
# not under a year) with the SQL built once per shape: which filters are set, and for the rows
# the view (issue 16; ADRs 0038, 0045). Building them in the ORM cost the page more than
# running them. The placeholders stand for the values that change.
_DAY_PLACEHOLDER = datetime.date(1901, 2, 3)
_SOON_PLACEHOLDER = datetime.date(1901, 2, 4)
_PLACEHOLDERS = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
    "today": (_DAY_PLACEHOLDER, Action._meta.get_field("target_date")),
    "soon": (_SOON_PLACEHOLDER, Action._meta.get_field("target_date")),
    "theme_id": (-7_301_946_291, Theme._meta.pk),
    "agency_id": (-7_301_946_292, Agency._meta.pk),
    "review_type": ("review-type-placeholder", Review._meta.get_field("kind")),
}


class _Shapes:
    """A read built once per shape (``shape``: what the build takes besides the values; the
    names of the values given: which filters are set) and database."""

    def __init__(self, build, page_size: int | None = None):
        self.build = build
        self.page_size = page_size
        self._queries: dict[tuple, CompiledQuery] = {}

    def query(self, shape: tuple, values) -> CompiledQuery:
        names = frozenset(name for name in values if name != "offset")
        key = (shape, names)
        if key not in self._queries:
            self._queries[key] = CompiledQuery(
                lambda **given: self.build(*shape, **given),
                {name: _PLACEHOLDERS[name] for name in names},
                page_size=self.page_size,
            )
        return self._queries[key]


def compiled_values(*, user, partnership: Partnership, filters: TrackerFilters) -> dict | None:
    """The values of the tracker's reads built once (the partnership, the filters set), or None
    where they do not serve: a contributor (their own agencies, a list of any length) and the
    counts under a year (counted)."""
    if filters.year or not sees_every_action(user, partnership):
        return None
    values: dict[str, Any] = {"partnership_id": partnership.pk}
    if filters.theme is not None:
        values["theme_id"] = filters.theme.pk
    if filters.agency is not None:
        values["agency_id"] = filters.agency.pk
    if filters.review_type:
        values["review_type"] = filters.review_type
    return values


def _filters_of(theme_id=None, agency_id=None, review_type: str = "") -> TrackerFilters:
    """The filters the values stand for, to build a read from."""
    return TrackerFilters(
        theme=None if theme_id is None else Theme(pk=theme_id),
        agency=None if agency_id is None else Agency(pk=agency_id),
        review_type=review_type,
    )


def _open_under_theme(
    partnership_id: int, theme_id: int, agency_id=None, review_type: str = ""
) -> QuerySet[OpenActionTheme]:
    """The partnership's open actions under the theme (and the agency, the review type), from
    their kept rows (``OpenActionTheme``, migration actions 0012)."""
    kept = OpenActionTheme.objects.filter(theme_id=theme_id, partnership_id=partnership_id)
    if agency_id is not None:
        kept = kept.filter(agency_id=agency_id)
    if review_type:
        kept = kept.filter(review_kind=review_type)
    return kept


def _theme_dated_counts(partnership_id, today, soon, theme_id, **filters) -> QuerySet:
    """``_dated_counts`` under a theme, from the kept rows of the open actions: a range of the
    ``open_theme_kind_dated`` (or ``open_theme_dated``) index alone, no action, recommendation or
    review read (issue 16: 0.6 → 1.5 ms from one year to ten, each action looked up in the
    theme's recommendations and its review read for its kind)."""
    return (
        _open_under_theme(partnership_id, theme_id, **filters)
        .filter(target_date__gte=today)
        .order_by()
        .values("status", owner=F("agency_id"))
        .annotate(n=Count("pk"), soon=Count("pk", filter=Q(target_date__lte=soon)))
        .values_list("status", "owner", "n", "soon")
    )


_KEPT_COUNTS = _Shapes(
    lambda partnership_id, **filters: _kept_counts(
        Partnership(pk=partnership_id), _filters_of(**filters)
    )
)
_DATED_COUNTS = _Shapes(
    lambda partnership_id, today, soon, **filters: _dated_counts(
        Action.objects.filter(partnership_id=partnership_id),
        _filters_of(**filters),
        today=today,
        soon=soon,
    )
)
_THEME_DATED_COUNTS = _Shapes(_theme_dated_counts)


def tracker_counts(
    *,
    user,
    partnership: Partnership,
    filters: TrackerFilters,
    today: datetime.date,
    known: list[Agency] | None = None,
) -> tuple[dict[str, int], list[dict]]:
    """How many of the actions the user sees under ``filters`` are in each view, in total and per
    owner agency (as ``tracker_counts_by_agency``, which counts them under a year).

    Otherwise from the kept counts (``ActionCount``, or ``ActionThemeCount`` under a theme, kept
    by database triggers: per agency, status, review kind and whether the recommendation's
    impact is missing), a few rows however
    many actions the years have left (issue 16: the grouped counts over ten years' 10,000
    actions took 20 ms against 1 in a first year), and one grouped count of the open actions due
    from today on (the ``action_dated_answering`` index alone): the due-soon view is among them,
    and the overdue view is every action in its statuses less those. Three queries, as
    before."""
    if filters.year:
        visible = actions_visible_to(
            user=user, partnership=partnership, by_recommendation=filters.theme is not None
        )
        return tracker_counts_by_agency(filtered_actions(visible, filters), today, known=known)
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    values = compiled_values(user=user, partnership=partnership, filters=filters)
    if values is not None:  # every action of the partnership: the SQL built once (issue 16)
        kept_rows = _KEPT_COUNTS.query((), values).read_values(**values)
        dated_values = {**values, "today": today, "soon": soon}
        # Under a theme, the open actions' kept rows (ADR 0060).
        dated = _THEME_DATED_COUNTS if filters.theme is not None else _DATED_COUNTS
        dated_rows = dated.query((), dated_values).read_values(**dated_values)
    else:  # a contributor's own agencies
        own = own_agency_ids(user, partnership)
        kept_rows = list(_kept_counts(partnership, filters, agency_ids=own))
        visible = actions_visible_to(user=user, partnership=partnership)
        dated_rows = list(_dated_counts(visible, filters, today=today, soon=soon))
    per_agency: dict[int, dict[str, int]] = {}
    for agency_id, status, impact_missing, n in kept_rows:
        if not n:
            continue
        counts = per_agency.setdefault(agency_id, dict.fromkeys(VIEW_LABELS, 0))
        counts["all"] += n
        if status in Action.OPEN:
            counts["open"] += n
        if status in Action.AGENCY_SETTABLE:
            counts["overdue"] += n  # less those due from today on, below
        if status == Status.AT_RISK:
            counts["at_risk"] += n
        if status == Status.COMPLETION_REQUESTED:
            counts["awaiting_acceptance"] += n
        if status == Status.COMPLETE:
            counts["complete"] += n
            if impact_missing:
                counts["no_impact_evidence"] += n
        if status == Status.NOT_IMPLEMENTED:
            counts["not_implemented"] += n
    for status, owner, n, due_soon in dated_rows:
        counts = per_agency.setdefault(owner, dict.fromkeys(VIEW_LABELS, 0))
        counts["due_soon"] += due_soon
        if status in Action.AGENCY_SETTABLE:
            counts["overdue"] -= n
    return _by_agency_name(per_agency, known)


def _by_agency_name(
    per_agency: dict[int, dict[str, int]], known: list[Agency] | None = None
) -> tuple[dict[str, int], list[dict]]:
    """The totals of every view, and a row per agency (name, slug and counts) by name: taken
    from ``known`` (agencies read in the database's order of names, as the tracker's filter
    has them) when it holds every agency counted, else read (issue 16: one query less on every
    tracker page; names are unique, so the order by name alone is the order by name and id)."""
    agencies: list[Agency] | QuerySet[Agency]
    if known is not None and per_agency.keys() <= {agency.pk for agency in known}:
        agencies = [agency for agency in known if agency.pk in per_agency]
    else:
        agencies = Agency.objects.filter(pk__in=list(per_agency)).only("slug", "name")
        agencies = agencies.order_by("name", "pk")
    rows: list[dict[str, Any]] = [
        {"agency__slug": agency.slug, "agency__name": agency.name, **per_agency[agency.pk]}
        for agency in agencies
    ]
    totals = {key: sum(row[key] for row in rows) for key in VIEW_LABELS}
    return totals, rows


# The action's own columns on the tracker's page and in its spreadsheet.
_ACTION_COLUMNS = ("number", "text", "lead_name", "target_date", "status", "completed_on")


def tracker_rows(
    actions: QuerySet[Action],
    *,
    view: str,
    today: datetime.date,
    upto: int | None = None,
    soon=None,
):
    """The rows of the table for ``view``: soonest target first, each with its review and agency
    (one query per page).

    ``upto``: only the first ``upto`` rows are wanted (a page's last row). For a view of several
    statuses (open, due soon, overdue) the rows are then taken from the first ``upto`` of each
    status, each read in order from the ``action_tracker`` index (partnership, status, target
    date) with no sort: without it, the database read and sorted every open action to take 50
    (2,915 on ten years' actions, issue 16). The same rows in the same order: the first
    ``upto`` of the view are among the first ``upto`` of their own status."""
    several = _status_views(today, soon)
    if upto is not None and view in several:
        # Each status's first rows (they come from ``actions``, so the scope and filters hold);
        # the outer query reads them by primary key.
        statuses, dates = several[view]
        firsts = Q()
        for status in statuses:
            ordered = actions.filter(dates, status=status).order_by("target_date", "pk")
            firsts |= Q(pk__in=ordered.values("pk")[:upto])
        chosen = Action.objects.filter(firsts)
    else:
        chosen = actions.filter(view_conditions(today, soon).get(view, Q()))
    rows = chosen.select_related("recommendation", "recommendation__review", "agency").only(
        "id",
        *_ACTION_COLUMNS,
        "agency__id",
        "agency__name",
        "agency__slug",
        "recommendation__id",
        "recommendation__number",
        "recommendation__review__id",
        "recommendation__review__reference",
        "recommendation__review__title",
    )
    return rows.order_by("target_date", "pk")


class TrackerRow(NamedTuple):
    """An action as a row of the tracker's table shows it (``rows.tracker_rows_html``): read
    as values, not as an action with its recommendation, review and agency (issue 16: making
    those four models for each of a page's 50 rows cost the page more than its query)."""

    pk: int
    number: int
    text: str
    lead_name: str
    target_date: datetime.date
    status: str
    agency_name: str
    recommendation_number: int
    review_reference: str
    review_title: str
    tag: dict[str, str]

    @classmethod
    def of(cls, action: Action, today: datetime.date) -> "TrackerRow":
        """The row of an action read as a model (with its recommendation, review and agency)."""
        review = action.recommendation.review
        return cls(
            action.pk,
            action.number,
            action.text,
            action.lead_name,
            action.target_date,
            action.status,
            action.agency.name,
            action.recommendation.number,
            review.reference,
            review.title,
            status_tag_of(action.status, action.target_date, today),
        )


# The columns of a ``TrackerRow`` but its tag, in its order.
_ROW_VALUES = (
    "pk",
    "number",
    "text",
    "lead_name",
    "target_date",
    "status",
    "agency__name",
    "recommendation__number",
    "recommendation__review__reference",
    "recommendation__review__title",
)


def _tracker_row_values(rows: QuerySet[Action]) -> QuerySet:
    """``tracker_rows``' rows as the values of a ``TrackerRow`` (the same joins, rows and
    order)."""
    return rows.values_list(*_ROW_VALUES)


def _rows_of(values: list[tuple], today: datetime.date) -> list[TrackerRow]:
    return [TrackerRow._make((*row, status_tag_of(row[5], row[4], today))) for row in values]


# The days each view's condition compares with (the names of their placeholders).
_VIEW_DAYS = {"due_soon": ("today", "soon"), "overdue": ("today",)}


def _page_rows(view: str, partnership_id: int, today=None, soon=None, **filters) -> QuerySet:
    """The rows of ``view`` under the filters, for the SQL built once: a narrowed view's whole
    list (read a page at a time, the offset a parameter), else its first page's rows."""
    chosen = _filters_of(**filters)
    if soon is None:  # a view comparing no "soon" day: not worked out from a placeholder
        soon = today
    several = _status_views(today, soon)
    if chosen.theme is not None and view in several:
        # A view of open actions under a theme: their kept rows in the index's order of target
        # date and action, read up to the page's end (ADR 0060; issue 16: each overdue action
        # of ten years looked up in the theme's recommendations and its review read for its
        # kind, then sorted, 0.1 → 1.7 ms from one year to ten).
        statuses, dates = several[view]
        kept = _open_under_theme(partnership_id, **filters).filter(dates, status__in=statuses)
        return kept.order_by("target_date", "action_id").values_list(
            *(f"action__{name}" for name in _ROW_VALUES)
        )
    actions = filtered_actions(Action.objects.filter(partnership_id=partnership_id), chosen)
    if chosen.narrowed:
        return _tracker_row_values(tracker_rows(actions, view=view, today=today, soon=soon))
    upto = TRACKER_PAGE_SIZE
    rows = tracker_rows(actions, view=view, today=today, soon=soon, upto=upto)
    return _tracker_row_values(rows)[:upto]


_NARROWED_ROWS = _Shapes(_page_rows, page_size=TRACKER_PAGE_SIZE)
_FIRST_ROWS = _Shapes(_page_rows)


class TrackerPageRows:
    """The rows of ``view`` for a Paginator whose count is already known, as ``TrackerRow``s
    (tagged for ``today``): a slice reads only the rows up to its end
    (``tracker_rows(upto=...)``), in one query. Not for actions under a
    theme, review type or year (``narrowed``): those filters join each action read to its
    recommendation, and reading each status's first rows apart read more actions than one
    pass (9 ms against 5 on ten years' actions).

    ``compiled``: the values of the reads built once (``compiled_values``), used for a page of
    ``TRACKER_PAGE_SIZE`` rows or fewer: any page of a narrowed view, the first of the others
    (issue 16)."""

    def __init__(
        self,
        actions: QuerySet[Action],
        *,
        view: str,
        today: datetime.date,
        narrowed: bool,
        compiled: dict | None = None,
    ):
        self.actions, self.view, self.today, self.narrowed = actions, view, today, narrowed
        self.compiled = compiled

    def __getitem__(self, bounds: slice) -> list[TrackerRow]:
        start, stop = bounds.start or 0, bounds.stop
        wanted = stop - start
        if wanted <= 0:
            return []  # an empty list: no query, as the ORM's empty slice
        compiled = self.compiled is not None and self.view in VIEW_LABELS
        if compiled and 0 <= wanted <= TRACKER_PAGE_SIZE and (self.narrowed or start == 0):
            return _rows_of(self._compiled(start)[:wanted], self.today)
        upto = None if self.narrowed else bounds.stop
        rows = tracker_rows(self.actions, view=self.view, today=self.today, upto=upto)
        return _rows_of(list(_tracker_row_values(rows)[bounds]), self.today)

    def _compiled(self, start: int) -> list[tuple]:
        values = dict(self.compiled or {})
        days = {"today": self.today, "soon": add_working_days(self.today, DUE_SOON_WORKING_DAYS)}
        for name in _VIEW_DAYS.get(self.view, ()):
            values[name] = days[name]
        if self.narrowed:
            values["offset"] = start
            return _NARROWED_ROWS.query((self.view,), values).read_values(**values)
        return _FIRST_ROWS.query((self.view,), values).read_values(**values)


# Choices for the filters -------------------------------------------------------------------------


# The choices' queries run on every tracker page: their SQL is built once (ADR 0038; issue 16:
# building them cost several times running them).
_PARTNERSHIP_AGENCIES = CompiledQuery(
    lambda partnership_id: Agency.objects.filter(partnerships=partnership_id).order_by("name"),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)},
)
_THEMES_TAGGED = CompiledQuery(
    lambda partnership_id: Theme.objects.filter(
        Exists(
            FindingThemeCount.objects.filter(
                theme_id=OuterRef("pk"), partnership_id=partnership_id, n__gt=0
            )
        )
    ).order_by("facet", "name"),
    {"partnership_id": (PARTNERSHIP_PLACEHOLDER, FindingThemeCount._meta.get_field("partnership"))},
)


def _agreed_span(partnership_id: int) -> QuerySet:
    reviews = Review.objects.filter(partnership_id=partnership_id).values("pk")
    agreed = (
        Recommendation.objects.alias(of_review=F("review_id") + 0)
        .filter(of_review__in=reviews)
        .values("agreed_on")
    )
    return (
        Partnership.objects.filter(pk=partnership_id)
        .order_by()
        .values_list(
            Subquery(agreed.order_by("agreed_on")[:1]),
            Subquery(agreed.order_by("-agreed_on")[:1]),
        )
    )


_AGREED_SPAN = CompiledQuery(
    _agreed_span, {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)}
)


def filter_agencies(*, user, partnership: Partnership) -> list[Agency]:
    """The agencies a user may filter by: the partnership's, or a contributor's own."""
    if sees_every_action(user, partnership):
        return _PARTNERSHIP_AGENCIES.objects(
            router.db_for_read(Agency), partnership_id=partnership.pk
        )
    return list(Agency.objects.filter(pk__in=own_agency_ids(user, partnership)).order_by("name"))


def filter_themes(*, partnership: Partnership) -> list[Theme]:
    """The themes tagged on findings of the partnership's reviews (the ones that can match):
    those with a finding of the partnership's in the kept counts (``FindingThemeCount``, issue
    16), not a lookup through every link of each theme."""
    return _THEMES_TAGGED.objects(router.db_for_read(Theme), partnership_id=partnership.pk)


def filter_years(*, partnership: Partnership) -> list[int]:
    """The years from the first recommendation agreed to the last, newest first.

    The first and last dates in one query, each the first of the partnership's recommendations
    in the ``recommendation_agreed`` index's order (agreed date, review), each looked up in the
    list of the partnership's reviews: a walk of the index that stops at the first of the
    partnership's, not a ``MIN``/``MAX`` over every recommendation it ever agreed (issue 16: 0.1
    → 1.5 ms from one year to ten). The review is compared as ``review_id + 0`` so that SQLite
    does not read the reviews' recommendations and sort them instead."""
    rows = _AGREED_SPAN.rows(router.db_for_read(Recommendation), partnership_id=partnership.pk)
    if not rows or rows[0][0] is None:
        return []
    # The raw column: a date on PostgreSQL, its ISO text on SQLite.
    first, last = (int(str(value)[:4]) for value in rows[0])
    return list(range(last, first - 1, -1))


# The tracker as a spreadsheet ------------------------------------------------------------------


def _latest_update():
    return ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id")


#: Actions read from the database at a time by the export (a server-side cursor on PostgreSQL).
EXPORT_CHUNK = 2_000


def tracker_export_rows(
    actions: QuerySet[Action], *, view: str, today: datetime.date
) -> Iterator[dict]:
    """Every action under the view and filters, as plain rows for the tracker spreadsheet: a
    fixed number of queries (the findings and themes of their recommendations, then the actions
    with their latest update and evidence count). The rows are yielded as they are read, a
    chunk at a time, so memory holds one chunk of actions (and the findings and themes of every
    recommendation), however many there are; the queries run when the first row is asked for."""
    condition = view_conditions(today).get(view, Q())
    chosen = actions.filter(condition)
    evidence_count = (
        ActionEvidence.objects.filter(action=OuterRef("pk"))
        .order_by()
        .values("action")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (  # dicts, which get display fields below
        chosen.annotate(
            latest_update_at=Subquery(_latest_update().values("created_at")[:1]),
            latest_update_note=Subquery(_latest_update().values("note")[:1]),
            evidence_count=Coalesce(Subquery(evidence_count), 0),
            overdue=Case(
                When(Q(status__in=Action.AGENCY_SETTABLE, target_date__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values(
            "pk",
            *_ACTION_COLUMNS,
            "not_implemented_reason",
            "latest_update_at",
            "latest_update_note",
            "evidence_count",
            "overdue",
            "recommendation_id",
            agency_name=F("agency__name"),
            recommendation_number=F("recommendation__number"),
            recommendation_text=F("recommendation__text"),
            impact_method=F("recommendation__impact_method"),
            impact_plan=F("recommendation__impact_plan"),
            impact_result=F("recommendation__impact_result"),
            impact_judgement=F("recommendation__impact_judgement"),
            review_reference=F("recommendation__review__reference"),
            review_title=F("recommendation__review__title"),
            review_kind=F("recommendation__review__kind"),
        )
        .order_by("recommendation__review__reference", "recommendation__number", "number")
    )
    recommendation_ids = chosen.values("recommendation_id")
    findings: dict[int, list[str]] = defaultdict(list)
    for link in (
        Recommendation.findings.through.objects.filter(recommendation_id__in=recommendation_ids)
        .order_by("recommendation_id", "finding__number")
        .values("recommendation_id", "finding__number", "finding__title")
        .iterator(chunk_size=EXPORT_CHUNK)
    ):
        findings[link["recommendation_id"]].append(
            f"{link['finding__number']}. {link['finding__title']}"
        )
    themes: dict[int, set[str]] = defaultdict(set)
    for theme_link in (
        Recommendation.findings.through.objects.filter(
            recommendation_id__in=recommendation_ids, finding__themes__isnull=False
        )
        .values("recommendation_id", "finding__themes__name")
        .iterator(chunk_size=EXPORT_CHUNK)
    ):
        themes[theme_link["recommendation_id"]].add(theme_link["finding__themes__name"])
    kinds = dict(Review.Kind.choices)
    statuses = dict(Status.choices)
    methods = dict(Recommendation.ImpactMethod.choices)
    judgements = dict(Recommendation.Judgement.choices)
    for values in rows.iterator(chunk_size=EXPORT_CHUNK):
        row: dict[str, Any] = dict(values)  # a plain dict, which gets display fields below
        recommendation_id = row["recommendation_id"]
        row["reference"] = f"{row['recommendation_number']}.{row['number']}"
        row["review_kind_label"] = kinds.get(row["review_kind"], row["review_kind"])
        row["status_label"] = statuses.get(row["status"], row["status"])
        row["impact_method_label"] = methods.get(row["impact_method"], "")
        row["impact_judgement_label"] = judgements.get(row["impact_judgement"], "")
        row["findings"] = findings.get(recommendation_id, [])
        row["themes"] = sorted(themes.get(recommendation_id, ()))
        if row["latest_update_at"] is not None:
            row["latest_update_on"] = timezone.localdate(row["latest_update_at"])
        else:
            row["latest_update_on"] = None
        yield row
