"""Reads for one agency: its actions page (an agency of the partnership, or one that owns actions
in it). Who the action reminders go to is in reminders.py."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledQuery,
    aggregating,
)

from .models import Action
from .permissions import sees_every_action
from .tracker_selectors import TRACKER_PAGE_SIZE, own_agency_ids, tracker_rows, view_conditions

Status = Action.Status


# The agency's page -------------------------------------------------------------------------------


# The agency's page reads its agency, its counts and its rows with the SQL built once (issue 16;
# ADRs 0038, 0045): for those who see every action (a contributor's own agencies are a list of
# any length, read in the ORM).
_AGENCY = CompiledQuery(
    lambda partnership_id, slug: (
        Agency.objects.filter(slug=slug)
        .filter(
            Q(partnerships=partnership_id)
            | Exists(Action.objects.filter(partnership_id=partnership_id, agency=OuterRef("pk")))
        )
        # As .first(): the slug is unique (the join may repeat the agency).
        .order_by("pk")[:1]
    ),
    {
        "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
        "slug": ("agency-slug-placeholder", Agency._meta.get_field("slug")),
    },
)


def agency_get_for_user(*, user, partnership: Partnership, slug: str) -> Agency:
    """An agency of the partnership, or one that owns actions in it, for those who see every
    action and for the agency's own contributors; 404 otherwise (ADR 0010)."""
    found = _AGENCY.read(partnership_id=partnership.pk, slug=slug)
    agency = found[0] if found else None
    if agency is None or not (
        sees_every_action(user, partnership) or agency.pk in own_agency_ids(user, partnership)
    ):
        raise Http404("No such agency")
    return agency


AGENCY_STATUSES = [*Status.choices[:4], ("overdue", "Overdue"), *Status.choices[4:]]


def _aggregates(today: datetime.date) -> dict:
    # ``soon`` given: only the overdue view's condition is used, which compares no "soon".
    overdue = view_conditions(today, soon=today)["overdue"]
    return {
        "all": Count("pk"),
        "overdue": Count("pk", filter=overdue),
        **{status.value: Count("pk", filter=Q(status=status)) for status in Status},
    }


_COUNT_NAMES = ["all", "overdue", *Status.values]
_PLACEHOLDERS = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
    "agency_id": (PK_PLACEHOLDER, Agency._meta.pk),
    "today": (datetime.date(1901, 2, 3), Action._meta.get_field("target_date")),
}
_COUNTS = CompiledQuery(
    lambda partnership_id, agency_id, today: aggregating(
        Action.objects.filter(partnership_id=partnership_id, agency_id=agency_id).order_by(),
        **_aggregates(today),
    ),
    _PLACEHOLDERS,
)


def agency_status_counts(
    actions: QuerySet[Action], today: datetime.date, *, compiled: dict | None = None
) -> dict[str, int]:
    """How many of ``actions`` are in each status (and overdue, and in all), one query;
    ``compiled``: the partnership's and agency's ids, for the SQL built once (every action of
    the agency: ``actions`` is not read)."""
    if compiled is not None:
        row = _COUNTS.read_values(**compiled, today=today)[0]
        counts = dict(zip(_COUNT_NAMES, row, strict=True))
    else:
        counts = actions.aggregate(**_aggregates(today))
    return {key: value or 0 for key, value in counts.items()}


def agency_rows(actions: QuerySet[Action], *, status: str, today: datetime.date, soon=None):
    if status == "overdue":
        return tracker_rows(actions, view="overdue", today=today, soon=soon)
    if status:
        actions = actions.filter(status=status)
    return tracker_rows(actions, view="all", today=today, soon=soon)


def _agency_rows(status: str, partnership_id: int, agency_id: int, today=None) -> QuerySet:
    actions = Action.objects.filter(partnership_id=partnership_id, agency_id=agency_id)
    # ``soon`` given: no "soon" day worked out from a placeholder (no view here compares one).
    return agency_rows(actions, status=status, today=today, soon=today)


_ROWS: dict[str, CompiledQuery] = {}


class AgencyPageRows:
    """The agency's rows for a status (``""``: every status) for a Paginator whose count is
    known; ``compiled``: the partnership's and agency's ids, for a page read with the SQL built
    once per status, the offset a parameter (issue 16)."""

    def __init__(self, actions, *, status: str, today: datetime.date, compiled: dict | None):
        self.actions, self.status, self.today, self.compiled = actions, status, today, compiled

    def __getitem__(self, bounds: slice) -> list[Action]:
        start, stop = bounds.start or 0, bounds.stop
        if stop <= start:
            return []  # an empty list: no query, as the ORM's empty slice
        if self.compiled is None or not 0 <= stop - start <= TRACKER_PAGE_SIZE:
            return list(agency_rows(self.actions, status=self.status, today=self.today)[bounds])
        if self.status not in _ROWS:
            days = ["today"] if self.status == "overdue" else []
            names = ["partnership_id", "agency_id", *days]
            _ROWS[self.status] = CompiledQuery(
                lambda status=self.status, **values: _agency_rows(status, **values),
                {name: _PLACEHOLDERS[name] for name in names},
                page_size=TRACKER_PAGE_SIZE,
            )
        values = dict(self.compiled, offset=start)
        if self.status == "overdue":
            values["today"] = self.today
        return _ROWS[self.status].read(**values)[: stop - start]
