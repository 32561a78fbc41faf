"""The rapid review (docs/rules.md §rapid-review): its meeting and recommendation, immediate
actions, sending it to the National Panel with the partners' decision (R10) and the Panel's response
(R11)."""

import datetime

from django.db import transaction
from django.utils import timezone

from safeguarding.accounts.models import Agency, ReviewType
from safeguarding.audit.services import audit_record
from safeguarding.clock import services as clock
from safeguarding.clock.models import Event
from safeguarding.core.errors import ServiceError
from safeguarding.core.models import apply_changes
from safeguarding.referrals.models import OUTCOMES_BY_TYPE, Case

from ..models import ImmediateAction, Review
from ..requests.services import rapid_review_expected
from ..services import review_create, review_move
from ..workflow import StageError

RECOMMENDATIONS = OUTCOMES_BY_TYPE[ReviewType.CSPR]


def rapid_review_start(*, case: Case, actor) -> Review:
    """Start the rapid review of a case with a CSPR track (docs/rules.md §rapid-review; R8: one
    follows every serious incident notification)."""
    track = case.tracks.filter(review_type=ReviewType.CSPR).first()
    if track is None:
        raise ServiceError("Send the case for a CSPR decision before starting a rapid review")
    if case.reviews.filter(kind=Review.Kind.RAPID_REVIEW).exists():
        raise ServiceError("This case already has a rapid review")
    rapid_review_expected(case)  # R9: refused for a case whose guidance has no rapid review
    with transaction.atomic():
        review = review_create(
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


def _require_rapid_review(review: Review) -> None:
    if not review.is_rapid_review:
        raise ServiceError("This is not a rapid review")


def _check_past_date(value, field: str, label: str, *, not_before=None, before_label=""):
    if value is None:
        raise ServiceError(f"Enter {label}", field=field)
    if value > timezone.localdate():
        raise ServiceError(
            f"{label[0].upper()}{label[1:]} must be today or in the past", field=field
        )
    if not_before is not None and value < not_before:
        raise ServiceError(
            f"{label[0].upper()}{label[1:]} must be on or after {before_label} "
            f"({not_before:%-d %B %Y})",
            field=field,
        )


def rapid_review_outcome_record(
    *,
    review: Review,
    meeting_held_on: datetime.date,
    meeting_attendees: str,
    facts_summary: str,
    learning_identified: str,
    recommendation: str,
    recommendation_rationale: str,
    national_importance_view: str,
    actor,
) -> Review:
    """Record the rapid review meeting and its recommendation (R10: LCSPR yes or no, or a view
    that a national review may be needed). Moves the review on to the meeting stage."""
    _require_rapid_review(review)
    if review.stage == Review.Stage.SUBMITTED_TO_PANEL:
        raise ServiceError("The rapid review has been sent to the Panel: it cannot change now")
    _check_past_date(
        meeting_held_on,
        "meeting_held_on",
        "the date of the meeting",
        not_before=review.case.became_aware_on,
        before_label="the day the partnership became aware",
    )
    texts = {
        "meeting_attendees": meeting_attendees.strip(),
        "facts_summary": facts_summary.strip(),
        "learning_identified": learning_identified.strip(),
        "recommendation_rationale": recommendation_rationale.strip(),
        "national_importance_view": national_importance_view.strip(),
    }
    if not texts["meeting_attendees"]:
        raise ServiceError("Enter who attended the meeting", field="meeting_attendees")
    if not texts["facts_summary"]:
        raise ServiceError("Enter a summary of the facts", field="facts_summary")
    if recommendation not in RECOMMENDATIONS:
        raise ServiceError("Select the recommendation", field="recommendation")
    if not texts["recommendation_rationale"]:
        raise ServiceError(
            "Explain the reasons for the recommendation", field="recommendation_rationale"
        )
    with transaction.atomic():
        changed = apply_changes(
            review,
            {**texts, "meeting_held_on": meeting_held_on, "recommendation": recommendation},
        )
        review.modified_by = actor
        review.save(update_fields=[*changed, "modified_by", "modified_at"])
        audit_record(
            action="review.meeting_recorded",
            actor=actor,
            target=review,
            payload={
                "meeting_held_on": meeting_held_on.isoformat(),
                "recommendation": recommendation,
            },
        )
        if review.stage == Review.Stage.GATHERING_SUMMARIES and review.requests.exists():
            review_move(review=review, target=Review.Stage.MEETING, actor=actor)
    return review


def immediate_action_record(
    *, review: Review, action: str, agency: Agency | None, taken_on: datetime.date, actor
) -> ImmediateAction:
    """Record a learning or safety action taken at once (§rapid-review)."""
    if review.is_read_only:
        raise ServiceError("The review is signed off")
    action = (action or "").strip()
    if not action:
        raise ServiceError("Describe the action taken", field="action")
    _check_past_date(taken_on, "taken_on", "the date the action was taken")
    if agency is not None and agency.pk not in {a.pk for a in review.agencies.all()} | {
        a.pk for a in review.partnership.agencies.all()
    }:
        raise ServiceError("Select an agency of this partnership", field="agency")
    with transaction.atomic():
        immediate = ImmediateAction.objects.create(
            review=review, action=action, agency=agency, taken_on=taken_on, recorded_by=actor
        )
        audit_record(
            action="review.immediate_action_recorded",
            actor=actor,
            target=review,
            payload={"agency": agency.slug if agency else None, "taken_on": taken_on.isoformat()},
        )
    return immediate


def panel_submission_record(*, review: Review, submitted_on: datetime.date, actor) -> Review:
    """Record the day the rapid review went to the National Panel (R10) and move the review on:
    that completes the rapid review milestone (R9) and starts 'Panel response expected' (R11)."""
    _require_rapid_review(review)
    if review.stage == Review.Stage.SUBMITTED_TO_PANEL:
        raise ServiceError("The rapid review has already been sent to the Panel")
    not_before = review.meeting_held_on or review.case.became_aware_on
    _check_past_date(
        submitted_on,
        "submitted_on",
        "the date it was sent",
        not_before=not_before,
        before_label="the rapid review meeting"
        if review.meeting_held_on
        else "the day the partnership became aware",
    )
    try:
        with transaction.atomic():
            review.panel_submitted_on = submitted_on
            review.modified_by = actor
            review.save(update_fields=["panel_submitted_on", "modified_by", "modified_at"])
            audit_record(
                action="review.sent_to_panel",
                actor=actor,
                target=review,
                payload={"submitted_on": submitted_on.isoformat()},
            )
            if review.stage == Review.Stage.GATHERING_SUMMARIES:
                review_move(review=review, target=Review.Stage.MEETING, actor=actor)
            review_move(review=review, target=Review.Stage.SUBMITTED_TO_PANEL, actor=actor)
    except StageError as error:
        review.refresh_from_db()
        raise ServiceError(
            "Before sending to the Panel: "
            + "; ".join(r[0].lower() + r[1:] for r in error.reasons),
            field="submitted_on",
        ) from None
    return review


def panel_response_record(
    *, review: Review, responded_on: datetime.date, response: str, actor
) -> Review:
    """Record the Panel's response (R11): completes the 'Panel response expected' milestone."""
    _require_rapid_review(review)
    if not review.panel_submitted_on or review.stage != Review.Stage.SUBMITTED_TO_PANEL:
        raise ServiceError("Record the date the rapid review was sent to the Panel first")
    _check_past_date(
        responded_on,
        "responded_on",
        "the date of the response",
        not_before=review.panel_submitted_on,
        before_label="the day it was sent to the Panel",
    )
    response = (response or "").strip()
    if not response:
        raise ServiceError("Enter what the Panel said", field="response")
    with transaction.atomic():
        review.panel_response_on = responded_on
        review.panel_response = response
        review.modified_by = actor
        review.save(
            update_fields=["panel_response_on", "panel_response", "modified_by", "modified_at"]
        )
        audit_record(
            action="review.updated",
            actor=actor,
            target=review,
            payload={"panel_response_on": responded_on.isoformat()},
        )
        clock.milestones_complete(
            event=Event.PANEL_RESPONDED, subject=review.case, on_date=responded_on, actor=actor
        )
    return review
