"""Asking agencies for information and receiving their returns (docs/rules.md §rapid-review: agency
summaries; §agency-contributions: agency reports and chronologies). Returns are versioned: a new
return never overwrites an earlier one. Every write is validated, in one transaction, and
audited.

No review is stuck waiting for an agency (issue 13): the business unit records a return the
agency sent by email, by post, by hand or at a meeting on its behalf; cancels a request, or
re-addresses it to another agency, with a reason; or marks it "nothing to return". Nothing is
deleted: a closed request is kept with who closed it, when and why. The business unit is told
when a return arrives; the agency's contributors when their request is cancelled, re-addressed
or marked "nothing to return"."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Agency, Partnership, ReviewType, Role
from safeguarding.accounts.selectors import agency_contact_list, user_list_with_role
from safeguarding.audit.services import audit_record
from safeguarding.clock import services as clock
from safeguarding.core.errors import ServiceError
from safeguarding.core.uploads import DOCX, ODT, PDF, XLSX, validate_upload
from safeguarding.notifications.services import notify
from safeguarding.referrals.models import Case
from safeguarding.referrals.selectors import case_guidance_codes
from safeguarding.referrals.share_selectors import review_partners

from ..models import AgencyRequest, AgencyReturn, Review

RETURN_ATTACHMENT_KINDS = (PDF, DOCX, XLSX, ODT)
SUMMARY_FIELDS = ("involvement", "went_well", "concerns", "immediate_actions")
REPORT_FIELDS = ("report",)
REASON_MAX = 2_000


def rapid_review_expected(case: Case) -> tuple[datetime.date, str]:
    """R9: when the rapid review is expected, and the span in words ("15 working days"), from
    the clock rule of the case's guidance version (the one place the figure is written:
    clock/default_rules.py), counted from the day the partnership became aware (day 0, R40).
    Refused in words for a case whose guidance versions hold no rapid review (it came with
    Working Together 2018)."""
    try:
        return clock.expected_due(
            partnership=case.partnership,
            rule_id="R9",
            versions=case_guidance_codes(case=case),
            start=case.became_aware_on,
            review_type=ReviewType.CSPR,
        )
    except ServiceError:
        raise ServiceError(
            "A rapid review is not part of the guidance this case follows (the partnership "
            f"became aware on {case.became_aware_on:%-d %B %Y}). The case page shows its "
            "guidance versions"
        ) from None


def rapid_review_deadline(review: Review) -> datetime.date:
    """R9: the day the rapid review is expected (``rapid_review_expected``)."""
    return rapid_review_expected(review.case)[0]


# A partner's contributors answer through the return forms (ADR 0022); a chronology goes
# through the review's chronology pages, which stay the owner's.
PARTNER_KINDS = (AgencyRequest.Kind.AGENCY_SUMMARY, AgencyRequest.Kind.AGENCY_REPORT)


def requestable_agencies(review: Review) -> list[Agency]:
    """The agencies a review may ask: those already involved and the partnership's own."""
    agencies = {a.pk: a for a in review.agencies.all()}
    agencies.update({a.pk: a for a in review.partnership.agencies.all()})
    return sorted(agencies.values(), key=lambda a: a.name)


def request_partners(review: Review) -> list[Partnership]:
    """The partner partnerships whose agencies the review may ask (ADR 0022): those the case
    is shared with by an accepted share that takes part in the review."""
    return review_partners(case=review.case)


def partner_agencies(
    review: Review, partner: Partnership, partners: list[Partnership] | None = None
) -> list[Agency]:
    """The agencies of ``partner`` the review may ask; empty unless ``partner`` takes part
    (``partners``: ``request_partners(review)`` when the caller has read it already)."""
    if partners is None:
        partners = request_partners(review)
    if partner.pk not in {p.pk for p in partners}:
        return []
    return sorted(partner.agencies.all(), key=lambda a: a.name)


def agency_contributors(request: AgencyRequest) -> list:
    """Who at the agency is told about the request: its active contributors in the
    partnership that answers it (the review's, or the partner whose agency was asked, ADR
    0022; none for an agency whose people have no account in the service)."""
    return user_list_with_role(
        partnership=request.answering_partnership,
        role=Role.AGENCY_CONTRIBUTOR,
        agency=request.agency,
    )


def agency_recipients(request: AgencyRequest) -> list:
    """Who is emailed about the request: the agency's active contributors in the partnership;
    when it has none, the partnership's email-only contacts at the agency, as addresses
    (ADR 0020); nobody when it has neither (the request pages say "not emailed")."""
    contributors = agency_contributors(request)
    if contributors:
        return contributors
    return [
        contact.email
        for contact in agency_contact_list(
            partnership=request.answering_partnership, agency=request.agency
        )
    ]


def _request_link(request: AgencyRequest) -> str:
    """The request's page under the address of the partnership that answers it."""
    return reverse("reviews:request_detail", args=[request.answering_partnership.slug, request.pk])


def _tell_contributors(request: AgencyRequest, *, chase: bool) -> int:
    """Notify the agency's active contributors of the request, or its email-only contacts
    when it has no contributor (in the caller's transaction; the emails go after the commit);
    return how many were told. An agency with neither is told nothing: the request pages show
    it ("not emailed")."""
    partnership = request.answering_partnership
    return len(
        notify(
            kind="agency_request.chased" if chase else "agency_request.sent",
            recipients=agency_recipients(request),
            partnership=partnership,
            subject_object=request,
            context={"request": request, "chase": chase},
            link=_request_link(request),
            dedupe_key=None if chase else f"agency_request:{request.pk}:sent",
        )
    )


def agency_requests_send(
    *,
    review: Review,
    agencies: list[Agency],
    kind: str,
    due_on: datetime.date,
    instructions: str,
    actor,
    answered_in: Partnership | None = None,
) -> list[AgencyRequest]:
    """Ask each agency for one kind of information by ``due_on`` and tell its contributors (a
    notification each, emailed after the commit). With ``answered_in``, the agencies are those
    of a partner partnership sharing the review (ADR 0022): its contributors answer, under its
    own address, and see nothing else of the review."""
    if review.is_read_only:
        raise ServiceError("The review is signed off: reopen it before asking agencies")
    if kind not in AgencyRequest.Kind.values:
        raise ServiceError("Select what you are asking for", field="kind")
    if not agencies:
        raise ServiceError("Select at least one agency", field="agencies")
    if answered_in is not None:
        if answered_in.pk == review.partnership_id:
            answered_in = None
        elif not partner_agencies(review, answered_in):
            raise ServiceError("That partnership does not take part in this review")
        elif kind not in PARTNER_KINDS:
            raise ServiceError(
                "Ask a partner's agency for an agency summary or an agency report: its "
                "chronology is added by the business unit",
                field="kind",
            )
    allowed = {
        a.pk
        for a in (
            partner_agencies(review, answered_in) if answered_in else requestable_agencies(review)
        )
    }
    if any(a.pk not in allowed for a in agencies):
        raise ServiceError("Select agencies of this partnership", field="agencies")
    today = timezone.localdate()
    if due_on < today:
        raise ServiceError("The due date must be today or in the future", field="due_on")
    if kind == AgencyRequest.Kind.AGENCY_SUMMARY:
        deadline, span = rapid_review_expected(review.case)
        if due_on > deadline:
            raise ServiceError(
                "The due date must be on or before "
                f"{deadline:%-d %B %Y}, so the rapid review can finish within {span} "
                "(R9)",
                field="due_on",
            )
    already = sorted(
        review.requests.filter(kind=kind, agency__in=agencies, closure="").values_list(
            "agency__name", flat=True
        )
    )
    if already:
        raise ServiceError(
            f"{', '.join(already)} already {'has' if len(already) == 1 else 'have'} this "
            "request: chase it instead",
            field="agencies",
        )
    try:
        with transaction.atomic():
            created = []
            for agency in sorted(agencies, key=lambda a: a.name):
                request = AgencyRequest.objects.create(
                    review=review,
                    agency=agency,
                    kind=kind,
                    due_on=due_on,
                    instructions=instructions.strip(),
                    requested_by=actor,
                    answered_in=answered_in,
                )
                audit_record(
                    action="agency_request.sent",
                    actor=actor,
                    target=request,
                    partnership=review.partnership,
                    payload={
                        "review": review.reference,
                        "agency": agency.slug,
                        "kind": kind,
                        "due_on": due_on.isoformat(),
                        "answered_in": answered_in.slug if answered_in else "",
                    },
                )
                created.append(request)
            review.agencies.add(*agencies)
            for request in created:
                _tell_contributors(request, chase=False)
    except IntegrityError:  # two people sent the same request at once
        raise ServiceError(
            "One of the agencies already has this request: chase it instead", field="agencies"
        ) from None
    return created


def _check_open(request: AgencyRequest) -> None:
    if request.review.is_read_only:
        raise ServiceError("The review is signed off: reopen it first")
    if request.is_cancelled:
        raise ServiceError(f"The request to {request.agency.name} has been cancelled")
    if request.is_nothing_to_return:
        raise ServiceError(f"{request.agency.name} has been marked as having nothing to return")
    if request.returned_at is not None:
        raise ServiceError(f"{request.agency.name} has already returned this")


def check_can_close(request: AgencyRequest) -> None:
    """Raise the reason a request cannot be cancelled, re-addressed or marked "nothing to
    return" (it is closed or returned, or the review is signed off)."""
    _check_open(request)


def _chase(request: AgencyRequest, *, actor, bulk: bool) -> AgencyRequest:
    """One chase, in the caller's transaction: counted, audited, and a notice to each of the
    agency's contributors."""
    request = (
        AgencyRequest.objects.select_for_update(of=("self",))
        .select_related("review", "review__partnership", "agency")
        .get(pk=request.pk)
    )
    _check_open(request)
    if not agency_recipients(request):
        raise ServiceError(
            f"No one at {request.agency.name} has an account or an email contact, so no one "
            "can be emailed: add a contact on the agency's page, or contact them yourself and "
            "record their return when it comes"
        )
    request.times_chased += 1
    request.last_chased_on = timezone.localdate()
    request.save(update_fields=["times_chased", "last_chased_on"])
    told = _tell_contributors(request, chase=True)
    audit_record(
        action="agency_request.chased",
        actor=actor,
        target=request,
        partnership=request.review.partnership,
        payload={
            "review": request.review.reference,
            "agency": request.agency.slug,
            "times_chased": request.times_chased,
            "emailed": told,
            "bulk": bulk,
        },
    )
    return request


def agency_request_chase(*, request: AgencyRequest, actor) -> AgencyRequest:
    """Remind the agency's contributors of an open request."""
    _check_open(request)
    with transaction.atomic():
        return _chase(request, actor=actor, bulk=False)


def agency_requests_chase(
    *, review: Review, requests: list[AgencyRequest], actor
) -> list[AgencyRequest]:
    """Chase several overdue requests of ``review`` at once: one reminder each (a notice to
    each of the agency's contributors), each chase audited. All or none: a request that
    cannot be chased (not overdue, closed, or an agency no one can be emailed at) refuses the
    lot, so what was chased is never a guess."""
    if review.is_read_only:
        raise ServiceError("The review is signed off: reopen it first")
    if not requests:
        raise ServiceError("Select the overdue requests to chase", field="requests")
    today = timezone.localdate()
    if any(r.review_id != review.pk for r in requests):
        raise ServiceError("Select requests of this review", field="requests")
    late = [r for r in requests if not r.is_overdue(today)]
    if late:
        raise ServiceError(
            f"Only overdue requests can be chased together: {late[0].agency.name}'s is not",
            field="requests",
        )
    with transaction.atomic():
        return [
            _chase(r, actor=actor, bulk=True)
            for r in sorted(requests, key=lambda r: (r.agency.name, r.pk))
        ]


def _return_values(request: AgencyRequest, fields: dict, attachment, *, on_behalf: bool) -> dict:
    """The return's text for the kind of request, checked: an agency summary describes the
    involvement, a report is written or attached, a chronology is attached. Recorded on the
    agency's behalf, a summary may be the file the agency sent instead of retyped text."""
    names: tuple[str, ...]
    if request.kind == AgencyRequest.Kind.AGENCY_SUMMARY:
        names = SUMMARY_FIELDS
    elif request.kind == AgencyRequest.Kind.AGENCY_REPORT:
        names = REPORT_FIELDS
    else:
        names = ()
    values = {name: (fields.get(name) or "").strip() for name in names}
    if request.kind == AgencyRequest.Kind.AGENCY_SUMMARY and not values["involvement"]:
        if not on_behalf:
            raise ServiceError("Describe your agency's involvement", field="involvement")
        if attachment is None:
            raise ServiceError(
                "Type the agency's involvement or attach the summary it sent", field="involvement"
            )
    if request.kind == AgencyRequest.Kind.AGENCY_REPORT and not (values["report"] or attachment):
        raise ServiceError("Write the report or attach it", field="report")
    if request.kind == AgencyRequest.Kind.CHRONOLOGY and not attachment:
        raise ServiceError("Attach the chronology", field="attachment")
    return values


def return_received_notify(*, agency_return: AgencyReturn, actor) -> None:
    """The business unit is told a return has arrived (everyone in it but whoever sent or
    recorded it), once per return, in the caller's transaction. Also called for a chronology
    upload, which is a version of the agency's return (chronology/services.py)."""
    request = agency_return.request
    partnership = request.review.partnership
    notify(
        kind="agency_return.received",
        recipients=[
            user
            for user in user_list_with_role(partnership=partnership, role=Role.BUSINESS_UNIT)
            if user.pk != actor.pk
        ],
        partnership=partnership,
        subject_object=request,
        context={"request": request, "agency_return": agency_return},
        link=_request_link(request),
        dedupe_key=f"agency_return:{agency_return.pk}:received",
    )


def _store_return(
    *, request: AgencyRequest, actor, values: dict, attachment, on_behalf: dict | None
) -> AgencyReturn:
    """Save a new version of the return (the first one marks the request returned), audit it
    and tell the business unit, in one transaction."""
    kind_code = ""
    if attachment is not None:
        try:
            kind_code = validate_upload(attachment, allowed=RETURN_ATTACHMENT_KINDS).code
        except ValidationError as error:
            raise ServiceError(error.messages[0], field="attachment") from None

    agency_return = AgencyReturn(
        request=request, submitted_by=actor, version=0, **values, **(on_behalf or {})
    )
    agency_return.recorded_on_behalf = on_behalf is not None
    if attachment is not None:
        agency_return.attachment_name = attachment.name[:255]
        agency_return.attachment_kind = kind_code
        agency_return.attachment_size = attachment.size
        agency_return.attachment.save(attachment.name, attachment, save=False)
    try:
        with transaction.atomic():
            locked = AgencyRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
            if locked.closure:
                raise ServiceError(
                    f"This request was {locked.get_closure_display().lower()} on "
                    f"{timezone.localtime(locked.closed_at):%-d %B %Y}: it takes no returns"
                )
            previous = locked.returns.aggregate(last=Max("version"))["last"] or 0
            agency_return.version = previous + 1
            agency_return.save()
            if locked.returned_at is None:
                locked.returned_at = timezone.now()
                locked.save(update_fields=["returned_at"])
                request.returned_at = locked.returned_at
            payload = {
                "review": request.review.reference,
                "agency": request.agency.slug,
                "kind": request.kind,
                "version": agency_return.version,
                "attachment": kind_code or None,
            }
            if on_behalf is not None:
                payload.update(
                    received_via=on_behalf["received_via"],
                    received_on=on_behalf["received_on"].isoformat(),
                )
            audit_record(
                action="agency_return.recorded" if on_behalf else "agency_return.submitted",
                actor=actor,
                target=agency_return,
                partnership=request.review.partnership,
                payload=payload,
            )
            return_received_notify(agency_return=agency_return, actor=actor)
    except BaseException:  # a signal turned into SystemExit too (fault drills)
        if agency_return.attachment:
            agency_return.attachment.delete(save=False)
        raise
    return agency_return


def agency_return_submit(
    *, request: AgencyRequest, user, fields: dict, attachment=None
) -> AgencyReturn:
    """Store a new version of the agency's return (earlier versions are kept as they were)."""
    from ..permissions import can_answer_request

    if not can_answer_request(user, request):
        raise ServiceError("Only a contributor of the agency asked can return this")
    values = _return_values(request, fields, attachment, on_behalf=False)
    return _store_return(
        request=request, actor=user, values=values, attachment=attachment, on_behalf=None
    )


def agency_return_record(
    *,
    request: AgencyRequest,
    actor,
    fields: dict,
    attachment=None,
    received_from_name: str,
    received_from_role: str = "",
    received_from_email: str = "",
    received_via: str,
    received_on: datetime.date,
) -> AgencyReturn:
    """Record, on the agency's behalf, a return it sent outside the service (by email, by post,
    by hand or at a meeting): a new version like any other, saying who sent it, how and when
    it arrived; ``actor`` (the business unit) is kept as who recorded it."""
    from ..permissions import can_manage_review

    if not can_manage_review(actor, request.review):
        raise ServiceError("Only the business unit can record a return for an agency")
    if request.review.is_read_only:
        raise ServiceError("The review is signed off: reopen it first")
    if request.closure:
        raise ServiceError(
            f"This request was {request.get_closure_display().lower()}: it takes no returns"
        )
    name = received_from_name.strip()
    if not name:
        raise ServiceError("Enter who at the agency sent it", field="received_from_name")
    if received_via not in AgencyReturn.ReceivedVia.values:
        raise ServiceError("Select how the return arrived", field="received_via")
    if received_on > timezone.localdate():
        raise ServiceError("The date it arrived must be today or in the past", field="received_on")
    if received_on < timezone.localtime(request.requested_at).date():
        raise ServiceError(
            "The date it arrived must be on or after the day the agency was asked "
            f"({timezone.localtime(request.requested_at):%-d %B %Y})",
            field="received_on",
        )
    values = _return_values(request, fields, attachment, on_behalf=True)
    return _store_return(
        request=request,
        actor=actor,
        values=values,
        attachment=attachment,
        on_behalf={
            "received_from_name": name,
            "received_from_role": received_from_role.strip(),
            "received_from_email": received_from_email.strip(),
            "received_via": received_via,
            "received_on": received_on,
        },
    )


# Closing a request ---------------------------------------------------------------------------


def _lock_open(request: AgencyRequest) -> AgencyRequest:
    locked = (
        AgencyRequest.objects.select_for_update(of=("self",))
        .select_related("review", "review__partnership", "agency")
        .get(pk=request.pk)
    )
    _check_open(locked)
    return locked


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ServiceError("Enter the reason", field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(f"The reason must be {REASON_MAX:,} characters or fewer", field="reason")
    return reason


def _close(request: AgencyRequest, *, closure: str, reason: str, actor) -> None:
    request.closure = closure
    request.closure_reason = reason
    request.closed_at = timezone.now()
    request.closed_by = actor
    request.save(update_fields=["closure", "closure_reason", "closed_at", "closed_by"])


def _tell_closed(request: AgencyRequest, *, kind: str, context: dict | None = None) -> None:
    notify(
        kind=kind,
        recipients=agency_recipients(request),
        partnership=request.review.partnership,
        subject_object=request,
        context={"request": request, **(context or {})},
        link=_request_link(request),
        dedupe_key=f"agency_request:{request.pk}:{request.closure}",
    )


def agency_request_cancel(*, request: AgencyRequest, reason: str, actor) -> AgencyRequest:
    """Cancel an open request with a reason (kept, no longer counted; the agency may be asked
    again later) and tell the agency's contributors."""
    reason = _reason(reason)
    _check_open(request)
    with transaction.atomic():
        locked = _lock_open(request)
        _close(locked, closure=AgencyRequest.Closure.CANCELLED, reason=reason, actor=actor)
        audit_record(
            action="agency_request.cancelled",
            actor=actor,
            target=locked,
            partnership=locked.review.partnership,
            payload={
                "review": locked.review.reference,
                "agency": locked.agency.slug,
                "kind": locked.kind,
                "reason": reason,
            },
        )
        _tell_closed(locked, kind="agency_request.cancelled", context={"reason": reason})
    return locked


def agency_request_nothing_to_return(
    *, request: AgencyRequest, reason: str, actor
) -> AgencyRequest:
    """Record that the agency has nothing to return (it had no involvement, or nothing in the
    period): the request counts as done. The agency's contributors are told."""
    reason = _reason(reason)
    _check_open(request)
    with transaction.atomic():
        locked = _lock_open(request)
        _close(locked, closure=AgencyRequest.Closure.NOTHING_TO_RETURN, reason=reason, actor=actor)
        audit_record(
            action="agency_request.nothing_to_return",
            actor=actor,
            target=locked,
            partnership=locked.review.partnership,
            payload={
                "review": locked.review.reference,
                "agency": locked.agency.slug,
                "kind": locked.kind,
                "reason": reason,
            },
        )
        _tell_closed(locked, kind="agency_request.nothing_to_return", context={"reason": reason})
    return locked


def agency_request_readdress(
    *,
    request: AgencyRequest,
    agency: Agency,
    due_on: datetime.date,
    reason: str,
    actor,
) -> AgencyRequest:
    """Send an open request to another agency instead (it was asked of the wrong one, or the
    work moved): the request is cancelled with the reason and points to a new one, with the
    same instructions, to ``agency``. The first agency's contributors are told it is no
    longer needed from them; the new agency's are asked as for any request. Returns the new
    request."""
    reason = _reason(reason)
    _check_open(request)
    review = request.review
    if agency.pk == request.agency_id:
        raise ServiceError("Select a different agency", field="agency")
    if agency.pk not in {a.pk for a in requestable_agencies(review)}:
        raise ServiceError("Select an agency of this partnership", field="agency")
    if due_on < timezone.localdate():
        raise ServiceError("The due date must be today or in the future", field="due_on")
    if request.kind == AgencyRequest.Kind.AGENCY_SUMMARY:
        deadline, span = rapid_review_expected(review.case)
        if due_on > deadline:
            raise ServiceError(
                f"The due date must be on or before {deadline:%-d %B %Y}, so the rapid review "
                f"can finish within {span} of the partnership becoming aware",
                field="due_on",
            )
    if review.requests.filter(agency=agency, kind=request.kind, closure="").exists():
        raise ServiceError(
            f"{agency.name} already has this request: close this one instead", field="agency"
        )
    try:
        with transaction.atomic():
            locked = _lock_open(request)
            new = AgencyRequest.objects.create(
                review=review,
                agency=agency,
                kind=locked.kind,
                due_on=due_on,
                instructions=locked.instructions,
                requested_by=actor,
            )
            _close(locked, closure=AgencyRequest.Closure.CANCELLED, reason=reason, actor=actor)
            locked.replaced_by = new
            locked.save(update_fields=["replaced_by"])
            review.agencies.add(agency)
            audit_record(
                action="agency_request.readdressed",
                actor=actor,
                target=locked,
                partnership=review.partnership,
                payload={
                    "review": review.reference,
                    "from_agency": locked.agency.slug,
                    "to_agency": agency.slug,
                    "new_request": new.pk,
                    "kind": locked.kind,
                    "due_on": due_on.isoformat(),
                    "reason": reason,
                },
            )
            audit_record(
                action="agency_request.sent",
                actor=actor,
                target=new,
                partnership=review.partnership,
                payload={
                    "review": review.reference,
                    "agency": agency.slug,
                    "kind": new.kind,
                    "due_on": due_on.isoformat(),
                    "readdressed_from": locked.pk,
                },
            )
            notify(
                kind="agency_request.readdressed",
                recipients=agency_recipients(locked),
                partnership=review.partnership,
                subject_object=locked,
                context={"request": locked, "new_request": new, "reason": reason},
                link=_request_link(locked),
                dedupe_key=f"agency_request:{locked.pk}:readdressed",
            )
            _tell_contributors(new, chase=False)
    except IntegrityError:  # the other agency was asked at the same moment
        raise ServiceError(
            f"{agency.name} already has this request: close this one instead", field="agency"
        ) from None
    return new
