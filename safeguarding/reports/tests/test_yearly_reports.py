"""Yearly report duties (issue 14 §2): each year's report, its publication and the date it
was sent to each statutory recipient (children: the Panel and Foundations within 7 days of
publication; adults: R25's recipients), recorded by the business unit and audited."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.reports import yearly_services as services
from safeguarding.reports.models import ReportRecipient, YearlyReport
from safeguarding.reports.yearly_selectors import recipients_late

pytestmark = pytest.mark.django_db


def test_a_children_report_gets_the_panel_and_foundations(partnership, business_unit_user):
    report = services.yearly_report_record(
        partnership=partnership, actor=business_unit_user, kind="children", start_year=2024
    )
    assert [r.recipient for r in report.recipients.all()] == ["panel", "foundations"]
    assert AuditEvent.objects.get(action="yearly_report.recorded").payload["start_year"] == 2024


def test_an_adults_report_gets_the_care_act_recipients(partnership, business_unit_user):
    report = services.yearly_report_record(
        partnership=partnership, actor=business_unit_user, kind="adults", start_year=2024
    )
    assert [r.recipient for r in report.recipients.all()] == [
        "la_chief_executive",
        "la_leader",
        "local_policing_body",
        "healthwatch",
        "wellbeing_board_chair",
    ]


def test_a_year_is_recorded_once_and_only_for_reports_the_partnership_owes(
    partnership, business_unit_user
):
    services.yearly_report_record(
        partnership=partnership, actor=business_unit_user, kind="children", start_year=2024
    )
    with pytest.raises(ServiceError, match="already recorded"):
        services.yearly_report_record(
            partnership=partnership, actor=business_unit_user, kind="children", start_year=2024
        )
    partnership.runs_safeguarding_adults_reviews = False
    partnership.save()
    with pytest.raises(ServiceError, match="publishes"):
        services.yearly_report_record(
            partnership=partnership, actor=business_unit_user, kind="adults", start_year=2024
        )
    assert YearlyReport.objects.count() == 1


def test_only_the_business_unit_records(partnership, user_for_role):
    with pytest.raises(ServiceError, match="Only the business unit"):
        services.yearly_report_record(
            partnership=partnership,
            actor=user_for_role(Role.PARTNER_LEAD),
            kind="children",
            start_year=2024,
        )


def test_sent_more_than_7_days_after_publication_is_late(partnership, business_unit_user):
    report = services.yearly_report_record(
        partnership=partnership, actor=business_unit_user, kind="children", start_year=2024
    )
    panel, foundations = report.recipients.all()
    with pytest.raises(ServiceError, match="published first"):
        services.report_recipient_sent(
            recipient=panel, actor=business_unit_user, sent_on=datetime.date(2025, 9, 30)
        )
    report = services.yearly_report_publish(
        report=report, actor=business_unit_user, published_on=datetime.date(2025, 9, 30)
    )
    assert report.send_by == datetime.date(2025, 10, 7)
    services.report_recipient_sent(
        recipient=ReportRecipient.objects.get(pk=panel.pk),
        actor=business_unit_user,
        sent_on=datetime.date(2025, 10, 1),
        name="Panel secretariat",
    )
    services.report_recipient_sent(
        recipient=ReportRecipient.objects.get(pk=foundations.pk),
        actor=business_unit_user,
        sent_on=datetime.date(2025, 10, 9),
    )
    late = recipients_late(report=report, today=datetime.date(2025, 10, 10))
    assert [r.recipient for r in late] == ["foundations"]
    events = AuditEvent.objects.filter(action="yearly_report.sent").order_by("id")
    assert [e.payload["late"] for e in events] == [False, True]


def test_the_pages_record_a_report_and_a_recipient(bu_client, partnership):
    response = bu_client.post(
        reverse("reports:yearly_add", args=[partnership.slug]),
        {
            "kind": "adults",
            "start_year": "2024",
            "published_on_0": "30",
            "published_on_1": "9",
            "published_on_2": "2025",
            "web_address": "https://www.example.org/sab-annual-report",
        },
    )
    report = YearlyReport.objects.get()
    assert response.status_code == 302
    detail = reverse("reports:yearly_detail", args=[partnership.slug, report.pk])
    assert response.url == detail
    page = bu_client.get(detail).content.decode()
    assert "Local Healthwatch" in page and "30 September 2025" in page
    recipient = report.recipients.get(recipient="healthwatch")
    response = bu_client.post(
        reverse("reports:yearly_sent", args=[partnership.slug, report.pk, recipient.pk]),
        {"sent_on_0": "2", "sent_on_1": "10", "sent_on_2": "2025", "name": "Healthwatch Testshire"},
    )
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert recipient.sent_on == datetime.date(2025, 10, 2)
    assert "Healthwatch Testshire" in bu_client.get(detail).content.decode()
    listing = bu_client.get(reverse("reports:yearly_list", args=[partnership.slug]))
    assert "Safeguarding Adults Board annual report" in listing.content.decode()


def test_bad_input_shows_the_error_summary_and_records_nothing(bu_client, partnership):
    response = bu_client.post(
        reverse("reports:yearly_add", args=[partnership.slug]),
        {"kind": "adults", "start_year": "", "web_address": "not a web address"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert 'href="#id_start_year"' in page and 'href="#id_web_address"' in page
    assert not YearlyReport.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="yearly_report.").exists()


def test_the_list_counts_each_reports_recipients_in_the_same_queries_whatever_the_years(
    bu_client, partnership, business_unit_user
):
    """Issue 16: the list shows how many recipients each report has, counted in its one query
    (not every recipient read), so the page's queries do not grow with the years."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("reports:yearly_list", args=[partnership.slug])

    def listing() -> tuple[int, list[tuple[str, str]]]:
        with CaptureQueriesContext(connection) as queries:
            page = bu_client.get(url).content.decode()
        return len(queries), re.findall(
            r'data-label="Year">([^<]+)</td>.*?data-label="Sent">([^<]+)</td>', page, re.S
        )

    services.yearly_report_record(
        partnership=partnership, actor=business_unit_user, kind="children", start_year=2024
    )
    before, rows = listing()
    assert rows == [("April 2024 to March 2025", "2 recipients")]
    for year in range(2015, 2024):
        for kind in ("children", "adults"):
            services.yearly_report_record(
                partnership=partnership, actor=business_unit_user, kind=kind, start_year=year
            )
    after, rows = listing()
    assert after == before
    assert len(rows) == 19
    assert rows[:3] == [
        ("April 2024 to March 2025", "2 recipients"),
        ("April 2023 to March 2024", "5 recipients"),  # adults, then children
        ("April 2023 to March 2024", "2 recipients"),
    ]


def test_the_list_comes_a_page_at_a_time_in_the_same_queries(
    bu_client, partnership, business_unit_user, django_assert_num_queries
):
    """Issue 16: two reports a year, so the list is 25 a page with GOV.UK pagination; every
    page, and a page number that is not one, answers in the same queries as an empty list."""
    url = reverse("reports:yearly_list", args=[partnership.slug])
    with django_assert_num_queries(6):
        assert "No yearly report is recorded yet" in bu_client.get(url).content.decode()
    for year in range(2011, 2024):
        for kind in ("children", "adults"):
            services.yearly_report_record(
                partnership=partnership, actor=business_unit_user, kind=kind, start_year=year
            )
    services.yearly_report_record(
        partnership=partnership, actor=business_unit_user, kind="children", start_year=2024
    )
    with django_assert_num_queries(6):
        first = bu_client.get(url).content.decode()
    assert first.count('data-label="Year"') == 25
    assert "April 2024 to March 2025" in first and 'href="?page=2"' in first
    with django_assert_num_queries(6):
        second = bu_client.get(url, {"page": 2}).content.decode()
    assert second.count('data-label="Year"') == 2
    assert "April 2011 to March 2012" in second and 'rel="prev"' in second
    assert "Yearly reports (page 2 of 2)" in second
    for wild, shown in (("abc", "April 2024 to March 2025"), ("99", "April 2011 to March 2012")):
        page = bu_client.get(url, {"page": wild})
        assert page.status_code == 200 and shown in page.content.decode(), wild
