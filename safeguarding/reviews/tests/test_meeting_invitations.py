"""Calendar invitations to a review's meetings (issue 13): a planned meeting invites the people
appointed to the review who have an account; updates and cancellations replace the invitation.
Read from the mail outbox, the .ics parsed with icalendar."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.notifications.models import Notification
from safeguarding.reviews.models import Appointment, Meeting, Person, PersonIdentity
from safeguarding.reviews.running import services
from safeguarding.reviews.running.invitations import meeting_invitation
from safeguarding.reviews.tests.review_support import Role, make_lcspr, member, today

pytestmark = pytest.mark.django_db
NEXT_WEEK = today() + datetime.timedelta(days=7)


@pytest.fixture
def lcspr(partnership, business_unit_user):
    partnership.contact_email = "reviews@testshire.example"
    partnership.save(update_fields=["contact_email"])
    review, _ = make_lcspr(partnership, business_unit_user)
    person = Person.objects.create(case=review.case, pseudonym="Mother", role_in_case="parent")
    PersonIdentity.objects.create(person=person, full_name="Fictional Realname")
    mail.outbox.clear()  # the set-up's own emails
    return review


def appoint(review, user=None, role="reviewer", name="Alex Reviewer"):
    return Appointment.objects.create(
        review=review, role=role, name=name, user=user, independent=True, appointed_on=today()
    )


@pytest.fixture
def appointees(partnership, lcspr):
    reviewer = member(partnership, Role.REVIEWER, email="reviewer@testshire.example")
    panel = member(partnership, Role.PANEL_MEMBER, email="panel@testshire.example")
    appoint(lcspr, reviewer)
    appoint(lcspr, panel, role="panel_member", name="Sam Panel")
    appoint(lcspr, None, role="chair", name="A chair without an account")
    return reviewer, panel


def plan(review, actor, captured, **extra):
    fields = {
        "held_on": NEXT_WEEK,
        "title": "Panel meeting 1",
        "starts_at": datetime.time(10, 0),
        "ends_at": datetime.time(11, 30),
        "location": "Room 2, Civic Centre",
        **extra,
    }
    with captured(execute=True):
        return services.meeting_record(review=review, actor=actor, **fields)


def calendar_of(email) -> tuple[icalendar.Calendar, icalendar.Event]:
    (part,) = [p for p in email.message().walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.events
    return calendar, event


def test_a_planned_meeting_invites_each_appointee_with_an_account(
    lcspr, appointees, business_unit_user, django_capture_on_commit_callbacks
):
    meeting = plan(lcspr, business_unit_user, django_capture_on_commit_callbacks)

    assert sorted(email.to[0] for email in mail.outbox) == [
        "panel@testshire.example",
        "reviewer@testshire.example",
    ]
    email = mail.outbox[0]
    assert email.subject.startswith("Invitation: Panel meeting 1, ")
    assert "10:00 to 11:30" in email.subject
    assert "Open the attached invitation to add it to your calendar." in email.body
    calendar, event = calendar_of(email)
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"].startswith(f"review-meeting-{meeting.pk}@")
    assert event["SEQUENCE"] == 0
    assert event["SUMMARY"] == f"Panel meeting 1 ({lcspr.reference})"
    assert event["LOCATION"] == "Room 2, Civic Centre"
    assert event.start == datetime.datetime.combine(
        NEXT_WEEK, datetime.time(10), event.start.tzinfo
    )
    assert str(event.start.tzinfo) == "Europe/London"
    assert event["ORGANIZER"] == "mailto:reviews@testshire.example"
    assert sorted(str(a) for a in event["ATTENDEE"]) == [
        "mailto:panel@testshire.example",
        "mailto:reviewer@testshire.example",
    ]
    # Pseudonyms only: no real identity in the email or the calendar.
    ics = calendar.to_ical().decode()
    assert "Realname" not in ics and "Realname" not in email.body
    assert "Child B" in ics  # the review's pseudonym title
    # Each has the notice, with the invitation to download; the audit event counts them.
    notifications = Notification.objects.filter(kind="meeting.invited")
    assert notifications.count() == 2
    assert all(n.attachments.count() == 1 for n in notifications)
    event = AuditEvent.objects.get(action="review.meeting_recorded")
    assert event.payload["invited"] == 2


def test_a_meeting_recorded_after_it_was_held_invites_no_one(
    lcspr, appointees, business_unit_user, django_capture_on_commit_callbacks
):
    plan(
        lcspr,
        business_unit_user,
        django_capture_on_commit_callbacks,
        held_on=today() - datetime.timedelta(days=1),
        minutes="Agreed the scope.",
    )

    assert mail.outbox == []
    assert not Notification.objects.filter(kind__startswith="meeting.").exists()


def test_people_who_left_or_are_closed_are_not_invited(
    partnership, lcspr, appointees, business_unit_user, django_capture_on_commit_callbacks
):
    reviewer, panel = appointees
    reviewer.memberships.all().delete()  # no longer a reviewer in the partnership
    panel.is_active = False
    panel.save(update_fields=["is_active"])

    plan(lcspr, business_unit_user, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert AuditEvent.objects.get(action="review.meeting_recorded").payload["invited"] == 0


def test_a_meeting_without_a_time_is_all_day(
    lcspr, appointees, business_unit_user, django_capture_on_commit_callbacks
):
    plan(
        lcspr,
        business_unit_user,
        django_capture_on_commit_callbacks,
        starts_at=None,
        ends_at=None,
        location="",
    )

    _, event = calendar_of(mail.outbox[0])
    assert event.start == NEXT_WEEK
    assert "LOCATION" not in event


def test_an_update_and_a_cancellation_replace_the_invitation_once_each(
    lcspr, appointees, business_unit_user, django_capture_on_commit_callbacks
):
    meeting = plan(lcspr, business_unit_user, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    meeting.starts_at = datetime.time(14, 0)
    meeting.ends_at = datetime.time(15, 0)
    meeting.sequence = 1
    meeting.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invitations_send(meeting=meeting)
        services.meeting_invitations_send(meeting=meeting)  # the same version again: no one

    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject.startswith("Changed: Panel meeting 1, now ")
    assert "These details replace the earlier invitation." in mail.outbox[0].body
    _, updated = calendar_of(mail.outbox[0])
    assert updated["SEQUENCE"] == 1
    assert updated.start.hour == 14
    mail.outbox.clear()

    meeting.sequence = 2
    meeting.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invitations_send(meeting=meeting, method="CANCEL")

    assert mail.outbox[0].subject.startswith("Cancelled: Panel meeting 1")
    calendar, cancelled = calendar_of(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL"
    assert (cancelled["UID"], cancelled["SEQUENCE"], cancelled["STATUS"]) == (
        updated["UID"],
        2,
        "CANCELLED",
    )
    assert meeting_invitation(meeting, method="CANCEL").filename == "cancelled.ics"


def test_the_meetings_page_plans_a_meeting_and_says_who_is_invited(
    bu_client, lcspr, appointees, django_capture_on_commit_callbacks
):
    url = reverse("reviews:meetings", args=[lcspr.partnership.slug, lcspr.pk])
    page = bu_client.get(url).content.decode()
    assert "sends a calendar invitation by email" in page
    reviewer, _ = appointees
    assert reviewer.full_name in page

    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            url,
            {
                "title": "Practitioner learning event",
                "held_on_0": NEXT_WEEK.day,
                "held_on_1": NEXT_WEEK.month,
                "held_on_2": NEXT_WEEK.year,
                "starts_at": "9.30",
                "ends_at": "12:00",
                "location": "Online",
            },
        )

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.starts_at, meeting.ends_at, meeting.location) == (
        datetime.time(9, 30),
        datetime.time(12, 0),
        "Online",
    )
    assert len(mail.outbox) == 2
    page = bu_client.get(url).content.decode()
    assert "09:30 to 12:00" in page and "Online" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_at": "25:00"}, "Start time must be a time in hours and minutes"),
        ({"ends_at": "10:00"}, "Enter the time the meeting starts"),
        ({"starts_at": "10:00", "ends_at": "09:00"}, "The meeting must end after it starts"),
        ({"held_on": today() + datetime.timedelta(days=800)}, "within the next two years"),
    ],
)
def test_bad_times_are_refused_and_change_nothing(bu_client, lcspr, appointees, fields, message):
    day = fields.pop("held_on", NEXT_WEEK)
    response = bu_client.post(
        reverse("reviews:meetings", args=[lcspr.partnership.slug, lcspr.pk]),
        {
            "title": "Panel meeting",
            "held_on_0": day.day,
            "held_on_1": day.month,
            "held_on_2": day.year,
            **fields,
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert not Meeting.objects.exists()
    assert mail.outbox == []
