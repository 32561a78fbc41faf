"""Changing and removing what was entered in a review (issue 13): people in the case,
appointments, meetings and family contacts. Nothing is deleted: a record is archived with who
removed it, when and why, leaves the working lists, keeps its history (its audit events, shown
on its page) and can be put back. Changing or cancelling a meeting still to come updates or
cancels the invitation in its invitees' calendars.

Each view, like the others of the review: the review through ``review_get_for_user`` (404) →
the record within it (404) → permission (403; a signed-off review is read-only) → form → one
service → redirect.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safeguarding.core.errors import ServiceError
from safeguarding.core.forms import posted as _posted
from safeguarding.core.forms import show_service_error as _show_service_error

from .. import permissions
from ..models import Person, Review
from . import selectors, services
from .forms import (
    AppointmentEndForm,
    AppointmentForm,
    FamilyContactForm,
    MeetingForm,
    PersonDetailsForm,
    RemoveForm,
)
from .invitations import review_meeting_invitees
from .views import _context, _require, _review, _to


def _record_page(request, partnership, review, *, record, form, list_url: str, **extra):
    """A record's own page: its form (or, once removed, who removed it, when and why) and a
    short history from the audit trail."""
    return render(
        request,
        "reviews/review/record.html",
        _context(
            request,
            partnership,
            review,
            record=record,
            form=form,
            list_url=list_url,
            history=selectors.record_history(record=record),
            **extra,
        ),
    )


def _remove_page(request, partnership, review, *, record, form, list_url: str, **extra):
    return render(
        request,
        "reviews/review/record_remove.html",
        _context(
            request, partnership, review, record=record, form=form, list_url=list_url, **extra
        ),
    )


def _list_url(name: str, review: Review) -> str:
    return reverse(name, args=[review.partnership.slug, review.pk])


def _record_url(name: str, review: Review, record) -> str:
    return reverse(name, args=[review.partnership.slug, review.pk, record.pk])


def _restored(request, *, restore, page_url: str, label: str):
    """Run ``restore`` (one service call) and go back to the record's page."""
    try:
        restore()
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{label} is back")
    return redirect(page_url)


# People in the case


@require_http_methods(["GET", "POST"])
def review_person(request, slug: str, pk: int, person_pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    person = selectors.person_get(review=review, pk=person_pk)
    form = None
    if not person.is_archived:
        initial = {
            "pseudonym": person.pseudonym,
            "role_in_case": person.role_in_case,
            "relationship": person.relationship,
        }
        form = PersonDetailsForm(_posted(request), initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.person_update(
                    person=person, review=review, actor=request.user, **form.cleaned_data
                )
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['pseudonym']} is saved")
                return _to("reviews:people", review)
    elif request.method == "POST":
        raise PermissionDenied("This person has been removed from the case")
    return _record_page(
        request,
        partnership,
        review,
        record=person,
        form=form,
        list_url=_list_url("reviews:people", review),
        heading=f"{person.pseudonym}",
        noun="person",
        remove_url=_record_url("reviews:person_remove", review, person),
        remove_label="Remove from the case",
        restore_url=_record_url("reviews:person_restore", review, person),
        identity_url=_record_url("reviews:person_identity", review, person),
        has_identity=selectors.person_identity_held(person=person),
    )


@require_http_methods(["GET", "POST"])
def review_person_remove(request, slug: str, pk: int, person_pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    person = selectors.person_get(review=review, pk=person_pk)
    if person.is_archived:
        return redirect(_record_url("reviews:person", review, person))
    form = RemoveForm(
        _posted(request),
        label=f"Why is {person.pseudonym} being removed from the case?",
        required_message="Enter why they are removed from the case",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_archive(
                person=person, review=review, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"{person.pseudonym} is removed from the people in the case")
            return _to("reviews:people", review)
    return _remove_page(
        request,
        partnership,
        review,
        record=person,
        form=form,
        list_url=_record_url("reviews:person", review, person),
        heading=f"Remove {person.pseudonym} from the case",
        button="Remove from the case",
        effects=[
            "They are no longer listed among the people in the case, nor offered for new "
            "chronology rows and family contacts.",
            "Chronology rows and contacts that already name them keep their pseudonym, and the "
            "pseudonym is not used for anyone else.",
            "Their real identity, if held, stays held: the check of the report before "
            "publication still looks for it.",
            "You can put them back later.",
        ],
    )


@require_POST
def review_person_restore(request, slug: str, pk: int, person_pk: int):
    review = _review(request, slug, pk)[1]
    _require(permissions.can_manage_review(request.user, review), review)
    person = selectors.person_get(review=review, pk=person_pk)
    return _restored(
        request,
        restore=lambda: services.person_restore(person=person, review=review, actor=request.user),
        page_url=_record_url("reviews:person", review, person),
        label=person.pseudonym,
    )


# Appointments


@require_http_methods(["GET", "POST"])
def review_appointment(request, slug: str, pk: int, appointment_pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    appointment = selectors.appointment_get(review=review, pk=appointment_pk)
    form = None
    if not appointment.is_archived:
        initial = {
            name: getattr(appointment, name)
            for name in ("role", "name", "organisation", "independent", "appointed_on")
        }
        initial.update(agency=appointment.agency_id, user=appointment.user_id)
        form = AppointmentForm(_posted(request), partnership=partnership, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.appointment_update(
                    appointment=appointment, actor=request.user, **form.cleaned_data
                )
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"The appointment of {appointment.name} is saved")
                return _to("reviews:appointments", review)
    elif request.method == "POST":
        raise PermissionDenied("This appointment has ended")
    return _record_page(
        request,
        partnership,
        review,
        record=appointment,
        form=form,
        list_url=_list_url("reviews:appointments", review),
        heading=str(appointment),
        noun="appointment",
        remove_url=_record_url("reviews:appointment_end", review, appointment),
        remove_label="End the appointment",
        restore_url=_record_url("reviews:appointment_restore", review, appointment),
    )


@require_http_methods(["GET", "POST"])
def review_appointment_end(request, slug: str, pk: int, appointment_pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    appointment = selectors.appointment_get(review=review, pk=appointment_pk)
    if appointment.is_archived:
        return redirect(_record_url("reviews:appointment", review, appointment))
    form = AppointmentEndForm(
        _posted(request),
        label="Why is the appointment ending?",
        required_message="Enter why the appointment is ending",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_end(
                appointment=appointment, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"The appointment of {appointment.name} has ended")
            return _to("reviews:appointments", review)
    effects = [
        "It moves to the ended appointments, with the date and your reason.",
        "It is not put forward as a reviewer or chair name when the report is published.",
    ]
    if appointment.user_id:
        effects.append(
            "Their account no longer sees this review, and they are sent a cancellation of "
            "its meetings still to come."
        )
    return _remove_page(
        request,
        partnership,
        review,
        record=appointment,
        form=form,
        list_url=_record_url("reviews:appointment", review, appointment),
        heading=f"End the appointment of {appointment.name}",
        button="End the appointment",
        effects=[*effects, "You can put it back later if it was ended by mistake."],
    )


@require_POST
def review_appointment_restore(request, slug: str, pk: int, appointment_pk: int):
    review = _review(request, slug, pk)[1]
    _require(permissions.can_manage_review(request.user, review), review)
    appointment = selectors.appointment_get(review=review, pk=appointment_pk)
    return _restored(
        request,
        restore=lambda: services.appointment_restore(appointment=appointment, actor=request.user),
        page_url=_record_url("reviews:appointment", review, appointment),
        label=f"The appointment of {appointment.name}",
    )


# Meetings: the business unit and the appointed reviewer, like recording them


def _can_edit_meetings(request, review: Review) -> None:
    _require(
        permissions.can_edit_review_content(request.user, review),
        review,
        "Only the business unit and the reviewer can change meetings",
    )


@require_http_methods(["GET", "POST"])
def review_meeting(request, slug: str, pk: int, meeting_pk: int):
    partnership, review = _review(request, slug, pk)
    _can_edit_meetings(request, review)
    meeting = selectors.meeting_get(review=review, pk=meeting_pk)
    form = None
    if not meeting.is_archived:
        initial = {
            name: getattr(meeting, name)
            for name in (
                "held_on",
                "title",
                "starts_at",
                "ends_at",
                "location",
                "attendees",
                "minutes",
                "follow_ups",
            )
        }
        form = MeetingForm(_posted(request), initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.meeting_update(meeting=meeting, actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, f"Meeting ‘{form.cleaned_data['title']}’ saved")
                return _to("reviews:meetings", review)
    elif request.method == "POST":
        raise PermissionDenied("This meeting has been cancelled or removed")
    return _record_page(
        request,
        partnership,
        review,
        record=meeting,
        form=form,
        list_url=_list_url("reviews:meetings", review),
        heading=meeting.title,
        noun="meeting",
        remove_url=_record_url("reviews:meeting_remove", review, meeting),
        remove_label="Cancel or remove the meeting",
        restore_url=_record_url("reviews:meeting_restore", review, meeting),
        invitees=review_meeting_invitees(review),
        upcoming=meeting.held_on >= timezone.localdate(),
    )


@require_http_methods(["GET", "POST"])
def review_meeting_remove(request, slug: str, pk: int, meeting_pk: int):
    partnership, review = _review(request, slug, pk)
    _can_edit_meetings(request, review)
    meeting = selectors.meeting_get(review=review, pk=meeting_pk)
    if meeting.is_archived:
        return redirect(_record_url("reviews:meeting", review, meeting))
    form = RemoveForm(
        _posted(request),
        label="Why is the meeting cancelled or removed?",
        required_message="Enter why the meeting is cancelled or removed",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_archive(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"Meeting ‘{meeting.title}’ cancelled")
            return _to("reviews:meetings", review)
    upcoming = meeting.held_on >= timezone.localdate()
    effects = ["It moves to the cancelled and removed meetings, with your reason."]
    if upcoming:
        invitees = review_meeting_invitees(review)
        if invitees:
            effects.append(
                "A cancellation is sent by email to "
                + ", ".join(person.full_name or person.email for person in invitees)
                + ", to take it out of their calendars."
            )
    return _remove_page(
        request,
        partnership,
        review,
        record=meeting,
        form=form,
        list_url=_record_url("reviews:meeting", review, meeting),
        heading=f"Cancel or remove ‘{meeting.title}’",
        button="Cancel the meeting" if upcoming else "Remove the meeting",
        effects=[*effects, "You can put it back later."],
    )


@require_POST
def review_meeting_restore(request, slug: str, pk: int, meeting_pk: int):
    review = _review(request, slug, pk)[1]
    _can_edit_meetings(request, review)
    meeting = selectors.meeting_get(review=review, pk=meeting_pk)
    return _restored(
        request,
        restore=lambda: services.meeting_restore(meeting=meeting, actor=request.user),
        page_url=_record_url("reviews:meeting", review, meeting),
        label=f"Meeting ‘{meeting.title}’",
    )


# Family contacts

CONSENT_INITIAL = {True: "yes", False: "no", None: ""}


@require_http_methods(["GET", "POST"])
def review_family_contact(request, slug: str, pk: int, contact_pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    contact = selectors.family_contact_get(review=review, pk=contact_pk)
    form = None
    if not contact.is_archived:
        # Someone removed from the case stays selectable on the contacts made with them.
        people = Person.objects.filter(case_id=review.case_id).filter(
            Q(archived_at__isnull=True) | Q(pk=contact.person_id)
        )
        initial = {
            "kind": contact.kind,
            "happened_on": contact.happened_on,
            "person": contact.person_id,
            "advocate": contact.advocate,
            "summary": contact.summary,
            "consent_to_quote": CONSENT_INITIAL[contact.consent_to_quote],
        }
        form = FamilyContactForm(_posted(request), people=people, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            data["consent_to_quote"] = form.consent()
            try:
                services.family_contact_update(contact=contact, actor=request.user, **data)
            except ServiceError as error:
                _show_service_error(form, error)
            else:
                messages.success(request, "The contact is saved")
                return _to("reviews:family", review)
    elif request.method == "POST":
        raise PermissionDenied("This contact has been removed")
    return _record_page(
        request,
        partnership,
        review,
        record=contact,
        form=form,
        list_url=_list_url("reviews:family", review),
        heading=str(contact),
        noun="contact",
        remove_url=_record_url("reviews:family_contact_remove", review, contact),
        remove_label="Remove the contact",
        restore_url=_record_url("reviews:family_contact_restore", review, contact),
    )


@require_http_methods(["GET", "POST"])
def review_family_contact_remove(request, slug: str, pk: int, contact_pk: int):
    partnership, review = _review(request, slug, pk)
    _require(permissions.can_manage_review(request.user, review), review)
    contact = selectors.family_contact_get(review=review, pk=contact_pk)
    if contact.is_archived:
        return redirect(_record_url("reviews:family_contact", review, contact))
    form = RemoveForm(
        _posted(request),
        label="Why is the contact being removed?",
        required_message="Enter why the contact is removed",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.family_contact_archive(
                contact=contact, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"{contact} removed")
            return _to("reviews:family", review)
    return _remove_page(
        request,
        partnership,
        review,
        record=contact,
        form=form,
        list_url=_record_url("reviews:family_contact", review, contact),
        heading=f"Remove the contact: {contact}",
        button="Remove the contact",
        effects=[
            "It moves to the removed contacts, with your reason, and no longer counts for the "
            "family involvement of the review.",
            "You can put it back later.",
        ],
    )


@require_POST
def review_family_contact_restore(request, slug: str, pk: int, contact_pk: int):
    review = _review(request, slug, pk)[1]
    _require(permissions.can_manage_review(request.user, review), review)
    contact = selectors.family_contact_get(review=review, pk=contact_pk)
    return _restored(
        request,
        restore=lambda: services.family_contact_restore(contact=contact, actor=request.user),
        page_url=_record_url("reviews:family_contact", review, contact),
        label="The contact",
    )
