"""Guidance versions in a real browser (issue 14, ADR 0018): the business unit reaches the
guidance page from its home, makes a mistake (a GOV.UK error summary, nothing saved), records the
date it adopted Working Together 2023, and sees on a case's page which guidance the case follows
and why. axe checks every page."""

import datetime

import pytest

from safeguarding.guidance.models import GuidanceAdoption
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.tests.staff_support import ANSWERS, IDENTITY

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


def _check_axe(tab, axe, where: str) -> None:
    violations = axe_violations(tab, axe)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _click(tab, role: str, name: str) -> None:
    tab.get_by_role(role, name=name, exact=True).click()
    tab.wait_for_load_state()


def test_the_business_unit_adopts_a_version_and_sees_it_on_a_case(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
):
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/")
    _click(page, "link", "Guidance: the versions the partnership follows, from which date")
    _check_axe(page, axe_source, "the guidance list")
    _click(page, "link", "Record adoption of Working Together 2023")
    _check_axe(page, axe_source, "the adoption form")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2020")
    _click(page, "button", "Save the date")
    expect(page.locator(".govuk-error-summary")).to_contain_text("on or after 15 December 2023")
    _check_axe(page, axe_source, "the adoption form with an error")
    assert not GuidanceAdoption.objects.exists()
    page.get_by_label("Year").fill("2024")
    _click(page, "button", "Save the date")
    expect(page.locator("main")).to_contain_text("adopted on 1 February 2024")
    assert GuidanceAdoption.objects.get().adopted_on == datetime.date(2024, 2, 1)

    referral, _ = referral_services.referral_submit(
        partnership=partnership,
        review_type="cspr",
        answers=ANSWERS,
        identity=IDENTITY,
        received_on=datetime.date(2024, 3, 3),
        notify_referrer=False,
    )
    case = referral_services.case_open(
        referral=referral, pseudonym="Child A", actor=business_unit_user
    )
    page.goto(f"/manage/{partnership.slug}/cases/{case.pk}/")
    panel = page.locator("#guidance-versions")
    expect(panel).to_contain_text("Working Together 2023")
    expect(panel).to_contain_text(
        "Aware on 3 March 2024; the partnership adopted Working Together 2023 on 1 February 2024"
    )
    _check_axe(page, axe_source, "the case page's guidance panel")
