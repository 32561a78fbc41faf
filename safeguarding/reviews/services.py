"""The writes every kind of review shares: creating the review record and moving it through its
stages (the guards are in ``workflow.py``). Starting a rapid review is in
``rapid_review/services.py``, commissioning a review in ``running/services.py``; every other write
lives in the sub-package named after it. Every write is validated, in one transaction, and
audited."""

import datetime
import uuid
from typing import cast

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Partnership, ReviewType
from safeguarding.audit.services import audit_record
from safeguarding.clock import services as clock
from safeguarding.clock.models import Event
from safeguarding.notifications.services import notify
from safeguarding.referrals.models import Case, DecisionMaker
from safeguarding.referrals.selectors import case_guidance_codes
from safeguarding.referrals.share_selectors import milestone_owners

from . import workflow
from .models import Review


def _reference(review: Review) -> str:
    prefix = "RR" if review.is_rapid_review else "RV"
    return f"{prefix}{review.started_on:%Y}-{review.pk:05d}"


def review_create(*, case: Case, kind: str, stage: str, title: str, actor, tracks) -> Review:
    """The review record with its reference, tracks and agencies (inside the caller's
    transaction)."""
    review = Review.objects.create(
        partnership=case.partnership,
        case=case,
        kind=kind,
        stage=stage,
        # Only tests and imports create a review already signed off: it has its date.
        signed_off_at=timezone.now() if stage == Review.Stage.SIGNED_OFF else None,
        reference=f"pending-{uuid.uuid4().hex[:20]}",
        title=title,
        started_on=timezone.localdate(),
        created_by=actor,
        modified_by=actor,
    )
    review.reference = _reference(review)
    review.save(update_fields=["reference"])
    review.tracks.set(tracks)
    review.agencies.set({a for r in case.referrals.all() for a in r.agencies.all()})
    return review


def review_move(*, review: Review, target: str, actor) -> Review:
    """Move to ``target`` if the workflow allows it; StageError lists what is missing."""
    workflow.check_move(review, target)
    with transaction.atomic():
        previous = review.stage
        review.stage = target
        review.modified_by = actor
        # A signed-off review always has its sign-off date (constraint
        # review_signed_off_has_date, R24 figures); one that leaves sign-off loses it.
        if target == Review.Stage.SIGNED_OFF:
            review.signed_off_at = review.signed_off_at or timezone.now()
        else:
            review.signed_off_at = None
        review.save(update_fields=["stage", "modified_by", "modified_at", "signed_off_at"])
        audit_record(
            action="review.stage_changed",
            actor=actor,
            target=review,
            payload={"from": previous, "to": target},
        )
        if target == Review.Stage.SUBMITTED_TO_PANEL:
            _rapid_review_sent(review, actor)
        if previous == Review.Stage.COMMISSIONING and target == Review.Stage.AGENCY_REPORTS:
            _scoping_done(review, actor)
        if target == Review.Stage.SIGN_OFF:
            _ready_for_sign_off(review)
    return review


def _ready_for_sign_off(review: Review) -> None:
    """Tell the decision makers who sign the review off (those named for its review types who
    are still members of the partnership) that it waits for their signature: once per round of
    signatures (a reopened review is signed again)."""
    # Each track's decision makers are those of the partnership that decided it: a joint
    # review of a shared case is signed off by both bodies, each told under its own address
    # (ADR 0022).
    types_by_partnership: dict[int, set[str]] = {}
    for track in review.tracks.select_related("decided_by"):
        deciding = track.decided_by_id or review.partnership_id
        types_by_partnership.setdefault(deciding, set()).add(track.review_type)
    round_ = review.reopenings.count() + 1
    for partnership in Partnership.objects.filter(pk__in=types_by_partnership).order_by("pk"):
        makers = (
            DecisionMaker.objects.filter(
                partnership=partnership,
                review_type__in=sorted(types_by_partnership[partnership.pk]),
                user__memberships__partnership=partnership,
            )
            .select_related("user")
            .order_by("review_type", "capacity")
            .distinct()
        )
        notify(
            kind="review.ready_for_sign_off",
            recipients=[maker.user for maker in makers],
            partnership=partnership,
            subject_object=review,
            context={"review": review, "round": round_},
            link=reverse("reviews:sign_off", args=[partnership.slug, review.pk]),
            dedupe_key=f"review:{review.pk}:ready_for_sign_off:{round_}",
        )


def _rapid_review_sent(review: Review, actor) -> None:
    on = cast(datetime.date, review.panel_submitted_on)  # workflow.py: the move needs it set
    case = review.case
    clock.milestones_complete(
        event=Event.RAPID_REVIEW_COMPLETED, subject=case, on_date=on, actor=actor
    )
    clock.milestones_start(
        partnership=review.partnership,
        event=Event.RAPID_REVIEW_SUBMITTED,
        subject=case,
        on_date=on,
        label=f"{case.reference} ({case.pseudonym})",
        url=reverse("referrals:case", args=[review.partnership.slug, case.pk]),
        review_types=[ReviewType.CSPR],
        versions=case_guidance_codes(case=case),
        owners=milestone_owners(case=case),
    )


def _scoping_done(review: Review, actor) -> None:
    """A DHR's scoping (terms of reference, chair and panel) is done when the review leaves
    commissioning: that completes the scoping milestone where the case's guidance has one
    (the draft DHR guidance of 2024, R45)."""
    if not review.tracks.filter(review_type=ReviewType.DHR).exists():
        return
    clock.milestones_complete(
        event=Event.DHR_SCOPING_COMPLETED,
        subject=review.case,
        on_date=timezone.localdate(),
        actor=actor,
    )
