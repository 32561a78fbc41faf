"""A board's report figures in a real browser (issue 17): the business unit opens the figures
from the partnership's home, chooses the financial year, checks a number against the records
behind it, downloads the workbook and the Word document and reads the timeliness trends; axe checks
every page; other dates and their error summary with JavaScript switched off."""

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook

from safeguarding.reports.tests.test_figures import world  # noqa: F401

from .test_browser import (  # noqa: F401
    PASSWORD,
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


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Live-server tests flush the database after each test, which removes the milestone rules
    a data migration loaded; put them back."""
    from safeguarding.clock.default_rules import load_default_rules
    from safeguarding.clock.models import MilestoneRule

    load_default_rules(MilestoneRule)


def _check_axe(tab, axe, where: str) -> None:
    violations = axe_violations(tab, axe)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def test_the_business_unit_produces_the_year_figures_and_checks_them(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    world,  # noqa: F811
):
    business_unit_user.set_password(PASSWORD)
    business_unit_user.save()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/")
    page.get_by_role("link", name="Report figures and timeliness").click()
    page.get_by_label("Period").select_option("2024")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=2, name="April 2024 to March 2025")).to_be_visible()
    assert page.locator("svg[role=img]").count() >= 5
    _check_axe(page, axe_source, "the figures for 2024 to 2025")

    # A number leads to the records behind it.
    page.get_by_role("link", name="3 records: Referrals received").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals received")
    assert page.locator("tbody tr").count() == 3
    _check_axe(page, axe_source, "the records behind a figure")
    page.get_by_role("link", name="Back to the figures").click()

    # Both downloads.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures as a spreadsheet (.xlsx)").click()
    assert download.value.suggested_filename == f"figures-{partnership.slug}-2024-25.xlsx"
    with open(download.value.path(), "rb") as handle:
        book = load_workbook(handle)
    assert "Figures" in book.sheetnames and "Timeliness" in book.sheetnames
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures as a Word document (.docx)").click()
    word = WordDocument(download.value.path())
    assert any(p.text == "Referrals received" for p in word.paragraphs)

    page.get_by_role("link", name="Timeliness across the years, for every milestone rule").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=2, name="Complete the rapid review")).to_be_visible()
    _check_axe(page, axe_source, "the timeliness trends")


def test_other_dates_work_without_javascript(
    page_without_js,  # noqa: F811
    partnership,
    business_unit_user,
    world,  # noqa: F811
):
    """The period form is a plain GET form: with JavaScript switched off in the browser
    context, other dates are chosen, shown, and a wrong pair is refused with an error
    summary."""
    tab = page_without_js
    business_unit_user.set_password(PASSWORD)
    business_unit_user.save()
    sign_in(tab, business_unit_user.email)
    tab.goto(f"/manage/{partnership.slug}/reports/figures/")

    def choose(first: tuple[str, str, str], last: tuple[str, str, str]) -> None:
        tab.get_by_label("Period").select_option("custom")
        for prefix, values in (("date_from", first), ("date_to", last)):
            for number, value in enumerate(values):
                tab.locator(f"input[name={prefix}_{number}]").fill(value)
        with tab.expect_navigation():
            tab.get_by_role("button", name="Show figures").click()

    choose(("1", "4", "2024"), ("30", "9", "2024"))
    expect(
        tab.get_by_role("heading", level=2, name="1 April 2024 to 30 September 2024")
    ).to_be_visible()
    assert "year=custom" in tab.url

    choose(("2", "4", "2024"), ("1", "4", "2024"))
    summary = tab.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The last day must be the same as or after the first")
