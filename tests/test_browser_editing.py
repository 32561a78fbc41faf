"""Changing and removing what was entered in a review, in a real browser (issue 13 item 5): the
business unit moves a planned meeting (bad input first), and the appointed reviewer is sent an
updated calendar invitation (read from the mail outbox, parsed with icalendar: same uid, higher
sequence); then it removes a person from the case with a reason, and the person leaves the list
but stays among those removed, with their history. axe checks every page on the way."""

import datetime
import re

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from safeguarding.reviews.models import Meeting, Person
from safeguarding.reviews.running import services
from safeguarding.reviews.tests.review_support import Role, make_lcspr, member

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


def _check_axe(tab, axe, where: str) -> None:
    violations = axe_violations(tab, axe)
    assert not violations, f"axe on {where}:\n{describe(violations)}"


def _click(tab, role: str, name: str) -> None:
    tab.get_by_role(role, name=name, exact=True).click()
    tab.wait_for_load_state()


def _calendar(email) -> tuple[icalendar.Calendar, icalendar.Event]:
    (part,) = [p for p in email.message().walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.events
    return calendar, event


@pytest.fixture
def review_with_a_meeting(partnership, business_unit_user):
    review, _ = make_lcspr(partnership, business_unit_user)
    reviewer = member(partnership, Role.REVIEWER, email="reviewer@testshire.example")
    services.appointment_add(
        review=review,
        actor=business_unit_user,
        role="reviewer",
        name="Alex Reviewer",
        appointed_on=timezone.localdate(),
        user=reviewer,
    )
    services.person_add(
        review=review, actor=business_unit_user, pseudonym="Mother", role_in_case="parent"
    )
    meeting = services.meeting_record(
        review=review,
        actor=business_unit_user,
        held_on=timezone.localdate() + datetime.timedelta(days=7),
        title="Panel meeting 1",
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(11, 30),
        location="Room 2, Civic Centre",
    )
    return review, meeting


def test_the_business_unit_moves_a_meeting_and_removes_a_person(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    review_with_a_meeting,
):
    review, meeting = review_with_a_meeting
    mail.outbox.clear()
    sign_in(page, business_unit_user.email)

    # A meeting: bad input changes nothing, then the new time goes to the reviewer's calendar.
    page.goto(f"/manage/{partnership.slug}/reviews/{review.pk}/meetings/")
    _click(page, "link", "Change or cancel Panel meeting 1")
    expect(page.locator("h1")).to_have_text("Panel meeting 1")
    expect(page.locator("main")).to_contain_text("an updated calendar invitation is sent")
    _check_axe(page, axe_source, "the meeting's page")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("End time").fill("13:00")
    _click(page, "button", "Save changes")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The meeting must end after it starts"
    )
    _check_axe(page, axe_source, "the meeting's page with errors")
    assert Meeting.objects.get(pk=meeting.pk).sequence == 0
    page.get_by_label("End time").fill("15:30")
    _click(page, "button", "Save changes")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Meeting ‘Panel meeting 1’ saved"
    )
    expect(page.locator("main")).to_contain_text("14:00 to 15:30")

    (email,) = mail.outbox
    assert email.to == ["reviewer@testshire.example"]
    calendar, event = _calendar(email)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]).startswith(f"review-meeting-{meeting.pk}@")
    assert event["SEQUENCE"] == 1
    assert event.start.hour == 14

    _click(page, "link", "Change or cancel Panel meeting 1")
    expect(page.locator("main")).to_contain_text("Changed: start time, end time")

    # A person removed from the case, with a reason (none given first).
    page.goto(f"/manage/{partnership.slug}/reviews/{review.pk}/people/")
    # (Chromium names the link "Mother : change or remove": the hidden part is a block.)
    page.get_by_role("link", name=re.compile(r"^Mother\s*: change or remove$")).click()
    expect(page.locator("h1")).to_have_text("Mother")
    _check_axe(page, axe_source, "the person's page")
    page.get_by_role("link", name=re.compile(r"^Remove from the case\s*: Mother$")).click()
    expect(page.locator("h1")).to_have_text("Remove Mother from the case")
    _check_axe(page, axe_source, "the remove page")
    _click(page, "button", "Remove from the case")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why they are removed from the case"
    )
    _check_axe(page, axe_source, "the remove page with errors")
    assert not Person.objects.get(pseudonym="Mother").is_archived
    page.get_by_label(re.compile("^Why is Mother being removed")).fill("Entered twice")
    _click(page, "button", "Remove from the case")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Mother is removed from the people in the case"
    )
    main = page.locator("main")
    expect(main).to_contain_text("Removed from the case")
    expect(main).to_contain_text("Entered twice")
    _check_axe(page, axe_source, "the people page with someone removed")
    assert Person.objects.get(pseudonym="Mother").is_archived
