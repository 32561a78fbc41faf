"""Writes of requests for information (docs/rules.md §information-requests): made, answered,
refused, escalated. Each checks who may do it, writes in one transaction with its audit
event, and never deletes: the request and its escalations are the history."""

import datetime

from django.db import transaction

from safeguarding.accounts.models import Partnership
from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError
from safeguarding.referrals.models import Case
from safeguarding.reviews.models import Review

from .models import Escalation, InformationRequest
from .permissions import can_record_information_requests
from .selectors import legal_bases_for

NOT_ALLOWED = "Only the business unit records requests for information"
Status = InformationRequest.Status


def _check(actor, partnership: Partnership) -> None:
    if not can_record_information_requests(actor, partnership):
        raise ServiceError(NOT_ALLOWED)


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message, field=field)
    return value


def _date(value: datetime.date | None, field: str, message: str) -> datetime.date:
    if value is None:
        raise ServiceError(message, field=field)
    return value


def _lock(request: InformationRequest) -> InformationRequest:
    return (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("case", "partnership")
        .get(pk=request.pk)
    )


def _payload(request: InformationRequest, **extra) -> dict:
    return {
        "case": request.case.reference,
        "review": request.review.reference if request.review is not None else None,
        "recipient": request.recipient,
        "legal_basis": request.legal_basis,
        "due_on": request.due_on.isoformat(),
        "status": request.status,
        **extra,
    }


def information_request_make(
    *,
    case: Case,
    actor,
    recipient: str,
    legal_basis: str,
    information_sought: str,
    made_on: datetime.date,
    due_on: datetime.date,
    recipient_email: str = "",
    review: Review | None = None,
) -> InformationRequest:
    """Record a request made to a person or body for information the partnership needs."""
    partnership = case.partnership
    _check(actor, partnership)
    recipient = _required(recipient, "recipient", "Enter the person or body asked")
    information_sought = _required(
        information_sought, "information_sought", "Enter what information was asked for"
    )
    made_on = _date(made_on, "made_on", "Enter the date the request was made")
    due_on = _date(due_on, "due_on", "Enter the date the answer is due")
    if legal_basis not in legal_bases_for(partnership):
        raise ServiceError(
            "Choose a power this partnership holds: section 45 for a Safeguarding Adults "
            "Board, section 16H for safeguarding partners",
            field="legal_basis",
        )
    if due_on < made_on:
        raise ServiceError("The due date cannot be before the request was made", field="due_on")
    if review is not None and review.case_id != case.pk:
        raise ServiceError("Choose one of this case's reviews", field="review")
    with transaction.atomic():
        request = InformationRequest.objects.create(
            partnership=partnership,
            case=case,
            review=review,
            recipient=recipient,
            recipient_email=(recipient_email or "").strip(),
            legal_basis=legal_basis,
            information_sought=information_sought,
            made_on=made_on,
            due_on=due_on,
            recorded_by=actor,
        )
        audit_record(
            action="information_request.made",
            actor=actor,
            target=request,
            partnership=partnership,
            payload=_payload(request, made_on=made_on.isoformat()),
        )
    return request


def information_request_answer(
    *, request: InformationRequest, actor, answered_on: datetime.date, answer_summary: str
) -> InformationRequest:
    """The information was given (also after a refusal was escalated)."""
    _check(actor, request.partnership)
    answered_on = _date(answered_on, "answered_on", "Enter the date the answer arrived")
    answer_summary = _required(
        answer_summary, "answer_summary", "Enter what was received and where it is kept"
    )
    with transaction.atomic():
        locked = _lock(request)
        if locked.status == Status.ANSWERED:
            raise ServiceError("This request has already been answered")
        if answered_on < locked.made_on:
            raise ServiceError(
                "The answer cannot arrive before the request was made", field="answered_on"
            )
        before = locked.status
        locked.status, locked.answered_on, locked.answer_summary = (
            Status.ANSWERED,
            answered_on,
            answer_summary,
        )
        locked.save(update_fields=["status", "answered_on", "answer_summary"])
        audit_record(
            action="information_request.answered",
            actor=actor,
            target=locked,
            payload=_payload(
                locked,
                answered_on=answered_on.isoformat(),
                late=answered_on > locked.due_on,
                was=before,
            ),
        )
    return locked


def information_request_refuse(
    *, request: InformationRequest, actor, refused_on: datetime.date, refusal_reason: str
) -> InformationRequest:
    """The person or body refused, with the reason they gave."""
    _check(actor, request.partnership)
    refused_on = _date(refused_on, "refused_on", "Enter the date of the refusal")
    refusal_reason = _required(
        refusal_reason, "refusal_reason", "Enter the reason they gave for refusing"
    )
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != Status.OPEN:
            raise ServiceError(f"This request is already {locked.get_status_display().lower()}")
        if refused_on < locked.made_on:
            raise ServiceError(
                "The refusal cannot come before the request was made", field="refused_on"
            )
        locked.status, locked.refused_on, locked.refusal_reason = (
            Status.REFUSED,
            refused_on,
            refusal_reason,
        )
        locked.save(update_fields=["status", "refused_on", "refusal_reason"])
        audit_record(
            action="information_request.refused",
            actor=actor,
            target=locked,
            payload=_payload(locked, refused_on=refused_on.isoformat()),
        )
    return locked


def information_request_escalate(
    *,
    request: InformationRequest,
    actor,
    escalated_on: datetime.date,
    escalated_to: str,
    note: str,
) -> Escalation:
    """Escalate an unanswered or refused request (to the body's senior lead, the partners'
    escalation arrangements...), with a note. A request may be escalated more than once."""
    _check(actor, request.partnership)
    escalated_on = _date(escalated_on, "escalated_on", "Enter the date it was escalated")
    escalated_to = _required(escalated_to, "escalated_to", "Enter who it was escalated to")
    note = _required(note, "note", "Enter why it was escalated and what was asked")
    with transaction.atomic():
        locked = _lock(request)
        if locked.status == Status.ANSWERED:
            raise ServiceError("This request has been answered: there is nothing to escalate")
        if escalated_on < locked.made_on:
            raise ServiceError(
                "It cannot be escalated before the request was made", field="escalated_on"
            )
        escalation = Escalation.objects.create(
            request=locked,
            escalated_on=escalated_on,
            escalated_to=escalated_to,
            note=note,
            recorded_by=actor,
        )
        audit_record(
            action="information_request.escalated",
            actor=actor,
            target=locked,
            payload=_payload(
                locked, escalated_on=escalated_on.isoformat(), escalated_to=escalated_to
            ),
        )
    return escalation
