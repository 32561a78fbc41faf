"""Reads for a review's action plan (its page and its exports) and the pages of one action,
scoped to one partnership.

Lists load their related rows up front (select_related / prefetch_related) so a page's query
count does not grow with the number of findings, recommendations or actions.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.core.compiled_sql import (
    PK_PLACEHOLDER,
    CompiledQuery,
    ManyToManyQuery,
    RecordQuery,
    set_prefetched,
)
from safeguarding.reviews.models import Finding, Review

from . import permissions, services
from .models import Action, ActionEvidence, ActionUpdate, FindingThemeCount, Recommendation, Theme
from .rows import theme_rows_html
from .status_tags import status_tag

Status = Action.Status


def _tagged(actions, today: datetime.date):
    for action in actions:
        action.tag = status_tag(action, today)
    return actions


# The action plan of a review -------------------------------------------------------------------


# The action plan's reads, each of the whole review, with the SQL built once (issue 16; ADR
# 0040): what ``prefetch_related`` read with an ``IN`` of the page's findings and
# recommendations is one read of the review's rows, given to each parent in Python, as the
# prefetch leaves them (``set_prefetched``: the template calls ``.all()``).
def _of_review(build) -> CompiledQuery:
    return CompiledQuery(build, {"review_id": (PK_PLACEHOLDER, Review._meta.pk)})


_PLAN_FINDINGS = _of_review(
    lambda review_id: Finding.objects.filter(review_id=review_id).order_by("number")
)
_PLAN_FINDING_THEMES = _of_review(
    lambda review_id: (
        Theme.findings.through.objects.filter(finding__review_id=review_id)
        .select_related("theme")
        .order_by("theme__facet", "theme__name")
    )  # Theme's order, as the prefetch read them
)
_PLAN_RECOMMENDATIONS = _of_review(
    lambda review_id: Recommendation.objects.filter(review_id=review_id).order_by("number")
)
_PLAN_ANSWERED = _of_review(
    lambda review_id: (
        Recommendation.findings.through.objects.filter(recommendation__review_id=review_id)
        .select_related("finding")
        .order_by("finding__number")
    )
)
_PLAN_ADDRESSED = _of_review(
    lambda review_id: (
        Recommendation.agencies.through.objects.filter(recommendation__review_id=review_id)
        .select_related("agency")
        .order_by("agency__name")
    )  # Agency's order, as the prefetch read them
)
_PLAN_ACTIONS = _of_review(
    lambda review_id: (
        Action.objects.filter(recommendation__review_id=review_id)
        .select_related("agency")
        .order_by("number")
    )
)


def _grouped(rows, key: str, value: str | None = None) -> dict[int, list]:
    """The rows (or each row's ``value``) by their ``key`` id, in the rows' order."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(
            row if value is None else getattr(row, value)
        )
    return grouped


def plan_findings(*, review: Review) -> list[Finding]:
    """The review's findings and learning points, with their themes (``finding.themes.all()``,
    by facet and name)."""
    findings = _PLAN_FINDINGS.read(review_id=review.pk)
    if findings:
        themes = _grouped(_PLAN_FINDING_THEMES.read(review_id=review.pk), "finding_id", "theme")
        for finding in findings:
            set_prefetched(finding, "themes", Theme, themes.get(finding.pk, []))
    return findings


def plan_recommendations(*, review: Review, today: datetime.date) -> list[Recommendation]:
    """The review's recommendations with the findings they answer, the agencies they are
    addressed to and their actions (each with ``tag``: status label and colour)."""
    recommendations = _PLAN_RECOMMENDATIONS.read(review_id=review.pk)
    if not recommendations:
        return recommendations
    answered = _grouped(_PLAN_ANSWERED.read(review_id=review.pk), "recommendation_id", "finding")
    addressed = _grouped(_PLAN_ADDRESSED.read(review_id=review.pk), "recommendation_id", "agency")
    actions = _grouped(_PLAN_ACTIONS.read(review_id=review.pk), "recommendation_id")
    for recommendation in recommendations:
        set_prefetched(recommendation, "findings", Finding, answered.get(recommendation.pk, []))
        set_prefetched(recommendation, "agencies", Agency, addressed.get(recommendation.pk, []))
        own = actions.get(recommendation.pk, [])
        for action in own:
            # Action.reference reads recommendation.number: the row already read.
            action.recommendation = recommendation
        set_prefetched(recommendation, "actions", Action, own)
        _tagged(own, today)
    return recommendations


def finding_get(*, review: Review, pk: int) -> Finding:
    try:
        return review.findings.prefetch_related("themes").get(pk=pk)
    except Finding.DoesNotExist:
        raise Http404("No such finding") from None


# A recommendation's pages read it first, with its findings and agencies as
# ``prefetch_related`` gave them (in their models' order): the SQL is built once (issue 16).
_RECOMMENDATION = RecordQuery(
    lambda: Recommendation.objects.select_related("review", "review__partnership", "review__case"),
    lambda partnership: Q(review__partnership=partnership),
    partnership_model=Partnership,
)
_RECOMMENDATION_FINDINGS = ManyToManyQuery(Recommendation, "findings")
_RECOMMENDATION_AGENCIES = ManyToManyQuery(Recommendation, "agencies")


def recommendation_get_for_user(*, user, partnership: Partnership, pk: int) -> Recommendation:
    """A recommendation, for the readers of its review's action plan; 404 for anyone else,
    whether or not it exists (ADR 0010)."""
    recommendation = _RECOMMENDATION.get(partnership=partnership, pk=pk)
    if recommendation is None:
        raise Http404("No such recommendation")
    _RECOMMENDATION_FINDINGS.prefetch(recommendation)
    _RECOMMENDATION_AGENCIES.prefetch(recommendation)
    if not permissions.can_view_action_plan(user, recommendation.review):
        raise Http404("No such recommendation")
    return recommendation


# Themes ----------------------------------------------------------------------------------------


def themes_by_facet(*, partnership: Partnership) -> list[dict]:
    """The shared vocabulary and the partnership's own themes, grouped by facet, each with the
    number of this partnership's findings tagged with it (``finding_count``).

    The counts are kept per partnership and theme by database triggers (``FindingThemeCount``,
    migration actions 0009): counted, they read every theme link of the partnership's findings
    (6.8 ms on ten years' against 0.3 on a first year's, issue 16)."""
    tagged = dict(
        FindingThemeCount.objects.filter(partnership=partnership, n__gt=0).values_list(
            "theme_id", "n"
        )
    )
    grouped: dict[str, list[Theme]] = {facet: [] for facet in Theme.Facet.values}
    for theme in services.themes_available(partnership):
        theme.finding_count = tagged.get(theme.pk, 0)
        grouped[theme.facet].append(theme)
    return [
        {
            "facet": facet,
            "label": Theme.Facet(facet).label,
            "themes": grouped[facet],
            "rows": theme_rows_html(grouped[facet]),  # ADR 0034
        }
        for facet in Theme.Facet.values
    ]


# One action ------------------------------------------------------------------------------------


# Every page of an action reads it first: the SQL is built once (issue 16).
_ACTION = RecordQuery(
    lambda: Action.objects.select_related(
        "agency",
        "partnership",
        "recommendation",
        "recommendation__review",
        "recommendation__review__partnership",
    )
)


def action_get_for_user(*, user, partnership: Partnership, pk: int) -> Action:
    """An action, for the readers of its review's action plan and the contributors of the agency
    that owns it; 404 for anyone else, whether or not it exists (ADR 0010)."""
    action = _ACTION.get(partnership=partnership, pk=pk)
    if action is None:
        raise Http404("No such action")
    if not permissions.can_view_action(user, action):
        raise Http404("No such action")
    return action


def action_history(*, action: Action) -> QuerySet[ActionUpdate]:
    """Every update of the action, newest first, with its author and evidence."""
    return (
        action.updates.select_related("author")
        .prefetch_related(
            Prefetch("evidence", queryset=ActionEvidence.objects.order_by("uploaded_at", "id"))
        )
        .order_by("-created_at", "-id")
    )


def action_evidence(*, action: Action) -> QuerySet[ActionEvidence]:
    return action.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")


def completion_request_latest(*, action: Action) -> ActionUpdate | None:
    """The update that asked for the action to be accepted as complete (the latest one)."""
    return (
        action.updates.filter(kind=ActionUpdate.Kind.COMPLETION_REQUESTED)
        .select_related("author")
        .prefetch_related("evidence")
        .order_by("-created_at", "-id")
        .first()
    )


def evidence_get(*, action: Action, pk: int) -> ActionEvidence:
    try:
        return action.evidence.get(pk=pk)
    except ActionEvidence.DoesNotExist:
        raise Http404("No such file") from None


# A review's action plan, for the exports -------------------------------------------------------


@dataclass
class PlanAction:
    action: Action
    evidence: list[str]


@dataclass
class PlanRecommendation:
    recommendation: Recommendation
    findings: list[Finding]
    agencies: list[Agency]
    actions: list[PlanAction] = field(default_factory=list)


def action_plan_for_export(*, review: Review) -> list[PlanRecommendation]:
    """The review's recommendations in order, each with the findings it answers, the agencies it
    is addressed to, and its actions with their owner agency and evidence file names. Four
    queries, whatever the size of the plan."""
    recommendations = (
        Recommendation.objects.filter(review=review)
        .order_by("number")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("number")),
            Prefetch("agencies", queryset=Agency.objects.order_by("name")),
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("agency")
                .prefetch_related(
                    Prefetch(
                        "evidence",
                        queryset=ActionEvidence.objects.order_by("uploaded_at", "id").only(
                            "id", "action_id", "original_name", "description"
                        ),
                    )
                )
                .order_by("number"),
            ),
        )
    )
    plan = []
    for recommendation in recommendations:
        item = PlanRecommendation(
            recommendation=recommendation,
            findings=list(recommendation.findings.all()),
            agencies=list(recommendation.agencies.all()),
        )
        for action in recommendation.actions.all():
            action.recommendation = recommendation  # Action.reference reads its number
            item.actions.append(
                PlanAction(
                    action=action,
                    evidence=[evidence.original_name for evidence in action.evidence.all()],
                )
            )
        plan.append(item)
    return plan
