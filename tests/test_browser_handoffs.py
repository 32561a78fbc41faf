"""Who is told about an action, in a real browser (issue 13): the business unit gives an action
to an agency, the daily reminder run tells the agency it is due soon (once, however often it
runs), the agency asks for it to be accepted as complete, the business unit returns it with a
reason, then accepts it. At each hand-off the email is read from the mail outbox and the notice
from "Your notifications"; axe checks the notification pages."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.actions.models import Action
from safeguarding.actions.tests.support import add_recommendation, signed_off_review
from safeguarding.clock.reminders import reminders_send
from safeguarding.core.calendar import add_working_days

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


def _as(tab, user) -> None:
    tab.context.clear_cookies()
    sign_in(tab, user.email)


def _emails_since(start: int) -> list[tuple[str, str]]:
    return [(message.to[0], message.subject) for message in mail.outbox[start:]]


def _open_notice(tab, axe, subject_start: str, where: str) -> None:
    """From "Your notifications", open the newest notice whose subject starts so, and follow
    its link to the page it is about."""
    tab.goto("/manage/notifications/")
    _check_axe(tab, axe, f"your notifications ({where})")
    link = tab.locator("main h2 a").filter(has_text=subject_start).first
    expect(link.locator("xpath=..")).to_contain_text("Unread")
    link.click()
    tab.wait_for_load_state()
    _check_axe(tab, axe, f"a notification ({where})")
    expect(tab.locator("h1")).to_contain_text(subject_start)


def test_an_action_is_followed_from_assigned_to_accepted_by_email_and_notices(
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
    partnership.agencies.add(police)
    officer = UserFactory(email="police.contributor@testshire.example")
    officer.set_password(PASSWORD)
    officer.save()
    MembershipFactory(
        user=officer, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=police
    )
    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    add_recommendation(review, business_unit_user, agencies=[police])
    target = timezone.localdate() + datetime.timedelta(days=40)
    start = len(mail.outbox)

    # Assigned: the business unit adds the action; the police contributor is told.
    _as(page, business_unit_user)
    page.goto(f"/manage/{partnership.slug}/actions/review/{review.pk}/")
    page.get_by_role("link", name="Add an action to recommendation 1").click()
    page.wait_for_load_state()
    page.get_by_label("Action", exact=True).fill("Agree a same-day police check")
    page.get_by_label("Owner agency").select_option(label="Testshire Constabulary")
    page.get_by_label("Lead officer").fill("Detective Inspector Fictional")
    page.fill("[name=target_date_0]", str(target.day))
    page.fill("[name=target_date_1]", str(target.month))
    page.fill("[name=target_date_2]", str(target.year))
    _click(page, "button", "Add the action")
    action = Action.objects.get(recommendation__review=review)
    assigned = f"New action 1.1 of {review.reference} for Testshire Constabulary"
    assert [(to, subject[: len(assigned)]) for to, subject in _emails_since(start)] == [
        (officer.email, assigned)
    ]
    assert f"/manage/{partnership.slug}/actions/{action.pk}/" in mail.outbox[-1].body

    # Due soon: the daily run tells the agency once, however often it runs.
    soon = add_working_days(target, -5)
    start = len(mail.outbox)
    assert reminders_send(today=soon, sources=["actions"]) == 1
    assert reminders_send(today=soon, sources=["actions"]) == 0
    assert _emails_since(start) == [
        (officer.email, f"Due {target:%-d %B %Y}: action 1.1 of {review.reference}")
    ]

    # The agency opens the notice, follows it to the action and asks for completion.
    _as(page, officer)
    _open_notice(page, axe_source, assigned, "assigned")
    expect(page.locator("main")).to_contain_text("Agree a same-day police check")
    _click(page, "link", "Go to the page")
    assert page.url.endswith(f"/actions/{action.pk}/")
    _click(page, "link", "Ask for it to be accepted as complete")
    page.get_by_label("What was done").fill("The check is live; the protocol is attached.")
    evidence = tmp_path / "protocol.pdf"
    evidence.write_bytes(sample_pdf)
    page.set_input_files("input[type=file]", str(evidence))
    start = len(mail.outbox)
    _click(page, "button", "Ask for it to be accepted")
    asked = f"Accept or return: action 1.1 of {review.reference} (Testshire Constabulary)"
    assert _emails_since(start) == [(business_unit_user.email, asked)]

    # The business unit returns it with a reason.
    _as(page, business_unit_user)
    _open_notice(page, axe_source, asked, "completion asked")
    expect(page.locator("main")).to_contain_text("The check is live; the protocol is attached.")
    _click(page, "link", "Go to the page")
    _click(page, "link", "Accept or return the completion")
    page.get_by_label("Return it to the agency: more is needed").check()
    page.get_by_label("Note").fill("Attach the audit of the first month's checks.")
    start = len(mail.outbox)
    _click(page, "button", "Save the decision")
    returned = f"Returned: action 1.1 of {review.reference} needs more before it is complete"
    assert _emails_since(start) == [(officer.email, returned)]
    assert "Attach the audit of the first month's checks." in mail.outbox[-1].body

    # The agency reads why, adds the audit and asks again.
    _as(page, officer)
    _open_notice(page, axe_source, returned, "returned")
    expect(page.locator("main")).to_contain_text("Attach the audit of the first month's checks.")
    _click(page, "link", "Go to the page")
    _click(page, "link", "Ask for it to be accepted as complete")
    page.get_by_label("What was done").fill("The audit of the first month is attached.")
    audit = tmp_path / "audit.pdf"
    audit.write_bytes(sample_pdf)
    page.set_input_files("input[type=file]", str(audit))
    start = len(mail.outbox)
    _click(page, "button", "Ask for it to be accepted")
    assert _emails_since(start) == [(business_unit_user.email, asked)]

    # The business unit accepts it; the agency is told and sees it in the service.
    _as(page, business_unit_user)
    page.goto(f"/manage/{partnership.slug}/actions/{action.pk}/")
    _click(page, "link", "Accept or return the completion")
    page.get_by_label("Accept: the action is complete").check()
    start = len(mail.outbox)
    _click(page, "button", "Save the decision")
    accepted = f"Accepted as complete: action 1.1 of {review.reference}"
    assert _emails_since(start) == [(officer.email, accepted)]
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETE

    _as(page, officer)
    _open_notice(page, axe_source, accepted, "accepted")
    page.goto("/manage/notifications/")
    subjects = page.locator("main h2 a").all_inner_texts()
    assert subjects[:2] == [accepted, returned]
    assert assigned in "\n".join(subjects)
    # No email names the person in the case: the review's pseudonym and reference only.
    from safeguarding.referrals.models import ReferralIdentity

    identity = ReferralIdentity.objects.get(referral__case=review.case)
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert identity.first_name not in text and identity.last_name not in text
