"""Milestone reminders: an email before a milestone falls due, and one when it is overdue
(DESIGN §4). Run once a day by the ``send_milestone_reminders`` task (clock/tasks.py) or
``manage.py send_reminders``.

The rules:

* **upcoming**: the milestone is due (not paused, done or not applicable) and today is within
  its rule's ``reminder_working_days_before`` working days of the due date, the due date
  included: ``add_working_days(due_on, -N) <= today <= due_on`` (working days as R39, R40).
* **overdue**: the milestone is due and its due date has passed (``due_on < today``), by no more
  than ``OVERDUE_REMINDER_DAYS`` calendar days. Older overdue milestones are on the dashboard;
  emailing them all would flood people the first time reminders run over imported data.
* one reminder of each kind per milestone **and due date**: a ``MilestoneReminder`` row, unique
  on (milestone, kind, due_on), is written before anything is sent. A milestone extended to a
  later date is reminded again for the new date.
* it goes to the milestone's owner, if they are still an active member of the partnership;
  otherwise to every active business-unit member of the partnership (one email each).

Delivery is **at most once**. The reminder row and its audit event are committed first, and the
emails go only after that commit (``transaction.on_commit``), and only from the run that created
the row: a second run, a retry of the task or two workers at once hit the unique constraint and
send nothing. The price: if the mail server refuses an email after the commit, that reminder is
not retried (the failure is logged with the milestone's id, and the milestone still shows on the
dashboard). We chose this over at-least-once because the issue asks that the same reminder can
never be sent twice, and because sending inside the transaction would hold it open across SMTP.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string

from safeguarding.accounts.models import Role
from safeguarding.accounts.selectors import membership_list_for_partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.calendar import add_working_days

from .models import Milestone, MilestoneReminder, MilestoneRule

logger = logging.getLogger(__name__)

Kind = MilestoneReminder.Kind
CHUNK_SIZE = 1000
OVERDUE_REMINDER_DAYS = 30
ACTOR_LABEL = "Milestone reminders"
_SENT_TO_MAX = 254  # MilestoneReminder.sent_to


def reminder_kind(milestone: Milestone, today: datetime.date) -> str | None:
    """Which reminder ``milestone`` calls for ``today`` (``Kind.UPCOMING``, ``Kind.OVERDUE``),
    or None. Sent or not is not considered here: see ``reminders_due``."""
    if milestone.status != Milestone.Status.DUE:
        return None
    if milestone.due_on < today:
        if (today - milestone.due_on).days > OVERDUE_REMINDER_DAYS:
            return None
        return Kind.OVERDUE
    before = milestone.rule.reminder_working_days_before
    if add_working_days(milestone.due_on, -before) <= today:
        return Kind.UPCOMING
    return None


def _not_sent(kind: str):
    return ~Exists(
        MilestoneReminder.objects.filter(
            milestone=OuterRef("pk"), kind=kind, due_on=OuterRef("due_on")
        )
    )


def _candidates(today: datetime.date) -> dict[str, QuerySet[Milestone]]:
    """The milestones that may need a reminder today, filtered in the database by date, so a
    daily run reads only those (not every open milestone).

    For a rule with N working days' notice, ``add_working_days(due_on, -N) <= today`` holds
    exactly when ``due_on <= add_working_days(today, N)``: the N working days after today all
    come before any later date. One window per distinct N (rules share a handful of values).
    """
    notice = sorted(
        set(MilestoneRule.objects.values_list("reminder_working_days_before", flat=True))
    )
    window = Q(pk__in=[])
    for days in notice:
        window |= Q(
            rule__reminder_working_days_before=days, due_on__lte=add_working_days(today, days)
        )
    due = Milestone.objects.filter(status=Milestone.Status.DUE).select_related(
        "rule", "owner", "partnership"
    )
    return {
        Kind.UPCOMING: due.filter(window, due_on__gte=today).filter(_not_sent(Kind.UPCOMING)),
        Kind.OVERDUE: due.filter(
            due_on__lt=today,
            due_on__gte=today - datetime.timedelta(days=OVERDUE_REMINDER_DAYS),
        ).filter(_not_sent(Kind.OVERDUE)),
    }


def reminders_due(today: datetime.date) -> list[tuple[Milestone, str]]:
    """Every (milestone, kind) that should be reminded ``today`` and has not been yet, oldest
    due date first. A fixed number of queries however many milestones there are."""
    due = []
    for kind, queryset in _candidates(today).items():
        for milestone in queryset.order_by("due_on", "id").iterator(chunk_size=CHUNK_SIZE):
            if reminder_kind(milestone, today) == kind:  # the rule, checked once more in Python
                due.append((milestone, kind))
    return due


@dataclass(frozen=True)
class _Team:
    member_ids: frozenset[int]
    business_unit: list[str]  # active business-unit members' emails, sorted


def _team(partnership, teams: dict[int, _Team]) -> _Team:
    if partnership.pk not in teams:
        members = [
            m for m in membership_list_for_partnership(partnership=partnership) if m.user.is_active
        ]
        teams[partnership.pk] = _Team(
            member_ids=frozenset(m.user_id for m in members),
            business_unit=sorted({m.user.email for m in members if m.role == Role.BUSINESS_UNIT}),
        )
    return teams[partnership.pk]


def reminder_recipients(
    milestone: Milestone, teams: dict[int, _Team] | None = None
) -> tuple[list[str], bool]:
    """Who is reminded, and whether that is the owner: the owner if they are still an active
    member of the partnership (someone who has left must not be sent case details), otherwise
    every active business-unit member."""
    team = _team(milestone.partnership, {} if teams is None else teams)
    owner = milestone.owner
    if owner is not None and owner.is_active and owner.pk in team.member_ids:
        return [owner.email], True
    return team.business_unit, False


def _sent_to(recipients: list[str]) -> str:
    """The recipients as one line for ``MilestoneReminder.sent_to`` (254 characters): whole
    addresses only, then "and N more" for those that do not fit."""
    shown: list[str] = []
    for email in recipients:
        rest = len(recipients) - len(shown) - 1
        line = ", ".join([*shown, email]) + (f" and {rest} more" if rest else "")
        if len(line) > _SENT_TO_MAX:
            break
        shown.append(email)
    rest = len(recipients) - len(shown)
    if not shown:
        return f"{rest} business-unit members"
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def _messages(milestone: Milestone, kind: str, recipients: Iterable[str], to_owner: bool):
    context = {
        "milestone": milestone,
        "rule": milestone.rule,
        "partnership": milestone.partnership,
        "to_owner": to_owner,
        "path": milestone.subject_url,
        "link": f"{settings.SERVICE_URL}{milestone.subject_url}"
        if settings.SERVICE_URL and milestone.subject_url
        else "",
        "service_name": settings.SERVICE_NAME,
    }
    body = render_to_string(f"clock/email/reminder_{kind}.txt", context)
    if kind == Kind.OVERDUE:
        subject = f"Overdue: {milestone.rule.name} for {milestone.subject_label}"
    else:
        due = f"{milestone.due_on.day} {milestone.due_on:%B %Y}"
        subject = f"Due {due}: {milestone.rule.name} for {milestone.subject_label}"
    subject = " ".join(subject.split())[:200]
    # One email per person, so that no one sees the other recipients' addresses.
    return [(subject, body, None, [email]) for email in recipients]


def _deliver(milestone_id: int, kind: str, messages: list) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        # At most once: the reminder is recorded and will not be sent again (see module doc).
        logger.exception("Could not send the %s reminder for milestone %s", kind, milestone_id)


def reminder_send(
    milestone: Milestone, kind: str, *, teams: dict[int, _Team] | None = None
) -> bool:
    """Record and send one reminder. False if it was sent before (or is being sent by another
    run right now), or if there is no one to send it to."""
    recipients, to_owner = reminder_recipients(milestone, teams)
    if not recipients:
        logger.warning(
            "No one to remind about milestone %s: no owner and no business-unit member",
            milestone.pk,
        )
        return False
    try:
        with transaction.atomic():
            MilestoneReminder.objects.create(
                milestone=milestone,
                kind=kind,
                due_on=milestone.due_on,
                sent_to=_sent_to(recipients),
            )
            audit_record(
                action="milestone.reminder_sent",
                target=milestone,
                partnership=milestone.partnership,
                actor_label=ACTOR_LABEL,
                payload={
                    "kind": kind,
                    "due_on": milestone.due_on.isoformat(),
                    "rule": milestone.rule.rule_id,
                    "to": "owner" if to_owner else "business_unit",
                    "recipients": len(recipients),
                },
            )
    except IntegrityError:
        return False  # the unique constraint: this reminder has been sent already
    messages = _messages(milestone, kind, recipients, to_owner)
    transaction.on_commit(lambda: _deliver(milestone.pk, kind, messages))
    return True


def reminders_send(*, today: datetime.date) -> int:
    """Send every reminder due ``today``; return how many reminders were sent (a reminder to
    the business unit counts once, however many members it reaches)."""
    teams: dict[int, _Team] = {}
    sent = 0
    for milestone, kind in reminders_due(today):
        if reminder_send(milestone, kind, teams=teams):
            sent += 1
    return sent


def all_reminders_send(*, today: datetime.date) -> int:
    """Every reminder sender in settings.REMINDER_SENDERS (milestones, agency requests…), so
    the clock runs reminders for later apps without depending on them."""
    from django.utils.module_loading import import_string

    return sum(import_string(path)(today=today) for path in settings.REMINDER_SENDERS)
