"""Calendar invitations: the .ics parsed back with icalendar."""

import datetime

import icalendar
import pytest

from safeguarding.notifications.calendar import (
    CalendarEvent,
    Person,
    invitation,
    invitation_ics,
    organiser_for,
)

EVENT = CalendarEvent(
    uid="review-meeting-7@reviews.example.gov.uk",
    sequence=0,
    summary="Panel meeting 1 (RV2026-00001)",
    day=datetime.date(2026, 12, 8),
    starts_at=datetime.time(10, 0),
    ends_at=datetime.time(11, 30),
    location="Room 2, Civic Centre",
    description="RV2026-00001 Child B, a review of Testshire Safeguarding Partnership.",
    organiser=Person(email="bu@testshire.example", name="Testshire business unit"),
    attendees=(
        Person(email="alex@testshire.example", name="Alex Lee"),
        Person(email="sam@testshire.example", name="Sam Okafor"),
    ),
)


def parse(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.events
    return calendar, event


def test_an_invitation_is_a_request_in_london_time_with_its_attendees():
    calendar, event = parse(invitation_ics(EVENT))

    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == EVENT.uid
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Panel meeting 1 (RV2026-00001)"
    assert event["LOCATION"] == "Room 2, Civic Centre"
    assert event.start == datetime.datetime(2026, 12, 8, 10, 0, tzinfo=event.start.tzinfo)
    assert str(event.start.tzinfo) == "Europe/London"
    assert event.end.hour == 11 and event.end.minute == 30
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert event["ORGANIZER"] == "mailto:bu@testshire.example"
    assert event["ORGANIZER"].params["CN"] == "Testshire business unit"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == [
        "mailto:alex@testshire.example",
        "mailto:sam@testshire.example",
    ]
    assert attendees[0].params["RSVP"] == "TRUE"


def test_summer_times_are_british_summer_time():
    summer = CalendarEvent(**{**EVENT.__dict__, "day": datetime.date(2027, 7, 1)})
    _, event = parse(invitation_ics(summer))
    assert event.start.utcoffset() == datetime.timedelta(hours=1)


def test_an_update_keeps_the_uid_and_counts_up_and_a_cancellation_cancels():
    updated = CalendarEvent(**{**EVENT.__dict__, "sequence": 1})
    _, event = parse(invitation_ics(updated))
    assert (event["UID"], event["SEQUENCE"]) == (EVENT.uid, 1)

    cancelled = CalendarEvent(**{**EVENT.__dict__, "sequence": 2})
    calendar, event = parse(invitation_ics(cancelled, method="CANCEL"))
    assert calendar["METHOD"] == "CANCEL"
    assert (event["UID"], event["SEQUENCE"], event["STATUS"]) == (EVENT.uid, 2, "CANCELLED")


def test_a_meeting_without_a_time_is_an_all_day_event():
    all_day = CalendarEvent(**{**EVENT.__dict__, "starts_at": None, "ends_at": None})
    _, event = parse(invitation_ics(all_day))
    assert event.start == datetime.date(2026, 12, 8)
    assert event.end == datetime.date(2026, 12, 9)


def test_only_request_and_cancel():
    with pytest.raises(ValueError, match="REQUEST"):
        invitation_ics(EVENT, method="PUBLISH")


def test_the_attachment_names_its_method():
    attachment = invitation(EVENT, method="CANCEL")
    assert attachment.filename == "cancelled.ics"
    assert attachment.content_type == "text/calendar; method=CANCEL; charset=utf-8"


def test_the_organiser_is_the_business_unit_at_the_partnership_address(partnership, settings):
    partnership.contact_email = "reviews@testshire.example"
    assert organiser_for(partnership) == Person(
        email="reviews@testshire.example", name="Testshire Safeguarding Partnership business unit"
    )
    partnership.contact_email = ""
    assert organiser_for(partnership).email == settings.DEFAULT_FROM_EMAIL
