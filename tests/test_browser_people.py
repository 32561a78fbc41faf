"""People management in a real browser (issue 13 item 2, ADR 0011): the business unit invites a
police contributor; the invitation email is read from the mail outbox (the live server runs in
this process, with the in-memory mail backend); the invitee opens the link, sets a password,
signs in and sees only their agency's requests, no cases. The business unit then changes a
person's roles and deactivates them. axe checks every new page; the invitation is also made
with JavaScript switched off."""

import re

import pytest
from django.core import mail

from safeguarding.accounts.models import Invitation, Membership, Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory

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

NEW_PASSWORD = "a-fictional-long-passphrase-42"
LINK = re.compile(r"^\S*(/invitation/[^/\s]+/)$", re.MULTILINE)


def _check_axe(tab, axe, where: str) -> None:
    violations = axe_violations(tab, axe)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _click(tab, role: str, name: str) -> None:
    tab.get_by_role(role, name=name, exact=True).click()
    tab.wait_for_load_state()


@pytest.fixture
def police(partnership, agency):
    """Testshire Police (like the demo's Riverton Police), one of the partnership's agencies."""
    partnership.agencies.add(agency, AgencyFactory(name="Testshire Council"))
    return agency


def test_the_business_unit_invites_a_police_contributor_who_sees_only_their_agency(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    police,
):
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/")
    _click(page, "link", "People: invite, change roles, deactivate")
    expect(page.locator("h1")).to_have_text("People")
    _check_axe(page, axe_source, "the people list")

    _click(page, "link", "Invite a person")
    _check_axe(page, axe_source, "the invite form")
    # Bad input first: an agency contributor without an agency, and a malformed address.
    page.get_by_label("Email address").fill("not-an-address")
    page.get_by_label("Full name").fill("Pat Fictional")
    page.get_by_label(re.compile("^Agency contributor")).check()
    _click(page, "button", "Continue")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an email address in the correct format")
    expect(summary).to_contain_text("Choose the agency this person works for")
    _check_axe(page, axe_source, "the invite form with errors")
    page.get_by_label("Email address").fill("Pat.Fictional@Police.example")
    page.get_by_label("Agency (optional)").select_option(label="Testshire Police")
    _click(page, "button", "Continue")

    expect(page.locator("h1")).to_have_text("Check the invitation before sending it")
    expect(page.locator(".govuk-summary-list")).to_contain_text("pat.fictional@police.example")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Testshire Police")
    _check_axe(page, axe_source, "the check page")
    assert not Invitation.objects.exists()
    _click(page, "button", "Send invitation")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Invitation sent to Pat Fictional"
    )
    expect(page.locator("main")).to_contain_text("Invitations waiting")
    _check_axe(page, axe_source, "the people list with an invitation")
    _click(page, "link", "Send again to pat.fictional@police.example")
    _check_axe(page, axe_source, "the send-again page")
    _click(page, "link", "Back to people")
    _click(page, "link", "Cancel the invitation to pat.fictional@police.example")
    _check_axe(page, axe_source, "the cancel page")
    _click(page, "link", "Keep it")

    (message,) = mail.outbox
    assert message.to == ["pat.fictional@police.example"]
    path = LINK.search(message.body).group(1)

    # The invitee, in a fresh browser session.
    page.context.clear_cookies()
    page.goto(path)
    expect(page.locator("h1")).to_have_text("Set your password")
    expect(page.locator("main")).to_contain_text("Agency contributor for Testshire Police")
    _check_axe(page, axe_source, "the accept page")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_label("Confirm password").fill("password")
    _click(page, "button", "Set password and continue")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    _check_axe(page, axe_source, "the accept page with errors")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    _click(page, "button", "Set password and continue")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your account is ready")

    sign_in(page, "pat.fictional@police.example", NEW_PASSWORD)
    main = page.locator("main")
    expect(main).to_contain_text("Agency contributor")
    expect(main).not_to_contain_text("See referrals and cases")
    _click(page, "link", "Your agency's requests")
    assert page.url.endswith("/agency-requests/")
    _check_axe(page, axe_source, "the agency's requests page")
    refused = page.goto(f"/manage/{partnership.slug}/referrals/")
    assert refused.status in (403, 404)
    refused = page.goto(f"/manage/{partnership.slug}/reviews/")
    assert refused.status in (403, 404)

    # The link works once.
    page.goto(path)
    expect(page.locator("h1")).to_have_text("This invitation has been used")
    _check_axe(page, axe_source, "the used-link page")


def test_the_business_unit_changes_roles_and_deactivates(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    police,
):
    reviewer = UserFactory(full_name="Ruth Fictional", email="ruth@testshire.example")
    MembershipFactory(user=reviewer, partnership=partnership, role=Role.REVIEWER)
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/people/")
    page.get_by_label("Name or email address").fill("ruth")
    _click(page, "button", "Search")
    _click(page, "link", "Ruth Fictional")
    _check_axe(page, axe_source, "the person page")
    _click(page, "link", "Change roles")
    _check_axe(page, axe_source, "the roles form")
    page.get_by_label(re.compile("^Panel member")).check()
    _click(page, "button", "Save roles")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("roles")
    assert set(Membership.objects.filter(user=reviewer).values_list("role", flat=True)) == {
        Role.REVIEWER,
        Role.PANEL_MEMBER,
    }
    _click(page, "link", "Deactivate Ruth Fictional")
    _check_axe(page, axe_source, "the deactivate page")
    _click(page, "button", "Deactivate")
    expect(page.locator("main")).to_contain_text("Deactivated")
    _click(page, "link", "Reactivate Ruth Fictional")
    _check_axe(page, axe_source, "the reactivate page")
    _click(page, "button", "Reactivate")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("reactivated")
    reviewer.refresh_from_db()
    assert reviewer.is_active
    # Your own page offers no change.
    page.goto(f"/manage/{partnership.slug}/people/{business_unit_user.pk}/")
    expect(page.locator("main")).to_contain_text("You cannot change your own roles")
    _check_axe(page, axe_source, "your own page")


def test_an_invitation_is_made_without_javascript(
    page_without_js,  # noqa: F811
    partnership,
    business_unit_user,
    police,
):
    tab = page_without_js
    sign_in(tab, business_unit_user.email)
    tab.goto(f"/manage/{partnership.slug}/people/invite/")
    tab.get_by_label("Email address").fill("jo@testshire.example")
    tab.get_by_label("Full name").fill("Jo Fictional")
    tab.get_by_label(re.compile("^Reviewer")).check()
    _click(tab, "button", "Continue")
    _click(tab, "button", "Send invitation")
    expect(tab.locator("main")).to_contain_text("Invitation sent to Jo Fictional")
    assert Invitation.objects.get().roles == [Role.REVIEWER]
    assert len(mail.outbox) == 1
