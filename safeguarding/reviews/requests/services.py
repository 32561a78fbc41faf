"""Asking agencies for information and receiving their returns (docs/rules.md §rapid-review: agency
summaries; §agency-contributions: agency reports and chronologies). Returns are versioned: a new
return never overwrites an earlier one. Every write is validated, in one transaction, and
audited."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Agency, Role
from safeguarding.accounts.selectors import user_list_with_role
from safeguarding.audit.services import audit_record
from safeguarding.core.calendar import add_working_days
from safeguarding.core.errors import ServiceError
from safeguarding.core.uploads import DOCX, ODT, PDF, XLSX, validate_upload
from safeguarding.notifications.services import notify

from ..models import AgencyRequest, AgencyReturn, Review

RETURN_ATTACHMENT_KINDS = (PDF, DOCX, XLSX, ODT)
SUMMARY_FIELDS = ("involvement", "went_well", "concerns", "immediate_actions")
REPORT_FIELDS = ("report",)


def rapid_review_deadline(review: Review) -> datetime.date:
    """R9: the rapid review is expected within 15 working days of the partnership becoming
    aware (day 0, R40)."""
    return add_working_days(review.case.became_aware_on, 15)


def requestable_agencies(review: Review) -> list[Agency]:
    """The agencies a review may ask: those already involved and the partnership's own."""
    agencies = {a.pk: a for a in review.agencies.all()}
    agencies.update({a.pk: a for a in review.partnership.agencies.all()})
    return sorted(agencies.values(), key=lambda a: a.name)


def _tell_contributors(request: AgencyRequest, *, chase: bool) -> None:
    """Notify the agency's active contributors of the request (in the caller's transaction;
    the emails go after the commit). An agency without one is told nothing: the request page
    shows it."""
    partnership = request.review.partnership
    notify(
        kind="agency_request.chased" if chase else "agency_request.sent",
        recipients=user_list_with_role(
            partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=request.agency
        ),
        partnership=partnership,
        subject_object=request,
        context={"request": request, "chase": chase},
        link=reverse("reviews:request_detail", args=[partnership.slug, request.pk]),
        dedupe_key=None if chase else f"agency_request:{request.pk}:sent",
    )


def agency_requests_send(
    *,
    review: Review,
    agencies: list[Agency],
    kind: str,
    due_on: datetime.date,
    instructions: str,
    actor,
) -> list[AgencyRequest]:
    """Ask each agency for one kind of information by ``due_on`` and tell its contributors (a
    notification each, emailed after the commit)."""
    if review.is_read_only:
        raise ServiceError("The review is signed off: reopen it before asking agencies")
    if kind not in AgencyRequest.Kind.values:
        raise ServiceError("Select what you are asking for", field="kind")
    if not agencies:
        raise ServiceError("Select at least one agency", field="agencies")
    allowed = {a.pk for a in requestable_agencies(review)}
    if any(a.pk not in allowed for a in agencies):
        raise ServiceError("Select agencies of this partnership", field="agencies")
    today = timezone.localdate()
    if due_on < today:
        raise ServiceError("The due date must be today or in the future", field="due_on")
    if kind == AgencyRequest.Kind.AGENCY_SUMMARY:
        deadline = rapid_review_deadline(review)
        if due_on > deadline:
            raise ServiceError(
                "The due date must be on or before "
                f"{deadline:%-d %B %Y}, so the rapid review can finish within 15 working days "
                "(R9)",
                field="due_on",
            )
    already = sorted(
        review.requests.filter(kind=kind, agency__in=agencies).values_list(
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


def agency_request_chase(*, request: AgencyRequest, actor) -> AgencyRequest:
    """Remind the agency's contributors of an open request."""
    if request.returned_at is not None:
        raise ServiceError(f"{request.agency.name} has already returned this")
    if request.review.is_read_only:
        raise ServiceError("The review is signed off")
    with transaction.atomic():
        request = AgencyRequest.objects.select_for_update().get(pk=request.pk)
        request.times_chased += 1
        request.last_chased_on = timezone.localdate()
        request.save(update_fields=["times_chased", "last_chased_on"])
        audit_record(
            action="agency_request.chased",
            actor=actor,
            target=request,
            partnership=request.review.partnership,
            payload={"review": request.review.reference, "times_chased": request.times_chased},
        )
        _tell_contributors(request, chase=True)
    return request


def agency_return_submit(
    *, request: AgencyRequest, user, fields: dict, attachment=None
) -> AgencyReturn:
    """Store a new version of the agency's return (earlier versions are kept as they were)."""
    from ..permissions import can_answer_request

    if not can_answer_request(user, request):
        raise ServiceError("Only a contributor of the agency asked can return this")
    names: tuple[str, ...]
    if request.kind == AgencyRequest.Kind.AGENCY_SUMMARY:
        names = SUMMARY_FIELDS
    elif request.kind == AgencyRequest.Kind.AGENCY_REPORT:
        names = REPORT_FIELDS
    else:
        names = ()
    values = {name: (fields.get(name) or "").strip() for name in names}
    if request.kind == AgencyRequest.Kind.AGENCY_SUMMARY and not values["involvement"]:
        raise ServiceError("Describe your agency's involvement", field="involvement")
    if request.kind == AgencyRequest.Kind.AGENCY_REPORT and not (values["report"] or attachment):
        raise ServiceError("Write the report or attach it", field="report")
    if request.kind == AgencyRequest.Kind.CHRONOLOGY and not attachment:
        raise ServiceError("Attach the chronology", field="attachment")
    kind_code = ""
    if attachment is not None:
        try:
            kind_code = validate_upload(attachment, allowed=RETURN_ATTACHMENT_KINDS).code
        except ValidationError as error:
            raise ServiceError(error.messages[0], field="attachment") from None

    agency_return = AgencyReturn(request=request, submitted_by=user, version=0, **values)
    if attachment is not None:
        agency_return.attachment_name = attachment.name[:255]
        agency_return.attachment_kind = kind_code
        agency_return.attachment_size = attachment.size
        agency_return.attachment.save(attachment.name, attachment, save=False)
    try:
        with transaction.atomic():
            locked = AgencyRequest.objects.select_for_update().get(pk=request.pk)
            previous = locked.returns.aggregate(last=Max("version"))["last"] or 0
            agency_return.version = previous + 1
            agency_return.save()
            if locked.returned_at is None:
                locked.returned_at = timezone.now()
                locked.save(update_fields=["returned_at"])
                request.returned_at = locked.returned_at
            audit_record(
                action="agency_return.submitted",
                actor=user,
                target=agency_return,
                partnership=request.review.partnership,
                payload={
                    "review": request.review.reference,
                    "agency": request.agency.slug,
                    "kind": request.kind,
                    "version": agency_return.version,
                    "attachment": kind_code or None,
                },
            )
    except BaseException:  # a signal turned into SystemExit too (fault drills)
        if agency_return.attachment:
            agency_return.attachment.delete(save=False)
        raise
    return agency_return
