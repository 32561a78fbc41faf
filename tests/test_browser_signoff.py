"""In a real browser, with axe on every page: a decision maker disagrees with a review's
sign-off and the business unit records the escalation that resolved it; the business unit
replaces a decision's signatory who left; and records an email-only contact at an agency that
is then emailed its request (issue 13; ADRs 0012, 0018, 0019). Emails are read from the mail
outbox. (The pages work without JavaScript: their tests post the forms with Django's client.)"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from safeguarding.accounts.tests.factories import AgencyFactory
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import Decision, DecisionMaker
from safeguarding.referrals.tests.staff_support import make_case, name_decision_makers
from safeguarding.reviews.models import Review, ReviewDisagreement
from safeguarding.reviews.rapid_review import services as rapid_review_services
from safeguarding.reviews.requests.services import rapid_review_deadline
from safeguarding.reviews.tests.review_support import make_lcspr
from safeguarding.reviews.tests.test_sign_off import ready_for_sign_off
from safeguarding.workspace.setup import services as setup_services

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
    """Live-server tests flush the database after each test: put the milestone rules back."""
    from safeguarding.clock.default_rules import load_default_rules
    from safeguarding.clock.models import MilestoneRule

    load_default_rules(MilestoneRule)


def _check_axe(page, axe_source, where: str) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _service_path(body: str) -> str:
    match = re.search(r"(?:https?://[^/\s]+)?(/manage/\S+)", body)
    assert match, body
    return match.group(1)


def _fill_date(page, prefix: str, day) -> None:
    page.fill(f"[name={prefix}_0]", str(day.day))
    page.fill(f"[name={prefix}_1]", str(day.month))
    page.fill(f"[name={prefix}_2]", str(day.year))


def test_a_disagreement_with_a_review_sign_off_is_resolved_and_the_review_signed_off(
    page, axe_source, partnership, business_unit_user, sample_pdf
):
    review, makers = make_lcspr(partnership, business_unit_user)
    mail.outbox.clear()
    review = ready_for_sign_off(review, business_unit_user, sample_pdf)
    police = makers["Police"]
    (asked,) = [m for m in mail.outbox if m.to == [police.email]]

    # The police lead follows the email, and disagrees; an empty form is refused first.
    sign_in(page, police.email)
    page.goto(_service_path(asked.body))
    _check_axe(page, axe_source, "sign-off page")
    page.get_by_role("link", name="Decline to sign or disagree").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "sign-off decline page")
    page.get_by_role("button", name="Send to the business unit").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you disagree or decline to sign"
    )
    _check_axe(page, axe_source, "sign-off decline page with errors")
    assert not ReviewDisagreement.objects.exists()
    page.get_by_label("I disagree with the findings or the final report").check()
    page.get_by_label("Your reason").fill("Finding 1 leaves out the police referral in March.")
    page.get_by_role("button", name="Send to the business unit").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Disagrees with the findings or report")
    expect(page.get_by_role("button", name="Sign off the findings and final report")).to_have_count(
        0
    )

    # The business unit is emailed, and records the escalation (an empty form refused first).
    (raised,) = [m for m in mail.outbox if "disagrees with the review" in m.subject]
    assert raised.to == [business_unit_user.email]
    page.context.clear_cookies()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/")
    expect(page.locator("main")).to_contain_text("with a review's sign-off to resolve")
    page.goto(_service_path(raised.body))
    _check_axe(page, axe_source, "sign-off resolve page")
    page.get_by_role("button", name="Record the resolution").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter who resolved the disagreement"
    )
    _check_axe(page, axe_source, "sign-off resolve page with errors")
    page.get_by_label("Who resolved it?").fill("The three lead safeguarding partners")
    page.get_by_label(
        "The report stands without their signature: their disagreement is kept with it"
    ).check()
    page.get_by_label("Reasons for the outcome").fill("The chronology supports the finding.")
    _fill_date(page, "resolved_on", timezone.localdate())
    page.get_by_role("button", name="Record the resolution").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Not signed: disagreement kept with the review")
    _check_axe(page, axe_source, "sign-off page after the resolution")

    # The other two sign: the review is signed off without the police lead's signature.
    for capacity in ("Local authority", "Integrated care board"):
        page.context.clear_cookies()
        sign_in(page, makers[capacity].email)
        page.goto(f"/manage/{partnership.slug}/reviews/{review.pk}/sign-off/")
        page.get_by_role("button", name="Sign off the findings and final report").click()
        page.wait_for_load_state()
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGNED_OFF
    told = [m for m in mail.outbox if m.subject.startswith("Disagreement resolved")]
    assert sorted(m.to[0] for m in told) == sorted([business_unit_user.email, police.email])


def test_the_business_unit_replaces_a_signatory_who_left(
    page, axe_source, partnership, business_unit_user
):
    signers = name_decision_makers(partnership)
    case = make_case(partnership, business_unit_user, pseudonym="Child R")
    (track,) = referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    decision = referral_services.decision_record(
        track=track,
        outcome="rapid_review_then_local",
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=business_unit_user,
    )
    police = DecisionMaker.objects.get(partnership=partnership, capacity="Police")
    new_lead = name_decision_makers(partnership, "sar", capacities=("Spare",))["Spare"]
    new = setup_services.decision_maker_change(
        partnership=partnership,
        actor=business_unit_user,
        maker=police,
        capacity="Police",
        user=new_lead,
    )
    mail.outbox.clear()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/cases/{case.pk}/")
    _check_axe(page, axe_source, "case page with a signatory who left")
    page.get_by_role("link", name="Replace Police").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "replace page")
    page.get_by_role("button", name="Replace the signatory").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select who signs instead")
    expect(summary).to_contain_text("Enter why the signatory is being replaced")
    _check_axe(page, axe_source, "replace page with errors")
    page.get_by_label(f"{new_lead.full_name} (Police)").check()
    page.get_by_label("Why are they being replaced?").fill("The police lead retired.")
    page.get_by_role("button", name="Replace the signatory").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Signatories replaced")
    _check_axe(page, axe_source, "case page after the replacement")
    (asked,) = [m for m in mail.outbox if m.to == [new.user.email]]
    for user in (signers["Local authority"], signers["Integrated care board"], new.user):
        referral_services.decision_sign(decision=decision, user=user)
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL and "Sign the" in asked.subject


def test_an_email_contact_is_recorded_and_emailed_the_request(
    page, axe_source, partnership, business_unit_user
):
    school = AgencyFactory(name="Testshire Academy", slug="testshire-academy", kind="school")
    partnership.agencies.add(school)
    case = make_case(partnership, business_unit_user, pseudonym="Child Q")
    referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    rapid = rapid_review_services.rapid_review_start(case=case, actor=business_unit_user)
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{partnership.slug}/setup/agencies/")
    page.get_by_role("link", name="None at Testshire Academy: see or add").click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "agency contacts page")
    page.get_by_role("button", name="Add the contact").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the contact's name")
    _check_axe(page, axe_source, "agency contacts page with errors")
    page.get_by_label("Name").fill("Dana Fictional")
    page.get_by_label("Email address").fill("dsl@academy.example")
    page.get_by_label("Role at the agency").fill("Designated safeguarding lead")
    page.get_by_role("button", name="Add the contact").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("dsl@academy.example")

    mail.outbox.clear()
    page.goto(f"/manage/{partnership.slug}/reviews/{rapid.pk}/requests/")
    page.get_by_label("Testshire Academy").check()
    page.get_by_label("Agency summary (rapid review)").check()
    _fill_date(page, "due_on", rapid_review_deadline(rapid))
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Each has been emailed")
    (email,) = mail.outbox
    assert email.to == ["dsl@academy.example"] and "/manage/" not in email.body
    page.get_by_role("link", name="Testshire Academy").first.click()
    page.wait_for_load_state()
    expect(page.locator("#emailed")).to_contain_text("dsl@academy.example (email contact")
    _check_axe(page, axe_source, "request page emailed to a contact")
