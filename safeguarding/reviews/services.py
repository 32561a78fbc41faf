"""Starting reviews and moving them through their stages. Other writes (requests, returns,
chronology, people, family contacts, documents, quality, sign-off) live in the modules named
after them; every write is validated, in one transaction, and audited."""

import datetime
import uuid

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import ReviewType
from safeguarding.audit.services import audit_record
from safeguarding.clock import services as clock
from safeguarding.clock.models import Event
from safeguarding.core.errors import ServiceError
from safeguarding.referrals.models import Case, Decision, Outcome, Track

from . import workflow
from .models import Review

# Final decisions that lead to a review, and the kind of review (R12, R19-R21, R31).
REVIEW_KIND_FOR_OUTCOME = {
    Outcome.RAPID_REVIEW_THEN_LOCAL: Review.Kind.LCSPR,
    Outcome.MANDATORY: Review.Kind.SAR,
    Outcome.DISCRETIONARY: Review.Kind.SAR,
    Outcome.REVIEW: Review.Kind.DHR,
}


def _reference(review: Review) -> str:
    prefix = "RR" if review.is_rapid_review else "RV"
    return f"{prefix}{review.started_on:%Y}-{review.pk:05d}"


def _create(*, case: Case, kind: str, stage: str, title: str, actor, tracks) -> Review:
    review = Review.objects.create(
        partnership=case.partnership,
        case=case,
        kind=kind,
        stage=stage,
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


def rapid_review_start(*, case: Case, actor) -> Review:
    """Start the rapid review of a case with a CSPR track (docs/rules.md §rapid-review; R8: one
    follows every serious incident notification)."""
    track = case.tracks.filter(review_type=ReviewType.CSPR).first()
    if track is None:
        raise ServiceError("Send the case for a CSPR decision before starting a rapid review")
    if case.reviews.filter(kind=Review.Kind.RAPID_REVIEW).exists():
        raise ServiceError("This case already has a rapid review")
    with transaction.atomic():
        review = _create(
            case=case,
            kind=Review.Kind.RAPID_REVIEW,
            stage=Review.Stage.GATHERING_SUMMARIES,
            title=case.pseudonym,
            actor=actor,
            tracks=[track],
        )
        audit_record(
            action="review.started", actor=actor, target=review, payload={"kind": review.kind}
        )
    return review


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
        kind = REVIEW_KIND_FOR_OUTCOME.get(decision.outcome)
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
        review = _create(
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
    return review


def review_move(*, review: Review, target: str, actor) -> Review:
    """Move to ``target`` if the workflow allows it; StageError lists what is missing."""
    workflow.check_move(review, target)
    with transaction.atomic():
        previous = review.stage
        review.stage = target
        review.modified_by = actor
        review.save(update_fields=["stage", "modified_by", "modified_at"])
        audit_record(
            action="review.stage_changed",
            actor=actor,
            target=review,
            payload={"from": previous, "to": target},
        )
        if target == Review.Stage.SUBMITTED_TO_PANEL:
            _rapid_review_sent(review, actor)
    return review


def _rapid_review_sent(review: Review, actor) -> None:
    on: datetime.date = review.panel_submitted_on
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
    )
