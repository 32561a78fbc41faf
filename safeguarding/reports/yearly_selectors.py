"""Reads of the yearly reports a partnership has recorded (docs/rules.md §yearly-reports)."""

import datetime

from django.db.models import Count, QuerySet
from django.http import Http404

from safeguarding.accounts.models import Partnership

from .models import ReportRecipient, YearlyReport
from .permissions import can_view_reports


def yearly_report_list(*, user, partnership: Partnership) -> QuerySet[YearlyReport]:
    if not can_view_reports(user, partnership):
        raise Http404("No such page")
    return YearlyReport.objects.filter(partnership=partnership).prefetch_related("recipients")


def yearly_report_rows(*, user, partnership: Partnership) -> QuerySet[YearlyReport]:
    """The list's rows: each report with the number of its recipients counted in the same
    query (``recipient_count``), not every recipient read (issue 16)."""
    return (
        yearly_report_list(user=user, partnership=partnership)
        .prefetch_related(None)
        .annotate(recipient_count=Count("recipients"))
        .order_by("-start_year", "kind")  # Meta.ordering, dropped by Django with an aggregate
    )


def yearly_report_get_for_user(*, user, partnership: Partnership, pk: int) -> YearlyReport:
    report = yearly_report_list(user=user, partnership=partnership).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report")
    return report


def recipient_get(*, report: YearlyReport, pk: int) -> ReportRecipient:
    recipient = report.recipients.filter(pk=pk).first()
    if recipient is None:
        raise Http404("No such recipient")
    return recipient


def kinds_for(partnership: Partnership) -> list[YearlyReport.Kind]:
    """The reports this partnership owes: the children's yearly report when it runs child
    reviews, the Safeguarding Adults Board's annual report when it runs adult reviews."""
    kinds = []
    if partnership.runs_cspr:
        kinds.append(YearlyReport.Kind.CHILDREN)
    if partnership.runs_safeguarding_adults_reviews:
        kinds.append(YearlyReport.Kind.ADULTS)
    return kinds


def recipients_late(*, report: YearlyReport, today: datetime.date) -> list[ReportRecipient]:
    """Recipients not sent the children's report within 7 days of publication."""
    send_by = report.send_by
    if send_by is None or today <= send_by:
        return []
    return [r for r in report.recipients.all() if r.sent_on is None or r.sent_on > send_by]
