"""Reminders of the steps before publication (issue 13): a source of the clock's reminder engine
(clock/reminders.py, registered by the publication AppConfig), so each is sent at most once.

A publication not yet published or scheduled, with a planned publication date, has these due:

* the advance copies to the National Panel, the Secretary of State (and Ofsted where the
  partnership sends one): ``advance_copy_working_days`` working days before the planned date
  (R17);
* every other step its review types need (the Home Office saying it is content, R34; the copy to
  the Domestic Abuse Commissioner, R36; the Board's sign-off, R15): by the planned date;
* the publication itself: on the planned date.

The steps due on one date make one reminder: before it (within ``NOTICE_WORKING_DAYS``) and once
it has passed (for ``OVERDUE_REMINDER_DAYS``), to the partnership's business unit. The engine's
claim is per publication, kind and due date, so a step recorded late, or a planned date moved,
gives the reminders for the dates that are still to come. A step already recorded is not
reminded; a publication scheduled or published has nothing left to remind.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from safeguarding.accounts.models import Role, User
from safeguarding.accounts.selectors import user_list_with_role
from safeguarding.clock.models import ReminderClaim
from safeguarding.clock.reminders import Kind, Reminder, overdue_window_start
from safeguarding.core.calendar import add_working_days

from . import rules
from .models import PrePublicationStep, Publication

NOTICE_WORKING_DAYS = 10  # two working weeks to send a copy or chase the Home Office
ACTOR_LABEL = "Publication reminders"
NOTIFICATION = {
    Kind.UPCOMING: "publication.step_due_soon",
    Kind.OVERDUE: "publication.step_overdue",
}
ADVANCE_COPIES = (
    PrePublicationStep.Kind.ADVANCE_COPY_PANEL,
    PrePublicationStep.Kind.ADVANCE_COPY_SOS,
    PrePublicationStep.Kind.ADVANCE_COPY_OFSTED,
)


@dataclass(frozen=True)
class StepsDue:
    """What must be done by one date before a publication goes out."""

    due_on: datetime.date
    steps: tuple[str, ...]  # the labels of the steps not yet recorded
    publish: bool  # the planned publication date itself


def steps_due(publication: Publication) -> list[StepsDue]:
    """The steps of ``publication`` not yet recorded, grouped by the date they are due, and the
    publication itself on its planned date; earliest first. Empty without a planned date."""
    planned = publication.planned_publish_on
    if planned is None or publication.status != Publication.Status.DRAFT:
        return []
    done = {step.kind for step in publication.steps.all()}
    advance_days = rules.settings_for(publication.partnership).advance_copy_working_days
    by_date: dict[datetime.date, list[str]] = {planned: []}
    for kind, _rule in rules.required_steps(publication):
        if kind in done:
            continue
        due_on = add_working_days(planned, -advance_days) if kind in ADVANCE_COPIES else planned
        by_date.setdefault(due_on, []).append(PrePublicationStep.Kind(kind).label)
    return [
        StepsDue(due_on=due_on, steps=tuple(labels), publish=due_on == planned)
        for due_on, labels in sorted(by_date.items())
    ]


def reminder_kind(due: StepsDue, today: datetime.date) -> str | None:
    if due.due_on < today:
        return Kind.OVERDUE if due.due_on >= overdue_window_start(today) else None
    if due.due_on <= add_working_days(today, NOTICE_WORKING_DAYS):
        return Kind.UPCOMING
    return None


def publication_reminders_due(today: datetime.date) -> list[tuple[Publication, StepsDue, str]]:
    """Every (publication, steps due on one date, kind) to remind ``today`` and not reminded
    yet. Publications with a planned date are few; their claims are read in one query."""
    publications = list(
        Publication.objects.filter(
            status=Publication.Status.DRAFT,
            archived_at__isnull=True,
            planned_publish_on__isnull=False,
            planned_publish_on__gte=overdue_window_start(today),
        )
        .select_related("partnership", "review")
        .prefetch_related("steps", "review__tracks")
        .order_by("planned_publish_on", "id")
    )
    claimed = set(
        ReminderClaim.objects.filter(
            subject_type=ContentType.objects.get_for_model(Publication),
            subject_id__in=[publication.pk for publication in publications],
        ).values_list("subject_id", "kind", "due_on")
    )
    due = []
    for publication in publications:
        for group in steps_due(publication):
            kind = reminder_kind(group, today)
            if kind and (publication.pk, kind, group.due_on) not in claimed:
                due.append((publication, group, kind))
    return due


def publication_reminder(
    publication: Publication, due: StepsDue, kind: str, recipients: list[User]
) -> Reminder:
    partnership = publication.partnership
    return Reminder(
        subject=publication,
        kind=kind,
        due_on=due.due_on,
        partnership=partnership,
        recipients=list(recipients),
        notification=NOTIFICATION[kind],
        audit_action="publication.reminder_sent",
        audit_target=publication,
        actor_label=ACTOR_LABEL,
        audit_payload={
            "kind": kind,
            "due_on": due.due_on.isoformat(),
            "steps": list(due.steps),
            "publish": due.publish,
            "recipients": len(recipients),
        },
        context={
            "publication": publication,
            "review": publication.review,
            "due_on": due.due_on,
            "steps": list(due.steps),
            "publish": due.publish,
            "overdue": kind == Kind.OVERDUE,
        },
        link=reverse("publication:detail", args=[partnership.slug, publication.pk]),
    )


def publication_reminders(today: datetime.date) -> Iterator[Reminder]:
    """The source: every publication reminder due ``today`` and not sent yet, to the
    partnership's business unit."""
    teams: dict[int, list[User]] = {}
    for publication, due, kind in publication_reminders_due(today):
        partnership = publication.partnership
        if partnership.pk not in teams:
            teams[partnership.pk] = user_list_with_role(
                partnership=partnership, role=Role.BUSINESS_UNIT
            )
        yield publication_reminder(publication, due, kind, teams[partnership.pk])
