import datetime
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from safeguarding.accounts.models import Partnership
from safeguarding.core.calendar import add_working_days

from .models import Milestone, subject_type_for


def milestone_list_for_subject(*, subject: Model) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(subject_type=subject_type_for(subject), subject_id=subject.pk)
        .select_related("rule")
        .order_by("due_on", "id")
    )


def milestone_get(*, partnership: Partnership, pk: int) -> Milestone:
    from django.http import Http404

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
