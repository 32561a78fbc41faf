"""Changing and removing what was entered in a review (issue 13 item 5): people in the case,
appointments, meetings and family contacts. Nothing is deleted: a record is archived with who,
when and why, leaves the working lists, keeps its history (audit events shown on its page) and
can be put back. A changed meeting still to come sends an updated invitation (same uid, higher
sequence), a cancelled one a cancellation; read from the mail outbox and parsed with icalendar.
Bad input shows a GOV.UK error summary and changes nothing."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.publication.models import Publication
from safeguarding.publication.publishing import identifiers_for
from safeguarding.reviews.chronology.selectors import people_in_case
from safeguarding.reviews.models import (
    Appointment,
    ChronologyEntry,
    FamilyContact,
    Meeting,
    Person,
    PersonIdentity,
    Review,
)
from safeguarding.reviews.permissions import can_view_review
from safeguarding.reviews.running import services
from safeguarding.reviews.running.invitations import review_meeting_invitees
from safeguarding.reviews.tests.review_support import Role, make_lcspr, member, today

pytestmark = pytest.mark.django_db
NEXT_WEEK = today() + datetime.timedelta(days=7)
REAL_NAME = "Ottoline Fictionalname"


@pytest.fixture
def lcspr(partnership, business_unit_user):
    review, _ = make_lcspr(partnership, business_unit_user)
    mail.outbox.clear()
    return review


@pytest.fixture
def person(lcspr, business_unit_user):
    return services.person_add(
        review=lcspr,
        actor=business_unit_user,
        pseudonym="Mother",
        role_in_case="parent",
        full_name=REAL_NAME,
        date_of_birth=datetime.date(1990, 5, 4),
        address="1 Made-up Road, Testshire",
    )


@pytest.fixture
def reviewer(partnership):
    return member(partnership, Role.REVIEWER, email="reviewer@testshire.example")


@pytest.fixture
def appointment(lcspr, business_unit_user, reviewer):
    return services.appointment_add(
        review=lcspr,
        actor=business_unit_user,
        role="reviewer",
        name="Alex Reviewer",
        appointed_on=today() - datetime.timedelta(days=30),
        user=reviewer,
        independent=True,
    )


@pytest.fixture
def meeting(lcspr, appointment, business_unit_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        planned = services.meeting_record(
            review=lcspr,
            actor=business_unit_user,
            held_on=NEXT_WEEK,
            title="Panel meeting 1",
            starts_at=datetime.time(10, 0),
            ends_at=datetime.time(11, 30),
            location="Room 2, Civic Centre",
        )
    mail.outbox.clear()
    return planned


def url(name, review, **kwargs):
    return reverse(
        f"reviews:{name}", kwargs={"slug": review.partnership.slug, "pk": review.pk, **kwargs}
    )


def calendar_of(email) -> tuple[icalendar.Calendar, icalendar.Event]:
    (part,) = [p for p in email.message().walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.events
    return calendar, event


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def meeting_post(**extra):
    return {
        "title": "Panel meeting 1",
        **date_fields("held_on", NEXT_WEEK),
        "starts_at": "10:00",
        "ends_at": "11:30",
        "location": "Room 2, Civic Centre",
        "attendees": "",
        "minutes": "",
        "follow_ups": "",
        **extra,
    }


def events(action):
    return AuditEvent.objects.filter(action=action)


# People in the case ---------------------------------------------------------------------------


def test_changing_a_person_is_audited_and_shown_in_their_history(
    bu_client, lcspr, person, business_unit_user, agency
):
    entry = ChronologyEntry.objects.create(
        review=lcspr,
        agency=agency,
        occurred_on=today(),
        event="A fictional visit.",
        significance="routine",
        entered_by=business_unit_user,
    )
    entry.people.add(person)

    response = bu_client.post(
        url("person", lcspr, person_pk=person.pk),
        {"pseudonym": "Mother M", "role_in_case": "parent", "relationship": "birth mother"},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.pseudonym, person.relationship) == ("Mother M", "birth mother")
    assert person.modified_by == business_unit_user
    event = events("person.changed").get()
    assert event.payload == {"review": lcspr.pk, "fields": ["pseudonym", "relationship"]}
    assert event.object_id == str(person.pk)
    # The chronology row follows the person, not the old pseudonym.
    assert [p.pseudonym for p in entry.people.all()] == ["Mother M"]
    page = bu_client.get(url("person", lcspr, person_pk=person.pk)).content.decode()
    assert "Changed a person in a case" in page and "Changed: pseudonym, relationship" in page
    assert "Added a person to a case" in page
    assert REAL_NAME not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pseudonym": ""}, "Enter the pseudonym used in documents"),
        ({"pseudonym": "child b"}, "is already used for someone in this case"),
        ({"role_in_case": "king"}, "Select a valid choice"),
        ({"relationship": "x" * 201}, "Relationship must be 200 characters or fewer"),
    ],
)
def test_bad_changes_to_a_person_show_an_error_summary_and_change_nothing(
    bu_client, lcspr, person, business_unit_user, fields, message
):
    services.person_add(
        review=lcspr, actor=business_unit_user, pseudonym="Child B", role_in_case="subject"
    )
    response = bu_client.post(
        url("person", lcspr, person_pk=person.pk),
        {"pseudonym": "Mother", "role_in_case": "parent", "relationship": "", **fields},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    person.refresh_from_db()
    assert (person.pseudonym, person.role_in_case) == ("Mother", "parent")
    assert not events("person.changed").exists()


def test_removing_a_person_archives_them_out_of_the_working_lists_but_not_the_records(
    bu_client, lcspr, person, business_unit_user
):
    contact = services.family_contact_record(
        review=lcspr,
        actor=business_unit_user,
        kind="leaflet_sent",
        happened_on=today(),
        person=person,
    )
    publication = Publication.objects.create(
        partnership=lcspr.partnership, review=lcspr, title="A fictional publication"
    )

    response = bu_client.post(
        url("person_remove", lcspr, person_pk=person.pk), {"reason": "Entered twice"}
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=person.pk)  # never deleted
    assert person.is_archived and person.archived_by == business_unit_user
    assert person.archive_reason == "Entered twice"
    assert events("person.archived").get().payload == {
        "review": lcspr.pk,
        "reason": "Entered twice",
    }
    people_page = bu_client.get(url("people", lcspr)).content.decode()
    assert "Removed from the case" in people_page and "Entered twice" in people_page
    # Not offered for new chronology rows or family contacts...
    assert person not in people_in_case(review=lcspr)
    family_page = bu_client.get(url("family", lcspr)).content.decode()
    assert f'value="{person.pk}"' not in family_page
    with pytest.raises(ServiceError, match="Select someone in this case"):
        services.family_contact_record(
            review=lcspr,
            actor=business_unit_user,
            kind="views_received",
            happened_on=today(),
            person=person,
        )
    # ...but the contact made with them keeps them, the pseudonym stays taken, and the check of
    # a report before publication still looks for their real name.
    contact.refresh_from_db()
    assert contact.person == person
    with pytest.raises(ServiceError, match="someone removed from this case"):
        services.person_add(
            review=lcspr, actor=business_unit_user, pseudonym="MOTHER", role_in_case="parent"
        )
    assert REAL_NAME in identifiers_for(publication).names
    # The record's page says who removed them and why, and puts them back.
    page = bu_client.get(url("person", lcspr, person_pk=person.pk)).content.decode()
    assert "was removed from the people in the case" in page and "Entered twice" in page
    assert "Removed a person from a case" in page
    response = bu_client.post(url("person_restore", lcspr, person_pk=person.pk))
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_archived
    assert events("person.restored").count() == 1


def test_a_person_is_not_removed_without_a_reason(bu_client, lcspr, person):
    response = bu_client.post(url("person_remove", lcspr, person_pk=person.pk), {"reason": " "})

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Enter why they are removed from the case" in page
    person.refresh_from_db()
    assert not person.is_archived
    assert not events("person.archived").exists()


def test_a_removed_person_cannot_be_changed(lcspr, person, business_unit_user):
    services.person_archive(person=person, review=lcspr, actor=business_unit_user, reason="Dup")

    with pytest.raises(ServiceError, match="removed from the case"):
        services.person_update(
            person=person,
            review=lcspr,
            actor=business_unit_user,
            pseudonym="Mum",
            role_in_case="parent",
        )
    with pytest.raises(ServiceError, match="already been removed"):
        services.person_archive(person=person, review=lcspr, actor=business_unit_user, reason="x")


# Real identities: encrypted at rest, every view audited, changes audited without values -------


def _raw_full_name(identity_pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM reviews_personidentity WHERE id = %s", [identity_pk])
        return cursor.fetchone()[0]


def test_correcting_a_real_identity_is_shown_after_an_audited_view_and_saved_encrypted(
    bu_client, lcspr, person
):
    identity_url = url("person_identity", lcspr, person_pk=person.pk)
    # Showing the identity (a POST) is recorded, and fills the form to correct it.
    page = bu_client.post(identity_url).content.decode()
    assert events("person.identity_viewed").count() == 1
    assert REAL_NAME in page and "Change the real identity" in page

    response = bu_client.post(
        identity_url,
        {
            "save": "1",
            "full_name": "Ottilie Fictionalname",
            **date_fields("date_of_birth", datetime.date(1990, 5, 4)),
            "address": "1 Made-up Road, Testshire",
        },
    )

    assert response.status_code == 302
    identity = PersonIdentity.objects.get(person=person)
    assert identity.full_name == "Ottilie Fictionalname"
    raw = _raw_full_name(identity.pk)
    assert "Ottilie" not in raw  # encrypted at rest
    event = events("person.identity_changed").get()
    assert event.payload == {"review": lcspr.pk, "fields": ["full_name"], "first": False}
    assert "Ottilie" not in str(event.payload) and "Ottilie" not in event.object_label
    # Saving is not a second view; the history lists both, without the values.
    assert events("person.identity_viewed").count() == 1
    history = bu_client.get(url("person", lcspr, person_pk=person.pk)).content.decode()
    assert "Changed the real identity" in history and "Changed: full name" in history
    assert "Ottilie" not in history


def test_a_bad_identity_shows_an_error_summary_and_changes_nothing(bu_client, lcspr, person):
    response = bu_client.post(
        url("person_identity", lcspr, person_pk=person.pk),
        {"save": "1", "full_name": "", **date_fields("date_of_birth", NEXT_WEEK)},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Enter their full name" in page
    assert PersonIdentity.objects.get(person=person).full_name == REAL_NAME
    assert not events("person.identity_changed").exists()
    assert not events("person.identity_viewed").exists()


def test_partner_leads_see_an_identity_but_cannot_change_it(client_for, lcspr, person):
    client = client_for(Role.PARTNER_LEAD)
    page = client.post(url("person_identity", lcspr, person_pk=person.pk)).content.decode()
    assert REAL_NAME in page and "Change the real identity" not in page

    response = client.post(
        url("person_identity", lcspr, person_pk=person.pk), {"save": "1", "full_name": "New"}
    )

    assert response.status_code == 403
    assert PersonIdentity.objects.get(person=person).full_name == REAL_NAME


# Appointments ---------------------------------------------------------------------------------


def test_ending_an_appointment_takes_away_access_and_cancels_its_upcoming_meetings(
    bu_client, lcspr, appointment, meeting, reviewer, django_capture_on_commit_callbacks
):
    assert can_view_review(reviewer, lcspr)

    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            url("appointment_end", lcspr, appointment_pk=appointment.pk),
            {"reason": "Moved to another post", **date_fields("ended_on", today())},
        )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.is_archived and appointment.ended_on == today()
    lcspr = Review.objects.get(pk=lcspr.pk)
    assert not can_view_review(reviewer, lcspr)
    assert review_meeting_invitees(lcspr) == []
    (email,) = mail.outbox
    assert email.to == ["reviewer@testshire.example"]
    assert email.subject.startswith("Cancelled: Panel meeting 1")
    calendar, event = calendar_of(email)
    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"].startswith(f"review-meeting-{meeting.pk}@")
    assert str(event["ATTENDEE"]) == "mailto:reviewer@testshire.example"
    assert event["SEQUENCE"] == 1
    assert events("review.appointment_ended").get().payload["meeting_notices"] == 1
    page = bu_client.get(url("appointments", lcspr)).content.decode()
    assert "Ended appointments" in page and "Moved to another post" in page


@pytest.mark.parametrize(
    ("ended_on", "reason", "message"),
    [
        (today(), "", "Enter why the appointment is ending"),
        (NEXT_WEEK, "Left", "The date the appointment ended must be today or in the past"),
        (
            today() - datetime.timedelta(days=60),
            "Left",
            "must be on or after the date of appointment",
        ),
    ],
)
def test_bad_ends_of_an_appointment_change_nothing(
    bu_client, lcspr, appointment, meeting, ended_on, reason, message
):
    response = bu_client.post(
        url("appointment_end", lcspr, appointment_pk=appointment.pk),
        {"reason": reason, **date_fields("ended_on", ended_on)},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    appointment.refresh_from_db()
    assert not appointment.is_archived and appointment.ended_on is None
    assert mail.outbox == []


def test_changing_an_appointments_account_moves_the_meeting_invitations(
    bu_client,
    partnership,
    lcspr,
    appointment,
    meeting,
    reviewer,
    django_capture_on_commit_callbacks,
):
    other = member(partnership, Role.REVIEWER, email="second@testshire.example")

    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            url("appointment", lcspr, appointment_pk=appointment.pk),
            {
                "role": "reviewer",
                "name": "Alex Reviewer",
                "organisation": "Independent",
                "independent": "on",
                "user": other.pk,
                **date_fields("appointed_on", appointment.appointed_on),
            },
        )

    assert response.status_code == 302
    sent = {email.to[0]: calendar_of(email)[0]["METHOD"] for email in mail.outbox}
    assert sent == {"reviewer@testshire.example": "CANCEL", "second@testshire.example": "REQUEST"}
    assert events("review.appointment_changed").get().payload == {
        "review": lcspr.pk,
        "fields": ["organisation", "user"],
        "meeting_notices": 2,
    }
    assert not can_view_review(reviewer, Review.objects.get(pk=lcspr.pk))


def test_a_bad_appointment_change_shows_an_error_summary_and_changes_nothing(
    bu_client, lcspr, appointment
):
    response = bu_client.post(
        url("appointment", lcspr, appointment_pk=appointment.pk),
        {"role": "reviewer", "name": "", **date_fields("appointed_on", NEXT_WEEK)},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Enter the name of the person appointed" in page
    appointment.refresh_from_db()
    assert appointment.name == "Alex Reviewer"
    assert not events("review.appointment_changed").exists()


def test_an_ended_appointment_is_put_back_with_its_invitations(
    lcspr, appointment, meeting, business_unit_user, django_capture_on_commit_callbacks
):
    services.appointment_end(
        appointment=appointment, actor=business_unit_user, reason="By mistake", ended_on=today()
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_restore(appointment=appointment, actor=business_unit_user)

    appointment.refresh_from_db()
    assert not appointment.is_archived and appointment.ended_on is None
    (email,) = mail.outbox
    assert email.subject.startswith("Invitation: Panel meeting 1")
    calendar, event = calendar_of(email)
    assert (calendar["METHOD"], event["SEQUENCE"]) == ("REQUEST", 2)


# Meetings -------------------------------------------------------------------------------------


def test_changing_a_meetings_time_sends_an_update_with_the_same_uid_and_a_higher_sequence(
    bu_client, lcspr, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            url("meeting", lcspr, meeting_pk=meeting.pk),
            meeting_post(starts_at="14:00", ends_at="15:00"),
        )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (datetime.time(14), 1)
    (email,) = mail.outbox
    assert email.subject.startswith("Changed: Panel meeting 1, now ")
    calendar, event = calendar_of(email)
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"review-meeting-{meeting.pk}@{event['UID'].split('@')[1]}"
    assert event["SEQUENCE"] == 1
    assert event.start.hour == 14
    assert events("review.meeting_changed").get().payload == {
        "review": lcspr.pk,
        "fields": ["starts_at", "ends_at"],
        "sequence": 1,
        "invited": 1,
    }
    page = bu_client.get(url("meeting", lcspr, meeting_pk=meeting.pk)).content.decode()
    assert "Changed a meeting" in page and "Changed: start time, end time" in page


def test_minutes_alone_send_no_update(
    bu_client, lcspr, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bu_client.post(
            url("meeting", lcspr, meeting_pk=meeting.pk),
            meeting_post(minutes="Agreed the scope."),
        )

    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.sequence) == ("Agreed the scope.", 0)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter what the meeting was"),
        ({"starts_at": "10:00", "ends_at": "09:00"}, "The meeting must end after it starts"),
        ({"starts_at": "", "ends_at": "09:00"}, "Enter the time the meeting starts"),
        ({"starts_at": "25:00"}, "Start time must be a time in hours and minutes"),
    ],
)
def test_bad_meeting_changes_show_an_error_summary_and_change_nothing(
    bu_client, lcspr, meeting, fields, message
):
    response = bu_client.post(url("meeting", lcspr, meeting_pk=meeting.pk), meeting_post(**fields))

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    meeting.refresh_from_db()
    assert (meeting.title, meeting.starts_at, meeting.sequence) == (
        "Panel meeting 1",
        datetime.time(10),
        0,
    )
    assert mail.outbox == []
    assert not events("review.meeting_changed").exists()


def test_cancelling_a_meeting_sends_a_cancellation_and_keeps_it_out_of_the_list(
    bu_client, lcspr, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = bu_client.post(
            url("meeting_remove", lcspr, meeting_pk=meeting.pk), {"reason": "Chair unwell"}
        )

    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.is_archived and meeting.sequence == 1
    (email,) = mail.outbox
    assert email.subject.startswith("Cancelled: Panel meeting 1")
    calendar, event = calendar_of(email)
    assert calendar["METHOD"] == "CANCEL"
    assert (event["SEQUENCE"], event["STATUS"]) == (1, "CANCELLED")
    assert event["UID"].startswith(f"review-meeting-{meeting.pk}@")
    page = bu_client.get(url("meetings", lcspr)).content.decode()
    assert "Cancelled or removed meetings" in page and "Chair unwell" in page
    assert "Change or cancel" not in page  # no longer among the working meetings
    # Put back: a new invitation that replaces the cancellation.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bu_client.post(url("meeting_restore", lcspr, meeting_pk=meeting.pk))
    meeting.refresh_from_db()
    assert not meeting.is_archived and meeting.sequence == 2
    calendar, event = calendar_of(mail.outbox[0])
    assert (calendar["METHOD"], event["SEQUENCE"]) == ("REQUEST", 2)


def test_removing_a_past_meeting_sends_nothing(
    lcspr, appointment, business_unit_user, django_capture_on_commit_callbacks
):
    held = services.meeting_record(
        review=lcspr,
        actor=business_unit_user,
        held_on=today() - datetime.timedelta(days=3),
        title="Panel meeting 0",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_archive(meeting=held, actor=business_unit_user, reason="Recorded twice")

    held.refresh_from_db()
    assert held.is_archived and held.sequence == 0
    assert mail.outbox == []


def test_a_meeting_is_not_cancelled_without_a_reason(bu_client, lcspr, meeting):
    response = bu_client.post(url("meeting_remove", lcspr, meeting_pk=meeting.pk), {"reason": ""})

    page = response.content.decode()
    assert "govuk-error-summary" in page and "Enter why the meeting is cancelled" in page
    meeting.refresh_from_db()
    assert not meeting.is_archived
    assert mail.outbox == []


def test_the_appointed_reviewer_may_change_a_meeting(
    client, lcspr, meeting, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("meeting", lcspr, meeting_pk=meeting.pk), meeting_post(location="Online")
        )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.location == "Online"


# Family contacts ------------------------------------------------------------------------------


def test_changing_and_removing_a_family_contact(bu_client, lcspr, person, business_unit_user):
    contact = services.family_contact_record(
        review=lcspr,
        actor=business_unit_user,
        kind="advocacy_signposted",
        happened_on=today(),
        advocate="AAFDA",
    )

    response = bu_client.post(
        url("family_contact", lcspr, contact_pk=contact.pk),
        {
            "kind": "advocacy_signposted",
            **date_fields("happened_on", today()),
            "person": person.pk,
            "advocate": "AAFDA",
            "summary": "Signposted at the first meeting.",
            "consent_to_quote": "yes",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.person, contact.consent_to_quote) == (person, True)
    assert events("family_contact.changed").get().payload["fields"] == [
        "person",
        "summary",
        "consent_to_quote",
    ]

    response = bu_client.post(
        url("family_contact_remove", lcspr, contact_pk=contact.pk), {"reason": "Wrong review"}
    )
    assert response.status_code == 302
    assert FamilyContact.objects.get(pk=contact.pk).is_archived
    # A removed contact no longer counts for the family involvement (nor for R37's advocacy).
    assert not lcspr.family_contacts.active().exists()
    page = bu_client.get(url("family", lcspr)).content.decode()
    assert "Removed contacts" in page and "Wrong review" in page


def test_a_bad_family_contact_change_shows_an_error_summary_and_changes_nothing(
    bu_client, lcspr, business_unit_user
):
    contact = services.family_contact_record(
        review=lcspr, actor=business_unit_user, kind="leaflet_sent", happened_on=today()
    )
    response = bu_client.post(
        url("family_contact", lcspr, contact_pk=contact.pk),
        {"kind": "leaflet_sent", **date_fields("happened_on", NEXT_WEEK)},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "must be today or in the past" in page
    contact.refresh_from_db()
    assert contact.happened_on == today()
    assert not events("family_contact.changed").exists()


# A signed-off review is read-only ------------------------------------------------------------


def test_nothing_is_changed_or_removed_in_a_signed_off_review(
    bu_client, lcspr, person, appointment, business_unit_user
):
    Review.objects.filter(pk=lcspr.pk).update(
        stage=Review.Stage.SIGNED_OFF, signed_off_at=timezone.now()
    )
    lcspr.refresh_from_db()
    person.refresh_from_db()

    with pytest.raises(ServiceError, match="signed off"):
        services.person_archive(person=person, review=lcspr, actor=business_unit_user, reason="x")
    appointment = Appointment.objects.select_related("review").get(pk=appointment.pk)
    with pytest.raises(ServiceError, match="signed off"):
        services.appointment_end(
            appointment=appointment, actor=business_unit_user, reason="x", ended_on=today()
        )
    response = bu_client.post(url("person_remove", lcspr, person_pk=person.pk), {"reason": "x"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert not person.is_archived
