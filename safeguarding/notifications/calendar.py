"""Calendar invitations (iCalendar, RFC 5545 and iTIP, RFC 5546) for meetings.

``invitation(event, method)`` builds the .ics that goes with a meeting's notification:
``REQUEST`` invites (and, with a higher ``sequence``, updates) and ``CANCEL`` cancels. The
``uid`` must stay the same for the life of the meeting, and ``sequence`` go up by one at each
change, so calendars replace the earlier invitation instead of adding a second. Times are in
Europe/London. What goes in (summary, location, description) is the caller's: it must carry
pseudonyms only, never a real identity, as the file sits in people's calendars.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.utils import timezone

from safeguarding.accounts.models import Partnership
from safeguarding.core.email_transport import Attachment

LONDON = zoneinfo.ZoneInfo("Europe/London")
METHODS = ("REQUEST", "CANCEL")
PRODUCT_ID = "-//Manage safeguarding reviews//Meetings//EN"


@dataclass(frozen=True)
class Person:
    email: str
    name: str = ""


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    summary: str
    day: datetime.date
    organiser: Person
    attendees: tuple[Person, ...] = ()
    starts_at: datetime.time | None = None  # None: an all-day event on ``day``
    ends_at: datetime.time | None = None
    location: str = ""
    description: str = ""
    url: str = ""


def _address(person: Person, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = icalendar.vText(person.name)
    for name, value in params.items():
        address.params[name] = value
    return address


def invitation_ics(event: CalendarEvent, *, method: str = "REQUEST") -> bytes:
    """The iCalendar file for ``event``: an invitation or update (REQUEST) or a cancellation
    (CANCEL)."""
    if method not in METHODS:
        raise ValueError(f"A calendar invitation's method is one of {METHODS}, not {method!r}")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    if event.starts_at is None:
        vevent.add("dtstart", event.day)
        vevent.add("dtend", event.day + datetime.timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")
    else:
        vevent.add("dtstart", datetime.datetime.combine(event.day, event.starts_at, LONDON))
        if event.ends_at is not None:
            vevent.add("dtend", datetime.datetime.combine(event.day, event.ends_at, LONDON))
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    vevent["organizer"] = _address(event.organiser)
    for attendee in event.attendees:
        vevent.add(
            "attendee",
            _address(
                attendee,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="TRUE" if method == "REQUEST" else "FALSE",
            ),
        )
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitation(event: CalendarEvent, *, method: str = "REQUEST") -> Attachment:
    """The .ics as an email attachment (``text/calendar`` with its method)."""
    name = "cancelled.ics" if method == "CANCEL" else "invitation.ics"
    return Attachment(
        filename=name,
        content=invitation_ics(event, method=method),
        mimetype="text/calendar",
        params=(("method", method),),
    )


def uid_host() -> str:
    """The part after @ in an event's uid: the service's own host, so uids are unique to it."""
    return urlparse(settings.SERVICE_URL).hostname or "manage-safeguarding-reviews.invalid"


def organiser_for(partnership: Partnership) -> Person:
    """Who organises a partnership's meetings: its business unit, at the partnership's contact
    address (or the service's sending address when the partnership has none)."""
    return Person(
        email=partnership.contact_email or settings.DEFAULT_FROM_EMAIL,
        name=f"{partnership.name} business unit",
    )
