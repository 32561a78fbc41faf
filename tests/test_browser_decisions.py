"""A declined signature and its resolution, in a real browser: a decision maker disagrees with
a reason, the business unit is emailed and records the escalation that resolved it, the
decision maker is asked to sign again, and the decision becomes final. The emails are read from
the mail outbox; axe checks every page on the way."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from safeguarding.referrals import services
from safeguarding.referrals.models import Decision, Disagreement
from safeguarding.referrals.tests.staff_support import make_case, name_decision_makers

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
    """Live-server tests flush the database after each test, which removes the milestone rules
    a data migration loaded; put them back."""
    from safeguarding.clock.default_rules import load_default_rules
    from safeguarding.clock.models import MilestoneRule

    load_default_rules(MilestoneRule)


def _check_axe(page, axe_source, where: str) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _emails(subject_start: str) -> list:
    return [email for email in mail.outbox if email.subject.startswith(subject_start)]


def _service_path(body: str) -> str:
    """The link to the service in an email (a path when SERVICE_URL is not set)."""
    match = re.search(r"(?:https?://[^/\s]+)?(/manage/\S+)", body)
    assert match, body
    return match.group(1)


def test_a_declined_signature_is_resolved_by_escalation_and_everyone_is_told(
    page, axe_source, partnership, business_unit_user
):
    signers = name_decision_makers(partnership)
    police = signers["Police"]
    case = make_case(partnership, business_unit_user, pseudonym="Child R")
    (track,) = services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    mail.outbox.clear()
    decision = services.decision_record(
        track=track,
        outcome="rapid_review_then_local",
        rationale="Fictional reasons: the agencies held different pictures of the family.",
        decided_on=timezone.localdate(),
        actor=business_unit_user,
    )

    # 1. Each decision maker is emailed that the decision awaits their signature.
    asked = _emails("Sign the Child Safeguarding Practice Review decision")
    assert sorted(email.to[0] for email in asked) == sorted(u.email for u in signers.values())
    police_email = next(email for email in asked if email.to == [police.email])

    # 2. The police lead follows the link, and disagrees; an empty form is refused first.
    sign_in(page, police.email)
    page.goto(_service_path(police_email.body))
    _check_axe(page, axe_source, "sign page")
    page.get_by_role("link", name="Decline or disagree").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "decline page")
    page.get_by_role("button", name="Send to the business unit").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you disagree or decline to sign"
    )
    _check_axe(page, axe_source, "decline page with errors")
    assert not Disagreement.objects.exists()
    page.get_by_label("I disagree with the decision or its reasons").check()
    page.get_by_label("Your reason").fill("The threshold for a local review is not met.")
    page.get_by_role("button", name="Send to the business unit").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("You told the business unit that you disagree")
    expect(page.get_by_role("button", name="Sign this decision")).to_have_count(0)
    decision.refresh_from_db()
    assert decision.state == Decision.State.DISPUTED

    # 3. The business unit is emailed, with the reason and a link to record the resolution.
    (raised,) = _emails("Police disagrees")
    assert raised.to == [business_unit_user.email]
    assert "The threshold for a local review is not met." in raised.body

    # 4. The business unit records the escalation; an incomplete form is refused first.
    page.context.clear_cookies()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/cases/{case.pk}/")
    expect(page.locator("main")).to_contain_text("Disagreement to resolve")
    _check_axe(page, axe_source, "case page with a disagreement")
    page.goto(_service_path(raised.body))
    _check_axe(page, axe_source, "resolve page")
    page.get_by_role("button", name="Record the resolution").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter who resolved the disagreement")
    expect(summary).to_contain_text("Select the outcome of the escalation")
    _check_axe(page, axe_source, "resolve page with errors")
    page.get_by_label("Who resolved it?").fill("The three lead safeguarding partners")
    page.get_by_label("The decision stands: the decision maker is asked to sign it").check()
    page.get_by_label("Reasons for the outcome").fill(
        "The partners agreed the threshold is met: agencies did not share what they knew."
    )
    today = timezone.localdate()
    page.fill("[name=resolved_on_0]", str(today.day))
    page.fill("[name=resolved_on_1]", str(today.month))
    page.fill("[name=resolved_on_2]", str(today.year))
    page.get_by_role("button", name="Record the resolution").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("The three lead safeguarding partners")
    expect(page.locator("main")).to_contain_text("Resolved")
    _check_axe(page, axe_source, "case page after the resolution")

    # 5. The business unit and the police lead are told; the police lead is asked to sign.
    resolved = _emails("Disagreement resolved")
    assert sorted(email.to[0] for email in resolved) == sorted(
        [business_unit_user.email, police.email]
    )
    assert "The three lead safeguarding partners" in resolved[0].body
    asked_again = [e for e in _emails("Sign the") if e not in asked]
    assert [email.to for email in asked_again] == [[police.email]]

    # 6. Everyone signs: the decision is final.
    for signer in signers.values():
        page.context.clear_cookies()
        sign_in(page, signer.email)
        page.goto(f"/manage/{partnership.slug}/decisions/{decision.pk}/sign/")
        page.get_by_role("button", name="Sign this decision").click()
        page.wait_for_load_state()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("You signed")
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
