"""A partnership's agencies and decision makers kept in a real browser (issue 13, ADR 0017):
the business unit reaches the pages from its home, makes a mistake (a GOV.UK error summary,
nothing saved), adds and renames an agency, then names and changes a decision maker. axe checks
every page; adding an agency also works with JavaScript switched off."""

import pytest

from safeguarding.accounts.models import Agency, Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.referrals.models import DecisionMaker

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


def test_the_business_unit_keeps_its_agencies_and_decision_makers(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
):
    lead = UserFactory(full_name="Pat Fictional")
    MembershipFactory(user=lead, partnership=partnership, role=Role.PARTNER_LEAD)
    other = UserFactory(full_name="Sam Fictional")
    MembershipFactory(user=other, partnership=partnership, role=Role.PARTNER_LEAD)
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/")
    _click(page, "link", "Agencies: add, rename, remove")
    _check_axe(page, axe_source, "the agency list")
    _click(page, "link", "Add an agency")
    page.get_by_label("Or enter the name of a new agency").fill("Testshire Hospice")
    _click(page, "button", "Add the agency")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what kind")
    _check_axe(page, axe_source, "the add form with an error")
    assert not Agency.objects.filter(name="Testshire Hospice").exists()
    page.get_by_label("Kind of agency (for a new one)").select_option(label="Voluntary sector")
    _click(page, "button", "Add the agency")
    expect(page.locator("main")).to_contain_text("Testshire Hospice has been created and added")
    _click(page, "link", "Rename Testshire Hospice")
    _check_axe(page, axe_source, "the rename form")
    page.get_by_label("Name").fill("Testshire Hospice Trust")
    _click(page, "button", "Save the name")
    expect(page.locator("main")).to_contain_text("now called Testshire Hospice Trust")
    _click(page, "link", "Remove Testshire Hospice Trust")
    _check_axe(page, axe_source, "the remove page")
    _click(page, "button", "Remove the agency")
    expect(page.locator("main")).to_contain_text("removed from the partnership")

    page.goto(f"/manage/{partnership.slug}/")
    _click(page, "link", "Decision makers: who signs each kind of decision")
    _check_axe(page, axe_source, "the decision maker list")
    page.get_by_role("link", name="Name a decision maker").first.click()
    page.wait_for_load_state()
    _click(page, "button", "Name them")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the capacity")
    _check_axe(page, axe_source, "the decision maker form with errors")
    page.get_by_label("Capacity").fill("Police")
    page.get_by_label("Person").select_option(label=f"Pat Fictional ({lead.email})")
    _click(page, "button", "Name them")
    expect(page.locator("main")).to_contain_text("Pat Fictional now signs")
    page.get_by_role("link", name="Change").first.click()
    page.wait_for_load_state()
    page.get_by_label("Person").select_option(label=f"Sam Fictional ({other.email})")
    _click(page, "button", "Save the change")
    expect(page.locator("main")).to_contain_text("Sam Fictional now signs")
    assert DecisionMaker.objects.get(partnership=partnership).user == other
    assert DecisionMaker.all_objects.filter(partnership=partnership).count() == 2


def test_an_agency_is_added_without_javascript(
    page_without_js,  # noqa: F811
    partnership,
    business_unit_user,
):
    tab = page_without_js
    sign_in(tab, business_unit_user.email)
    tab.goto(f"/manage/{partnership.slug}/setup/agencies/add/")
    tab.get_by_label("Or enter the name of a new agency").fill("Testshire Food Bank")
    tab.get_by_label("Kind of agency (for a new one)").select_option(label="Voluntary sector")
    _click(tab, "button", "Add the agency")
    expect(tab.locator("main")).to_contain_text("Testshire Food Bank has been created and added")
    assert partnership.agencies.filter(name="Testshire Food Bank").exists()
