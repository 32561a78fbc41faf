"""Review stages: the allowed moves, and the guards that say why a move is not allowed yet
(STYLE.md: states, allowed moves, guards raising one typed error)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from safeguarding.core.compiled_sql import PK_PLACEHOLDER, CompiledQuery
from safeguarding.referrals.models import Outcome

from .models import (
    AgencyRequest,
    Appointment,
    ChronologyEntry,
    FamilyContact,
    Finding,
    ImmediateAction,
    Meeting,
    Person,
    QualityAssessment,
    Review,
    ReviewDocument,
)

Stage = Review.Stage

# Final decisions that lead to a review, and the kind of review (R12, R19-R21, R31).
REVIEW_KIND_FOR_OUTCOME: dict[str, Review.Kind] = {
    Outcome.RAPID_REVIEW_THEN_LOCAL: Review.Kind.LCSPR,
    Outcome.MANDATORY: Review.Kind.SAR,
    Outcome.DISCRETIONARY: Review.Kind.SAR,
    Outcome.REVIEW: Review.Kind.DHR,
}

RAPID_REVIEW_STAGES = [Stage.GATHERING_SUMMARIES, Stage.MEETING, Stage.SUBMITTED_TO_PANEL]
REVIEW_STAGES = [
    Stage.COMMISSIONING,
    Stage.AGENCY_REPORTS,
    Stage.DRAFTING,
    Stage.SIGN_OFF,
    Stage.SIGNED_OFF,
]

# (from, to): allowed moves. Signing off is done by the last signature, reopening by a reason.
ALLOWED_MOVES = {
    (Stage.GATHERING_SUMMARIES, Stage.MEETING),
    (Stage.MEETING, Stage.SUBMITTED_TO_PANEL),
    (Stage.COMMISSIONING, Stage.AGENCY_REPORTS),
    (Stage.AGENCY_REPORTS, Stage.DRAFTING),
    (Stage.DRAFTING, Stage.SIGN_OFF),
    (Stage.SIGN_OFF, Stage.DRAFTING),
    (Stage.SIGN_OFF, Stage.SIGNED_OFF),
    (Stage.SIGNED_OFF, Stage.DRAFTING),
}


class StageError(Exception):
    """A move that the workflow does not allow yet. ``reasons`` say what is missing."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def next_stage(review: Review) -> str | None:
    stages = RAPID_REVIEW_STAGES if review.is_rapid_review else REVIEW_STAGES
    index = stages.index(review.stage)
    if index + 1 < len(stages) and stages[index + 1] != Stage.SIGNED_OFF:
        return stages[index + 1]
    return None


def missing_for(review: Review, target: str) -> list[str]:
    """What must be done before ``review`` can move to ``target`` (empty: it can)."""
    if (review.stage, target) not in ALLOWED_MOVES:
        return [
            f"A review cannot move from ‘{review.get_stage_display()}’ to ‘{Stage(target).label}’"
        ]
    missing = []
    if target == Stage.MEETING:
        if not review.requests.exclude(closure=AgencyRequest.Closure.CANCELLED).exists():
            missing.append("Ask at least one agency for a summary")
    elif target == Stage.SUBMITTED_TO_PANEL:
        if not review.meeting_held_on:
            missing.append("Record the rapid review meeting")
        if not review.facts_summary.strip():
            missing.append("Record the summary of the facts")
        if not review.recommendation:
            missing.append("Record the recommendation")
        if not review.panel_submitted_on:
            missing.append("Record the date it was sent to the Panel")
    elif target == Stage.AGENCY_REPORTS:
        if not (review.scope_start and review.scope_end):
            missing.append("Set the period the review covers in the terms of reference")
        if not review.key_lines_of_enquiry.strip():
            missing.append("Write the key lines of enquiry")
        if not review.methodology.strip():
            missing.append("Describe the methodology")
        if not review.appointments.active().filter(role="reviewer").exists():
            missing.append("Appoint a reviewer")
    elif target == Stage.DRAFTING and review.stage == Stage.AGENCY_REPORTS:
        # Cancelled requests no longer count; a request is done when the agency returned it
        # (itself, or recorded by the business unit on its behalf) or had nothing to return.
        asked = review.requests.exclude(closure=AgencyRequest.Closure.CANCELLED)
        if not asked.exists():
            missing.append("Ask the agencies for their reports and chronologies")
        elif asked.filter(returned_at__isnull=True, closure="").exists():
            missing.append(
                "Wait for every agency to return what was asked for, record a return it sent "
                "by email or on paper, or mark it as having nothing to return"
            )
    elif target == Stage.SIGN_OFF:
        if not review.findings.exists():
            missing.append("Record the review's findings")
        if not review.documents.filter(
            kind__in=["draft_report", "final_report"], versions__isnull=False
        ).exists():
            missing.append("Upload the report")
        if not hasattr(review, "quality"):
            missing.append("Assess the review against the quality markers")
    return missing


def check_move(review: Review, target: str) -> None:
    missing = missing_for(review, target)
    if missing:
        raise StageError(missing)


@dataclass(frozen=True)
class Task:
    name: str
    status: str  # "Completed", "In progress", "Not yet started", "Cannot start yet"
    url_name: str = ""
    hint: str = ""
    # The task's page is a form for the business unit only (no read-only view): other readers
    # of the review see the task and its status without a link (a link they could not follow).
    managers_only: bool = False


def _task_flags_query(review_id: int):
    review = OuterRef("pk")
    return Review.objects.filter(pk=review_id).values_list(
        Exists(Appointment.objects.active().filter(review=review, role="reviewer")),
        Exists(Person.objects.active().filter(case_id=OuterRef("case_id"))),
        Exists(ChronologyEntry.objects.filter(review=review, archived_at__isnull=True)),
        Exists(FamilyContact.objects.active().filter(review=review)),
        Exists(Meeting.objects.active().filter(review=review)),
        Exists(Finding.objects.filter(review=review)),
        Exists(ReviewDocument.objects.filter(review=review)),
        Exists(QualityAssessment.objects.filter(review=review)),
        Exists(ImmediateAction.objects.filter(review=review)),
    )


# The task list's questions about a review (is there a reviewer, people, a chronology...) in
# one query, and its agency requests, each from SQL built once (issue 16, core.compiled_sql).
_TASK_FLAGS = CompiledQuery(_task_flags_query, {"review_id": (PK_PLACEHOLDER, Review._meta.pk)})
_TASK_REQUESTS = CompiledQuery(
    lambda review_id: AgencyRequest._default_manager.filter(review_id=review_id),
    {"review_id": (PK_PLACEHOLDER, Review._meta.pk)},
)
_FLAGS = (
    "reviewer",
    "people",
    "chronology",
    "family",
    "meetings",
    "findings",
    "documents",
    "quality",
    "immediate_actions",
)


def task_list(review: Review) -> list[tuple[str, list[Task]]]:
    """The GOV.UK task list for a review: what is done and what is next, grouped by stage."""
    done, doing, todo, blocked = "Completed", "In progress", "Not yet started", "Cannot start yet"
    requests = [r for r in _TASK_REQUESTS.read(review_id=review.pk) if not r.is_cancelled]
    found = _TASK_FLAGS.read_rows(review_id=review.pk)
    has = dict(zip(_FLAGS, (bool(value) for value in found[0]), strict=True)) if found else {}
    returned = [r for r in requests if not r.is_open]

    def ask_status():
        if not requests:
            return todo
        return done if len(returned) == len(requests) else doing

    if review.is_rapid_review:
        # The meeting can be recorded once agencies have been asked (saving it moves the stage).
        meeting_ready = review.stage != Stage.GATHERING_SUMMARIES or bool(requests)
        return [
            (
                "Gather the facts",
                [
                    Task("Ask agencies for summaries", ask_status(), "reviews:requests"),
                    Task(
                        "Record immediate actions",
                        done if has["immediate_actions"] else todo,
                        "reviews:immediate_actions",
                        managers_only=True,
                    ),
                ],
            ),
            (
                "Decide and report",
                [
                    Task(
                        "Record the rapid review meeting and recommendation",
                        done
                        if review.meeting_held_on and review.recommendation
                        else (todo if meeting_ready else blocked),
                        "reviews:rapid_review_outcome",
                        managers_only=True,
                    ),
                    Task(
                        "Send to the National Panel",
                        done if review.panel_submitted_on else todo,
                        "reviews:panel",
                        managers_only=True,
                    ),
                    Task(
                        "Record the Panel's response",
                        done
                        if review.panel_response_on
                        else (todo if review.panel_submitted_on else blocked),
                        "reviews:panel",
                        managers_only=True,
                    ),
                ],
            ),
        ]
    after_commissioning = review.stage != Stage.COMMISSIONING
    drafting = review.stage in (Stage.DRAFTING, Stage.SIGN_OFF, Stage.SIGNED_OFF)
    has_tor = bool(review.scope_start and review.key_lines_of_enquiry.strip())
    return [
        (
            "Set up the review",
            [
                Task("Terms of reference", done if has_tor else todo, "reviews:terms"),
                Task(
                    "Appoint the reviewer, chair and panel",
                    done if has["reviewer"] else todo,
                    "reviews:appointments",
                ),
                Task(
                    "People in the case",
                    done if has["people"] else todo,
                    "reviews:people",
                ),
            ],
        ),
        (
            "Gather the evidence",
            [
                Task(
                    "Ask agencies for reports and chronologies",
                    ask_status() if after_commissioning else blocked,
                    "reviews:requests",
                ),
                Task(
                    "Merged chronology",
                    (done if has["chronology"] else todo) if after_commissioning else blocked,
                    "reviews:chronology",
                ),
                Task(
                    "Family involvement",
                    doing if has["family"] else todo,
                    "reviews:family",
                ),
                Task(
                    "Meetings",
                    doing if has["meetings"] else todo,
                    "reviews:meetings",
                ),
            ],
        ),
        (
            "Write and sign off",
            [
                Task(
                    "Findings",
                    (done if has["findings"] else todo) if drafting else blocked,
                    "reviews:findings",
                ),
                Task(
                    "Draft report and documents",
                    doing if has["documents"] else todo,
                    "reviews:documents",
                ),
                Task(
                    "Quality markers",
                    (done if has["quality"] else todo) if drafting else blocked,
                    "reviews:quality",
                ),
                Task(
                    "Sign-off",
                    done
                    if review.stage == Stage.SIGNED_OFF
                    else (doing if review.stage == Stage.SIGN_OFF else blocked),
                    "reviews:sign_off",
                ),
            ],
        ),
    ]
