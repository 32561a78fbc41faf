"""Writes for running a review: commissioning it from final decisions, terms of reference,
appointments, meetings, people, family contacts, documents, quality markers, findings, progress
checks, sign-off and reopening (docs/rules.md
§local-reviews, §family-involvement, §quality-markers, §terms-of-reference, §panel-membership;
R13, R37).

Every write is validated, runs in one transaction and is audited. A signed-off review is
read-only: every write here refuses it, except ``review_reopen``.
"""

import datetime

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Membership, ReviewType, Role
from safeguarding.accounts.partnership_roles.selectors import capacity_payload, signature_capacity
from safeguarding.accounts.selectors import user_list_with_role
from safeguarding.audit.services import audit_record
from safeguarding.clock import services as clock
from safeguarding.clock.models import REPORT_CLOCK_STARTS, Event, Milestone, ReportClockStart
from safeguarding.core.errors import ServiceError
from safeguarding.core.models import apply_changes, apply_many_changes
from safeguarding.core.uploads import FileKind
from safeguarding.notifications.models import Notification
from safeguarding.notifications.services import notify
from safeguarding.referrals import objections
from safeguarding.referrals.models import Case, Decision, DecisionMaker, Track
from safeguarding.referrals.selectors import case_guidance_codes
from safeguarding.referrals.services import REVIEW_START_EVENT

from .. import workflow
from ..models import (
    Appointment,
    ChronologyEntry,
    DocumentVersion,
    FamilyContact,
    Finding,
    LocalMarkerSet,
    Meeting,
    Person,
    PersonIdentity,
    ProposedPerson,
    QualityAssessment,
    QualityRating,
    Reopening,
    Review,
    ReviewDisagreement,
    ReviewDocument,
    ReviewSignature,
)
from ..services import review_create, review_move
from .invitations import meeting_invitation, meeting_invitees, meeting_path, meeting_when
from .quality_markers import local_sets_for, set_for
from .selectors import progress_check_open

# A new version of these is a report to read: the business unit is told (issue 13).
REPORT_KINDS = (ReviewDocument.Kind.DRAFT_REPORT, ReviewDocument.Kind.FINAL_REPORT)

READ_ONLY_MESSAGE = "This review has been signed off, so it cannot be changed. Reopen it first"

TERMS_FIELDS = (
    "scope_start",
    "scope_end",
    "key_lines_of_enquiry",
    "methodology",
    "family_involvement_plan",
    "timescale",
    "parallel_processes",
)

# The clock event that a signed-off report completes, per track review type (R14, R26, R33).
REPORT_COMPLETED_EVENT: dict[str, Event] = {
    ReviewType.CSPR: Event.LCSPR_REPORT_COMPLETED,
    ReviewType.SAFEGUARDING_ADULTS_REVIEW: Event.SAR_REPORT_COMPLETED,
    ReviewType.DHR: Event.DHR_REPORT_COMPLETED,
}


# Commissioning --------------------------------------------------------------------------------


def review_commission(*, case: Case, tracks: list[Track], actor) -> Review:
    """Commission one review of the case's tracks whose final decision calls for a review.
    Several tracks make one joint review (docs/rules.md §multi-track)."""
    if not tracks:
        raise ServiceError("Select the review types the review covers", field="tracks")
    kinds = set()
    for track in tracks:
        if track.case_id != case.pk:
            raise ServiceError("A track of another case was selected")
        decision = Decision.objects.filter(track=track).first()
        if decision is None or decision.state != Decision.State.FINAL:
            raise ServiceError(
                f"The {track.get_review_type_display()} decision is not final yet", field="tracks"
            )
        kind = workflow.REVIEW_KIND_FOR_OUTCOME.get(decision.outcome)
        if kind is None:
            raise ServiceError(
                f"The {track.get_review_type_display()} decision does not call for a review",
                field="tracks",
            )
        if track.reviews.exclude(kind=Review.Kind.RAPID_REVIEW).exists():
            raise ServiceError(
                f"The {track.get_review_type_display()} track already has a review",
                field="tracks",
            )
        kinds.add(kind)
    kind = kinds.pop() if len(kinds) == 1 else Review.Kind.JOINT
    with transaction.atomic():
        review = review_create(
            case=case,
            kind=kind,
            stage=Review.Stage.COMMISSIONING,
            title=case.pseudonym,
            actor=actor,
            tracks=tracks,
        )
        audit_record(
            action="review.started",
            actor=actor,
            target=review,
            payload={"kind": kind, "tracks": sorted(t.review_type for t in tracks)},
        )
        _start_report_clock(review, tracks)
    return review


def _start_report_clock(review: Review, tracks: list[Track]) -> None:
    """Start the report's clock of each track whose rule counts from the start of the review
    (R26: a SAR's report 6 months after the review starts); the others started on the decision
    (R14, R33). Which is which is the clock's REPORT_CLOCK_STARTS."""
    case = review.case
    for track in tracks:
        event = REVIEW_START_EVENT.get(track.decision.outcome)
        if event is None or REPORT_CLOCK_STARTS.get(event) != ReportClockStart.REVIEW_START:
            continue
        clock.milestones_start(
            partnership=case.partnership,
            event=event,
            subject=case,
            on_date=review.started_on,
            label=f"{case.reference} ({case.pseudonym})",
            url=reverse("referrals:case", args=[case.partnership.slug, case.pk]),
            review_types=[track.review_type],
            versions=case_guidance_codes(case=case),
        )


def _writable(review: Review) -> None:
    if review.is_read_only:
        raise ServiceError(READ_ONLY_MESSAGE)


def _not_future(value: datetime.date | None, field: str, label: str) -> None:
    if value and value > timezone.localdate():
        raise ServiceError(f"{label} must be today or in the past", field=field)


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message, field=field)
    return value


# Terms of reference (§terms-of-reference) ---------------------------------------------------------


def terms_update(*, review: Review, actor, agencies=None, **values) -> Review:
    _writable(review)
    start, end = values.get("scope_start"), values.get("scope_end")
    _not_future(start, "scope_start", "The start of the period under review")
    _not_future(end, "scope_end", "The end of the period under review")
    if start and end and start > end:
        raise ServiceError(
            "The end of the period under review must be the same as or after the start",
            field="scope_end",
        )
    if agencies is not None:
        allowed = set(review.partnership.agencies.values_list("pk", flat=True))
        if any(a.pk not in allowed for a in agencies):
            raise ServiceError("Select agencies of this partnership only", field="agencies")
    with transaction.atomic():
        changed = apply_changes(review, values, fields=TERMS_FIELDS)
        review.modified_by = actor
        review.save(update_fields=[*changed, "modified_by", "modified_at"])
        if agencies is not None:
            changed += apply_many_changes(review, {"agencies": agencies})
        audit_record(
            action="review.updated",
            actor=actor,
            target=review,
            payload={"what": "terms_of_reference", "fields": changed},
        )
    return review


# Appointments (§panel-membership) -----------------------------------------------------------------


def _appointment_checked(
    *, review: Review, role: str, name: str, appointed_on: datetime.date, agency, user
) -> str:
    """The rules of an appointment, for adding and changing one; returns the name, stripped."""
    name = _required(name, "name", "Enter the name of the person appointed")
    if role not in Appointment.Role.values:
        raise ServiceError("Select the role they are appointed to", field="role")
    _not_future(appointed_on, "appointed_on", "The date of appointment")
    if agency is not None and not review.partnership.agencies.filter(pk=agency.pk).exists():
        raise ServiceError("Select an agency of this partnership", field="agency")
    if user is not None:
        holds = Membership.objects.filter(
            user=user,
            partnership=review.partnership,
            role__in=[Role.REVIEWER, Role.PANEL_MEMBER],
        ).exists()
        if not holds:
            raise ServiceError(
                "The account must belong to a reviewer or panel member of this partnership",
                field="user",
            )
    return name


def appointment_add(
    *,
    review: Review,
    actor,
    role: str,
    name: str,
    appointed_on: datetime.date,
    organisation: str = "",
    agency=None,
    user=None,
    independent: bool = False,
) -> Appointment:
    _writable(review)
    name = _appointment_checked(
        review=review, role=role, name=name, appointed_on=appointed_on, agency=agency, user=user
    )
    with transaction.atomic():
        appointment = Appointment.objects.create(
            review=review,
            role=role,
            name=name,
            organisation=(organisation or "").strip(),
            agency=agency,
            user=user,
            independent=independent,
            appointed_on=appointed_on,
            created_by=actor,
            modified_by=actor,
        )
        audit_record(
            action="review.appointment_made",
            actor=actor,
            target=appointment,
            partnership=review.partnership,
            payload={
                "review": review.pk,
                "role": role,
                "independent": independent,
                "has_account": user is not None,
            },
        )
    return appointment


def appointment_update(
    *,
    appointment: Appointment,
    actor,
    role: str,
    name: str,
    appointed_on: datetime.date,
    organisation: str = "",
    agency=None,
    user=None,
    independent: bool = False,
) -> Appointment:
    """Change an appointment. When its account changes, the account no longer linked is sent
    a cancellation of the review's upcoming meetings and the new one their invitations."""
    review = appointment.review
    _writable(review)
    _not_archived(appointment, "This appointment has ended, so it cannot be changed")
    name = _appointment_checked(
        review=review, role=role, name=name, appointed_on=appointed_on, agency=agency, user=user
    )
    values = {
        "role": role,
        "name": name,
        "organisation": (organisation or "").strip(),
        "agency": agency,
        "user": user,
        "independent": independent,
        "appointed_on": appointed_on,
    }
    with transaction.atomic():
        appointment = _locked(appointment)
        _not_archived(appointment, "This appointment has ended, so it cannot be changed")
        previous_user = appointment.user
        changed = apply_changes(appointment, values)
        if not changed:
            return appointment
        appointment.modified_by = actor
        appointment.save(update_fields=[*changed, "modified_by", "modified_at"])
        told = 0
        if "user" in changed:
            if previous_user is not None and not _still_appointed(review, previous_user):
                told += _upcoming_meetings_send(review=review, user=previous_user, method="CANCEL")
            if user is not None:
                told += _upcoming_meetings_send(review=review, user=user, method="REQUEST")
        audit_record(
            action="review.appointment_changed",
            actor=actor,
            target=appointment,
            partnership=review.partnership,
            payload={"review": review.pk, "fields": changed, "meeting_notices": told},
        )
    return appointment


def appointment_end(
    *, appointment: Appointment, actor, reason: str, ended_on: datetime.date
) -> Appointment:
    """End an appointment (or take out one made by mistake): it is archived with the date and
    the reason, never deleted. The linked account no longer sees the review and is sent a
    cancellation of its upcoming meetings."""
    review = appointment.review
    _writable(review)
    reason = _required(reason, "reason", "Enter why the appointment is ending")
    if ended_on is None:
        raise ServiceError("Enter the date the appointment ended", field="ended_on")
    _not_future(ended_on, "ended_on", "The date the appointment ended")
    if ended_on < appointment.appointed_on:
        raise ServiceError(
            "The date the appointment ended must be on or after the date of appointment",
            field="ended_on",
        )
    with transaction.atomic():
        appointment = _locked(appointment)
        _not_archived(appointment, "This appointment has already ended")
        appointment.ended_on = ended_on
        _archive(appointment, actor=actor, reason=reason, also=["ended_on"])
        told = 0
        if appointment.user is not None and not _still_appointed(review, appointment.user):
            told = _upcoming_meetings_send(review=review, user=appointment.user, method="CANCEL")
        audit_record(
            action="review.appointment_ended",
            actor=actor,
            target=appointment,
            partnership=review.partnership,
            payload={
                "review": review.pk,
                "ended_on": ended_on.isoformat(),
                "reason": reason[:AUDIT_REASON_MAX],
                "meeting_notices": told,
            },
        )
    return appointment


def appointment_restore(*, appointment: Appointment, actor) -> Appointment:
    """Put back an appointment ended by mistake; its account is invited to the upcoming
    meetings again."""
    review = appointment.review
    _writable(review)
    with transaction.atomic():
        appointment = _locked(appointment)
        _restore(appointment, actor=actor, also={"ended_on": None})
        told = 0
        if appointment.user is not None:
            told = _upcoming_meetings_send(review=review, user=appointment.user, method="REQUEST")
        audit_record(
            action="review.appointment_restored",
            actor=actor,
            target=appointment,
            partnership=review.partnership,
            payload={"review": review.pk, "meeting_notices": told},
        )
    return appointment


def _still_appointed(review: Review, user) -> bool:
    return review.appointments.active().filter(user=user).exists()


# Archiving and restoring (issue 13: archive, never delete) --------------------------------------


def _locked(record):
    """The record again, locked for the rest of the transaction."""
    return type(record).objects.select_for_update(of=("self",)).get(pk=record.pk)


def _not_archived(record, message: str) -> None:
    if record.is_archived:
        raise ServiceError(message)


def _archive(record, *, actor, reason: str, also=()) -> None:
    record.archived_at = timezone.now()
    record.archived_by = actor
    record.archive_reason = reason
    record.modified_by = actor
    record.save(
        update_fields=[
            "archived_at",
            "archived_by",
            "archive_reason",
            "modified_by",
            "modified_at",
            *also,
        ]
    )


def _restore(record, *, actor, also: dict | None = None) -> None:
    """Put an archived record back. Who archived it, when and why stay in its history."""
    if not record.is_archived:
        raise ServiceError("This has not been removed, so there is nothing to put back")
    for name, value in (also or {}).items():
        setattr(record, name, value)
    record.archived_at = None
    record.archived_by = None
    record.archive_reason = ""
    record.modified_by = actor
    record.save(
        update_fields=[
            "archived_at",
            "archived_by",
            "archive_reason",
            "modified_by",
            "modified_at",
            *(also or {}),
        ]
    )


# Meetings --------------------------------------------------------------------------------------


MEETING_PLANNED_AHEAD_DAYS = 2 * 366  # a meeting is planned at most about two years ahead
# How much of a reason for removing a record goes into its audit event (the record keeps it all).
AUDIT_REASON_MAX = 1_000


def _meeting_checked(
    *,
    title: str,
    held_on: datetime.date,
    starts_at: datetime.time | None,
    ends_at: datetime.time | None,
) -> str:
    """The rules of a meeting, for recording and changing one; returns the title, stripped."""
    title = _required(title, "title", "Enter what the meeting was")
    if held_on is None:
        raise ServiceError("Enter the date of the meeting", field="held_on")
    today = timezone.localdate()
    if held_on > today + datetime.timedelta(days=MEETING_PLANNED_AHEAD_DAYS):
        raise ServiceError(
            "The date of the meeting must be within the next two years", field="held_on"
        )
    if ends_at is not None and starts_at is None:
        raise ServiceError("Enter the time the meeting starts", field="starts_at")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ServiceError("The meeting must end after it starts", field="ends_at")
    return title


def meeting_record(
    *,
    review: Review,
    actor,
    held_on: datetime.date,
    title: str,
    attendees: str = "",
    minutes: str = "",
    follow_ups: str = "",
    starts_at: datetime.time | None = None,
    ends_at: datetime.time | None = None,
    location: str = "",
) -> Meeting:
    """Record a meeting held, or plan one. A meeting today or later sends a calendar invitation
    to each person appointed to the review with an account (``meeting_invitations_send``)."""
    _writable(review)
    title = _meeting_checked(title=title, held_on=held_on, starts_at=starts_at, ends_at=ends_at)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            review=review,
            held_on=held_on,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location.strip(),
            title=title,
            attendees=attendees.strip(),
            minutes=minutes.strip(),
            follow_ups=follow_ups.strip(),
            recorded_by=actor,
            created_by=actor,
            modified_by=actor,
        )
        upcoming = held_on >= timezone.localdate()
        invited = meeting_invitations_send(meeting=meeting) if upcoming else []
        audit_record(
            action="review.meeting_recorded",
            actor=actor,
            target=meeting,
            partnership=review.partnership,
            payload={
                "review": review.pk,
                "meeting": meeting.pk,
                "held_on": held_on.isoformat(),
                "invited": len(invited),
            },
        )
    return meeting


# What a calendar invitation carries: a change to one of these sends an update.
MEETING_CALENDAR_FIELDS = ("held_on", "starts_at", "ends_at", "location", "title")


def meeting_update(
    *,
    meeting: Meeting,
    actor,
    held_on: datetime.date,
    title: str,
    attendees: str = "",
    minutes: str = "",
    follow_ups: str = "",
    starts_at: datetime.time | None = None,
    ends_at: datetime.time | None = None,
    location: str = "",
) -> Meeting:
    """Change a meeting. When its day, times, place or title change and it is (or was) still to
    come, the invitation is updated in the invitees' calendars: same uid, ``sequence`` one
    higher (RFC 5546). Minutes, attendees and follow-ups are not in the invitation."""
    review = meeting.review
    _writable(review)
    _not_archived(meeting, "This meeting has been cancelled or removed, so it cannot be changed")
    title = _meeting_checked(title=title, held_on=held_on, starts_at=starts_at, ends_at=ends_at)
    values = {
        "held_on": held_on,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": (location or "").strip(),
        "title": title,
        "attendees": (attendees or "").strip(),
        "minutes": (minutes or "").strip(),
        "follow_ups": (follow_ups or "").strip(),
    }
    with transaction.atomic():
        meeting = _locked(meeting)
        _not_archived(
            meeting, "This meeting has been cancelled or removed, so it cannot be changed"
        )
        was_on = meeting.held_on
        changed = apply_changes(meeting, values)
        if not changed:
            return meeting
        today = timezone.localdate()
        sent: list[Notification] = []
        update = bool(set(changed) & set(MEETING_CALENDAR_FIELDS)) and max(was_on, held_on) >= today
        if update:
            meeting.sequence += 1
            changed_fields = [*changed, "sequence"]
        else:
            changed_fields = changed
        meeting.modified_by = actor
        meeting.save(update_fields=[*changed_fields, "modified_by", "modified_at"])
        if update:
            sent = meeting_invitations_send(meeting=meeting)
        audit_record(
            action="review.meeting_changed",
            actor=actor,
            target=meeting,
            partnership=review.partnership,
            payload={
                "review": review.pk,
                "fields": changed,
                "sequence": meeting.sequence,
                "invited": len(sent),
            },
        )
    return meeting


def meeting_archive(*, meeting: Meeting, actor, reason: str) -> Meeting:
    """Cancel a planned meeting, or take out one recorded by mistake: archived with the reason,
    never deleted. A meeting still to come sends its invitees a cancellation (METHOD:CANCEL,
    the same uid, ``sequence`` one higher)."""
    review = meeting.review
    _writable(review)
    reason = _required(reason, "reason", "Enter why the meeting is cancelled or removed")
    with transaction.atomic():
        meeting = _locked(meeting)
        _not_archived(meeting, "This meeting has already been cancelled or removed")
        upcoming = meeting.held_on >= timezone.localdate()
        also = []
        if upcoming:
            meeting.sequence += 1
            also = ["sequence"]
        _archive(meeting, actor=actor, reason=reason, also=also)
        sent = meeting_invitations_send(meeting=meeting, method="CANCEL") if upcoming else []
        audit_record(
            action="review.meeting_archived",
            actor=actor,
            target=meeting,
            partnership=review.partnership,
            payload={
                "review": review.pk,
                "reason": reason[:AUDIT_REASON_MAX],
                "sequence": meeting.sequence,
                "cancellations": len(sent),
            },
        )
    return meeting


def meeting_restore(*, meeting: Meeting, actor) -> Meeting:
    """Put back a meeting cancelled or removed by mistake; one still to come is sent again to
    its invitees (``sequence`` one higher, so it replaces the cancellation)."""
    review = meeting.review
    _writable(review)
    with transaction.atomic():
        meeting = _locked(meeting)
        upcoming = meeting.held_on >= timezone.localdate()
        if upcoming and meeting.is_archived:
            meeting.sequence += 1
        _restore(meeting, actor=actor, also={"sequence": meeting.sequence})
        sent = meeting_invitations_send(meeting=meeting) if upcoming else []
        audit_record(
            action="review.meeting_restored",
            actor=actor,
            target=meeting,
            partnership=review.partnership,
            payload={"review": review.pk, "sequence": meeting.sequence, "invited": len(sent)},
        )
    return meeting


def meeting_invitations_send(
    *, meeting: Meeting, method: str = "REQUEST", recipients: list | None = None
) -> list[Notification]:
    """Send the meeting's calendar invitation (``REQUEST``; an update when
    ``meeting.sequence`` is above 0) or cancellation (``CANCEL``) to its invitees, or to
    ``recipients`` only (someone whose appointment ended or began): a notification each, with
    the .ics, emailed after the caller's transaction commits. Each version (method and
    sequence) goes to each person once."""
    invitees = meeting_invitees(meeting)
    only_some = recipients is not None
    if recipients is None:
        recipients = invitees
    if not recipients:
        return []
    if method == "CANCEL":
        kind = "meeting.cancelled"
        # A cancellation names whom it cancels for: everyone, or the people it is sent to.
        attendees = invitees if meeting.is_archived else recipients
    else:
        # Someone newly appointed gets the meeting as an invitation, not as a change.
        kind = "meeting.changed" if meeting.sequence and not only_some else "meeting.invited"
        attendees = invitees
    review = meeting.review
    return notify(
        kind=kind,
        recipients=recipients,
        partnership=review.partnership,
        subject_object=meeting,
        context={
            "meeting": meeting,
            "review": review,
            "when": meeting_when(meeting),
            "changed": kind == "meeting.changed",
            "cancelled": kind == "meeting.cancelled",
        },
        link=meeting_path(meeting),
        dedupe_key=f"meeting:{meeting.pk}:{method}:{meeting.sequence}",
        attachments=[meeting_invitation(meeting, method=method, attendees=attendees)],
    )


def _upcoming_meetings_send(*, review: Review, user, method: str) -> int:
    """Send ``user`` alone the invitation (``REQUEST``) or cancellation (``CANCEL``) of each of
    the review's meetings still to come; returns how many notices were written. Each send is a
    new version of the meeting (``sequence`` one higher), so calendars take it over what that
    person had before; the others keep theirs, which a later change replaces."""
    meetings = review.meetings.active().filter(held_on__gte=timezone.localdate())
    told = 0
    for meeting in meetings.select_for_update(of=("self",)):
        meeting.sequence += 1
        meeting.save(update_fields=["sequence"])
        told += len(meeting_invitations_send(meeting=meeting, method=method, recipients=[user]))
    return told


# People and pseudonyms (DESIGN §2, §6) ---------------------------------------------------------


def _pseudonym_checked(*, case: Case, pseudonym: str, person: Person | None = None) -> str:
    pseudonym = _required(pseudonym, "pseudonym", "Enter the pseudonym used in documents")
    taken = case.people.filter(pseudonym__iexact=pseudonym)
    if person is not None:
        taken = taken.exclude(pk=person.pk)
    other = taken.first()
    if other is not None:
        where = "someone removed from" if other.is_archived else "someone in"
        raise ServiceError(
            f"‘{pseudonym}’ is already used for {where} this case. Choose another pseudonym",
            field="pseudonym",
        )
    return pseudonym


def _identity_checked(
    *, full_name: str, date_of_birth: datetime.date | None, address: str, required: bool
) -> tuple[str, str]:
    full_name = (full_name or "").strip()
    address = (address or "").strip()
    if required and not full_name:
        raise ServiceError("Enter their full name", field="full_name")
    if (date_of_birth or address) and not full_name:
        raise ServiceError("Enter their full name, or leave the identity blank", field="full_name")
    _not_future(date_of_birth, "date_of_birth", "Date of birth")
    return full_name, address


def person_add(
    *,
    review: Review,
    actor,
    pseudonym: str,
    role_in_case: str,
    relationship: str = "",
    full_name: str = "",
    date_of_birth: datetime.date | None = None,
    address: str = "",
) -> Person:
    """Add someone to the review's case under a pseudonym; their real identity, if given, is
    held apart. The audit event never carries the real identity."""
    _writable(review)
    case = review.case
    pseudonym = _pseudonym_checked(case=case, pseudonym=pseudonym)
    if role_in_case not in Person.RoleInCase.values:
        raise ServiceError("Select their role in the case", field="role_in_case")
    full_name, address = _identity_checked(
        full_name=full_name, date_of_birth=date_of_birth, address=address, required=False
    )
    with transaction.atomic():
        person = Person.objects.create(
            case=case,
            pseudonym=pseudonym,
            role_in_case=role_in_case,
            relationship=(relationship or "").strip(),
            created_by=actor,
            modified_by=actor,
        )
        if full_name:
            PersonIdentity.objects.create(
                person=person, full_name=full_name, date_of_birth=date_of_birth, address=address
            )
        audit_record(
            action="person.added",
            actor=actor,
            target=person,
            partnership=review.partnership,
            payload={"review": review.pk, "role": role_in_case, "identity_held": bool(full_name)},
        )
    return person


def person_update(
    *, person: Person, review: Review, actor, pseudonym: str, role_in_case: str, relationship=""
) -> Person:
    """Change someone's pseudonym, role or relationship. The chronology rows that name them
    follow the change (they point at the person, not at the pseudonym)."""
    _writable(review)
    if person.case_id != review.case_id:
        raise ServiceError("Select someone in this case")
    _not_archived(person, "This person has been removed from the case, so they cannot be changed")
    pseudonym = _pseudonym_checked(case=review.case, pseudonym=pseudonym, person=person)
    if role_in_case not in Person.RoleInCase.values:
        raise ServiceError("Select their role in the case", field="role_in_case")
    values = {
        "pseudonym": pseudonym,
        "role_in_case": role_in_case,
        "relationship": (relationship or "").strip(),
    }
    with transaction.atomic():
        person = _locked(person)
        _not_archived(person, "This person has been removed from the case")
        changed = apply_changes(person, values)
        if not changed:
            return person
        person.modified_by = actor
        person.save(update_fields=[*changed, "modified_by", "modified_at"])
        audit_record(
            action="person.changed",
            actor=actor,
            target=person,
            partnership=review.partnership,
            payload={"review": review.pk, "fields": changed},
        )
    return person


def person_identity_update(
    *,
    person: Person,
    review: Review,
    actor,
    full_name: str,
    date_of_birth: datetime.date | None = None,
    address: str = "",
) -> PersonIdentity:
    """Correct (or first record) someone's real identity, held apart and encrypted at rest.
    The audit event names the fields that changed, never their values."""
    _writable(review)
    if person.case_id != review.case_id:
        raise ServiceError("Select someone in this case")
    _not_archived(person, "This person has been removed from the case, so they cannot be changed")
    full_name, address = _identity_checked(
        full_name=full_name, date_of_birth=date_of_birth, address=address, required=True
    )
    values = {"full_name": full_name, "date_of_birth": date_of_birth, "address": address}
    with transaction.atomic():
        _locked(person)
        held = PersonIdentity.objects.select_for_update().filter(person=person).first()
        created = held is None
        if held is None:
            identity = PersonIdentity.objects.create(person=person, **values)
            changed = [name for name, value in values.items() if value]
        else:
            identity = held
            changed = apply_changes(identity, values)
            if not changed:
                return identity
            identity.save(update_fields=changed)
        Person.objects.filter(pk=person.pk).update(modified_by=actor, modified_at=timezone.now())
        audit_record(
            action="person.identity_changed",
            actor=actor,
            target=person,
            partnership=review.partnership,
            payload={"review": review.pk, "fields": changed, "first": created},
        )
    return identity


def person_archive(*, person: Person, review: Review, actor, reason: str) -> Person:
    """Take someone out of the people in the case: archived with the reason, never deleted.
    Their real identity stays held (the check of a report before publication still looks for
    it), the chronology rows and family contacts that name them keep the pseudonym, and the
    pseudonym stays taken in the case."""
    _writable(review)
    if person.case_id != review.case_id:
        raise ServiceError("Select someone in this case")
    reason = _required(reason, "reason", "Enter why they are removed from the case")
    with transaction.atomic():
        person = _locked(person)
        _not_archived(person, "This person has already been removed from the case")
        _archive(person, actor=actor, reason=reason)
        audit_record(
            action="person.archived",
            actor=actor,
            target=person,
            partnership=review.partnership,
            payload={"review": review.pk, "reason": reason[:AUDIT_REASON_MAX]},
        )
    return person


def person_restore(*, person: Person, review: Review, actor) -> Person:
    _writable(review)
    if person.case_id != review.case_id:
        raise ServiceError("Select someone in this case")
    with transaction.atomic():
        person = _locked(person)
        _restore(person, actor=actor)
        audit_record(
            action="person.restored",
            actor=actor,
            target=person,
            partnership=review.partnership,
            payload={"review": review.pk},
        )
    return person


PROPOSAL_ADD, PROPOSAL_MERGE, PROPOSAL_REJECT = "add", "merge", "reject"


def person_proposal_decide(
    *,
    proposal: ProposedPerson,
    actor,
    decision: str,
    role_in_case: str = "",
    relationship: str = "",
    person: Person | None = None,
    reason: str = "",
) -> ProposedPerson:
    """The business unit's answer to a name an agency's chronology gave that is not a person
    in the case (issue 13): ``add`` them to the case under that pseudonym, ``merge`` them with
    someone already in the case, or ``reject`` the name (with a reason). Added or merged, every
    row that named them is linked to the person. Audited; the name is not in the payload (an
    agency may have written a real one)."""
    review = proposal.review
    _writable(review)
    if not proposal.is_pending:
        raise ServiceError(
            f"‘{proposal.pseudonym}’ has already been decided: "
            f"{proposal.get_state_display().lower()}"
        )
    reason = (reason or "").strip()
    if decision == PROPOSAL_ADD:
        if role_in_case not in Person.RoleInCase.values:
            raise ServiceError("Select their role in the case", field="role_in_case")
        if review.case.people.filter(pseudonym__iexact=proposal.pseudonym).exists():
            raise ServiceError(
                f"‘{proposal.pseudonym}’ is already someone in the case: choose that they are "
                "someone already in the case",
                field="decision",
            )
    elif decision == PROPOSAL_MERGE:
        # Not someone removed from the case (archived): they take no new rows (ADR 0015).
        if person is None or person.case_id != review.case_id or person.is_archived:
            raise ServiceError("Select who they are in the case", field="person")
    elif decision == PROPOSAL_REJECT:
        if not reason:
            raise ServiceError("Enter why the name is not a person in the case", field="reason")
    else:
        raise ServiceError("Select what to do with the name", field="decision")
    with transaction.atomic():
        locked = ProposedPerson.objects.select_for_update().get(pk=proposal.pk)
        if not locked.is_pending:
            raise ServiceError(f"‘{proposal.pseudonym}’ has already been decided")
        if decision == PROPOSAL_ADD:
            person = Person.objects.create(
                case=review.case,
                pseudonym=proposal.pseudonym,
                role_in_case=role_in_case,
                relationship=(relationship or "").strip(),
            )
            audit_record(
                action="person.added",
                actor=actor,
                target=person,
                partnership=review.partnership,
                payload={
                    "review": review.pk,
                    "role": role_in_case,
                    "identity_held": False,
                    "proposal": proposal.pk,
                },
            )
        linked = 0
        if person is not None:
            Through = ChronologyEntry.people.through
            entry_ids = set(proposal.entries.values_list("pk", flat=True))
            already = set(
                Through.objects.filter(
                    chronologyentry_id__in=entry_ids, person_id=person.pk
                ).values_list("chronologyentry_id", flat=True)
            )
            Through.objects.bulk_create(
                [
                    Through(chronologyentry_id=entry_id, person_id=person.pk)
                    for entry_id in sorted(entry_ids - already)
                ],
                batch_size=1000,
            )
            linked = len(entry_ids)
        locked.state = {
            PROPOSAL_ADD: ProposedPerson.State.CONFIRMED,
            PROPOSAL_MERGE: ProposedPerson.State.MERGED,
            PROPOSAL_REJECT: ProposedPerson.State.REJECTED,
        }[decision]
        locked.person = person
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["state", "person", "decided_by", "decided_at", "reason"])
        audit_record(
            action={
                PROPOSAL_ADD: "person.proposal_confirmed",
                PROPOSAL_MERGE: "person.proposal_merged",
                PROPOSAL_REJECT: "person.proposal_rejected",
            }[decision],
            actor=actor,
            target=locked,
            partnership=review.partnership,
            payload={
                "review": review.pk,
                "agency": proposal.agency.slug,
                "person": person.pk if person else None,
                "rows_linked": linked,
            },
        )
    return locked


def person_identity_viewed(*, person: Person, actor, review: Review | None = None) -> None:
    audit_record(
        action="person.identity_viewed",
        actor=actor,
        target=person,
        partnership=person.case.partnership,
        payload={"review": review.pk} if review else {},
    )


# Family involvement (§family-involvement; R37) ----------------------------------------------------


def _family_contact_checked(
    *,
    review: Review,
    kind: str,
    happened_on: datetime.date,
    person: Person | None,
    keep: Person | None = None,
) -> None:
    if kind not in FamilyContact.Kind.values:
        raise ServiceError("Select what kind of contact it was", field="kind")
    if happened_on is None:
        raise ServiceError("Enter the date of the contact", field="happened_on")
    _not_future(happened_on, "happened_on", "The date of the contact")
    if person is not None:
        if person.case_id != review.case_id:
            raise ServiceError("Select someone in this case", field="person")
        # Someone removed from the case stays on the contacts already made with them only.
        if person.is_archived and (keep is None or person.pk != keep.pk):
            raise ServiceError("Select someone in this case", field="person")


def family_contact_record(
    *,
    review: Review,
    actor,
    kind: str,
    happened_on: datetime.date,
    person: Person | None = None,
    advocate: str = "",
    summary: str = "",
    consent_to_quote: bool | None = None,
) -> FamilyContact:
    _writable(review)
    _family_contact_checked(review=review, kind=kind, happened_on=happened_on, person=person)
    with transaction.atomic():
        contact = FamilyContact.objects.create(
            review=review,
            person=person,
            kind=kind,
            happened_on=happened_on,
            advocate=(advocate or "").strip(),
            summary=(summary or "").strip(),
            consent_to_quote=consent_to_quote,
            recorded_by=actor,
            created_by=actor,
            modified_by=actor,
        )
        audit_record(
            action="family_contact.recorded",
            actor=actor,
            target=contact,
            partnership=review.partnership,
            payload={"review": review.pk, "kind": kind, "happened_on": happened_on.isoformat()},
        )
    return contact


def family_contact_update(
    *,
    contact: FamilyContact,
    actor,
    kind: str,
    happened_on: datetime.date,
    person: Person | None = None,
    advocate: str = "",
    summary: str = "",
    consent_to_quote: bool | None = None,
) -> FamilyContact:
    review = contact.review
    _writable(review)
    _not_archived(contact, "This contact has been removed, so it cannot be changed")
    _family_contact_checked(
        review=review, kind=kind, happened_on=happened_on, person=person, keep=contact.person
    )
    values = {
        "kind": kind,
        "happened_on": happened_on,
        "person": person,
        "advocate": (advocate or "").strip(),
        "summary": (summary or "").strip(),
        "consent_to_quote": consent_to_quote,
    }
    with transaction.atomic():
        contact = _locked(contact)
        _not_archived(contact, "This contact has been removed, so it cannot be changed")
        changed = apply_changes(contact, values)
        if not changed:
            return contact
        contact.modified_by = actor
        contact.save(update_fields=[*changed, "modified_by", "modified_at"])
        audit_record(
            action="family_contact.changed",
            actor=actor,
            target=contact,
            partnership=review.partnership,
            payload={"review": review.pk, "fields": changed},
        )
    return contact


def family_contact_archive(*, contact: FamilyContact, actor, reason: str) -> FamilyContact:
    """Take out a contact recorded by mistake: archived with the reason, never deleted."""
    review = contact.review
    _writable(review)
    reason = _required(reason, "reason", "Enter why the contact is removed")
    with transaction.atomic():
        contact = _locked(contact)
        _not_archived(contact, "This contact has already been removed")
        _archive(contact, actor=actor, reason=reason)
        audit_record(
            action="family_contact.archived",
            actor=actor,
            target=contact,
            partnership=review.partnership,
            payload={"review": review.pk, "reason": reason[:AUDIT_REASON_MAX]},
        )
    return contact


def family_contact_restore(*, contact: FamilyContact, actor) -> FamilyContact:
    review = contact.review
    _writable(review)
    with transaction.atomic():
        contact = _locked(contact)
        _restore(contact, actor=actor)
        audit_record(
            action="family_contact.restored",
            actor=actor,
            target=contact,
            partnership=review.partnership,
            payload={"review": review.pk},
        )
    return contact


def advocacy_not_signposted(review: Review) -> bool:
    """R37: a DHR chair must signpost specialist advocacy; True while no such contact exists."""
    has_dhr = review.kind == Review.Kind.DHR or any(
        t.review_type == ReviewType.DHR for t in review.tracks.all()
    )
    if not has_dhr:
        return False
    return (
        not review.family_contacts.active()
        .filter(kind=FamilyContact.Kind.ADVOCACY_SIGNPOSTED)
        .exists()
    )


# Documents and drafts --------------------------------------------------------------------------


def document_version_upload(
    *,
    review: Review,
    actor,
    uploaded,
    kind: FileKind,
    document: ReviewDocument | None = None,
    title: str = "",
    document_kind: str = "",
    note: str = "",
) -> DocumentVersion:
    """A new document (title and kind) or a new version of ``document``. Earlier versions are
    kept. If the database write fails, the stored file is removed."""
    _writable(review)
    if document is None:
        title = _required(title, "title", "Enter a title for the document")
        if document_kind not in ReviewDocument.Kind.values:
            raise ServiceError("Select what kind of document it is", field="document_kind")
    elif document.review_id != review.pk:
        raise ServiceError("Select a document of this review", field="document")
    version = DocumentVersion(
        original_name=uploaded.name[:255],
        file_kind=kind.code,
        size_bytes=uploaded.size,
        note=(note or "").strip()[:500],
        uploaded_by=actor,
    )
    # The upload path needs the review: give the version an unsaved document until the write.
    version.document = document or ReviewDocument(review=review)
    version.file.save(uploaded.name, uploaded, save=False)
    try:
        with transaction.atomic():
            if document is None:
                document = ReviewDocument.objects.create(
                    review=review, title=title, kind=document_kind
                )
            else:
                document = ReviewDocument.objects.select_for_update().get(pk=document.pk)
            previous = document.versions.aggregate(n=Max("version"))["n"] or 0
            version.document = document
            version.version = previous + 1
            version.save()
            payload = {
                "review": review.pk,
                "version": version.version,
                "kind": kind.code,
                "size_bytes": uploaded.size,
            }
            if document.kind in REPORT_KINDS:
                payload["notified"] = _report_received(review, version, actor)
            audit_record(
                action="document.version_uploaded",
                actor=actor,
                target=document,
                partnership=review.partnership,
                payload=payload,
            )
    except BaseException:  # a signal turned into SystemExit too (fault drills)
        version.file.delete(save=False)
        raise
    return version


def _report_received(review: Review, version: DocumentVersion, actor) -> int:
    """Tell the partnership's business unit (except whoever uploaded it) that a version of the
    review's draft or final report has arrived; return how many were told. Once per version."""
    partnership = review.partnership
    told = notify(
        kind="review.report_received",
        recipients=[
            user
            for user in user_list_with_role(partnership=partnership, role=Role.BUSINESS_UNIT)
            if user.pk != actor.pk
        ],
        partnership=partnership,
        subject_object=version.document,
        context={"review": review, "document": version.document, "version": version},
        link=reverse("reviews:documents", args=[partnership.slug, review.pk]),
        dedupe_key=f"document_version:{version.pk}:received",
    )
    return len(told)


# Quality markers (§quality-markers) ---------------------------------------------------------------


def quality_assessment_save(
    *,
    review: Review,
    actor,
    ratings: dict[int, dict],
    summary: str = "",
    local_set: LocalMarkerSet | None = None,
) -> QualityAssessment:
    """``ratings``: {marker number: {"rating", "evidence", "comments"}} for every marker of
    the set the review is assessed against (``set_for``: the set an existing assessment
    recorded, so its ratings are never re-read against another set; else the set that fits the
    review's kind, the Home Office criteria for a DHR)."""
    _writable(review)
    existing = getattr(review, "quality", None) if hasattr(review, "quality") else None
    if local_set is not None:
        # The partnership's own set (ADR 0024): chosen for the first assessment only.
        if existing is not None and existing.local_set_id != local_set.pk:
            raise ServiceError("This review was assessed against another set: it keeps it")
        if existing is None and local_set not in local_sets_for(review):
            raise ServiceError("Choose a marker set of the partnership that applies to the review")
    marker_set = set_for(review, local_set)
    for number in marker_set.numbers:
        row = ratings.get(number) or {}
        if row.get("rating") not in QualityRating.Rating.values:
            raise ServiceError(f"Select a rating for marker {number}", field=f"rating_{number}")
    unknown = set(ratings) - set(marker_set.numbers)
    if unknown:
        raise ServiceError(f"Marker {min(unknown)} is not one of the {marker_set.title}")
    with transaction.atomic():
        assessment, created = QualityAssessment.objects.get_or_create(
            review=review,
            defaults={
                "framework": marker_set.framework,
                "local_set": local_set,
                "created_by": actor,
                "modified_by": actor,
            },
        )
        assessment.framework = marker_set.framework
        assessment.summary = (summary or "").strip()
        assessment.modified_by = actor
        assessment.save()
        assessment.ratings.exclude(marker__in=marker_set.numbers).delete()
        for number in marker_set.numbers:
            row = ratings[number]
            QualityRating.objects.update_or_create(
                assessment=assessment,
                marker=number,
                defaults={
                    "rating": row["rating"],
                    "evidence": (row.get("evidence") or "").strip(),
                    "comments": (row.get("comments") or "").strip(),
                },
            )
        audit_record(
            action="quality.assessed",
            actor=actor,
            target=review,
            payload={
                "framework": marker_set.framework,
                "first": created,
                **({"marker_set": assessment.local_set_id} if assessment.local_set_id else {}),
            },
        )
    return assessment


# Findings --------------------------------------------------------------------------------------


def finding_add(*, review: Review, actor, title: str, text: str) -> Finding:
    _writable(review)
    title = _required(title, "title", "Enter a short title for the finding")
    text = _required(text, "text", "Enter the finding")
    with transaction.atomic():
        Review.objects.select_for_update().filter(pk=review.pk).first()
        number = (review.findings.aggregate(n=Max("number"))["n"] or 0) + 1
        finding = Finding.objects.create(review=review, number=number, title=title, text=text)
        audit_record(
            action="review.updated",
            actor=actor,
            target=review,
            payload={"what": "finding_added", "finding": number},
        )
    return finding


def finding_update(*, finding: Finding, actor, title: str, text: str) -> Finding:
    review = finding.review
    _writable(review)
    title = _required(title, "title", "Enter a short title for the finding")
    text = _required(text, "text", "Enter the finding")
    with transaction.atomic():
        changed = [f for f, v in (("title", title), ("text", text)) if getattr(finding, f) != v]
        if not changed:
            return finding
        finding.title, finding.text = title, text
        finding.save(update_fields=changed)
        audit_record(
            action="review.updated",
            actor=actor,
            target=review,
            payload={"what": "finding_changed", "finding": finding.number, "fields": changed},
        )
    return finding


# Sign-off and reopening ------------------------------------------------------------------------


def signature_round(review: Review) -> int:
    """Signatures start again after each reopening."""
    return review.reopenings.count() + 1


def decision_makers_for(review: Review) -> list[DecisionMaker]:
    """Everyone who must sign: the named decision makers of each of the review's types, of the
    partnership that decided that track (a joint review of a shared case is signed off by both
    bodies' decision makers, ADR 0022)."""
    wanted = Q()
    for track in review.tracks.all():
        wanted |= Q(
            partnership_id=track.decided_by_id or review.partnership_id,
            review_type=track.review_type,
        )
    if not wanted:
        return []
    return list(
        DecisionMaker.objects.filter(wanted)
        .select_related("user")
        .order_by("review_type", "capacity")
    )


def review_sign(*, review: Review, user) -> Review:
    """``user`` signs the findings and final report in every capacity they hold for the
    review's types. When all have signed, the review is signed off: the report-completed
    milestones of the case are done and its content becomes read-only."""
    makers = decision_makers_for(review)
    if not makers:
        raise ServiceError("The partnership has not named decision makers for this review")
    mine = [m for m in makers if m.user_id == user.pk]
    if not mine:
        raise ServiceError("You are not one of the decision makers for this review")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        _writable(review)
        if review.stage != Review.Stage.SIGN_OFF:
            raise ServiceError("The review is not ready for sign-off yet")
        round_ = signature_round(review)
        signed = set(
            review.signatures.filter(round=round_).values_list("decision_maker_id", flat=True)
        )
        new = [m for m in mine if m.pk not in signed]
        if not new:
            raise ServiceError("You have already signed this review")
        if review.disagreements.filter(round=round_, user=user, resolution="").exists():
            raise ServiceError(
                "You declined or disagreed with this review: the business unit must record "
                "how that was resolved before you can sign"
            )
        # The role they sign in (lead or delegate, for whom), docs/rules.md §partnership-roles.
        held = signature_capacity(
            user=user, partnership=review.partnership, on=timezone.localdate()
        )
        for maker in new:
            ReviewSignature.objects.create(
                review=review,
                decision_maker=maker,
                user=user,
                capacity=maker.capacity,
                round=round_,
                **held,
            )
            audit_record(
                action="review.signed",
                actor=user,
                target=review,
                payload={"capacity": maker.capacity, "round": round_, **capacity_payload(held)},
            )
        _sign_off_if_complete(review, makers, user)
    return review


def _sign_off_if_complete(review: Review, makers: list[DecisionMaker], user) -> None:
    """Signed off when no disagreement of this round is open and every decision maker has
    signed or was excused by a disagreement resolved with the report standing without their
    signature (ADR 0012, as for decisions)."""
    round_ = signature_round(review)
    current = review.disagreements.filter(round=round_)
    if current.filter(resolution="").exists():
        return
    signed = set(review.signatures.filter(round=round_).values_list("decision_maker_id", flat=True))
    excused_users = set(
        current.filter(resolution=ReviewDisagreement.Resolution.WITHOUT_SIGNATURE).values_list(
            "user_id", flat=True
        )
    )
    accounted = signed | {m.pk for m in makers if m.user_id in excused_users}
    if makers and accounted >= {m.pk for m in makers}:
        _sign_off(review, user)


SIGN_OFF_OBJECTIONS = {
    ReviewDisagreement.Kind.DECLINED: "review.sign_off_declined",
    ReviewDisagreement.Kind.DISAGREED: "review.sign_off_disagreed",
}


def _disagreement_told(disagreement: ReviewDisagreement, *, kind: str, also=()) -> None:
    """Tell the business unit (and ``also``) of a disagreement with a review's sign-off, once
    per disagreement and kind."""
    review = disagreement.review
    slug = review.partnership.slug
    notify(
        kind=kind,
        recipients=[
            *user_list_with_role(partnership=review.partnership, role=Role.BUSINESS_UNIT),
            *also,
        ],
        partnership=review.partnership,
        subject_object=review,
        context={"review": review, "disagreement": disagreement},
        link=reverse(
            "reviews:sign_off_disagreement_resolve", args=[slug, review.pk, disagreement.pk]
        )
        if disagreement.is_open
        else reverse("reviews:sign_off", args=[slug, review.pk]),
        dedupe_key=f"review_disagreement:{disagreement.pk}:{kind}",
    )


def review_sign_off_decline(*, review: Review, user, kind: str, reason: str) -> ReviewDisagreement:
    """A decision maker asked to sign a review off declines to sign, or disagrees with its
    findings or report, with their reason. The review cannot be signed off until the business
    unit records how the disagreement was resolved; the business unit is told (in this
    transaction, emailed after it)."""
    reason = objections.objection_clean(kind=kind, reason=reason)
    mine = [m for m in decision_makers_for(review) if m.user_id == user.pk]
    if not mine:
        raise ServiceError("You are not one of the decision makers for this review")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        _writable(review)
        if review.stage != Review.Stage.SIGN_OFF:
            raise ServiceError("The review is not ready for sign-off")
        round_ = signature_round(review)
        signed = set(
            review.signatures.filter(round=round_, user=user).values_list(
                "decision_maker_id", flat=True
            )
        )
        if all(m.pk in signed for m in mine):
            raise ServiceError("You have already signed this review")
        if review.disagreements.filter(round=round_, user=user, resolution="").exists():
            raise ServiceError(
                "You have already declined or disagreed: the business unit is resolving it"
            )
        disagreement = ReviewDisagreement.objects.create(
            review=review,
            round=round_,
            user=user,
            capacity=", ".join(m.capacity for m in mine if m.pk not in signed),
            kind=kind,
            reason=reason,
        )
        audit_record(
            action=SIGN_OFF_OBJECTIONS[ReviewDisagreement.Kind(kind)],
            actor=user,
            target=review,
            payload={
                "capacity": disagreement.capacity,
                "round": round_,
                "reason": reason[: objections.AUDIT_REASON_CHARACTERS],
            },
        )
        _disagreement_told(disagreement, kind="review.sign_off_disagreement_raised")
    return disagreement


def review_disagreement_resolve(
    *,
    disagreement: ReviewDisagreement,
    resolution: str,
    resolved_by: str,
    reason: str,
    resolved_on: datetime.date,
    actor,
) -> ReviewDisagreement:
    """Record how a disagreement with a review's sign-off was resolved through the
    partnership's escalation arrangements (who, the outcome, why, when), as for a decision
    (ADR 0012):

    - the report stands and the decision maker is asked to sign it;
    - the report stands without their signature: their disagreement stays with the review,
      which is signed off when everyone else has signed;
    - the report is to be changed: every open disagreement of the round is answered, the
      review is reopened (back to drafting, with the resolution as the reason) and every
      decision maker signs again in a new round.

    A review reopened meanwhile keeps the resolution as a record only.
    """
    resolved_by, reason = objections.resolution_clean(
        objection=disagreement,
        resolution=resolution,
        resolved_by=resolved_by,
        reason=reason,
        resolved_on=resolved_on,
    )
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=disagreement.review_id)
        disagreement = ReviewDisagreement.objects.select_for_update().get(pk=disagreement.pk)
        if not disagreement.is_open:
            raise ServiceError("This disagreement has already been resolved")
        # Reopened since (by the business unit): the resolution is recorded and does nothing
        # more, as the decision makers sign again when the review returns to sign-off.
        current = review.stage == Review.Stage.SIGN_OFF and disagreement.round == signature_round(
            review
        )
        answered = [disagreement]
        if resolution == ReviewDisagreement.Resolution.CHANGE:
            answered += list(
                review.disagreements.select_for_update()
                .filter(round=disagreement.round, resolution="")
                .exclude(pk=disagreement.pk)
            )
        now = timezone.now()
        for item in answered:
            item.review = review
            objections.resolution_apply(
                item,
                resolution=resolution,
                resolved_by=resolved_by,
                reason=reason,
                resolved_on=resolved_on,
                actor=actor,
                now=now,
            )
            audit_record(
                action="review.sign_off_disagreement_resolved",
                actor=actor,
                target=review,
                payload={**objections.resolution_payload(item), "round": item.round},
            )
        if current and resolution == ReviewDisagreement.Resolution.CHANGE:
            # A new round: the signatures so far stay in the record but no longer count.
            Reopening.objects.create(
                review=review,
                reason=f"Disagreement resolved by {resolved_by}: {reason}"[:5_000],
                reopened_by=actor,
            )
            review_move(review=review, target=Review.Stage.DRAFTING, actor=actor)
            audit_record(
                action="review.reopened",
                actor=actor,
                target=review,
                payload={"round": signature_round(review), "after_disagreement": True},
            )
        elif current and resolution == ReviewDisagreement.Resolution.SIGN:
            notify(
                kind="review.ready_for_sign_off",
                recipients=[disagreement.user],
                partnership=review.partnership,
                subject_object=review,
                context={"review": review, "round": disagreement.round},
                link=reverse("reviews:sign_off", args=[review.partnership.slug, review.pk]),
                dedupe_key=f"review_disagreement:{disagreement.pk}:ask_to_sign",
            )
        elif current:
            _sign_off_if_complete(review, decision_makers_for(review), actor)
        for item in answered:
            _disagreement_told(item, kind="review.sign_off_disagreement_resolved", also=[item.user])
    return disagreement


def _sign_off(review: Review, user) -> None:
    # Signed off when the last signature (or the resolution standing in for one) is given.
    review.signed_off_at = timezone.now()
    review_move(review=review, target=Review.Stage.SIGNED_OFF, actor=user)
    audit_record(action="review.signed_off", actor=user, target=review)
    today = timezone.localdate()
    for review_type in sorted({t.review_type for t in review.tracks.all()}):
        event = REPORT_COMPLETED_EVENT.get(review_type)
        if event:
            clock.milestones_complete(event=event, subject=review.case, on_date=today, actor=user)


def review_reopen(*, review: Review, actor, reason: str) -> Reopening:
    """Reopen a signed-off review (or one waiting for signatures) with a reason: it goes back
    to drafting and the decision makers sign again in a new round."""
    reason = _required(reason, "reason", "Enter why the review is being reopened")
    if review.stage not in (Review.Stage.SIGNED_OFF, Review.Stage.SIGN_OFF):
        raise ServiceError("Only a review at or after sign-off can be reopened")
    with transaction.atomic():
        reopening = Reopening.objects.create(review=review, reason=reason, reopened_by=actor)
        review_move(review=review, target=Review.Stage.DRAFTING, actor=actor)  # clears the date
        audit_record(
            action="review.reopened",
            actor=actor,
            target=review,
            payload={"round": signature_round(review)},
        )
    return reopening


# Progress checks (R13) ------------------------------------------------------------------------


def progress_check_record(
    *, review: Review, checked_on: datetime.date, notes: str, actor
) -> Milestone:
    """Record a check of time and quality (R13); the next check falls due one interval later."""
    if review.is_read_only:
        raise ServiceError("The review is signed off")
    milestone = progress_check_open(review=review)
    if milestone is None:
        raise ServiceError("This review has no progress check due")
    if checked_on > timezone.localdate():
        raise ServiceError("The date of the check must be today or in the past", field="checked_on")
    if checked_on < review.started_on:
        raise ServiceError(
            "The date of the check must be on or after the review started", field="checked_on"
        )
    if not notes.strip():
        raise ServiceError("Enter what the check found about time and quality", field="notes")
    with transaction.atomic():
        milestone = clock.milestone_repeat(
            milestone=milestone,
            on_date=checked_on,
            reason=f"Progress check held on {checked_on:%-d %B %Y}",
            actor=actor,
        )
        audit_record(
            action="review.progress_checked",
            actor=actor,
            target=review,
            payload={
                "checked_on": checked_on.isoformat(),
                "next_due": milestone.due_on.isoformat(),
                "notes": notes.strip()[:1000],
            },
        )
    return milestone
