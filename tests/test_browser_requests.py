"""A review whose agencies partly work by email, in a real browser (issue 13): two of the three
agencies asked have no one with an account. The requests page says they were not emailed; the
business unit records one agency's return that came on paper and marks the other as having
nothing to return; the review moves on. The emails are read from the mail outbox; axe checks
each new page, and the forms' error summaries."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.reviews.models import AgencyRequest, Review
from safeguarding.reviews.requests import services as requests_services
from safeguarding.reviews.tests.review_support import make_lcspr, member
from safeguarding.reviews.tests.rr_support import contributor_for

from .test_browser import (  # noqa: F401
    axe_source,
    axe_violations,
    browser,
    describe,
    page,
    sign_in,
)

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def milestone_rules(transactional_db):
    """Live-server tests flush the database after each test; put the milestone rules back."""
    from safeguarding.clock.default_rules import load_default_rules
    from safeguarding.clock.models import MilestoneRule

    load_default_rules(MilestoneRule)


def _check_axe(tab, axe, where: str) -> None:
    violations = axe_violations(tab, axe)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _date(tab, name: str, day: datetime.date) -> None:
    tab.fill(f"[name={name}_0]", str(day.day))
    tab.fill(f"[name={name}_1]", str(day.month))
    tab.fill(f"[name={name}_2]", str(day.year))


def _click(tab, role: str, name: str) -> None:
    tab.get_by_role(role, name=name, exact=True).click()
    tab.wait_for_load_state()


def _success(tab, text: str) -> None:
    expect(tab.locator(".govuk-notification-banner--success")).to_contain_text(text)


def test_agencies_without_an_account_are_recorded_by_the_business_unit_and_the_review_moves_on(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    agency,
    sample_pdf,
    tmp_path,
):
    slug = partnership.slug
    today = timezone.localdate()
    school = AgencyFactory(name="Testshire Primary School", slug="testshire-school")
    housing = AgencyFactory(name="Testshire Housing", slug="testshire-housing")
    partnership.agencies.add(agency, school, housing)
    police = contributor_for(partnership, agency, "contributor@police.example")
    colleague = member(partnership, Role.BUSINESS_UNIT, "colleague@bu.example")
    review, _ = make_lcspr(partnership, business_unit_user)
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.AGENCY_REPORTS)
    mail.outbox.clear()

    # 1. The business unit asks all three agencies for a report.
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{slug}/reviews/{review.pk}/")
    _click(page, "link", "Ask agencies for reports and chronologies")
    for each in (agency, school, housing):
        page.check(f"[name=agencies][value='{each.pk}']")
    page.check("[name=kind][value=agency_report]")
    _date(page, "due_on", today + datetime.timedelta(days=20))
    _click(page, "button", "Send the request")
    _success(page, "Request sent to 3 agencies")
    _success(page, "No one at Testshire Housing and Testshire Primary School has an account")

    # 2. The page says which agencies were not emailed; only the police were.
    warning = page.locator("#not-emailed")
    expect(warning).to_contain_text("2 agencies were not emailed")
    not_emailed = page.locator("#not-emailed + ul")
    expect(not_emailed).to_contain_text("Testshire Housing")
    expect(not_emailed).to_contain_text("Testshire Primary School")
    expect(not_emailed).not_to_contain_text(agency.name)
    _check_axe(page, axe_source, "agency requests with agencies not emailed")
    assert [m.to for m in mail.outbox] == [[police.email]]
    assert "asks Testshire Police for agency report" in mail.outbox[0].subject

    # 3. The police return their report through the service; the business unit is told.
    police_request = AgencyRequest.objects.get(review=review, agency=agency)
    requests_services.agency_return_submit(
        request=police_request, user=police, fields={"report": "Fictional police report."}
    )
    received = [m for m in mail.outbox if m.subject.startswith("Received")]
    assert sorted(m.to[0] for m in received) == sorted([business_unit_user.email, colleague.email])

    # 4. The school's report came by post: the business unit records it on its behalf.
    page.reload()
    not_emailed.get_by_role("link", name="Testshire Primary School").click()
    page.wait_for_load_state()
    expect(page.locator("#emailed")).to_contain_text("Not emailed")
    _check_axe(page, axe_source, "request page of an agency not emailed")
    _click(page, "link", "Record a return sent by email or on paper")
    _check_axe(page, axe_source, "record a return form")
    _click(page, "button", "Record the return")  # nothing filled in
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter who at the agency sent it")
    expect(summary).to_contain_text("Select how the return arrived")
    _check_axe(page, axe_source, "record a return form with errors")
    page.fill("[name=received_from_name]", "Head Teacher Example")
    page.fill("[name=received_from_role]", "Designated safeguarding lead")
    page.check("[name=received_via][value=post]")
    _date(page, "received_on", today)
    scan = tmp_path / "school-report-scan.pdf"
    scan.write_bytes(sample_pdf)
    page.set_input_files("[name=attachment]", str(scan))
    _click(page, "button", "Record the return")
    _success(page, "Version 1 of Testshire Primary School's agency report")
    main = page.locator("main")
    expect(main).to_contain_text("Head Teacher Example, Designated safeguarding lead")
    expect(main).to_contain_text("By post on")
    expect(page.get_by_role("link", name="school-report-scan.pdf")).to_be_visible()
    assert [m.to[0] for m in mail.outbox if "Primary School" in m.subject] == [colleague.email]

    # 5. Housing had no involvement: "nothing to return", with the reason.
    page.goto(f"/manage/{slug}/reviews/{review.pk}/requests/")
    page.locator("#not-emailed + ul").get_by_role("link", name="Testshire Housing").click()
    page.wait_for_load_state()
    _click(page, "link", "Mark as nothing to return, or cancel the request")
    _check_axe(page, axe_source, "close a request form")
    _click(page, "button", "Save")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    page.check("[name=outcome][value=nothing_to_return]")
    page.fill("[name=reason]", "Housing confirmed by phone it had no contact with the family.")
    _click(page, "button", "Save")
    _success(page, "Testshire Housing has been recorded as having nothing to return")
    expect(page.locator("#not-emailed")).to_have_count(0)
    row = page.locator("tbody tr").filter(has_text="Testshire Housing")
    expect(row).to_contain_text("Nothing to return")

    # 6. Every agency is accounted for: the review moves on.
    page.goto(f"/manage/{slug}/reviews/{review.pk}/")
    expect(page.locator("main")).to_contain_text("Next stage: Analysis and drafting")
    page.get_by_role("button", name="Move to the next stage").click()
    page.wait_for_load_state()
    _success(page, "The review moved to ‘Analysis and drafting’")
    review.refresh_from_db()
    assert review.stage == Review.Stage.DRAFTING
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"agency_return.recorded", "agency_request.nothing_to_return"} <= actions
    # No one at the school or housing was ever emailed: they have no address in the service.
    assert not [m for m in mail.outbox if m.to[0].endswith(("school.example", "housing.example"))]
