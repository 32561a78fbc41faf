"""The Home Office Quality Assurance Panel pages of a DHR in a real browser (R34, issue 14 §4),
with axe on every page: the business unit records a submission (a mistake first: a GOV.UK error
summary, nothing saved), the panel's letter asking for changes with its reasons, downloads the
letter, submits again and records the panel's approval, which records the R34 step; a partner
lead reads the page without the forms. Then the review's national return and the partnership's
own marker set pages (issue 17, ADR 0024). Fictional data only."""

import datetime

import pytest
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.publication import publishing
from safeguarding.publication.models import HomeOfficeSubmission, PrePublicationStep
from safeguarding.reviews.models import LocalMarkerSet, NationalReturn, Review
from safeguarding.reviews.tests.review_support import commission, decided_case

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


def _dhr_publication(partnership, actor):
    case, _ = decided_case(partnership, actor, review_types=("dhr",), pseudonym="Adult W")
    review = commission(case, actor)
    Review.objects.filter(pk=review.pk).update(
        stage=Review.Stage.SIGNED_OFF, signed_off_at=timezone.now()
    )
    review.refresh_from_db()
    return publishing.publication_start(review=review, actor=actor)


def test_the_business_unit_records_the_panels_submissions_and_letters(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    user_for_role,
    sample_pdf,
):
    publication = _dhr_publication(partnership, business_unit_user)
    today = timezone.localdate()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/publication/reviews/{publication.pk}/")
    _click(page, "link", "Submissions to the Home Office quality assurance panel and its letters")
    _check_axe(page, axe_source, "the panel page, nothing submitted")

    # A mistake first: nothing saved.
    _date(page, "submitted_on", today)
    _click(page, "button", "Record the submission")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _check_axe(page, axe_source, "the panel page with an error")
    assert not HomeOfficeSubmission.objects.exists()
    page.get_by_label("What was sent").fill("Overview report version 3")
    _click(page, "button", "Record the submission")
    expect(page.locator("main")).to_contain_text("Submission 1 has been recorded")
    expect(page.locator("main")).to_contain_text("Awaiting the panel")

    # The panel asks for changes, with its reasons.
    _click(page, "link", "Record the panel's letter on submission 1")
    _check_axe(page, axe_source, "the letter form")
    page.set_input_files(
        "[name=letter]",
        files=[{"name": "panel-letter.pdf", "mimeType": "application/pdf", "buffer": sample_pdf}],
    )
    _date(page, "letter_on", today)
    page.get_by_label("Revise and resubmit").check()
    page.get_by_label("Equality and diversity not analysed enough").check()
    page.get_by_label("Other reasons, or more detail").fill("Say more about the family's account.")
    _click(page, "button", "Record the letter")
    expect(page.locator("main")).to_contain_text("The panel's letter has been recorded")
    expect(page.locator("main")).to_contain_text("Equality and diversity not analysed enough")
    _check_axe(page, axe_source, "the panel page with a returned submission")
    with page.expect_download() as download:
        page.get_by_role("link", name="panel-letter.pdf").click()
    assert download.value.suggested_filename == "panel-letter.pdf"

    # Submitted again; the panel is content: the R34 step is recorded from its letter.
    _date(page, "submitted_on", today)
    page.get_by_label("What was sent").fill("Overview report version 4")
    _click(page, "button", "Record the submission")
    _click(page, "link", "Record the panel's letter on submission 2")
    page.set_input_files(
        "[name=letter]",
        files=[{"name": "panel-letter-2.pdf", "mimeType": "application/pdf", "buffer": sample_pdf}],
    )
    _date(page, "letter_on", today)
    page.get_by_label("Content for the report to be published").check()
    _click(page, "button", "Record the letter")
    expect(page.locator("main")).to_contain_text("Content for the report to be published")
    assert PrePublicationStep.objects.filter(publication=publication, rule_id="R34").exists()
    assert page.get_by_role("button", name="Record the submission").count() == 0

    # A partner lead reads the page, without the forms.
    lead = user_for_role(Role.PARTNER_LEAD)
    page.context.clear_cookies()
    sign_in(page, lead.email)
    page.goto(f"/manage/{partnership.slug}/publication/reviews/{publication.pk}/home-office/")
    expect(page.locator("h1")).to_have_text("Home Office quality assurance panel")
    expect(page.locator("main")).to_contain_text("Submission 2")
    assert page.get_by_role("link", name="Record the panel's letter on submission 2").count() == 0
    _check_axe(page, axe_source, "the panel page read by a partner lead")


def test_the_national_return_and_a_marker_set_in_the_browser(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
):
    case, _ = decided_case(partnership, business_unit_user, review_types=("sar",))
    review = commission(case, business_unit_user)
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/reviews/{review.pk}/")
    _click(page, "link", "National return")
    _check_axe(page, axe_source, "the national return form")
    _click(page, "button", "Save the return")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Answer: was the review mandatory or discretionary?"
    )
    _check_axe(page, axe_source, "the national return with errors")
    assert not NationalReturn.objects.exists()
    page.get_by_label("Mandatory: the criteria of section 44(1) to (3) were met").check()
    page.get_by_label("They died").check()
    page.get_by_label("Self-neglect").check()
    page.get_by_label("Their own home, alone").check()
    page.get_by_label("How many people is the review about?").fill("1")
    page.get_by_label("A systems approach (for example Learning Together)").check()
    _click(page, "button", "Save the return")
    expect(page.locator("main")).to_contain_text("National return saved")
    assert NationalReturn.objects.get().answers["abuse_types"] == ["self_neglect"]

    page.goto(f"/manage/{partnership.slug}/reviews/marker-sets/")
    _check_axe(page, axe_source, "the marker sets")
    _click(page, "link", "Add a marker set")
    page.get_by_label("Name of the marker set").fill("Regional SAR quality markers")
    page.get_by_label("Safeguarding Adults Review").check()
    _click(page, "button", "Add the set")
    _check_axe(page, axe_source, "a marker set")
    _click(page, "link", "Add a marker")
    page.get_by_label("Marker", exact=True).fill("The adult's voice shapes the review")
    _click(page, "button", "Add the marker")
    expect(page.locator("main")).to_contain_text("The adult's voice shapes the review")
    assert LocalMarkerSet.objects.get().markers.count() == 1
    _check_axe(page, axe_source, "a marker set with a marker")

    # The quality page asks which set; the partnership's own is chosen.
    page.goto(f"/manage/{partnership.slug}/reviews/{review.pk}/quality/")
    _check_axe(page, axe_source, "the choice of marker set")
    page.get_by_label("Regional SAR quality markers").check()
    _click(page, "button", "Continue")
    expect(page.locator("main")).to_contain_text("The adult's voice shapes the review")
    _check_axe(page, axe_source, "the quality form with the partnership's set")
