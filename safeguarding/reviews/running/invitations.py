"""Calendar invitations to a review's meetings (issue 13): who is invited, and the .ics.

Invitations go to the people appointed to the review (reviewer, chair, panel members) who have
an account and still hold a reviewer or panel member role in the partnership; the organiser is
the partnership's business unit. The .ics carries the meeting's title, the review's reference
and pseudonym title and the place: never a real identity, nor the minutes or attendees text.
Its uid stays the same for the life of the meeting and ``Meeting.sequence`` counts the changes,
so an update or cancellation (``method="CANCEL"``) replaces the invitation in calendars.
"""

from django.db import router
from django.urls import reverse
from django.utils.dateformat import format as date_format

from safeguarding.accounts.models import Membership, Role, User
from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, PK_PLACEHOLDER, CompiledQuery
from safeguarding.core.email_transport import Attachment
from safeguarding.notifications.calendar import (
    CalendarEvent,
    Person,
    invitation,
    organiser_for,
    uid_host,
)
from safeguarding.notifications.services import absolute_url

from ..models import Appointment, Meeting, Review

APPOINTED_ROLES = (Role.REVIEWER, Role.PANEL_MEMBER)


def meeting_invitees(meeting: Meeting) -> list[User]:
    """Who is invited to ``meeting``: see ``review_meeting_invitees``."""
    return review_meeting_invitees(meeting.review)


def review_meeting_invitees(review: Review) -> list[User]:
    """The review's appointees (appointments not ended) with an active account who still hold
    a reviewer or panel member role in the partnership, by email address: who the review's
    meetings invite."""
    return _INVITEES.objects(
        router.db_for_read(User), partnership_id=review.partnership_id, review_id=review.pk
    )


def _invitees(partnership_id: int, review_id: int):
    still_members = Membership.objects.filter(
        partnership_id=partnership_id, role__in=APPOINTED_ROLES
    ).values("user_id")
    appointed = (
        Appointment.objects.active()
        .filter(review_id=review_id, user__isnull=False)
        .values("user_id")
    )
    return (
        User.objects.filter(is_active=True, pk__in=appointed)
        .filter(pk__in=still_members)
        .order_by("email")
    )


# A meeting's page shows who it invites: the SQL built once (ADR 0038; issue 16).
_INVITEES = CompiledQuery(
    _invitees,
    {
        "partnership_id": (
            PARTNERSHIP_PLACEHOLDER,
            Membership._meta.get_field("partnership").target_field,
        ),
        "review_id": (PK_PLACEHOLDER, Review._meta.pk),
    },
)


def meeting_when(meeting: Meeting) -> str:
    """The meeting's day and times in words, e.g. "Tuesday 8 December 2026, 10:00 to 11:30"."""
    day = date_format(meeting.held_on, "l j F Y")
    if meeting.starts_at is None:
        return day
    times = meeting.starts_at.strftime("%H:%M")
    if meeting.ends_at is not None:
        times += f" to {meeting.ends_at.strftime('%H:%M')}"
    return f"{day}, {times}"


def meeting_path(meeting: Meeting) -> str:
    return reverse("reviews:meetings", args=[meeting.review.partnership.slug, meeting.review_id])


def meeting_event(meeting: Meeting, attendees: list[User] | None = None) -> CalendarEvent:
    """The meeting as a calendar event (pseudonyms only)."""
    review = meeting.review
    partnership = review.partnership
    if attendees is None:
        attendees = meeting_invitees(meeting)
    link = absolute_url(meeting_path(meeting))
    description = f"{review.reference} {review.title}, a review of {partnership.name}."
    if link:
        description += f"\nThe review's meetings: {link}"
    return CalendarEvent(
        uid=f"review-meeting-{meeting.pk}@{uid_host()}",
        sequence=meeting.sequence,
        summary=f"{meeting.title} ({review.reference})",
        day=meeting.held_on,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location,
        description=description,
        url=link,
        organiser=organiser_for(partnership),
        attendees=tuple(Person(email=user.email, name=user.full_name) for user in attendees),
    )


def meeting_invitation(
    meeting: Meeting, *, method: str = "REQUEST", attendees: list[User] | None = None
) -> Attachment:
    """The meeting's .ics: an invitation, or an update once ``meeting.sequence`` has gone up
    (``REQUEST``), or its cancellation (``CANCEL``)."""
    return invitation(meeting_event(meeting, attendees), method=method)
