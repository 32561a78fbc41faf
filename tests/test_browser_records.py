"""Records pages in a real browser: the business unit changes a retention period (an error
first), puts a case on hold, and answers a request for data about a person down to the ZIP.
axe checks every page on the way; the retention page also works without JavaScript."""

import io
import json
import zipfile

import pytest

from safeguarding.records.models import RetentionHold, RetentionSetting
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reviews.models import Person, PersonIdentity

# The browser fixtures and helpers are shared with the other browser tests.
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


def test_retention_periods_and_holds(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
):
    case = make_case(partnership, business_unit_user, pseudonym="Child H")
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/")
    page.get_by_role("link", name="Keeping records").click()
    expect(page.get_by_role("heading", name="Keeping records", level=1)).to_be_visible()
    _check_axe(page, axe_source, "the retention page")

    page.get_by_role("link", name="Change how long referrals that led to no case are kept").click()
    page.get_by_label("Number of months").fill("0")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _check_axe(page, axe_source, "a retention period with an error")
    page.get_by_label("Number of months").fill("36")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("3 years after the day the referral was received")).to_be_visible()
    assert RetentionSetting.objects.get(partnership=partnership).months == 36

    page.get_by_role("link", name="Put a case on hold").click()
    _check_axe(page, axe_source, "putting a case on hold")
    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_label("Why the case is kept").fill("Inquest not yet held")
    page.get_by_role("button", name="Put on hold").click()
    expect(page.get_by_role("cell", name="Inquest not yet held")).to_be_visible()
    page.get_by_role("link", name=f"Lift the hold on {case.reference}").click()
    _check_axe(page, axe_source, "lifting a hold")
    page.get_by_role("button", name="Lift the hold").click()
    expect(page.get_by_text("No case is on hold.")).to_be_visible()
    assert RetentionHold.objects.get(case=case).lifted_at is not None


def test_data_about_a_person_down_to_the_zip(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
):
    case = make_case(partnership, business_unit_user, pseudonym="Child P")
    person = Person.objects.create(case=case, pseudonym="Child P", role_in_case="subject")
    PersonIdentity.objects.create(person=person, full_name="Zebedee Quillfeather")
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/")
    page.get_by_role("link", name="Data about a person").click()
    _check_axe(page, axe_source, "the search for data about a person")
    page.get_by_role("button", name="Find records").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.get_by_label("Their name").fill("Zebedee Quillfeather")
    page.get_by_role("button", name="Find records").click()
    expect(
        page.get_by_role("heading", name="Records that may be about Zebedee Quillfeather")
    ).to_be_visible()
    _check_axe(page, axe_source, "the records found")

    page.get_by_role("button", name="Download the data (ZIP)").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _check_axe(page, axe_source, "the download with errors")

    page.get_by_label("A person in a case: Child P", exact=False).check()
    page.fill("[name=received_on_0]", "1")
    page.fill("[name=received_on_1]", "12")
    page.fill("[name=received_on_2]", "2026")
    page.get_by_label("Reason for the download").fill("Request from the person")
    page.get_by_label("I have checked the identity").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the data (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    data = json.loads(archive.read("data.json"))
    assert data["people_in_cases"][0]["identity"]["full_name"] == "Zebedee Quillfeather"


def test_the_retention_page_works_without_javascript(
    page_without_js,  # noqa: F811
    partnership,
    business_unit_user,
):
    sign_in(page_without_js, business_unit_user.email)
    page_without_js.goto(f"/manage/{partnership.slug}/records/retention/audit_events/")
    page_without_js.get_by_label("Apply this rule to our partnership's records").uncheck()
    page_without_js.get_by_role("button", name="Save", exact=True).click()
    expect(page_without_js.get_by_text("Kept: the rule is switched off")).to_be_visible()
