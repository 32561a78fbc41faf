"""Reminders to agencies about their actions: ten working days before the target date, and once
it has passed (for the first 30 days). Sent by the daily reminder run (settings.REMINDER_SENDERS,
``manage.py send_reminders``); at most once per action, kind and target date, like the milestone
and agency-request reminders: the ``ActionReminder`` row is written first, in a transaction,
and the emails go only after it commits. An action whose target date changes is reminded again
for the new date.

Only actions the agency still has to do are reminded (not started, on track, at risk): not one
waiting for the business unit to accept its completion, and never a complete action or one the
partnership decided not to implement. The email goes to the owner agency's active contributors
in the partnership (one email each), or to the business unit when the agency has none.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse

from safeguarding.audit.services import audit_record
from safeguarding.core.calendar import add_working_days

from .agency_selectors import agency_contributor_emails, business_unit_emails
from .models import Action, ActionReminder

logger = logging.getLogger(__name__)
NOTICE_WORKING_DAYS = 10  # [K] two working weeks: time to act, or to ask for a new date
OVERDUE_REMINDER_DAYS = 30
ACTOR_LABEL = "Action reminders"
Kind = ActionReminder.Kind


def _not_sent(kind: str):
    return ~Exists(
        ActionReminder.objects.filter(
            action=OuterRef("pk"), kind=kind, due_on=OuterRef("target_date")
        )
    )


def action_reminders_due(today: datetime.date) -> list[tuple[Action, str]]:
    """Every (action, kind) to remind ``today`` and not reminded yet: three queries at most."""
    to_do = Action.objects.filter(status__in=Action.AGENCY_SETTABLE).select_related(
        "agency", "partnership", "recommendation", "recommendation__review"
    )
    upcoming = to_do.filter(
        target_date__gte=today,
        target_date__lte=add_working_days(today, NOTICE_WORKING_DAYS),
    ).filter(_not_sent(Kind.UPCOMING))
    overdue = to_do.filter(
        target_date__lt=today,
        target_date__gte=today - datetime.timedelta(days=OVERDUE_REMINDER_DAYS),
    ).filter(_not_sent(Kind.OVERDUE))
    return [(a, Kind.UPCOMING) for a in upcoming.order_by("target_date", "id")] + [
        (a, Kind.OVERDUE) for a in overdue.order_by("target_date", "id")
    ]


def _recipients(action: Action, cache: dict) -> tuple[list[str], bool]:
    """The owner agency's active contributors in the partnership, or (if there are none) the
    partnership's business unit; and whether it is the agency."""
    key = (action.partnership_id, action.agency_id)
    if key not in cache:
        emails = agency_contributor_emails(partnership=action.partnership, agency=action.agency)
        to_agency = bool(emails)
        if not emails:
            emails = business_unit_emails(partnership=action.partnership)
        cache[key] = (emails, to_agency)
    return cache[key]


def _messages(action: Action, kind: str, recipients: list[str], to_agency: bool, today):
    review = action.recommendation.review
    partnership = action.partnership
    path = reverse("actions:action", args=[partnership.slug, action.pk])
    target = f"{action.target_date.day} {action.target_date:%B %Y}"
    context = {
        "action": action,
        "review": review,
        "partnership": partnership,
        "agency": action.agency,
        "to_agency": to_agency,
        "target": target,
        "link": f"{settings.SERVICE_URL}{path}",
        "today": today,
    }
    body = render_to_string(f"actions/email/reminder_{kind}.txt", context)
    if kind == Kind.OVERDUE:
        subject = f"Overdue: action {action.reference} of {review.reference} ({action.agency})"
    else:
        subject = f"Due {target}: action {action.reference} of {review.reference}"
    subject = " ".join(subject.split())[:200]
    return [(subject, body, None, [email]) for email in recipients]


def action_reminders_send(*, today: datetime.date) -> int:
    """Send the action reminders due ``today``; return how many were sent."""
    cache: dict = {}
    sent = 0
    for action, kind in action_reminders_due(today):
        recipients, to_agency = _recipients(action, cache)
        if not recipients:
            logger.warning("No one to remind about action %s", action.pk)
            continue
        messages = _messages(action, kind, recipients, to_agency, today)
        try:
            with transaction.atomic():
                ActionReminder.objects.create(
                    action=action,
                    kind=kind,
                    due_on=action.target_date,
                    sent_to=", ".join(recipients)[:254],
                )
                audit_record(
                    action="action.reminder_sent",
                    target=action,
                    partnership=action.partnership,
                    actor_label=ACTOR_LABEL,
                    payload={
                        "action": action.reference,
                        "kind": kind,
                        "due_on": action.target_date.isoformat(),
                        "agency": action.agency.slug,
                        "to": "agency" if to_agency else "business_unit",
                        "recipients": len(recipients),
                    },
                )
                transaction.on_commit(lambda m=messages, pk=action.pk: _send(pk, m))
        except IntegrityError:
            continue  # another run sent it first
        sent += 1
    return sent


def _send(action_id: int, messages) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the reminder is recorded; the tracker still shows the action
        logger.exception("Could not send the reminder for action %s", action_id)
