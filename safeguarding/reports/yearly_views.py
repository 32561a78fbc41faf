"""The yearly report duties (``/manage/<partnership>/reports/yearly/``): each year's report,
its publication and the date it was sent to each statutory recipient. Views: selector →
permission → form → one service → redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from safeguarding.accounts import selectors as account_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted, show_service_error
from safeguarding.core.pagination import paginate_in_one_query

from . import yearly_selectors as selectors
from . import yearly_services as services
from .permissions import can_record_yearly_reports, can_view_reports
from .rows import yearly_rows_html
from .yearly_forms import PublishedForm, SentForm, YearlyReportForm

FIRST_YEAR = 2018  # the partnerships' first yearly reports (Working Together 2018)


def _partnership(request, slug: str):
    return account_selectors.partnership_get_for_user(user=request.user, slug=slug)


def _may_record(request, partnership) -> None:
    if not can_record_yearly_reports(request.user, partnership):
        raise PermissionDenied(services.NOT_ALLOWED)


@require_http_methods(["GET"])
def report_list(request, slug: str):
    partnership = _partnership(request, slug)
    if not can_view_reports(request.user, partnership):
        raise PermissionDenied("Only the business unit and partner leads see the yearly reports")
    # Two reports a year: a page at a time, with the count in the same query (issue 16).
    page, pagination = paginate_in_one_query(
        request, selectors.yearly_report_rows(user=request.user, partnership=partnership)
    )
    return render(
        request,
        "reports/yearly_list.html",
        {
            "partnership": partnership,
            "reports": page.object_list,
            "rows": yearly_rows_html(page.object_list, partnership.slug),
            "page": page,
            "pagination": pagination,
            "kinds": selectors.kinds_for(partnership),
            "can_record": can_record_yearly_reports(request.user, partnership),
        },
    )


@require_http_methods(["GET", "POST"])
def report_add(request, slug: str):
    partnership = _partnership(request, slug)
    _may_record(request, partnership)
    today = timezone.localdate()
    kinds = selectors.kinds_for(partnership)
    form = YearlyReportForm(
        posted(request),
        kinds=kinds,
        years=list(range(today.year, FIRST_YEAR - 1, -1)),
        initial={"kind": kinds[0].value if len(kinds) == 1 else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.yearly_report_record(
                partnership=partnership, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"The {report} is recorded with its recipients")
            return redirect("reports:yearly_detail", slug=partnership.slug, pk=report.pk)
    return render(request, "reports/yearly_add.html", {"partnership": partnership, "form": form})


@require_http_methods(["GET"])
def report_detail(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    report = selectors.yearly_report_get_for_user(user=request.user, partnership=partnership, pk=pk)
    return render(
        request,
        "reports/yearly_detail.html",
        {
            "partnership": partnership,
            "report": report,
            "recipients": list(report.recipients.all()),
            "late": selectors.recipients_late(report=report, today=timezone.localdate()),
            "can_record": can_record_yearly_reports(request.user, partnership),
        },
    )


@require_http_methods(["GET", "POST"])
def report_published(request, slug: str, pk: int):
    partnership = _partnership(request, slug)
    report = selectors.yearly_report_get_for_user(user=request.user, partnership=partnership, pk=pk)
    _may_record(request, partnership)
    form = PublishedForm(
        posted(request),
        initial={"published_on": report.published_on, "web_address": report.web_address},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.yearly_report_publish(report=report, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The publication date has been recorded")
            return redirect("reports:yearly_detail", slug=partnership.slug, pk=report.pk)
    return render(
        request,
        "reports/yearly_published.html",
        {"partnership": partnership, "report": report, "form": form},
    )


@require_http_methods(["GET", "POST"])
def recipient_sent(request, slug: str, pk: int, recipient_pk: int):
    partnership = _partnership(request, slug)
    report = selectors.yearly_report_get_for_user(user=request.user, partnership=partnership, pk=pk)
    recipient = selectors.recipient_get(report=report, pk=recipient_pk)
    _may_record(request, partnership)
    form = SentForm(
        posted(request),
        initial={"sent_on": recipient.sent_on or timezone.localdate(), "name": recipient.name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_recipient_sent(
                recipient=recipient, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, f"Recorded as sent to the {recipient.get_recipient_display()}"
            )
            return redirect("reports:yearly_detail", slug=partnership.slug, pk=report.pk)
    return render(
        request,
        "reports/yearly_sent.html",
        {"partnership": partnership, "report": report, "recipient": recipient, "form": form},
    )
