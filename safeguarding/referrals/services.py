"""Every write to referrals, cases and decisions: validated, in one transaction, audited."""

import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Agency, Partnership, ReviewType, Role
from safeguarding.accounts.partnership_roles.selectors import capacity_payload, signature_capacity
from safeguarding.accounts.permissions import is_business_unit
from safeguarding.accounts.selectors import user_list_with_role
from safeguarding.audit.services import audit_record
from safeguarding.clock import services as clock
from safeguarding.clock.models import REPORT_CLOCK_STARTS, Event, ReportClockStart
from safeguarding.core import encryption
from safeguarding.core.errors import ServiceError
from safeguarding.core.rate_limits import RateLimit
from safeguarding.guidance.selectors import versions_applying
from safeguarding.notifications.services import notify

from . import objections
from .agency_match import matching_agency_id
from .models import (
    OUTCOMES_BY_TYPE,
    Case,
    CaseGuidance,
    Decision,
    DecisionMaker,
    DecisionSignatory,
    Disagreement,
    Notification,
    Outcome,
    Referral,
    ReferralIdentity,
    Signature,
    Status,
    Track,
    age_group_for,
)
from .selectors import case_dhr_test, case_guidance_codes
from .share_selectors import milestone_owners

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I

# The clock starts when the partnership learns of the case (R2, R31; R40: that day is day 0).
AWARE_EVENT: dict[str, Event] = {
    ReviewType.CSPR: Event.CSPR_LA_AWARE,
    ReviewType.SAFEGUARDING_ADULTS_REVIEW: Event.SAB_AWARE,
    ReviewType.DHR: Event.CSP_AWARE,
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ip_hash(ip: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest() if ip else ""


def _new_reference() -> str:
    year = timezone.localdate().year
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"R{year}-{code}"


def _referral_limit() -> RateLimit:
    """Online referrals from one client address in any hour: more than any real professional
    sends (REFERRALS_PER_HOUR_PER_ADDRESS). Counted per client across every partnership, in
    the database, so every server process shares the count; the address is the one the
    trusted proxies saw (core.client_address), so referrers behind one proxy are counted apart."""
    return RateLimit(
        bucket="referral:client",
        limit=settings.REFERRALS_PER_HOUR_PER_ADDRESS,
        window=datetime.timedelta(hours=1),
    )


def referral_submit(
    *,
    partnership: Partnership,
    review_type: str,
    answers: dict,
    identity: dict,
    agencies=(),
    submission_key: uuid.UUID | None = None,
    ip: str = "",
    source: str = Referral.Source.ONLINE,
    actor=None,
    status_url_builder=None,
    received_on: datetime.date | None = None,
    notify_referrer: bool = True,
) -> tuple[Referral, str | None]:
    """Create a referral with the person's identity held apart, start its statutory clock and
    send the referrer an acknowledgement with a private status link.

    Submitting the same form twice (same ``submission_key``) returns the first referral and no
    new token. ``received_on`` (default today) is when the partnership became aware: staff set it
    for a Word form that arrived earlier. Returns (referral, status token or None).
    """
    if review_type not in [t.value for t in partnership.review_types]:
        raise ServiceError(f"{partnership.name} does not run this kind of review")
    if submission_key is not None:
        existing = Referral.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing, None
    limited = source == Referral.Source.ONLINE and bool(ip)
    if limited and _referral_limit().exceeded(ip):
        raise ServiceError(
            "You have sent a lot of referrals in the last hour. Wait an hour and try again, or "
            "email the business unit"
        )
    token = secrets.token_urlsafe(24)
    today = timezone.localdate()
    if received_on is not None and received_on > today:
        raise ServiceError("The date received must be today or in the past", field="received_on")
    try:
        with transaction.atomic():
            referral = Referral(
                partnership=partnership,
                review_type=review_type,
                source=source,
                received_on=received_on or today,
                status_token_hash=token_hash(token),
                submitted_ip_hash=ip_hash(ip) if source == Referral.Source.ONLINE else "",
                created_by=actor,
                modified_by=actor,
                **answers,
            )
            if submission_key is not None:
                referral.submission_key = submission_key
            referral.age_group = age_group_for(referral.age_years)
            referral.source_agency_id = matching_agency_id(
                referral.referrer_organisation, partnership.agencies.all()
            )
            for _ in range(5):
                referral.reference = _new_reference()
                if not Referral.objects.filter(reference=referral.reference).exists():
                    break
            referral.full_clean(exclude=["agencies"])
            referral.save()
            referral.agencies.set(agencies)
            ReferralIdentity.objects.create(referral=referral, **identity)
            _start_awareness_clock(referral)
            if limited:
                _referral_limit().record(ip)
            audit_record(
                action="referral.uploaded"
                if source == Referral.Source.WORD_FORM
                else "referral.submitted",
                actor=actor,
                actor_label="" if actor else f"referrer {referral.referrer_email}",
                target=referral,
                payload={"review_type": review_type, "source": source},
            )
            if source == Referral.Source.ONLINE and notify_referrer:
                status_url = status_url_builder(token) if status_url_builder else ""
                _acknowledge(referral, status_url)
    except IntegrityError:
        # A double submission that raced past the check above: return the first one.
        if submission_key is not None:
            existing = Referral.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing, None
        raise
    return referral, token


def referral_source_agency_set(*, referral: Referral, agency: Agency | None, actor) -> Referral:
    """Set or correct the partnership's agency the referral came from (None: not one of its
    agencies), as the business unit reads it during triage. Audited in the same transaction."""
    if agency is not None and not referral.partnership.agencies.filter(pk=agency.pk).exists():
        raise ServiceError("Select one of the partnership's agencies", field="agency")
    previous = referral.source_agency_id
    with transaction.atomic():
        referral.source_agency = agency
        referral.modified_by = actor
        referral.save(update_fields=["source_agency", "modified_by", "modified_at"])
        audit_record(
            action="referral.source_agency_set",
            actor=actor,
            target=referral,
            partnership=referral.partnership,
            payload={"from": previous, "to": agency.pk if agency else None},
        )
    return referral


def _start_awareness_clock(referral: Referral) -> None:
    url = reverse("referrals:detail", args=[referral.partnership.slug, referral.pk])
    label = f"Referral {referral.reference}"
    clock.milestones_start(
        partnership=referral.partnership,
        event=AWARE_EVENT[referral.review_type],
        subject=referral,
        on_date=referral.received_on,
        label=label,
        url=url,
        review_types=[referral.review_type],
    )
    if referral.looked_after and referral.harm == "died":  # R4
        clock.milestones_start(
            partnership=referral.partnership,
            event=Event.LOOKED_AFTER_DEATH_KNOWN,
            subject=referral,
            on_date=referral.received_on,
            label=label,
            url=url,
            review_types=[ReviewType.CSPR],
        )


def _acknowledge(referral: Referral, status_url: str) -> None:
    """Email the referrer an acknowledgement (after the commit). The private status link goes
    in the email only: the notification kept by the service does not hold it."""
    notify(
        kind="referral.acknowledged",
        recipients=[referral.referrer_email],
        partnership=referral.partnership,
        subject_object=referral,
        context={"referral": referral},
        private_context={"status_url": status_url} if status_url else None,
        dedupe_key=f"referral:{referral.pk}:acknowledged",
    )
    # The acknowledgement goes out today: that completes the SAR "acknowledge the referral"
    # milestone (a local rule, R26 basis), not the decision.
    clock.milestones_complete(
        event=Event.SAR_REFERRAL_ACKNOWLEDGED, subject=referral, on_date=timezone.localdate()
    )


# Cases ---------------------------------------------------------------------------------------


def facts_from_referral(referral: Referral) -> dict:
    """The screening facts a referral already answers (staff confirm or change them)."""
    facts = {
        "age": referral.age_years,
        "looked_after": referral.looked_after,
        "care_leaver": referral.care_leaver,
        "care_and_support_needs": referral.care_and_support_needs,
        "agency_working_concern": referral.agency_working_concern,
        "self_neglect": referral.self_neglect,
        "suicide": referral.suspected_suicide,
        "domestic_abuse": referral.domestic_abuse_history,
        "harm": referral.harm or None,
        "abuse_or_neglect": referral.abuse_or_neglect or None,
        "death_resulted_from_abuse": referral.death_resulted_from_abuse,
        "place": referral.place or None,
        "normally_resident_in_area": referral.normally_resident_in_area,
        "harmed_by": referral.harmed_by or None,
        "responsible_in_household": referral.responsible_in_household,
        "responsible_aged_16_or_over": referral.responsible_aged_16_or_over,
    }
    return {key: value for key, value in facts.items() if value is not None}


def _case_label(case: Case) -> str:
    return f"{case.reference} ({case.pseudonym})"


def _case_url(case: Case) -> str:
    return reverse("referrals:case", args=[case.partnership.slug, case.pk])


def _move_milestones_to_case(referral: Referral, case: Case, actor=None) -> None:
    clock.milestones_move(
        source=referral,
        target=case,
        label=_case_label(case),
        url=_case_url(case),
        versions=case_guidance_codes(case=case),
        actor=actor,
        owners=milestone_owners(case=case),
    )


def _case_guidance_record(case: Case, actor) -> bool:
    """Record on the case the guidance versions that apply on the day the partnership became
    aware (ADR 0018). True when they changed (a corrected day of awareness)."""
    case.__dict__.pop("_guidance_codes", None)  # read again after this (selectors memo)
    case.__dict__.pop("_guidance_recorded", None)
    applying = versions_applying(partnership=case.partnership, on_date=case.became_aware_on)
    before = dict(case.guidance.values_list("strand", "version__code"))
    after = {strand: applied.version.code for strand, applied in applying.items()}
    case.guidance.exclude(strand__in=list(applying)).delete()
    for strand, applied in applying.items():
        CaseGuidance.objects.update_or_create(
            case=case,
            strand=strand,
            defaults={
                "version": applied.version,
                "aware_on": case.became_aware_on,
                "since": applied.since,
                "adopted": applied.adopted,
            },
        )
    if before == after:
        return False
    audit_record(
        action="case.guidance_recorded",
        actor=actor,
        target=case,
        payload={"from": before, "to": after, "aware_on": case.became_aware_on.isoformat()},
    )
    return True


def case_open(*, referral: Referral, pseudonym: str, actor) -> Case:
    """Start screening a new referral: a new case, with the facts the referral gives."""
    if referral.case_id is not None:
        raise ServiceError("This referral is already part of a case")
    pseudonym = pseudonym.strip()
    if not pseudonym:
        raise ServiceError(
            "Enter a pseudonym for the case, for example 'Child A'", field="pseudonym"
        )
    with transaction.atomic():
        case = Case.objects.create(
            partnership=referral.partnership,
            reference=f"pending-{uuid.uuid4().hex[:20]}",
            pseudonym=pseudonym,
            became_aware_on=referral.received_on,
            facts=facts_from_referral(referral),
            facts_updated_at=timezone.now(),
            created_by=actor,
            modified_by=actor,
        )
        case.reference = f"C{case.created_at:%Y}-{case.pk:05d}"
        case.save(update_fields=["reference"])
        referral.case = case
        referral.status = Status.IN_SCREENING
        referral.modified_by = actor
        referral.save(update_fields=["case", "status", "modified_by", "modified_at"])
        _case_guidance_record(case, actor)
        _move_milestones_to_case(referral, case, actor)
        audit_record(
            action="case.opened", actor=actor, target=case, payload={"referral": referral.reference}
        )
    return case


def referral_link_to_case(*, referral: Referral, case: Case, actor) -> Referral:
    """Another referral about the same incident joins an existing case."""
    if case.partnership_id != referral.partnership_id:
        raise ServiceError("The case belongs to another partnership")
    if referral.case_id is not None:
        raise ServiceError("This referral is already part of a case")
    with transaction.atomic():
        referral.case = case
        referral.status = case.status
        referral.modified_by = actor
        referral.save(update_fields=["case", "status", "modified_by", "modified_at"])
        _move_milestones_to_case(referral, case, actor)
        audit_record(
            action="referral.linked_to_case",
            actor=actor,
            target=referral,
            payload={"case": case.reference},
        )
    return referral


def case_save_facts(*, case: Case, facts: dict, actor) -> Case:
    from .screening import Facts, screen

    checked = Facts.from_dict(facts)  # raises ScreeningFactsError for bad facts
    with transaction.atomic():
        case.facts = {key: value for key, value in facts.items() if value is not None}
        case.facts_updated_at = timezone.now()
        case.modified_by = actor
        case.save(update_fields=["facts", "facts_updated_at", "modified_by", "modified_at"])
        result = screen(checked, dhr_test=case_dhr_test(case=case)).as_dict()
        audit_record(
            action="case.screening_saved",
            actor=actor,
            target=case,
            payload={key: result[key]["result"] for key in ("CSPR", "SAR", "DHR")},
        )
    return case


AWARE_EVENTS = (*AWARE_EVENT.values(), Event.LOOKED_AFTER_DEATH_KNOWN)


def case_set_became_aware(
    *, case: Case, became_aware_on: datetime.date, reason: str, actor
) -> Case:
    """Correct the day the partnership became aware (day 0, R40), for example when the local
    authority knew before the referral arrived (R2: the clock starts when it became aware).
    Open milestones started by becoming aware are recalculated; done ones keep their dates.
    The guidance versions are those of the corrected day (ADR 0018): when they differ, open
    milestones of the old versions give way to the new versions' rules."""
    today = timezone.localdate()
    if became_aware_on > today:
        raise ServiceError("The date must be today or in the past", field="became_aware_on")
    first_referral = case.referrals.order_by("received_on").first()
    if first_referral is not None and became_aware_on > first_referral.received_on:
        raise ServiceError(
            "The date must be on or before the date the first referral was received "
            f"({first_referral.received_on:%-d %B %Y})",
            field="became_aware_on",
        )
    if not reason.strip():
        raise ServiceError("Enter how you know the date", field="reason")
    with transaction.atomic():
        old = case.became_aware_on
        case.became_aware_on = became_aware_on
        case.modified_by = actor
        case.save(update_fields=["became_aware_on", "modified_by", "modified_at"])
        clock.milestones_restart(
            subject=case, events=AWARE_EVENTS, on_date=became_aware_on, actor=actor
        )
        if _case_guidance_record(case, actor):
            clock.milestones_follow_versions(
                subject=case,
                versions=case_guidance_codes(case=case),
                label=_case_label(case),
                url=_case_url(case),
                actor=actor,
            )
        audit_record(
            action="case.became_aware_changed",
            actor=actor,
            target=case,
            payload={
                "from": old.isoformat(),
                "to": became_aware_on.isoformat(),
                "reason": reason.strip()[:500],
            },
        )
    return case


def _set_case_status(case: Case, status: str, actor) -> None:
    case.status = status
    case.modified_by = actor
    case.save(update_fields=["status", "modified_by", "modified_at"])
    case.referrals.update(status=status, modified_at=timezone.now())


def case_send_for_decision(*, case: Case, review_types: list[str], actor) -> list[Track]:
    """Open one track per review type the decision makers must decide (docs/rules.md
    §multi-track)."""
    from .screening import Facts, screen

    if not review_types:
        raise ServiceError("Select at least one review type to decide", field="review_types")
    runs = {t.value for t in case.partnership.review_types}
    if not set(review_types) <= runs:
        raise ServiceError(f"{case.partnership.name} does not run every type selected")
    result = screen(Facts.from_dict(case.facts), dhr_test=case_dhr_test(case=case)).as_dict()
    keys = {"cspr": "CSPR", "sar": "SAR", "dhr": "DHR"}
    tracks = []
    with transaction.atomic():
        for review_type in review_types:
            track, _ = Track.objects.get_or_create(
                case=case,
                review_type=review_type,
                defaults={
                    "screening_result": result[keys[review_type]]["result"],
                    "screening_rules": ", ".join(result[keys[review_type]]["rules"]),
                },
            )
            tracks.append(track)
        _set_case_status(case, Status.AWAITING_DECISION, actor)
        audit_record(
            action="case.sent_for_decision",
            actor=actor,
            target=case,
            payload={"review_types": sorted(review_types)},
        )
    return tracks


# Decisions -----------------------------------------------------------------------------------


def decision_record(
    *, track: Track, outcome: str, rationale: str, decided_on: datetime.date, actor
) -> Decision:
    if outcome not in OUTCOMES_BY_TYPE[track.review_type]:
        raise ServiceError("Select an outcome for this review type", field="outcome")
    if not rationale.strip():
        raise ServiceError("Enter the reasons for the decision", field="rationale")
    if decided_on > timezone.localdate():
        raise ServiceError(
            "The date of the decision must be today or in the past", field="decided_on"
        )
    if decided_on < track.case.became_aware_on:
        raise ServiceError(
            "The date of the decision must be on or after the date the partnership became aware",
            field="decided_on",
        )
    with transaction.atomic():
        decision = Decision.objects.select_for_update().filter(track=track).first()
        if decision is not None and decision.state == Decision.State.DISPUTED:
            raise ServiceError(
                "A decision maker has declined or disagreed: record how that was resolved first"
            )
        if decision is not None and (
            decision.state == Decision.State.FINAL
            or decision.signatures.filter(round=decision.round).exists()
        ):
            raise ServiceError("The decision has been signed, so it cannot be changed")
        if decision is None:
            decision = Decision(track=track, created_by=actor)
        decision.outcome = outcome
        decision.rationale = rationale.strip()
        decision.decided_on = decided_on
        decision.modified_by = actor
        decision.save()
        if not decision.signatories.exists():
            # Who signs is fixed when the decision is first sent (ADR 0019); a decision
            # recorded before anyone was named takes the decision makers named when it is
            # recorded again.
            DecisionSignatory.objects.bulk_create(
                [DecisionSignatory(decision=decision, decision_maker=m) for m in _named(track)]
            )
        audit_record(
            action="decision.recorded",
            actor=actor,
            target=decision,
            partnership=_deciding(track),
            payload={"outcome": outcome, "round": decision.round},
        )
        _ask_to_sign(
            decision, [m.user for m in _makers(decision)], occasion=f"round-{decision.round}"
        )
    return decision


def _deciding(track: Track) -> Partnership:
    """The partnership that decides the track: the case's, or the partner a shared track was
    given to (ADR 0022). Its decision makers sign, its business unit hears of disagreements,
    and its pages are the ones linked."""
    return track.decided_by or track.case.partnership


def _named(track: Track) -> list[DecisionMaker]:
    """The decision makers named now for the track's review type by the partnership that
    decides it (ADR 0022)."""
    return list(
        DecisionMaker.objects.filter(
            partnership_id=track.deciding_partnership_id, review_type=track.review_type
        ).select_related("user")
    )


def _makers(decision: Decision) -> list[DecisionMaker]:
    """Who must sign ``decision``: its signatories not replaced (ADR 0019), even if their
    decision maker row has been archived since."""
    return [
        row.decision_maker
        for row in DecisionSignatory.objects.filter(decision=decision, replaced_at__isnull=True)
        .select_related("decision_maker__user")
        .order_by("decision_maker__capacity", "id")
    ]


def _decision_url(decision: Decision) -> str:
    return reverse("referrals:sign", args=[_deciding(decision.track).slug, decision.pk])


def _ask_to_sign(decision: Decision, users: list, *, occasion: str) -> None:
    """Tell each decision maker that the decision waits for their signature, once per
    ``occasion`` (a round of signatures, or a resolved disagreement)."""
    case = decision.track.case
    notify(
        kind="decision.awaiting_signature",
        recipients=users,
        partnership=_deciding(decision.track),
        subject_object=decision,
        context={"case": case, "track": decision.track, "decision": decision},
        link=_decision_url(decision),
        dedupe_key=f"decision:{decision.pk}:awaiting_signature:{occasion}",
    )


def _tell_business_unit(disagreement: Disagreement, *, kind: str, also=()) -> None:
    decision = disagreement.decision
    case = decision.track.case
    deciding = _deciding(decision.track)
    notify(
        kind=kind,
        recipients=[
            *user_list_with_role(partnership=deciding, role=Role.BUSINESS_UNIT),
            *also,
        ],
        partnership=deciding,
        subject_object=decision,
        context={
            "case": case,
            "track": decision.track,
            "decision": decision,
            "disagreement": disagreement,
        },
        link=reverse(
            "referrals:disagreement_resolve",
            args=[deciding.slug, decision.pk, disagreement.pk],
        )
        if disagreement.is_open
        else reverse("referrals:case", args=[deciding.slug, case.pk]) + "#decisions",
        dedupe_key=f"disagreement:{disagreement.pk}:{kind}",
    )


def decision_sign(*, decision: Decision, user) -> Decision:
    """``user`` signs in every capacity they hold for this review type. The decision is final
    when all the partnership's named decision makers have signed (or a disagreement was
    resolved with the decision standing without their signature) and no disagreement is open."""
    track = decision.track
    makers = _makers(decision)
    if not makers:
        raise ServiceError("The partnership has not named decision makers for this review type")
    mine = [m for m in makers if m.user_id == user.pk]
    if not mine:
        raise ServiceError("You are not one of the decision makers for this review type")
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.state == Decision.State.FINAL:
            raise ServiceError("This decision is already final")
        if decision.disagreements.filter(round=decision.round, user=user, resolution="").exists():
            raise ServiceError(
                "You declined or disagreed with this decision: the business unit must record "
                "how that was resolved before you can sign"
            )
        signed = set(
            decision.signatures.filter(round=decision.round).values_list(
                "decision_maker_id", flat=True
            )
        )
        new = [m for m in mine if m.pk not in signed]
        if not new:
            raise ServiceError("You have already signed this decision")
        # The role they sign in (lead or delegate, for whom), docs/rules.md §partnership-roles.
        held = signature_capacity(user=user, partnership=_deciding(track), on=timezone.localdate())
        for maker in new:
            Signature.objects.create(
                decision=decision,
                decision_maker=maker,
                user=user,
                capacity=maker.capacity,
                round=decision.round,
                **held,
            )
            audit_record(
                action="decision.signed",
                actor=user,
                target=decision,
                partnership=_deciding(track),
                payload={"capacity": maker.capacity, **capacity_payload(held)},
            )
        _finalise_if_complete(decision, makers, user)
    return decision


def _finalise_if_complete(decision: Decision, makers: list[DecisionMaker], user) -> None:
    """Final when no disagreement of this round is open and every named decision maker has
    signed or was excused by a disagreement resolved with the decision standing (R12)."""
    if decision.state == Decision.State.FINAL:
        return
    current = decision.disagreements.filter(round=decision.round)
    if current.filter(resolution="").exists():
        return
    signed = set(
        decision.signatures.filter(round=decision.round).values_list("decision_maker_id", flat=True)
    )
    excused_users = set(
        current.filter(resolution=Disagreement.Resolution.WITHOUT_SIGNATURE).values_list(
            "user_id", flat=True
        )
    )
    accounted = signed | {m.pk for m in makers if m.user_id in excused_users}
    if accounted >= {m.pk for m in makers}:
        _finalise(decision, user)


DECISION_MAKER_OBJECTIONS = {
    Disagreement.Kind.DECLINED: "decision.declined",
    Disagreement.Kind.DISAGREED: "decision.disagreed",
}


def decision_decline(*, decision: Decision, user, kind: str, reason: str) -> Disagreement:
    """A decision maker declines to sign, or disagrees with the decision, with their reason.
    The decision cannot become final until the business unit records how the disagreement
    was resolved; the business unit is told (in this transaction, emailed after it)."""
    reason = objections.objection_clean(kind=kind, reason=reason)
    track = decision.track
    mine = [m for m in _makers(decision) if m.user_id == user.pk]
    if not mine:
        raise ServiceError("You are not one of the decision makers for this review type")
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.state == Decision.State.FINAL:
            raise ServiceError("This decision is already final")
        signed = set(
            decision.signatures.filter(round=decision.round, user=user).values_list(
                "decision_maker_id", flat=True
            )
        )
        if all(m.pk in signed for m in mine):
            raise ServiceError("You have already signed this decision")
        if decision.disagreements.filter(round=decision.round, user=user, resolution="").exists():
            raise ServiceError(
                "You have already declined or disagreed: the business unit is resolving it"
            )
        disagreement = Disagreement.objects.create(
            decision=decision,
            round=decision.round,
            user=user,
            capacity=", ".join(m.capacity for m in mine if m.pk not in signed),
            kind=kind,
            reason=reason,
        )
        decision.state = Decision.State.DISPUTED
        decision.save(update_fields=["state", "modified_at"])
        audit_record(
            action=DECISION_MAKER_OBJECTIONS[Disagreement.Kind(kind)],
            actor=user,
            target=decision,
            partnership=_deciding(track),
            payload={
                "capacity": disagreement.capacity,
                "reason": reason[: objections.AUDIT_REASON_CHARACTERS],
            },
        )
        _tell_business_unit(disagreement, kind="decision.disagreement_raised")
    return disagreement


def disagreement_resolve(
    *,
    disagreement: Disagreement,
    resolution: str,
    resolved_by: str,
    reason: str,
    resolved_on: datetime.date,
    actor,
) -> Disagreement:
    """Record how a disagreement was resolved through the partnership's escalation
    arrangements (Working Together 2023: safeguarding partners resolve disagreement between
    them): who resolved it, the outcome, why and when.

    - the decision stands and the decision maker is asked to sign it;
    - the decision stands without their signature: their disagreement stays with it, and it
      is final when everyone else has signed;
    - the decision is to be changed: the signatures so far are kept in the record but no
      longer count, the business unit records the decision again and everyone signs again.
    """
    resolved_by, reason = objections.resolution_clean(
        objection=disagreement,
        resolution=resolution,
        resolved_by=resolved_by,
        reason=reason,
        resolved_on=resolved_on,
    )
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=disagreement.decision_id)
        disagreement = Disagreement.objects.select_for_update().get(pk=disagreement.pk)
        if not disagreement.is_open:
            raise ServiceError("This disagreement has already been resolved")
        if decision.state == Decision.State.FINAL:
            raise ServiceError("This decision is already final")
        answered = [disagreement]
        if resolution == Disagreement.Resolution.CHANGE:
            # The change answers every disagreement of the round still open.
            answered += list(
                decision.disagreements.select_for_update()
                .filter(round=decision.round, resolution="")
                .exclude(pk=disagreement.pk)
            )
        now = timezone.now()
        for item in answered:
            item.decision = decision
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
                action="decision.disagreement_resolved",
                actor=actor,
                target=decision,
                partnership=_deciding(decision.track),
                payload=objections.resolution_payload(item),
            )
        if resolution == Disagreement.Resolution.CHANGE:
            # A new round: the signatures so far stay in the record but no longer count.
            decision.round += 1
            decision.state = Decision.State.AWAITING_SIGNATURES
            decision.modified_by = actor
            decision.save(update_fields=["round", "state", "modified_by", "modified_at"])
        else:
            still_open = decision.disagreements.filter(round=decision.round, resolution="").exists()
            decision.state = (
                Decision.State.DISPUTED if still_open else Decision.State.AWAITING_SIGNATURES
            )
            decision.save(update_fields=["state", "modified_at"])
            if resolution == Disagreement.Resolution.SIGN:
                _ask_to_sign(
                    decision, [disagreement.user], occasion=f"disagreement-{disagreement.pk}"
                )
            _finalise_if_complete(decision, _makers(decision), actor)
        for item in answered:
            _tell_business_unit(item, kind="decision.disagreement_resolved", also=[item.user])
    return disagreement


# Signatories (ADR 0019) -------------------------------------------------------------------------


def signatory_has_left(maker: DecisionMaker) -> bool:
    """A signatory has left when their decision maker row is archived (removed or changed in
    the partnership setup, ADR 0017) or their account is deactivated."""
    return maker.archived_at is not None or not maker.user.is_active


def decision_signatory_replace(
    *, signatory: DecisionSignatory, decision_maker: DecisionMaker, reason: str, actor
) -> DecisionSignatory:
    """The business unit replaces a signatory who has left, on a decision still waiting for
    signatures, by one of the decision makers named now for its review type, with a reason.
    The replaced row is kept (who replaced it, when, why); the new signatory is asked to sign
    (told in this transaction, emailed after it)."""
    from .permissions import can_record_decisions

    reason = reason.strip()
    decision = signatory.decision
    track = decision.track
    deciding = _deciding(track)  # the case's partnership, or the partner deciding it (ADR 0022)
    if not can_record_decisions(actor, deciding):
        raise ServiceError("Only the business unit can replace a decision's signatories")
    if (
        decision_maker.partnership_id != deciding.pk
        or decision_maker.review_type != track.review_type
        or decision_maker.archived_at is not None
        or not decision_maker.user.is_active
    ):
        raise ServiceError(
            "Choose one of the decision makers named now for this review type",
            field="decision_maker",
        )
    if not reason:
        raise ServiceError("Enter why the signatory is being replaced", field="reason")
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        signatory = (
            DecisionSignatory.objects.select_for_update(of=("self",))
            .select_related("decision_maker__user")
            .get(pk=signatory.pk, decision=decision)
        )
        leaving = signatory.decision_maker
        if decision.state == Decision.State.FINAL:
            raise ServiceError("This decision is already final")
        if signatory.replaced_at is not None:
            raise ServiceError("This signatory has already been replaced")
        if not signatory_has_left(leaving):
            raise ServiceError(
                f"{leaving.user.full_name or leaving.user.email} is still named as "
                f"{leaving.capacity}: change or remove them in the partnership's setup first"
            )
        if decision.signatures.filter(round=decision.round, decision_maker=leaving).exists():
            raise ServiceError("They have already signed this decision, so their signature counts")
        if decision.disagreements.filter(
            round=decision.round, user_id=leaving.user_id, resolution=""
        ).exists():
            raise ServiceError(
                "They declined or disagreed: record how that was resolved before replacing them"
            )
        if decision.signatories.filter(
            replaced_at__isnull=True, decision_maker=decision_maker
        ).exists():
            raise ServiceError(
                "They are already a signatory of this decision", field="decision_maker"
            )
        new = DecisionSignatory.objects.create(decision=decision, decision_maker=decision_maker)
        signatory.replaced_at = timezone.now()
        signatory.replaced_by = actor
        signatory.replacement_reason = reason
        signatory.replacement = new
        signatory.save(
            update_fields=["replaced_at", "replaced_by", "replacement_reason", "replacement"]
        )
        audit_record(
            action="decision.signatory_replaced",
            actor=actor,
            target=decision,
            partnership=deciding,
            payload={
                "from": {"capacity": leaving.capacity, "user_id": leaving.user_id},
                "to": {"capacity": decision_maker.capacity, "user_id": decision_maker.user_id},
                "reason": reason[: objections.AUDIT_REASON_CHARACTERS],
            },
        )
        _ask_to_sign(decision, [decision_maker.user], occasion=f"signatory-{new.pk}")
    return new


# The clock event a decision to hold a review starts (the report's clock, R14, R26, R33). Whether
# it starts on the decision or with the review is the clock's REPORT_CLOCK_STARTS.
REVIEW_START_EVENT: dict[str, Event] = {
    Outcome.RAPID_REVIEW_THEN_LOCAL: Event.LCSPR_INITIATED,
    Outcome.MANDATORY: Event.SAR_INITIATED,
    Outcome.DISCRETIONARY: Event.SAR_INITIATED,
    Outcome.REVIEW: Event.DHR_INITIATED,
}


def _finalise(decision: Decision, user) -> None:
    track = decision.track
    case = track.case
    decision.state = Decision.State.FINAL
    decision.finalised_at = timezone.now()
    decision.save(update_fields=["state", "finalised_at", "modified_at"])
    audit_record(
        action="decision.finalised",
        actor=user,
        target=decision,
        partnership=_deciding(track),
        payload={"outcome": decision.outcome},
    )
    label = _case_label(case)
    url = _case_url(case)
    on = decision.decided_on
    versions = case_guidance_codes(case=case)
    start = REVIEW_START_EVENT.get(decision.outcome)
    if start and REPORT_CLOCK_STARTS.get(start) == ReportClockStart.REVIEW_START:
        start = None  # R26: a SAR's report clock starts with the review (reviews.running)
    done_events: dict[str, Event] = {
        # The partners' CSPR decision follows the rapid review (§rapid-review), so it completes it.
        ReviewType.CSPR: Event.RAPID_REVIEW_COMPLETED,
        ReviewType.SAFEGUARDING_ADULTS_REVIEW: Event.SAR_DECIDED,
        ReviewType.DHR: Event.DHR_DECIDED,
    }
    done_event = done_events.get(track.review_type)
    if done_event:
        clock.milestones_complete(event=done_event, subject=case, on_date=on, actor=user)
    if track.review_type == ReviewType.SAFEGUARDING_ADULTS_REVIEW:
        # A referral the service did not acknowledge (a Word form, or one entered without
        # emailing the referrer) is answered by the decision at the latest.
        clock.milestones_complete(
            event=Event.SAR_REFERRAL_ACKNOWLEDGED, subject=case, on_date=on, actor=user
        )
    if track.review_type == ReviewType.DHR and decision.outcome == Outcome.NO_REVIEW:
        start = Event.DHR_NOT_HELD  # R32: the Home Office is told of a decision not to review
    if start:
        clock.milestones_start(
            partnership=case.partnership,
            event=start,
            subject=case,
            on_date=on,
            label=label,
            url=url,
            review_types=[track.review_type],
            versions=versions,
            owners=milestone_owners(case=case),
        )
    if not case.tracks.exclude(decision__state=Decision.State.FINAL).exists():
        _set_case_status(case, Status.DECIDED, user)


# Notifications -------------------------------------------------------------------------------

NOTIFICATION_RULES: dict[str, tuple[str, Event | None]] = {
    Notification.Recipient.PANEL: ("R2", Event.PANEL_NOTIFIED),
    Notification.Recipient.OFSTED: ("R4", Event.OFSTED_SOS_NOTIFIED),
    Notification.Recipient.SECRETARY_OF_STATE: ("R4", Event.OFSTED_SOS_NOTIFIED),
    Notification.Recipient.HOME_OFFICE: ("R32", Event.HOME_OFFICE_TOLD),
}


# The track whose clock each notification completes: a partner that decides the track keeps
# its milestones (ADR 0022), so its business unit records the notification (the DHR's notice to
# the Home Office, R32, when the Community Safety Partnership decides a shared case's DHR).
NOTIFICATION_TRACK: dict[str, str] = {
    Notification.Recipient.PANEL: ReviewType.CSPR,
    Notification.Recipient.OFSTED: ReviewType.CSPR,
    Notification.Recipient.SECRETARY_OF_STATE: ReviewType.CSPR,
    Notification.Recipient.HOME_OFFICE: ReviewType.DHR,
}


def _recorders(case: Case) -> dict[str, int]:
    """Recipient -> the id of the partnership whose business unit records it: the one that
    decides the track it belongs to (the case's owner unless a share gave it away). One query."""
    given = dict(
        Track.objects.filter(case=case, decided_by__isnull=False).values_list(
            "review_type", "decided_by_id"
        )
    )
    return {
        recipient: given.get(review_type, case.partnership_id)
        for recipient, review_type in NOTIFICATION_TRACK.items()
    }


def notification_recipients_for(*, case: Case, partnership: Partnership) -> list[str]:
    """The recipients ``partnership`` may record notifications to on ``case``."""
    recorders = _recorders(case)
    return [
        value for value in Notification.Recipient.values if recorders.get(value) == partnership.pk
    ]


def notification_record(
    *,
    case: Case,
    recipient: str,
    sent_on: datetime.date,
    reference: str,
    actor,
    partnership: Partnership | None = None,
) -> Notification:
    """Record a notification sent (by the business unit of ``partnership``, the case's owner
    unless given: a partner records those of the track it decides) and complete its clock."""
    if recipient not in NOTIFICATION_RULES:
        raise ServiceError("Select who was notified", field="recipient")
    partnership = partnership or case.partnership
    if not is_business_unit(actor, partnership):
        raise ServiceError("Only the business unit can record a notification")
    if _recorders(case).get(recipient) != partnership.pk:
        raise ServiceError(
            "Another partnership decides this review type, so its business unit records this "
            "notification",
            field="recipient",
        )
    if sent_on > timezone.localdate():
        raise ServiceError("The date sent must be today or in the past", field="sent_on")
    if sent_on < case.became_aware_on:
        raise ServiceError(
            "The date sent must be on or after the date the partnership became aware",
            field="sent_on",
        )
    rule_id, event = NOTIFICATION_RULES[recipient]
    if recipient in (Notification.Recipient.OFSTED, Notification.Recipient.SECRETARY_OF_STATE):
        facts = case.facts
        if facts.get("care_leaver") and not facts.get("looked_after"):
            rule_id = "R5"
    with transaction.atomic():
        notification = Notification.objects.create(
            case=case,
            recipient=recipient,
            rule_id=rule_id,
            sent_on=sent_on,
            reference=reference.strip(),
            recorded_by=actor,
        )
        if event:
            clock.milestones_complete(event=event, subject=case, on_date=sent_on, actor=actor)
        audit_record(
            action="notification.recorded",
            actor=actor,
            target=case,
            partnership=partnership,
            payload={"recipient": recipient, "rule": rule_id},
        )
    return notification


def referral_identity_viewed(*, referral: Referral, actor) -> None:
    """Every view of a real identity is audited (DESIGN §2)."""
    audit_record(action="referral.identity_viewed", actor=actor, target=referral)


def identity_keys_rotate(
    *, batch_size: int = 500, actor_label: str = "manage.py rotate_identity_keys"
) -> encryption.RotationCounts:
    """Re-encrypt every real identity (referrals, people in cases: every encrypted field) with
    the first key in IDENTITY_ENCRYPTION_KEYS, in batches of one transaction each, then audit
    the counts. The event is written whether the run completes or stops at a value no key
    opens (then it says so, with the counts of the batches that were written). Idempotent:
    values already under the first key are left alone."""
    counts = encryption.RotationCounts()
    error = ""
    try:
        encryption.identity_keys_rotate(batch_size=batch_size, counts=counts)
    except encryption.IdentityDecryptionError as failure:
        error = str(failure)
        raise
    finally:
        audit_record(
            action="identity.keys_rotated",
            actor_label=actor_label,
            payload={
                "completed": not error,
                "error": error[:300],
                "keys": len(settings.IDENTITY_ENCRYPTION_KEYS),
                "rotated": counts.rotated,
                "already_current": counts.current,
                "rows_changed": counts.rows_changed,
                "by_model": counts.by_model,
            },
        )
    return counts
