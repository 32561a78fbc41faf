"""The business unit's pages for referrals, cases, screening, decisions and notifications, under
/manage/<partnership>/.

Each view: partnership (404 outside it) → record through its scoped selector (404 outside the
partnership, and for members who see no referrals: ADR 0010) → permission (403) → form → one
service → redirect with a success message.
Partner leads may read the triage, referrals and cases, see identities (audited) and sign the
decisions they are named for; everything else is for the business unit.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding.accounts import selectors as account_selectors
from safeguarding.clock import selectors as clock_selectors
from safeguarding.core.errors import ServiceError
from safeguarding.core.files import file_response
from safeguarding.core.forms import GovukForm
from safeguarding.core.forms import posted as _posted
from safeguarding.core.forms import show_service_error as _show_service_error

from . import permissions, selectors, services, share_selectors, share_services
from .models import CaseShare, Decision, Status
from .rows import share_rows_html, triage_rows_html
from .screening import ScreeningFactsError
from .staff_forms import (
    NOT_AN_AGENCY,
    BecameAwareForm,
    CaseShareAnswerForm,
    CaseShareEndForm,
    CaseShareForm,
    DecisionForm,
    DisagreementForm,
    DisagreementResolveForm,
    LinkCaseForm,
    NotificationForm,
    OpenCaseForm,
    ScreeningFactsForm,
    SendForDecisionForm,
    SignatoryReplaceForm,
    SourceAgencyForm,
    TriageFilterForm,
)

TRIAGE_PAGE_SIZE = 50
BUSINESS_UNIT_ONLY = "Only the business unit can do this"

# Screening results that put a review type in front of the decision makers by default.
SCREENING_SUGGESTS_DECISION = {"notify", "mandatory", "discretionary", "required", "unknown"}


def _partnership(request, slug: str, predicate, message: str):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    if not predicate(request.user, partnership):
        raise PermissionDenied(message)
    return partnership


def _for_readers(request, slug: str):
    return _partnership(
        request,
        slug,
        permissions.can_view_referrals,
        "Only the business unit and the statutory partner leads can see referrals",
    )


def _record(request, slug: str, pk: int, selector, predicate, message: str):
    """The record through its scoped selector (404 outside the partnership, and for members
    who see no referrals or cases), then ``predicate`` (403 for a reader who may not do this)."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    record = selector(user=request.user, partnership=partnership, pk=pk)
    if predicate is not None and not predicate(request.user, partnership):
        raise PermissionDenied(message)
    return partnership, record


def _referral(request, slug: str, pk: int, predicate=None, message=BUSINESS_UNIT_ONLY):
    return _record(request, slug, pk, selectors.referral_get_for_user, predicate, message)


def _case(request, slug: str, pk: int, predicate=None, message=BUSINESS_UNIT_ONLY):
    return _record(request, slug, pk, selectors.case_get_for_user, predicate, message)


def _case_url(case, partnership=None) -> str:
    """The case's page under ``partnership`` (the address the user came by: a partner reaches
    a shared case under its own), or under the case's own partnership."""
    return reverse("referrals:case", args=[(partnership or case.partnership).slug, case.pk])


# Triage ----------------------------------------------------------------------------------------


@require_safe
def triage(request, slug: str):
    partnership = _for_readers(request, slug)
    agencies = list(selectors.agency_list_for_partnership(partnership=partnership))
    bound = any(name in request.GET for name in TriageFilterForm.base_fields)
    form = TriageFilterForm(
        request.GET if bound else None,
        partnership=partnership,
        agencies=agencies,
    )
    filters = form.filters()
    status = filters.pop("status", "")
    counts = selectors.referral_counts_by_status(partnership=partnership, **filters)
    referrals = selectors.referral_list_for_triage(
        partnership=partnership, status=status, **filters
    )
    paginator = Paginator(referrals, TRIAGE_PAGE_SIZE)
    # The counts already know how many rows the filters give: no second COUNT query.
    paginator.count = counts[status] if status else counts["all"]
    page = paginator.get_page(request.GET.get("page"))

    query = request.GET.copy()
    query.pop("page", None)
    status_links = []
    for value, label in [("", "All referrals"), *Status.choices]:
        link_query = query.copy()
        link_query["status"] = value
        status_links.append(
            {
                "value": value,
                "label": label,
                "count": counts[value] if value else counts["all"],
                "query": link_query.urlencode(),
                "current": value == status,
            }
        )
    return render(
        request,
        "referrals/staff/triage.html",
        {
            "partnership": partnership,
            "form": form,
            "page": page,
            "rows": triage_rows_html(page.object_list, partnership=partnership),
            "query": query.urlencode(),
            "status_links": status_links,
            "filtered": bool(status or any(filters.values())),
            "can_act": permissions.can_triage_referrals(request.user, partnership),
        },
    )


# Referrals -------------------------------------------------------------------------------------


@require_safe
def referral_detail(request, slug: str, pk: int):
    partnership, referral = _referral(request, slug, pk)
    return render(
        request,
        "referrals/staff/referral_detail.html",
        {
            "partnership": partnership,
            "referral": referral,
            "milestones": list(clock_selectors.milestone_list_for_subject(subject=referral)),
            "can_act": permissions.can_triage_referrals(request.user, partnership),
            "can_view_identity": permissions.can_view_identities(request.user, partnership),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def referral_identity(request, slug: str, pk: int):
    """GET asks to confirm; POST records the view in the audit trail and shows the identity.
    The identity is only ever in a POST response, which browsers do not cache or replay."""
    partnership, referral = _referral(
        request,
        slug,
        pk,
        permissions.can_view_identities,
        "Only the business unit and the statutory partner leads can see real identities",
    )
    identity = None
    if request.method == "POST":
        identity = selectors.referral_identity_get(referral=referral)
        services.referral_identity_viewed(referral=referral, actor=request.user)
    return render(
        request,
        "referrals/staff/referral_identity.html",
        {
            "partnership": partnership,
            "referral": referral,
            "identity": identity,
            "shown": request.method == "POST",
        },
    )


@require_http_methods(["GET", "POST"])
def referral_open_case(request, slug: str, pk: int):
    partnership, referral = _referral(request, slug, pk, permissions.can_screen)
    if referral.case_id is not None:
        messages.info(request, f"Referral {referral.reference} is already part of a case")
        return redirect(_case_url(referral.case))
    initial = {
        "pseudonym": selectors.case_pseudonym_suggestion(
            partnership=partnership, review_type=referral.review_type
        )
    }
    form = OpenCaseForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                referral=referral, pseudonym=form.cleaned_data["pseudonym"], actor=request.user
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Case {case.reference} ({case.pseudonym}) opened. Record the screening facts",
            )
            return redirect(_case_url(case))
    return render(
        request,
        "referrals/staff/open_case.html",
        {"partnership": partnership, "referral": referral, "form": form},
    )


@require_http_methods(["GET", "POST"])
def referral_link_case(request, slug: str, pk: int):
    partnership, referral = _referral(request, slug, pk, permissions.can_screen)
    if referral.case_id is not None:
        messages.info(request, f"Referral {referral.reference} is already part of a case")
        return redirect(_case_url(referral.case))
    cases = selectors.case_list_open(partnership=partnership)
    form = LinkCaseForm(_posted(request), cases=cases)
    if request.method == "POST" and form.is_valid():
        case = form.selected_case
        try:
            services.referral_link_to_case(referral=referral, case=case, actor=request.user)
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request, f"Referral {referral.reference} added to case {case.reference}"
            )
            return redirect(_case_url(case))
    return render(
        request,
        "referrals/staff/link_case.html",
        {
            "partnership": partnership,
            "referral": referral,
            "form": form,
            "cases": cases,
            "limit": selectors.OPEN_CASE_LIMIT,
        },
    )


@require_http_methods(["GET", "POST"])
def referral_source_agency(request, slug: str, pk: int):
    """Set or correct the agency the referral came from (issue 17), during triage."""
    partnership, referral = _referral(request, slug, pk, permissions.can_triage_referrals)
    agencies = list(selectors.agency_list_for_partnership(partnership=partnership))
    initial = {"agency": str(referral.source_agency_id or NOT_AN_AGENCY)}
    form = SourceAgencyForm(_posted(request), agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_source_agency_set(
                referral=referral, agency=form.selected_agency, actor=request.user
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"Source agency of referral {referral.reference} saved")
            return redirect("referrals:detail", partnership.slug, referral.pk)
    return render(
        request,
        "referrals/staff/source_agency.html",
        {"partnership": partnership, "referral": referral, "form": form},
    )


# Cases -----------------------------------------------------------------------------------------


@require_safe
def case_detail(request, slug: str, pk: int):
    partnership, case = _case(request, slug, pk)
    screening = selectors.case_screening(case=case)
    notifications = selectors.notification_list_for_case(case=case)
    awaiting = selectors.decisions_awaiting_signature(
        user=request.user, partnership=partnership, case=case
    )
    # A partner reaching the case through a share (ADR 0022) sees the screening and every
    # track's decision, and acts on the tracks it decides only; referrals stay the owner's.
    owns = permissions.owns_case(partnership, case)
    is_business_unit = permissions.can_screen(request.user, partnership)
    can_act = is_business_unit and owns
    tracks = selectors.case_tracks(case=case)
    # "Start the rapid review" is offered while the case has no review: asked only when the
    # button could show (a CSPR track, for those who act on the case).
    starts_rapid_review = (
        can_act
        and any(row.track.review_type == "cspr" for row in tracks)
        and not selectors.case_has_reviews(case=case)
    )
    return render(
        request,
        "referrals/staff/case_detail.html",
        {
            "partnership": partnership,
            "case": case,
            "referrals": selectors.case_referral_list(case=case) if owns else [],
            "starts_rapid_review": starts_rapid_review,
            "owns": owns,
            "share": share_selectors.case_share_accepted(case=case, partnership=partnership),
            "decided_here": {
                row.track.pk
                for row in tracks
                if is_business_unit and permissions.decides_track(partnership, row.track)
            },
            "screening": screening,
            "screening_rows": selectors.screening_rows(
                result=screening.result, partnership=partnership
            ),
            "notifications_needed": selectors.notifications_needed(
                result=screening.result, notifications=notifications
            ),
            "notifications": notifications,
            "tracks": tracks,
            "awaiting_my_signature": awaiting,
            "awaiting_ids": {decision.pk for decision in awaiting},
            "milestones": clock_selectors.milestone_rows_for_subject(subject=case),
            "guidance_rows": selectors.case_guidance_rows(case=case),
            "can_act": can_act,
            "is_business_unit": is_business_unit,
            "can_record_notifications": is_business_unit
            and not owns
            and bool(services.notification_recipients_for(case=case, partnership=partnership)),
            "can_decide": can_act and case.status != Status.NEW,
        },
    )


@require_http_methods(["GET", "POST"])
def case_screening(request, slug: str, pk: int):
    partnership, case = _owner_case(request, slug, pk)
    form = ScreeningFactsForm(_posted(request), facts=case.facts)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_save_facts(case=case, facts=form.facts(), actor=request.user)
        except ScreeningFactsError as error:
            form.add_screening_problems(error.problems)
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, "Screening facts saved. The results are below")
            return redirect(f"{_case_url(case)}#screening")
    return render(
        request,
        "referrals/staff/screening.html",
        {"partnership": partnership, "case": case, "form": form},
    )


@require_http_methods(["GET", "POST"])
def case_send_for_decision(request, slug: str, pk: int):
    partnership, case = _owner_case(request, slug, pk)
    screening = selectors.case_screening(case=case)
    rows = {
        row.review_type: row
        for row in selectors.screening_rows(result=screening.result, partnership=partnership)
    }
    tracked = {row.track.review_type for row in selectors.case_tracks(case=case)}
    choices = []
    suggested = []
    for review_type in partnership.review_types:
        if review_type.value in tracked:
            continue
        row = rows.get(review_type.value)
        label = review_type.label
        if row is not None:
            label = f"{label} (screening: {row.result_label.lower()})"
            if row.result in SCREENING_SUGGESTS_DECISION:
                suggested.append(review_type.value)
        choices.append((review_type.value, label))
    form = SendForDecisionForm(
        _posted(request), choices=choices, initial={"review_types": suggested}
    )
    if request.method == "POST" and choices and form.is_valid():
        try:
            tracks = services.case_send_for_decision(
                case=case, review_types=form.cleaned_data["review_types"], actor=request.user
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            names = ", ".join(track.get_review_type_display() for track in tracks)
            messages.success(request, f"Sent for decision: {names}")
            return redirect(f"{_case_url(case, partnership)}#decisions")
    return render(
        request,
        "referrals/staff/send_for_decision.html",
        {
            "partnership": partnership,
            "case": case,
            "form": form,
            "choices": choices,
            "screening_rows": list(rows.values()),
            "tracked": tracked,
        },
    )


# Decisions -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def decision_record(request, slug: str, pk: int, track_pk: int):
    partnership, case = _case(request, slug, pk, permissions.can_record_decisions)
    track = selectors.track_get(case=case, pk=track_pk)
    if not permissions.decides_track(partnership, track):
        raise PermissionDenied(_decided_elsewhere(track))
    decision = Decision.objects.filter(track=track).first()
    signatories = (
        selectors.decision_signatories(decision=decision)
        if decision
        else selectors.track_signatories(track=track)
    )
    if decision is not None and (
        decision.state != Decision.State.AWAITING_SIGNATURES
        or any(row.signature for row in signatories)
    ):
        # Signed or disputed decisions are read-only (services.decision_record refuses them
        # too); a disputed one changes only through the recorded resolution.
        return render(
            request,
            "referrals/staff/decision_signed.html",
            {
                "partnership": partnership,
                "case": case,
                "track": track,
                "decision": decision,
                "signatories": signatories,
                "disagreements": selectors.decision_disagreements(decision=decision),
                "can_resolve": True,
            },
        )
    initial = {}
    if decision is not None:
        initial = {
            "outcome": decision.outcome,
            "rationale": decision.rationale,
            "decided_on": decision.decided_on,
        }
    form = DecisionForm(_posted(request), track=track, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_record(
                track=track, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            waiting = [
                row.decision_maker.capacity
                for row in selectors.decision_signatories(decision=decision)
            ]
            message = f"Decision recorded for the {track.get_review_type_display()}"
            if waiting:
                message += f". It is final when signed by: {', '.join(waiting)}"
            else:
                message += (
                    ". The partnership has not named decision makers for this review type, so "
                    "nobody can sign it yet"
                )
            messages.success(request, message)
            return redirect(f"{_case_url(case, partnership)}#decisions")
    return render(
        request,
        "referrals/staff/decision_form.html",
        {
            "partnership": partnership,
            "case": case,
            "track": track,
            "decision": decision,
            "signatories": signatories,
            "form": form,
        },
    )


class _SignForm(GovukForm):
    """No fields: signing is one button. The form carries the service's refusal to the error
    summary."""


@require_http_methods(["GET", "POST"])
def decision_sign(request, slug: str, pk: int):
    partnership, decision = _decision_for_maker(request, slug, pk)
    case = decision.track.case
    form = _SignForm(_posted(request))
    if request.method == "POST":
        try:
            decision = services.decision_sign(decision=decision, user=request.user)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            if decision.state == Decision.State.FINAL:
                message = (
                    "You signed the decision. Every decision maker has now signed: it is final"
                )
            else:
                message = "You signed the decision. It is final when the others have signed"
            messages.success(request, message)
            return redirect(f"{_case_url(case, partnership)}#decisions")
    signatories = selectors.decision_signatories(decision=decision)
    mine = [row for row in signatories if row.decision_maker.user_id == request.user.pk]
    already_signed = any(row.signature is not None for row in mine)
    mine_unsigned = any(row.signature is None for row in mine)
    my_disagreement = next((row.disagreement for row in mine if row.disagreement), None)
    can_sign_now = (
        mine_unsigned
        and decision.state != Decision.State.FINAL
        and not (my_disagreement and my_disagreement.is_open)
    )
    return render(
        request,
        "referrals/staff/decision_sign.html",
        {
            "partnership": partnership,
            "case": case,
            "track": decision.track,
            "decision": decision,
            "signatories": signatories,
            "disagreements": selectors.decision_disagreements(decision=decision),
            "form": form,
            "already_signed": already_signed and not mine_unsigned,
            "my_disagreement": my_disagreement,
            "can_sign_now": can_sign_now,
        },
    )


def _decided_elsewhere(track) -> str:
    deciding = track.decided_by or track.case.partnership
    return (
        f"{deciding.name} decides the {track.get_review_type_display()} for this case: its "
        "business unit records the decision and its decision makers sign it"
    )


def _decision_for_maker(request, slug: str, pk: int):
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    decision = selectors.decision_get_for_user(user=request.user, partnership=partnership, pk=pk)
    if not permissions.can_sign_decision(request.user, decision):
        raise PermissionDenied("Only the partnership's named decision makers can sign")
    return partnership, decision


@require_http_methods(["GET", "POST"])
def decision_decline(request, slug: str, pk: int):
    """A decision maker declines to sign, or disagrees, with a reason: it goes back to the
    business unit, which records how it was resolved."""
    partnership, decision = _decision_for_maker(request, slug, pk)
    case = decision.track.case
    form = DisagreementForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            disagreement = services.decision_decline(
                decision=decision, user=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"You {disagreement.get_kind_display().lower()}. The business unit has been "
                "told, and will tell you how it is resolved",
            )
            return redirect(reverse("referrals:sign", args=[partnership.slug, decision.pk]))
    return render(
        request,
        "referrals/staff/decision_decline.html",
        {
            "partnership": partnership,
            "case": case,
            "track": decision.track,
            "decision": decision,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def disagreement_resolve(request, slug: str, pk: int, disagreement_pk: int):
    """The business unit records how a disagreement was resolved by escalation."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    decision = selectors.decision_get_for_user(user=request.user, partnership=partnership, pk=pk)
    disagreement = selectors.disagreement_get(decision=decision, pk=disagreement_pk)
    if not permissions.can_record_decisions(request.user, partnership):
        raise PermissionDenied(BUSINESS_UNIT_ONLY)
    if not permissions.decides_track(partnership, decision.track):
        raise PermissionDenied(_decided_elsewhere(decision.track))
    case = decision.track.case
    form = DisagreementResolveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.disagreement_resolve(
                disagreement=disagreement, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, "Resolution recorded. The decision makers have been told")
            return redirect(f"{_case_url(case, partnership)}#decisions")
    return render(
        request,
        "referrals/staff/disagreement_resolve.html",
        {
            "partnership": partnership,
            "case": case,
            "track": decision.track,
            "decision": decision,
            "disagreement": disagreement,
            "signatories": selectors.decision_signatories(decision=decision),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def signatory_replace(request, slug: str, pk: int, decision_maker_pk: int):
    """The business unit replaces a signatory who has left, on a decision still waiting for
    signatures (ADR 0019)."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    decision = selectors.decision_get_for_user(user=request.user, partnership=partnership, pk=pk)
    signatory = selectors.decision_signatory_get(
        decision=decision, decision_maker_pk=decision_maker_pk
    )
    if not permissions.can_record_decisions(request.user, partnership):
        raise PermissionDenied(BUSINESS_UNIT_ONLY)
    case = decision.track.case
    choices = selectors.decision_maker_choices_for(decision=decision)
    form = SignatoryReplaceForm(_posted(request), choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.decision_signatory_replace(
                signatory=signatory,
                decision_maker=form.cleaned_data["decision_maker"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"{new.decision_maker.user.full_name or new.decision_maker.user.email} now signs "
                f"as {new.decision_maker.capacity}, and has been asked to sign",
            )
            return redirect(f"{_case_url(case)}#decisions")
    leaving = signatory.decision_maker
    return render(
        request,
        "referrals/staff/signatory_replace.html",
        {
            "partnership": partnership,
            "case": case,
            "track": decision.track,
            "decision": decision,
            "signatory": signatory,
            "has_left": services.signatory_has_left(leaving),
            "has_choices": choices.exists(),
            "form": form,
        },
    )


# Notifications ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notification_add(request, slug: str, pk: int):
    """The business unit records a notification sent. A partner reaching a shared case records
    those of the track it decides (the Home Office told of its DHR decision, ADR 0022); the
    owner records the others."""
    partnership, case = _case(request, slug, pk, permissions.can_screen)
    allowed = services.notification_recipients_for(case=case, partnership=partnership)
    if not allowed:
        raise PermissionDenied(
            f"Only {case.partnership.name}, which holds the case, records its notifications"
        )
    initial = {}
    recipient = request.GET.get("recipient")
    if recipient in allowed:
        initial["recipient"] = recipient
    form = NotificationForm(_posted(request), initial=initial, recipients=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            notification = services.notification_record(
                case=case, actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Notification to the {notification.get_recipient_display()} recorded "
                f"({notification.rule_id})",
            )
            return redirect(f"{_case_url(case, partnership)}#notifications")
    return render(
        request,
        "referrals/staff/notification_form.html",
        {"partnership": partnership, "case": case, "form": form},
    )


@require_http_methods(["GET", "POST"])
def case_became_aware(request, slug: str, pk: int):
    partnership, case = _owner_case(request, slug, pk)
    form = BecameAwareForm(_posted(request), initial={"became_aware_on": case.became_aware_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_set_became_aware(case=case, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request, "Date the partnership became aware changed; the deadlines are updated"
            )
            return redirect(_case_url(case))
    return render(
        request,
        "referrals/staff/became_aware_form.html",
        {"partnership": partnership, "case": case, "form": form},
    )


@require_safe
def notification_summary(request, slug: str, pk: int):
    partnership, case = _case(request, slug, pk)
    if not permissions.owns_case(partnership, case):
        # It quotes the referrals, which stay with the partnership that holds the case.
        raise PermissionDenied(f"Only {case.partnership.name}, which holds the case, sees this")
    text = selectors.notification_summary_text(
        case=case,
        referrals=selectors.case_referrals(case=case),
        screening=selectors.case_screening(case=case).result,
    )
    if request.GET.get("format") == "txt":
        # An export of case data (DESIGN §8): the pseudonym only, never a real identity.
        stamp = timezone.localdate().isoformat()
        return file_response(
            request,
            content=text,
            filename=f"{case.reference}-notification-summary-{stamp}.txt",
            content_type="text/plain; charset=utf-8",
            audit_action="case.summary_downloaded",
            target=case,
        )
    return render(
        request,
        "referrals/staff/notification_summary.html",
        {
            "partnership": partnership,
            "case": case,
            "text": text,
            "rows": text.count("\n") + 2,
        },
    )


# Sharing a case with another partnership (ADR 0022) ------------------------------------------


def _owner_case(request, slug: str, pk: int):
    """A case the partnership holds, for its business unit: a partner that reaches it through
    a share sees the case (so gets 403, not 404)."""
    partnership, case = _case(request, slug, pk, permissions.can_screen)
    if not permissions.owns_case(partnership, case):
        raise PermissionDenied(
            f"Only {case.partnership.name}, which holds the case, can do this: the case is "
            "shared with your partnership"
        )
    return partnership, case


@require_http_methods(["GET", "POST"])
def case_shares(request, slug: str, pk: int):
    """Who the case is shared with, and the form to share it with another partnership."""
    partnership, case = _owner_case(request, slug, pk)
    partners = share_selectors.share_partner_choices(case=case)
    form = CaseShareForm(_posted(request), partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            share = share_services.case_share_invite(
                case=case, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Case offered to {share.partner.name}. Its business unit has been told; the "
                "case reaches it once it accepts",
            )
            return redirect(reverse("referrals:case_shares", args=[partnership.slug, case.pk]))
    return render(
        request,
        "referrals/staff/case_shares.html",
        {
            "partnership": partnership,
            "case": case,
            "shares": share_selectors.case_share_list_for_case(case=case),
            "form": form,
            "has_partners": partners.exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def case_share_end(request, slug: str, pk: int, share_pk: int):
    """Either side's business unit ends a share (the owner also withdraws an invitation)."""
    partnership, case = _case(request, slug, pk, permissions.can_screen)
    share = share_selectors.case_share_get(case=case, pk=share_pk)
    if not (permissions.owns_case(partnership, case) or share.partner_id == partnership.pk):
        raise Http404("No such share")
    form = CaseShareEndForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            share_services.case_share_end(
                share=share, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            messages.success(request, f"The share with {share.partner.name} has ended")
            if permissions.owns_case(partnership, case):
                return redirect(reverse("referrals:case_shares", args=[partnership.slug, case.pk]))
            return redirect(reverse("referrals:shares", args=[partnership.slug]))
    return render(
        request,
        "referrals/staff/case_share_end.html",
        {"partnership": partnership, "case": case, "share": share, "form": form},
    )


@require_safe
def shares(request, slug: str):
    """Cases other partnerships offered to this one: waiting for an answer, and accepted."""
    partnership = _for_readers(request, slug)
    page, pagination = share_selectors.CASE_SHARE_PAGES.page(request, partnership_id=partnership.pk)
    return render(
        request,
        "referrals/staff/shares.html",
        {
            "partnership": partnership,
            "shares": page.object_list,
            "rows": share_rows_html(
                page.object_list,
                partnership=partnership,
                can_answer=permissions.can_screen(request.user, partnership),
            ),
            "page": page,
            "pagination": pagination,
        },
    )


@require_http_methods(["GET", "POST"])
def share_answer(request, slug: str, pk: int):
    """The partner's business unit accepts or declines a case offered to it."""
    partnership = account_selectors.partnership_get_for_user(user=request.user, slug=slug)
    share = share_selectors.case_share_get_for_user(
        user=request.user, partnership=partnership, pk=pk
    )
    if not permissions.can_screen(request.user, partnership):
        raise PermissionDenied(BUSINESS_UNIT_ONLY)
    form = CaseShareAnswerForm(_posted(request))
    if request.method == "POST" and share.state == CaseShare.State.INVITED and form.is_valid():
        try:
            if form.cleaned_data["answer"] == "accept":
                share_services.case_share_accept(share=share, actor=request.user)
            else:
                share_services.case_share_decline(
                    share=share, reason=form.cleaned_data["reason"], actor=request.user
                )
        except ServiceError as error:
            _show_service_error(form, error)
        else:
            if form.cleaned_data["answer"] == "accept":
                messages.success(request, "You accepted the case. It is in your list of cases")
                return redirect(_case_in(partnership, share.case))
            messages.success(request, "You declined the case. The other partnership is told")
            return redirect(reverse("referrals:shares", args=[partnership.slug]))
    return render(
        request,
        "referrals/staff/share_answer.html",
        {"partnership": partnership, "share": share, "case": share.case, "form": form},
    )


def _case_in(partnership, case) -> str:
    return reverse("referrals:case", args=[partnership.slug, case.pk])
