"""Sharing a case with another partnership (ADR 0022): invited by the owner's business unit,
accepted or declined by the partner's, ended by either. Each write is one transaction with its
audit event (in each partnership's trail it concerns) and tells the other side's business unit.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Partnership, Role
from safeguarding.accounts.permissions import is_business_unit
from safeguarding.accounts.selectors import user_list_with_role
from safeguarding.audit.services import audit_record
from safeguarding.clock import services as clock
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.services import notify

from .models import Case, CaseShare, Decision, Track
from .selectors import case_guidance_codes
from .services import AWARE_EVENT

NOT_OWNER = "Only the business unit of the partnership that holds the case can share it"
NOT_PARTNER = "Only the business unit of the partnership the case is offered to can answer"


def _payload(share: CaseShare) -> dict:
    return {
        "partner": share.partner.slug,
        "owner": share.case.partnership.slug,
        "role": share.role,
        "decides_review_type": share.decides_review_type,
        "grants_review": share.grants_review,
        "grants_publication": share.grants_publication,
    }


def _audit(share: CaseShare, *, action: str, actor, extra: dict | None = None) -> None:
    """One event in each partnership's audit trail: the share concerns both."""
    for partnership in (share.case.partnership, share.partner):
        audit_record(
            action=action,
            actor=actor,
            target=share.case,
            partnership=partnership,
            payload={**_payload(share), **(extra or {})},
        )


def _tell(share: CaseShare, *, kind: str, to: Partnership, link: str) -> None:
    notify(
        kind=kind,
        recipients=user_list_with_role(partnership=to, role=Role.BUSINESS_UNIT),
        partnership=to,
        subject_object=share,
        context={"share": share, "case": share.case, "owner": share.case.partnership},
        link=link,
        dedupe_key=f"case_share:{share.pk}:{kind}",
    )


def _answer_url(share: CaseShare) -> str:
    return reverse("referrals:share_answer", args=[share.partner.slug, share.pk])


def _case_in(partnership: Partnership, case: Case) -> str:
    return reverse("referrals:case", args=[partnership.slug, case.pk])


def _owner_case_url(share: CaseShare) -> str:
    return reverse("referrals:case_shares", args=[share.case.partnership.slug, share.case.pk])


def case_share_invite(
    *,
    case: Case,
    partner: Partnership,
    role: str,
    decides_review_type: str,
    grants_review: bool,
    grants_publication: bool,
    note: str,
    actor,
) -> CaseShare:
    """The owner's business unit offers the case to ``partner``. A track given to the partner
    must be one the partner runs, not already decided, and not given to someone else."""
    if not is_business_unit(actor, case.partnership):
        raise ServiceError(NOT_OWNER)
    if partner.pk == case.partnership_id:
        raise ServiceError("Choose another partnership", field="partner")
    if role not in CaseShare.Role.values:
        raise ServiceError("Select the partner's role in the case", field="role")
    if decides_review_type:
        if decides_review_type not in [t.value for t in partner.review_types]:
            raise ServiceError(
                f"{partner.name} does not run this kind of review", field="decides_review_type"
            )
        decided = Decision.objects.filter(
            track__case=case, track__review_type=decides_review_type
        ).exists()
        if decided:
            raise ServiceError(
                "A decision has already been recorded for this review type, so another "
                "partnership cannot take it",
                field="decides_review_type",
            )
    # A partnership that decides a review type signs off the joint review with its decision
    # makers, so it takes part in the review.
    grants_review = grants_review or bool(decides_review_type)
    if not (decides_review_type or grants_review or grants_publication):
        raise ServiceError(
            "Choose what the partner takes part in: a decision, the review or its publication",
            field="decides_review_type",
        )
    try:
        with transaction.atomic():
            share = CaseShare.objects.create(
                case=case,
                partner=partner,
                role=role,
                decides_review_type=decides_review_type,
                grants_review=grants_review,
                grants_publication=grants_publication,
                note=note.strip(),
                invited_by=actor,
            )
            _audit(share, action="case_share.invited", actor=actor)
            _tell(share, kind="case_share.invited", to=partner, link=_answer_url(share))
    except IntegrityError:
        raise ServiceError(
            "The case is already shared with that partnership, or the review type is already "
            "given to another partnership"
        ) from None
    return share


def case_share_accept(*, share: CaseShare, actor) -> CaseShare:
    """The partner's business unit accepts: the case reaches the partner for what the share
    grants, and the track it decides (created if the case has none yet, with today's
    screening) is given to it."""
    from .screening import Facts, ScreeningFactsError, screen

    if not is_business_unit(actor, share.partner):
        raise ServiceError(NOT_PARTNER)
    with transaction.atomic():
        share = (
            CaseShare.objects.select_for_update(of=("self",))
            .select_related("case", "case__partnership", "partner")
            .get(pk=share.pk)
        )
        if share.state != CaseShare.State.INVITED:
            raise ServiceError("This share has already been answered or ended")
        if share.decides_review_type:
            track = Track.objects.filter(
                case=share.case, review_type=share.decides_review_type
            ).first()
            if track is not None and Decision.objects.filter(track=track).exists():
                raise ServiceError(
                    "A decision has been recorded for this review type since the case was "
                    "offered: ask the other business unit to offer it again"
                )
            if track is None:
                key = {"cspr": "CSPR", "sar": "SAR", "dhr": "DHR"}[share.decides_review_type]
                try:
                    result = screen(Facts.from_dict(share.case.facts)).as_dict()[key]
                except ScreeningFactsError:
                    result = {"result": "", "rules": []}
                track = Track.objects.create(
                    case=share.case,
                    review_type=share.decides_review_type,
                    screening_result=result["result"],
                    screening_rules=", ".join(result["rules"]),
                )
            track.decided_by = share.partner
            track.save(update_fields=["decided_by"])
            # The clock's per-track owner: the track's milestones (its decision's deadline,
            # telling the Home Office, the report) are the partner's from now on.
            keeper = clock.TrackOwner(
                partnership=share.partner, url=_case_in(share.partner, share.case)
            )
            clock.milestones_hand_over(
                subject=share.case, review_type=track.review_type, to=keeper, actor=actor
            )
            # The partner became aware of the case when it was offered: its decision's clock
            # (for a DHR, the chair decides within a month, R31) runs from that day, once.
            clock.milestones_start(
                partnership=share.partner,
                event=AWARE_EVENT[track.review_type],
                subject=share.case,
                on_date=timezone.localdate(share.invited_at),
                label=f"{share.case.reference} ({share.case.pseudonym})",
                url=keeper.url,
                review_types=[track.review_type],
                versions=case_guidance_codes(case=share.case),
                owners={track.review_type: keeper},
            )
        share.state = CaseShare.State.ACCEPTED
        share.answered_by = actor
        share.answered_at = timezone.now()
        share.save(update_fields=["state", "answered_by", "answered_at"])
        _audit(share, action="case_share.accepted", actor=actor)
        _tell(
            share,
            kind="case_share.accepted",
            to=share.case.partnership,
            link=_owner_case_url(share),
        )
    return share


def case_share_decline(*, share: CaseShare, reason: str, actor) -> CaseShare:
    """The partner's business unit declines, with a reason the owner is told."""
    if not is_business_unit(actor, share.partner):
        raise ServiceError(NOT_PARTNER)
    reason = reason.strip()
    if not reason:
        raise ServiceError("Enter why your partnership declines", field="reason")
    with transaction.atomic():
        share = (
            CaseShare.objects.select_for_update(of=("self",))
            .select_related("case", "case__partnership", "partner")
            .get(pk=share.pk)
        )
        if share.state != CaseShare.State.INVITED:
            raise ServiceError("This share has already been answered or ended")
        share.state = CaseShare.State.DECLINED
        share.answered_by = actor
        share.answered_at = timezone.now()
        share.decline_reason = reason
        share.save(update_fields=["state", "answered_by", "answered_at", "decline_reason"])
        _audit(share, action="case_share.declined", actor=actor, extra={"reason": reason[:500]})
        _tell(
            share,
            kind="case_share.declined",
            to=share.case.partnership,
            link=_owner_case_url(share),
        )
    return share


def case_share_end(*, share: CaseShare, reason: str, actor) -> CaseShare:
    """Either business unit ends a share (an invitation withdrawn, or a share no longer
    needed). Refused while the partner's track has a decision waiting for signatures or a
    disagreement: its signatories are the partner's. A track the partner decided keeps its
    final decision and signatures; one it had not decided goes back to the owner."""
    owner, partner = share.case.partnership, share.partner
    if not (is_business_unit(actor, owner) or is_business_unit(actor, partner)):
        raise ServiceError("Only the business unit of either partnership can end the share")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Enter why the share ends", field="reason")
    with transaction.atomic():
        share = (
            CaseShare.objects.select_for_update(of=("self",))
            .select_related("case", "case__partnership", "partner")
            .get(pk=share.pk)
        )
        if not share.is_live:
            raise ServiceError("This share has already been declined or ended")
        tracks = Track.objects.filter(case=share.case, decided_by=share.partner)
        waiting = Decision.objects.filter(
            track__in=tracks,
            state__in=[Decision.State.AWAITING_SIGNATURES, Decision.State.DISPUTED],
        )
        if waiting.exists():
            raise ServiceError(
                f"{share.partner.name}'s decision on this case waits for signatures: end the "
                "share once it is final"
            )
        # The partner no longer reaches the case: the owner keeps every clock of it again.
        back = clock.TrackOwner(partnership=owner, url=_case_in(owner, share.case))
        for review_type in tracks.values_list("review_type", flat=True):
            clock.milestones_hand_over(
                subject=share.case, review_type=review_type, to=back, actor=actor
            )
        tracks.filter(decision__isnull=True).update(decided_by=None)
        share.state = CaseShare.State.ENDED
        share.ended_by = actor
        share.ended_at = timezone.now()
        share.end_reason = reason
        share.save(update_fields=["state", "ended_by", "ended_at", "end_reason"])
        _audit(share, action="case_share.ended", actor=actor, extra={"reason": reason[:500]})
        other = partner if is_business_unit(actor, owner) else owner
        _tell(
            share,
            kind="case_share.ended",
            to=other,
            link=reverse("referrals:shares", args=[partner.slug])
            if other == partner
            else _owner_case_url(share),
        )
    return share
