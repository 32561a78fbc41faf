"""The front door in a real browser: a professional refers a child online; the business unit
screens the case; the three named decision makers sign; the deadlines show with working-day
dates over a bank holiday. axe checks the pages on the way."""

import datetime

import pytest
from django.core import mail

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory
from safeguarding.referrals.models import Case, Decision, Referral
from safeguarding.referrals.tests.staff_support import name_decision_makers

# The browser fixtures and helpers are shared with the other browser tests.
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


def _date(page, name: str, day: datetime.date) -> None:
    page.fill(f"[name={name}_0]", str(day.day))
    page.fill(f"[name={name}_1]", str(day.month))
    page.fill(f"[name={name}_2]", str(day.year))


date = datetime.date


def _continue(page) -> None:
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_referral_screening_decision_and_deadlines_over_a_bank_holiday(
    page,
    axe_source,
    partnership,
    business_unit_user,
    agency,
):
    partnership.agencies.add(agency)
    signers = name_decision_makers(partnership)
    slug = partnership.slug
    incident = date(2026, 8, 25)

    # 1. A professional refers a child on the public site, without an account.
    page.goto(f"/{slug}/reviews/")
    page.get_by_role(
        "link", name="Refer a case for a Child Safeguarding Practice Review online"
    ).click()
    page.wait_for_load_state()
    _check_axe(page, axe_source, "referral: start page")
    page.goto(f"/{slug}/refer/cspr/about-you/")
    _check_axe(page, axe_source, "referral: about you")
    _continue(page)  # empty: every question gets an error, nothing is kept
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    _check_axe(page, axe_source, "referral: about you, with errors")
    page.fill("[name=referrer_name]", "Alex Fictional")
    page.fill("[name=referrer_job_title]", "Designated safeguarding lead")
    page.fill("[name=referrer_organisation]", "Testshire Primary School")
    page.fill("[name=referrer_email]", "alex.fictional@school.example")
    page.check("[name=discussed_with_safeguarding_lead][value=yes]")
    _continue(page)

    page.fill("[name=first_name]", "Quentin")
    page.fill("[name=last_name]", "Marchbank")
    _date(page, "date_of_birth", date(2019, 4, 2))
    _continue(page)

    _date(page, "incident_date", incident)
    page.check("[name=harm][value=serious_harm]")
    page.check("[name=abuse_or_neglect][value=suspected]")
    page.check("[name=place][value=in_area]")
    page.check("[name=normally_resident_in_area][value=yes]")
    page.fill("[name=what_happened]", "A fictional account: the child came to school injured.")
    _continue(page)

    page.check("[name=looked_after][value=no]")
    page.check("[name=child_protection_plan][value=no]")
    page.check("[name=care_leaver][value=no]")
    _continue(page)

    page.check(f"[name=agencies][value='{agency.pk}']")
    page.check("[name=agency_working_concern][value=yes]")
    page.fill("[name=concerns_working_together]", "School and health did not share concerns.")
    _continue(page)

    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    _check_axe(page, axe_source, "referral: check your answers")
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-panel__title")).to_contain_text("Referral sent")
    _check_axe(page, axe_source, "referral: sent")
    referral = Referral.objects.get()
    expect(page.locator(".govuk-panel")).to_contain_text(referral.reference)
    assert referral.reference in mail.outbox[0].body

    # 2. The business unit opens the case and dates the clock from when it became aware.
    context = page.context
    context.clear_cookies()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{slug}/referrals/")
    page.get_by_role("link", name=referral.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Quentin")).to_have_count(0)  # identity hidden until asked for
    page.get_by_role("link", name="Start screening").click()
    page.fill("[name=pseudonym]", "Child Q")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    _check_axe(page, axe_source, "case page")

    page.goto(f"/manage/{slug}/cases/{case.pk}/became-aware/")
    _date(page, "became_aware_on", date(2026, 8, 27))
    page.fill("[name=reason]", "The school told children's services that afternoon.")
    page.get_by_role("button", name="Save the date").click()
    page.wait_for_load_state()
    # Thursday 27 August 2026 is day 0; Monday 31 August is the summer bank holiday (R39, R40).
    expect(page.get_by_text("Friday 4 September 2026").first).to_be_visible()  # R2: 5 WD
    expect(page.get_by_text("Friday 18 September 2026").first).to_be_visible()  # R9: 15 WD

    # 3. Screening shows the CSPR test met; the case goes for decision.
    expect(page.locator("body")).to_contain_text("Children Act 2004, section 16C(1)")
    page.goto(f"/manage/{slug}/cases/{case.pk}/decide/")
    page.get_by_role("button", name="Send for decision").click()
    page.wait_for_load_state()
    track = case.tracks.get()
    page.goto(f"/manage/{slug}/cases/{case.pk}/tracks/{track.pk}/decision/")
    page.check("[name=outcome][value=rapid_review_then_local]")
    page.fill("[name=rationale]", "Fictional reasons: two agencies held different pictures.")
    _date(page, "decided_on", date(2026, 9, 17))
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_load_state()
    decision = Decision.objects.get()

    # 4. Each safeguarding partner signs; the third signature makes the decision final.
    for capacity, signer in signers.items():
        context.clear_cookies()
        sign_in(page, signer.email)
        page.goto(f"/manage/{slug}/decisions/{decision.pk}/sign/")
        _check_axe(page, axe_source, f"signing as {capacity}")
        page.get_by_role("button", name="Sign this decision").click()
        page.wait_for_load_state()
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
    assert decision.signatures.count() == 3

    # The referrer's private link shows the stage and nothing else.
    status_link = next(
        line for line in mail.outbox[0].body.splitlines() if "/refer/status/" in line
    ).strip()
    context.clear_cookies()
    page.goto(status_link)
    expect(page.locator("main")).to_contain_text(referral.reference)
    expect(page.locator("main")).not_to_contain_text("Quentin")
    expect(page.locator("main")).not_to_contain_text("came to school injured")
    _check_axe(page, axe_source, "referral status page")


def test_an_agency_contributor_sees_no_referrals(page, partnership, agency):
    from safeguarding.accounts.tests.factories import UserFactory

    user = UserFactory()
    MembershipFactory(
        user=user, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    sign_in(page, user.email)
    response = page.goto(f"/manage/{partnership.slug}/referrals/")
    assert response.status == 403
    expect(
        page.get_by_role("heading", name="You do not have permission to see this page")
    ).to_be_visible()


def test_dhr_referral_of_a_suicide_after_coercive_control_reaches_both_tests(
    page, axe_source, partnership, business_unit_user
):
    """Issue 14 §5 without JavaScript: the referral asks whether the death resulted from abuse
    (never who caused it) and who was responsible; a 16-year-old's suicide after a partner's
    coercive control meets the child test and the DHR test, with the joint decision flag."""
    partnership.runs_dhr = True
    partnership.save()
    slug = partnership.slug
    died = date(2026, 11, 2)

    page.goto(f"/{slug}/refer/dhr/about-you/")
    page.fill("[name=referrer_name]", "Robin Fictional")
    page.fill("[name=referrer_job_title]", "Detective sergeant")
    page.fill("[name=referrer_organisation]", "Testshire Police")
    page.fill("[name=referrer_email]", "robin.fictional@police.example")
    page.check("[name=discussed_with_safeguarding_lead][value=yes]")
    _continue(page)

    page.fill("[name=first_name]", "Ottilie")
    page.fill("[name=last_name]", "Fernsby")
    page.fill("[name=age_years]", "16")
    _continue(page)

    _check_axe(page, axe_source, "DHR referral: what happened")
    expect(page.locator("main")).not_to_contain_text("caus")
    _date(page, "incident_date", died)
    page.check("[name=harm][value=died]")
    _date(page, "date_of_death", died)
    page.check("[name=abuse_or_neglect][value=suspected]")
    page.check("[name=place][value=in_area]")
    page.check("[name=normally_resident_in_area][value=yes]")
    page.fill("[name=what_happened]", "A fictional account: controlling messages from a partner.")
    _continue(page)  # the death's cause left unanswered: an error, nothing kept
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether the death resulted, or appears to have resulted, from abuse or neglect"
    )
    _check_axe(page, axe_source, "DHR referral: what happened, with errors")
    page.check("[name=death_resulted_from_abuse][value=yes]")
    _continue(page)

    _check_axe(page, axe_source, "DHR referral: about the death and the household")
    page.check("[name=harmed_by][value=partner]")
    page.check("[name=responsible_in_household][value=no]")
    page.check("[name=responsible_aged_16_or_over][value=yes]")
    page.check("[name=suspected_suicide][value=yes]")
    page.check("[name=domestic_abuse_history][value=yes]")
    page.check("[name=children_in_household][value=no]")
    _continue(page)

    page.check("[name=agency_working_concern][value=no]")
    _continue(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("A partner")
    _check_axe(page, axe_source, "DHR referral: check your answers")
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-panel__title")).to_contain_text("Referral sent")
    referral = Referral.objects.get()
    assert (referral.harmed_by, referral.responsible_in_household) == ("partner", False)
    assert referral.death_resulted_from_abuse is True

    page.context.clear_cookies()
    sign_in(page, business_unit_user.email)
    page.goto(f"/manage/{slug}/referrals/{referral.pk}/")
    expect(page.locator("main")).to_contain_text(
        "That person lived in or often stayed in the household"
    )
    page.get_by_role("link", name="Start screening").click()
    page.fill("[name=pseudonym]", "Young person O")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    main = page.locator("main")
    expect(main).to_contain_text("The death resulted, or appears to have resulted, from the abuse")
    expect(main).to_contain_text("The person died by suicide after domestic abuse")
    expect(main).to_contain_text("Open both a CSPR track and a DHR track")
    expect(main).not_to_contain_text("caused")
    _check_axe(page, axe_source, "case page: suicide after coercive control")

    page.goto(f"/manage/{slug}/cases/{case.pk}/screening/")
    expect(page.locator("[name=responsible_in_household][value=no]")).to_be_checked()
    expect(page.locator("[name=death_resulted_from_abuse][value=yes]")).to_be_checked()
    _check_axe(page, axe_source, "screening facts form")
