import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.accounts.permissions import is_business_unit, is_partner_lead
from safeguarding.core.calendar import add_working_days
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, PK_PLACEHOLDER, CompiledQuery

from .models import (
    Basis,
    Milestone,
    MilestoneRule,
    PartnershipMilestoneSetting,
    subject_type_for,
)


def milestone_list_for_subject(*, subject: Model) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(subject_type=subject_type_for(subject), subject_id=subject.pk)
        .select_related("rule", "partnership")
        .order_by("due_on", "id")
    )


# A subject's milestones, as ``milestone_list_for_subject`` reads them, from SQL built once
# (issue 16: the case and review pages; core.compiled_sql).
_SUBJECT_MILESTONES = CompiledQuery(
    lambda subject_type_id, subject_id: (
        Milestone.objects.filter(subject_type_id=subject_type_id, subject_id=subject_id)
        .select_related("rule", "partnership")
        .order_by("due_on", "id")
    ),
    {
        "subject_type_id": (PARTNERSHIP_PLACEHOLDER, ContentType._meta.pk),
        # A positive column: its placeholder is a (positive) id no subject has.
        "subject_id": (-PK_PLACEHOLDER, Milestone._meta.get_field("subject_id")),
    },
)


def milestone_rows_for_subject(*, subject: Model) -> list[Milestone]:
    return _SUBJECT_MILESTONES.read(
        subject_type_id=subject_type_for(subject).pk, subject_id=subject.pk
    )


def milestone_get_for_user(*, user, partnership: Partnership, pk: int) -> Milestone:
    """A milestone of the partnership's referrals, cases and reviews, for those who see every
    case (the business unit and partner leads); 404 for anyone else, whether or not it exists
    (ADR 0010)."""
    if not (is_business_unit(user, partnership) or is_partner_lead(user, partnership)):
        raise Http404("No such milestone")
    try:
        return Milestone.objects.select_related("rule").get(partnership=partnership, pk=pk)
    except Milestone.DoesNotExist:
        raise Http404("No such milestone") from None


class DashboardMilestone(NamedTuple):
    """What the dashboard shows of a milestone and its rule (read as values: issue 16)."""

    pk: int
    status: str
    due_on: datetime.date
    subject_label: str
    subject_url: str
    paused_reason: str
    rule_name: str
    rule_id: str
    basis: str

    def get_basis_display(self) -> str:
        return str(Basis(self.basis).label)


_DASHBOARD_COLUMNS = (
    "pk",
    "status",
    "due_on",
    "subject_label",
    "subject_url",
    "paused_reason",
    "rule__name",
    "rule__rule_id",
    "rule__basis",
)


@dataclass(frozen=True)
class Dashboard:
    overdue: list[DashboardMilestone]
    due_this_week: list[DashboardMilestone]
    paused: list[DashboardMilestone]
    limit: int


# The dashboard's three lists, their SQL built once per limit (issue 16: the business unit's
# home, on every sign-in; core.compiled_sql). The partnership and the days are parameters.
_TODAY_PLACEHOLDER = datetime.date(1901, 3, 4)
_WEEK_END_PLACEHOLDER = datetime.date(1901, 3, 5)
_DASHBOARD_PLACEHOLDERS = {
    "partnership_id": (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk),
    "today": (_TODAY_PLACEHOLDER, Milestone._meta.get_field("due_on")),
    "week_end": (_WEEK_END_PLACEHOLDER, Milestone._meta.get_field("due_on")),
}


def _open_milestones(partnership_id: int) -> QuerySet[Milestone]:
    return Milestone.objects.filter(partnership=partnership_id)


def _overdue(partnership_id: int, today: datetime.date) -> QuerySet[Milestone]:
    return _open_milestones(partnership_id).filter(status=Milestone.Status.DUE, due_on__lt=today)


def _due_this_week(
    partnership_id: int, today: datetime.date, week_end: datetime.date
) -> QuerySet[Milestone]:
    return _open_milestones(partnership_id).filter(
        status=Milestone.Status.DUE, due_on__gte=today, due_on__lte=week_end
    )


def _paused(partnership_id: int) -> QuerySet[Milestone]:
    return _open_milestones(partnership_id).filter(status=Milestone.Status.PAUSED)


#: Each list of the dashboard: the read (soonest first) and the values it takes.
_DASHBOARD_LISTS: dict[str, tuple[Callable[..., QuerySet[Milestone]], tuple[str, ...]]] = {
    "overdue": (_overdue, ("partnership_id", "today")),
    "due_this_week": (_due_this_week, ("partnership_id", "today", "week_end")),
    "paused": (_paused, ("partnership_id",)),
}
_DASHBOARD_QUERIES: dict[tuple[str, int], CompiledQuery] = {}


def _dashboard_query(name: str, limit: int) -> CompiledQuery:
    if (name, limit) not in _DASHBOARD_QUERIES:
        read, takes = _DASHBOARD_LISTS[name]
        _DASHBOARD_QUERIES[(name, limit)] = CompiledQuery(
            lambda **values: (
                read(**values).order_by("due_on", "id").values_list(*_DASHBOARD_COLUMNS)[:limit]
            ),
            {key: _DASHBOARD_PLACEHOLDERS[key] for key in takes},
        )
    return _DASHBOARD_QUERIES[(name, limit)]


def milestone_dashboard(
    *, partnership: Partnership, today: datetime.date, limit: int = 25
) -> Dashboard:
    """Overdue, due in the next 5 working days, and paused: each list capped at ``limit`` so the
    page does the same work however many milestones there are. Three queries, each reading
    only what the dashboard shows."""
    values = {
        "partnership_id": partnership.pk,
        "today": today,
        "week_end": add_working_days(today, 5),
    }
    lists = {}
    for name, (_read, takes) in _DASHBOARD_LISTS.items():
        query = _dashboard_query(name, limit)
        rows = query.read_values(**{key: values[key] for key in takes})
        lists[name] = [DashboardMilestone(*row) for row in rows]
    return Dashboard(**lists, limit=limit)


@dataclass(frozen=True)
class RuleSetting:
    rule: MilestoneRule
    offset_amount: int
    enabled: bool
    changed: bool


def rule_settings_for_partnership(*, partnership: Partnership) -> list[RuleSetting]:
    """Every rule for the review types the partnership runs, with its value in this partnership."""
    types = [t.value for t in partnership.review_types]
    own = {
        s.rule_id: s for s in PartnershipMilestoneSetting.objects.filter(partnership=partnership)
    }
    rows = []
    for rule in MilestoneRule.objects.filter(review_type__in=types).order_by("review_type", "id"):
        setting = own.get(rule.pk)
        rows.append(
            RuleSetting(
                rule=rule,
                offset_amount=setting.offset_amount
                if setting and rule.configurable
                else rule.offset_amount,
                enabled=setting.enabled if setting else True,
                changed=setting is not None,
            )
        )
    return rows


def configurable_rule_get(*, partnership: Partnership, pk: int):
    from django.http import Http404

    types = [t.value for t in partnership.review_types]
    try:
        return MilestoneRule.objects.get(pk=pk, configurable=True, review_type__in=types)
    except MilestoneRule.DoesNotExist:
        raise Http404("No such setting") from None
