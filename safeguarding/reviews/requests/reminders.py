"""Reminders to agencies about requests: two working days before the due date, and once it is
overdue (for the first 30 days). Sent by the daily reminder run (settings.REMINDER_SENDERS);
at most once per request, kind and due date, like the milestone reminders."""

import datetime
import logging

from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from safeguarding.accounts.models import Membership, Role
from safeguarding.audit.services import audit_record
from safeguarding.core.calendar import add_working_days

from ..models import AgencyRequest, AgencyRequestReminder, Review

logger = logging.getLogger(__name__)
NOTICE_WORKING_DAYS = 2
OVERDUE_REMINDER_DAYS = 30
Kind = AgencyRequestReminder.Kind


def _not_sent(kind: str):
    return ~Exists(
        AgencyRequestReminder.objects.filter(
            request=OuterRef("pk"), kind=kind, due_on=OuterRef("due_on")
        )
    )


def agency_reminders_due(today: datetime.date) -> list[tuple[AgencyRequest, str]]:
    open_requests = (
        AgencyRequest.objects.filter(returned_at__isnull=True)
        .exclude(review__stage=Review.Stage.SIGNED_OFF)
        .select_related("agency", "review", "review__partnership")
    )
    upcoming = open_requests.filter(
        due_on__gte=today, due_on__lte=add_working_days(today, NOTICE_WORKING_DAYS)
    ).filter(_not_sent(Kind.UPCOMING))
    overdue = open_requests.filter(
        due_on__lt=today, due_on__gte=today - datetime.timedelta(days=OVERDUE_REMINDER_DAYS)
    ).filter(_not_sent(Kind.OVERDUE))
    return [(r, Kind.UPCOMING) for r in upcoming.order_by("due_on", "id")] + [
        (r, Kind.OVERDUE) for r in overdue.order_by("due_on", "id")
    ]


def _contributors(request: AgencyRequest) -> list[str]:
    return sorted(
        Membership.objects.filter(
            partnership=request.review.partnership,
            role=Role.AGENCY_CONTRIBUTOR,
            agency=request.agency,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )


def agency_reminders_send(*, today: datetime.date) -> int:
    """Send the agency reminders due ``today``; return how many were sent."""
    from django.conf import settings
    from django.urls import reverse

    sent = 0
    for request, kind in agency_reminders_due(today):
        recipients = _contributors(request)
        if not recipients:
            continue
        link = settings.SERVICE_URL + reverse(
            "reviews:request_detail", args=[request.review.partnership.slug, request.pk]
        )
        context = {"request": request, "kind": kind, "link": link, "today": today}
        subject = (
            f"Reminder: {request.get_kind_display().lower()} for {request.review.reference} "
            f"{'is overdue' if kind == Kind.OVERDUE else 'is due soon'}"
        )
        body = render_to_string("reviews/requests/reminder_email.txt", context)
        try:
            with transaction.atomic():
                AgencyRequestReminder.objects.create(
                    request=request,
                    kind=kind,
                    due_on=request.due_on,
                    sent_to=", ".join(recipients)[:254],
                )
                audit_record(
                    action="agency_request.reminder_sent",
                    target=request.review,
                    actor_label="Agency reminders",
                    payload={"request": request.pk, "kind": kind, "agency": request.agency.slug},
                )
                messages = [(subject, body, None, [email]) for email in recipients]
                transaction.on_commit(lambda m=messages: _send(m))
        except IntegrityError:
            continue  # another run sent it first
        sent += 1
    return sent


def _send(messages) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the reminder is recorded; the dashboard still shows the request
        logger.exception("Agency reminder email failed")
