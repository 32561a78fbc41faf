"""Working Together 2023 roles, signature capacity, requests for information and yearly
reports in a real browser (issue 14 §2). The business unit records a lead and its delegate
(a mistake first: a GOV.UK error summary, nothing saved), sees a decision the delegate signed
say so, ends the lead; records a request for information on a case, its refusal, an
escalation and the answer (also without JavaScript); records a yearly report and a recipient.
axe checks every page."""

import datetime

import pytest
from django.utils import timezone

from safeguarding.accounts.models import PartnershipRole, Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.information_requests.models import InformationRequest
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import DecisionMaker, Track
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reports.models import YearlyReport

from .test_browser import (  # noqa: F401
    axe_source,
    axe_violations,
    browser,
    describe,
    page,
    page_without_js,
    sign_in,
)

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_axe(tab, axe, where: str) -> None:
    violations = axe_violations(tab, axe)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _click(tab, role: str, name: str) -> None:
    tab.get_by_role(role, name=name, exact=True).click()
    tab.wait_for_load_state()


def _date(tab, name: str, day: datetime.date) -> None:
    tab.fill(f"[name={name}_0]", str(day.day))
    tab.fill(f"[name={name}_1]", str(day.month))
    tab.fill(f"[name={name}_2]", str(day.year))


def test_the_business_unit_records_leads_and_delegates_and_a_signature_says_so(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
):
    delegate_user = UserFactory(full_name="Dana Fictional")
    MembershipFactory(user=delegate_user, partnership=partnership, role=Role.PARTNER_LEAD)
    start = timezone.localdate() - datetime.timedelta(days=30)
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/")
    _click(page, "link", "Safeguarding partners and chair: leads, delegates and the chair")
    _check_axe(page, axe_source, "the roles list")
    _click(page, "link", "Record a role")
    page.get_by_label("Lead Safeguarding Partner", exact=True).check()
    page.get_by_label("Name").fill("Alex Chief")
    page.get_by_label("Job title").fill("Chief Constable")
    _date(page, "starts_on", start)
    _click(page, "button", "Record the role")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the statutory partner")
    _check_axe(page, axe_source, "the role form with an error")
    assert not PartnershipRole.objects.exists()
    page.get_by_label("Chief officer of police").check()
    _click(page, "button", "Record the role")
    expect(page.locator("main")).to_contain_text("Alex Chief is recorded as Lead Safeguarding")

    _click(page, "link", "Record a role")
    page.get_by_label("Delegated Safeguarding Partner", exact=True).check()
    page.get_by_label("Chief officer of police").check()
    page.get_by_label("Delegated by").select_option(
        label="Alex Chief, Lead Safeguarding Partner for the chief officer of police"
    )
    page.get_by_label("Name").fill("Dana Fictional")
    page.get_by_label("Job title").fill("Detective Chief Superintendent")
    page.get_by_label("Their account in the service").select_option(
        label=f"Dana Fictional ({delegate_user.email})"
    )
    _date(page, "starts_on", start)
    _click(page, "button", "Record the role")
    expect(page.locator("main")).to_contain_text("Dana Fictional is recorded as Delegated")
    _check_axe(page, axe_source, "the roles list with a lead and a delegate")

    # The delegate signs a decision (as a decision maker): the case page says in what role.
    DecisionMaker.objects.create(
        partnership=partnership, review_type="cspr", capacity="Police", user=delegate_user
    )
    case = make_case(partnership, business_unit_user)
    referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    decision = referral_services.decision_record(
        track=Track.objects.get(case=case),
        outcome="no_further_review",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=business_unit_user,
    )
    referral_services.decision_sign(decision=decision, user=delegate_user)
    page.goto(f"/manage/{partnership.slug}/cases/{case.pk}/")
    expect(page.locator("main")).to_contain_text(
        "Signed as Delegated Safeguarding Partner for the chief officer of police, "
        "delegated by Alex Chief (Chief Constable)"
    )
    _check_axe(page, axe_source, "the case page with a delegate's signature")

    page.goto(f"/manage/{partnership.slug}/setup/roles/")
    _click(
        page, "link", "End Alex Chief, Lead Safeguarding Partner for the chief officer of police"
    )
    expect(page.locator("main")).to_contain_text("also ends the delegation it made")
    _check_axe(page, axe_source, "the end page")
    _date(page, "ends_on", timezone.localdate())
    _click(page, "button", "End the role")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the role ends")
    page.get_by_label("Why the role ends").fill("Retired")
    _click(page, "button", "End the role")
    expect(page.locator("main")).to_contain_text("and the delegation of Dana Fictional")
    assert PartnershipRole.objects.filter(ends_on=timezone.localdate()).count() == 2


def test_a_request_for_information_from_made_to_answered_and_a_yearly_report(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
):
    case = make_case(partnership, business_unit_user, pseudonym="Adult A")
    today = timezone.localdate()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/cases/{case.pk}/")
    _click(page, "link", "requests for information about this case")
    _check_axe(page, axe_source, "the case's requests")
    _click(page, "link", "Record a request for information")
    page.get_by_label("Person or body asked").fill("Testshire Housing")
    page.get_by_label("Care Act 2014 section 45 (Safeguarding Adults Board)").check()
    page.get_by_label("Information asked for").fill("Tenancy records for the review period.")
    _date(page, "due_on", today - datetime.timedelta(days=3))
    _click(page, "button", "Record the request")
    expect(page.locator(".govuk-error-summary")).to_contain_text("due date cannot be before")
    _check_axe(page, axe_source, "the request form with an error")
    assert not InformationRequest.objects.exists()
    _date(page, "made_on", today - datetime.timedelta(days=10))
    _date(page, "due_on", today - datetime.timedelta(days=1))
    _click(page, "button", "Record the request")
    expect(page.locator("main")).to_contain_text("Overdue")
    _check_axe(page, axe_source, "an overdue request")

    _click(page, "link", "Record a refusal")
    page.get_by_label("Reason they gave").fill("They say the person must consent first.")
    _click(page, "button", "Record the refusal")
    expect(page.locator("main")).to_contain_text("They say the person must consent first.")
    _click(page, "link", "Record an escalation")
    page.get_by_label("Escalated to").fill("The housing association's chief executive")
    page.get_by_label("Why, and what was asked").fill("Consent is not needed for this request.")
    _click(page, "button", "Record the escalation")
    _click(page, "link", "Record the answer")
    _check_axe(page, axe_source, "the answer form")
    page.get_by_label("What was received and where it is kept").fill("Records by secure email.")
    _click(page, "button", "Record the answer")
    expect(page.locator("main")).to_contain_text("Answered")
    expect(page.locator("main")).to_contain_text("The housing association's chief executive")
    _click(page, "link", "Requests for information")
    expect(page.locator("main")).to_contain_text("Answered or refused")
    _check_axe(page, axe_source, "the partnership's requests")

    page.goto(f"/manage/{partnership.slug}/")
    _click(page, "link", "Yearly reports and who they were sent to")
    _check_axe(page, axe_source, "the yearly reports")
    _click(page, "link", "Record a yearly report")
    page.get_by_label("Safeguarding Adults Board annual report").check()
    page.get_by_label("Year it covers").select_option(label="April 2024 to March 2025")
    _date(page, "published_on", datetime.date(2025, 9, 30))
    _click(page, "button", "Record the report")
    expect(page.locator("main")).to_contain_text("Local Healthwatch")
    _check_axe(page, axe_source, "a yearly report")
    _click(page, "link", "Record it as sent to the Local Healthwatch")
    _click(page, "button", "Save")
    expect(page.locator("main")).to_contain_text("Recorded as sent to the Local Healthwatch")
    assert YearlyReport.objects.get().recipients.filter(sent_on=today).count() == 1


def test_a_request_for_information_is_recorded_without_javascript(
    page_without_js,  # noqa: F811
    partnership,
    business_unit_user,
):
    tab = page_without_js
    case = make_case(partnership, business_unit_user, pseudonym="Child A")
    today = timezone.localdate()
    sign_in(tab, business_unit_user.email)
    tab.goto(f"/manage/{partnership.slug}/information-requests/cases/{case.pk}/add/")
    tab.get_by_label("Person or body asked").fill("Testshire Academy")
    tab.get_by_label("Children Act 2004 section 16H (safeguarding partners)").check()
    tab.get_by_label("Information asked for").fill("Attendance records.")
    _date(tab, "due_on", today + datetime.timedelta(days=14))
    _click(tab, "button", "Record the request")
    expect(tab.locator("main")).to_contain_text("Waiting for an answer")
    assert InformationRequest.objects.get().legal_basis == "children_act_s16h"
