"""Writes of the yearly report duties (docs/rules.md §yearly-reports): a year's report
recorded with its statutory recipients (R18, R25), its publication, and the date it was sent
to each recipient. One transaction and one audit event each; nothing is deleted."""

import datetime

from django.db import IntegrityError, transaction

from safeguarding.accounts.models import Partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError

from .models import STATUTORY_RECIPIENTS, ReportRecipient, YearlyReport
from .permissions import can_record_yearly_reports
from .yearly_selectors import kinds_for

NOT_ALLOWED = "Only the business unit records the yearly reports"


def _check(actor, partnership: Partnership) -> None:
    if not can_record_yearly_reports(actor, partnership):
        raise ServiceError(NOT_ALLOWED)


def _check_published_on(published_on: datetime.date | None, start_year: int) -> None:
    if published_on is not None and published_on < datetime.date(start_year, 4, 1):
        raise ServiceError(
            "A report cannot be published before the year it covers starts",
            field="published_on",
        )


def yearly_report_record(
    *,
    partnership: Partnership,
    actor,
    kind: str,
    start_year: int,
    published_on: datetime.date | None = None,
    web_address: str = "",
) -> YearlyReport:
    """Record a year's report, with one row per statutory recipient (not sent yet)."""
    _check(actor, partnership)
    if kind not in kinds_for(partnership):
        raise ServiceError("Choose a report this partnership publishes", field="kind")
    if start_year is None:
        raise ServiceError("Choose the year the report covers", field="start_year")
    _check_published_on(published_on, start_year)
    try:
        with transaction.atomic():
            report = YearlyReport.objects.create(
                partnership=partnership,
                kind=kind,
                start_year=start_year,
                published_on=published_on,
                web_address=(web_address or "").strip(),
                recorded_by=actor,
            )
            ReportRecipient.objects.bulk_create(
                ReportRecipient(report=report, recipient=recipient)
                for recipient in STATUTORY_RECIPIENTS[kind]
            )
            audit_record(
                action="yearly_report.recorded",
                actor=actor,
                target=report,
                partnership=partnership,
                payload={
                    "kind": kind,
                    "start_year": start_year,
                    "published_on": published_on.isoformat() if published_on else None,
                    "recipients": [str(r) for r in STATUTORY_RECIPIENTS[kind]],
                },
            )
    except IntegrityError:
        raise ServiceError(
            "This report is already recorded for that year", field="start_year"
        ) from None
    return report


def yearly_report_publish(
    *, report: YearlyReport, actor, published_on: datetime.date, web_address: str = ""
) -> YearlyReport:
    """Record (or correct) when and where the report was published."""
    _check(actor, report.partnership)
    if published_on is None:
        raise ServiceError("Enter the date the report was published", field="published_on")
    _check_published_on(published_on, report.start_year)
    with transaction.atomic():
        locked = YearlyReport.objects.select_for_update().get(pk=report.pk)
        before = locked.published_on
        locked.published_on, locked.web_address = published_on, (web_address or "").strip()
        locked.save(update_fields=["published_on", "web_address"])
        audit_record(
            action="yearly_report.published",
            actor=actor,
            target=locked,
            partnership=locked.partnership,
            payload={
                "published_on": published_on.isoformat(),
                "before": before.isoformat() if before else None,
                "web_address": locked.web_address,
            },
        )
    return locked


def report_recipient_sent(
    *, recipient: ReportRecipient, actor, sent_on: datetime.date, name: str = ""
) -> ReportRecipient:
    """Record the date the report was sent to one recipient (and to whom, by name)."""
    report = recipient.report
    _check(actor, report.partnership)
    if sent_on is None:
        raise ServiceError("Enter the date it was sent", field="sent_on")
    if report.published_on is None:
        raise ServiceError("Record when the report was published first")
    if sent_on < report.published_on:
        raise ServiceError("It cannot be sent before it was published", field="sent_on")
    with transaction.atomic():
        locked = ReportRecipient.objects.select_for_update().get(pk=recipient.pk)
        before = locked.sent_on
        locked.sent_on, locked.name = sent_on, (name or "").strip()
        locked.sent_recorded_by = actor
        locked.save(update_fields=["sent_on", "name", "sent_recorded_by"])
        send_by = report.send_by
        audit_record(
            action="yearly_report.sent",
            actor=actor,
            target=report,
            partnership=report.partnership,
            payload={
                "recipient": locked.recipient,
                "sent_on": sent_on.isoformat(),
                "before": before.isoformat() if before else None,
                "late": bool(send_by and sent_on > send_by),
            },
        )
    return locked
