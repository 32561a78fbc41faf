import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.accounts.permissions import is_business_unit, is_partner_lead
from safeguarding.core.calendar import add_working_days
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, PK_PLACEHOLDER, CompiledQuery

from .models import Milestone, MilestoneRule, PartnershipMilestoneSetting, subject_type_for


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


@dataclass(frozen=True)
class Dashboard:
    overdue: list[Milestone]
    due_this_week: list[Milestone]
    paused: list[Milestone]
    limit: int


def milestone_dashboard(
    *, partnership: Partnership, today: datetime.date, limit: int = 25
) -> Dashboard:
    """Overdue, due in the next 5 working days, and paused: each list capped at ``limit`` so the
    page does the same work however many milestones there are."""
    open_ = Milestone.objects.filter(partnership=partnership).select_related("rule")
    week_end = add_working_days(today, 5)
    return Dashboard(
        overdue=list(
            open_.filter(status=Milestone.Status.DUE, due_on__lt=today).order_by("due_on", "id")[
                :limit
            ]
        ),
        due_this_week=list(
            open_.filter(
                status=Milestone.Status.DUE, due_on__gte=today, due_on__lte=week_end
            ).order_by("due_on", "id")[:limit]
        ),
        paused=list(open_.filter(status=Milestone.Status.PAUSED).order_by("due_on", "id")[:limit]),
        limit=limit,
    )


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
