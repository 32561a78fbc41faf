"""From findings to change in a real browser (issue 6): the business unit adds a finding, a
recommendation and an action to a signed-off review; the owner agency's contributor asks for
completion with evidence; the business unit accepts; the tracker and the exports show it. axe
checks each new page on the way."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.actions.models import Action
from safeguarding.actions.tests.support import signed_off_review

from .test_browser import (  # noqa: F401
    PASSWORD,
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
def reference_data(transactional_db):
    """Live-server tests flush the database after each test, which removes what data migrations
    loaded (milestone rules, the shared themes); put them back."""
    from safeguarding.actions.default_themes import DEFAULT_THEMES
    from safeguarding.actions.models import Theme
    from safeguarding.clock.default_rules import load_default_rules
    from safeguarding.clock.models import MilestoneRule

    load_default_rules(MilestoneRule)
    for facet, names in DEFAULT_THEMES.items():
        for name in names:
            Theme.objects.get_or_create(partnership=None, facet=facet, name=name)


def _check_axe(tab, axe, where: str) -> None:
    violations = axe_violations(tab, axe)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _click(tab, role: str, name: str) -> None:
    tab.get_by_role(role, name=name, exact=True).click()
    tab.wait_for_load_state()


def _success(tab, text: str) -> None:
    expect(tab.locator(".govuk-notification-banner--success")).to_contain_text(text)


def test_an_action_goes_from_finding_to_accepted_completion(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    sample_pdf,
    tmp_path,
):
    business_unit_user.set_password(PASSWORD)
    business_unit_user.save()
    police = AgencyFactory(name="Testshire Constabulary", slug="testshire-constabulary")
    contributor = UserFactory(email="police.contributor@testshire.example")
    contributor.set_password(PASSWORD)
    contributor.save()
    MembershipFactory(
        user=contributor, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=police
    )
    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    target = timezone.localdate() + datetime.timedelta(days=40)

    # The business unit writes the action plan.
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/actions/review/{review.pk}/")
    _check_axe(page, axe_source, "the empty action plan")
    _click(page, "link", "Add a finding or learning point")
    page.get_by_label("Finding", exact=True).check()
    page.get_by_label("Short title").fill("Nobody asked who lived in the home")
    page.get_by_label("Finding or learning point").fill(
        "The health visitor did not know a man had moved in."
    )
    page.get_by_label("Male carers (invisible men)").check()
    _check_axe(page, axe_source, "the add-a-finding form")
    _click(page, "button", "Add it")
    _success(page, "added")

    _click(page, "link", "Add a recommendation")
    page.get_by_label("Recommendation", exact=True).fill(
        "Health visitors should ask who lives in the home at every visit."
    )
    page.get_by_label("Finding 3: Nobody asked who lived in the home").check()
    page.get_by_label("Testshire Constabulary").check()
    page.get_by_label("Multi-agency").check()
    page.get_by_label("Expected change").fill("Practitioners know every adult in the home.")
    _check_axe(page, axe_source, "the recommendation form")
    _click(page, "button", "Add the recommendation")
    _success(page, "Recommendation 1")

    page.get_by_role("link", name="Add an action to recommendation 1").click()
    page.wait_for_load_state()
    page.get_by_label("Action", exact=True).fill("Agree a same-day police check")
    page.get_by_label("Owner agency").select_option(label="Testshire Constabulary")
    page.get_by_label("Lead officer").fill("Detective Inspector Fictional")
    page.fill("[name=target_date_0]", str(target.day))
    page.fill("[name=target_date_1]", str(target.month))
    page.fill("[name=target_date_2]", str(target.year))
    _check_axe(page, axe_source, "the action form")
    _click(page, "button", "Add the action")
    action = Action.objects.get(recommendation__review=review)
    expect(page.locator("main")).to_contain_text("Agree a same-day police check")

    # The police contributor asks for completion with evidence.
    page.context.clear_cookies()
    sign_in(page, contributor.email)
    page.goto(f"/manage/{partnership.slug}/actions/{action.pk}/")
    _check_axe(page, axe_source, "the action page (agency)")
    _click(page, "link", "Ask for it to be accepted as complete")
    page.get_by_label("What was done").fill("The check is live; the protocol is attached.")
    evidence = tmp_path / "protocol.pdf"
    evidence.write_bytes(sample_pdf)
    page.set_input_files("input[type=file]", str(evidence))
    _check_axe(page, axe_source, "the completion request form")
    _click(page, "button", "Ask for it to be accepted")
    action.refresh_from_db()
    assert action.status == "completion_requested"
    assert action.evidence.get().original_name == "protocol.pdf"

    # The business unit accepts it.
    page.context.clear_cookies()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/actions/{action.pk}/")
    _click(page, "link", "Accept or return the completion")
    _check_axe(page, axe_source, "the completion decision form")
    page.get_by_label("Accept: the action is complete").check()
    _click(page, "button", "Save the decision")
    action.refresh_from_db()
    assert action.status == "complete"
    expect(page.locator("main")).to_contain_text("Complete")
    expect(page.locator("main")).to_contain_text("protocol.pdf")

    # The partnership tracker and its export show it.
    page.goto(f"/manage/{partnership.slug}/actions/?view=complete")
    _check_axe(page, axe_source, "the tracker")
    expect(page.locator("main table").first).to_contain_text("Agree a same-day police check")
    response = page.request.get(f"/manage/{partnership.slug}/actions/tracker.xlsx?view=complete")
    assert response.ok
    sheet = load_workbook(io.BytesIO(response.body())).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value}
    assert "Agree a same-day police check" in cells
    assert "Complete" in cells
    response = page.request.get(
        f"/manage/{partnership.slug}/actions/review/{review.pk}/action-plan.docx"
    )
    assert response.ok
    from docx import Document

    document = Document(io.BytesIO(response.body()))
    text = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "Agree a same-day police check" in text
