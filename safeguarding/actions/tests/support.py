"""Builders for the action plan tests: a signed-off review with findings, recommendations and
actions, all made through the real services (reviews' sign-off, then actions.services).

    review = signed_off_review(partnership, actor, sample_pdf)
    recommendation = add_recommendation(review, actor, agencies=[agency])
    action = add_action(recommendation, actor, agency)
    action_progress_with_evidence(action, contributor, sample_pdf)
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.actions import services
from safeguarding.actions.models import Action, Recommendation
from safeguarding.core.uploads import PDF
from safeguarding.reviews import services as review_stages
from safeguarding.reviews.models import Finding, Review
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.running.quality_markers import markers_for
from safeguarding.reviews.tests.review_support import make_lcspr

FINDINGS = (
    ("Information sharing", "Agencies held pieces of the picture that were not shared."),
    ("Professional curiosity", "Practitioners accepted explanations without checking them."),
)


def today() -> datetime.date:
    return timezone.localdate()


def signed_off_review(
    partnership, actor, pdf_bytes: bytes, findings=FINDINGS, *, sign: bool = True
) -> Review:
    """A local CSPR with ``findings``, a final report and quality ratings, signed off by every
    decision maker (or left at sign-off when ``sign`` is false). Its ``started_on`` is today."""
    review, makers = make_lcspr(partnership, actor)
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.DRAFTING)
    review.refresh_from_db()
    for title, text in findings:
        review_services.finding_add(review=review, actor=actor, title=title, text=text)
    review_services.document_version_upload(
        review=review,
        actor=actor,
        uploaded=SimpleUploadedFile("final.pdf", pdf_bytes),
        kind=PDF,
        title="Final report",
        document_kind="final_report",
    )
    review_services.quality_assessment_save(
        review=review,
        actor=actor,
        ratings={n: {"rating": "met"} for n in markers_for(review).numbers},
    )
    review_stages.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=actor)
    if not sign:
        return review
    for user in makers.values():
        review_services.review_sign(review=review, user=user)
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGNED_OFF
    return review


def add_recommendation(
    review: Review,
    actor,
    *,
    findings: list[Finding] | None = None,
    agencies=(),
    to_partnership: bool = True,
    text: str = "Agencies should share concerns about neglect at the first sign.",
    scope: str = Recommendation.Scope.MULTI_AGENCY,
    expected_change: str = "Children are seen and heard sooner.",
) -> Recommendation:
    return services.recommendation_add(
        review=review,
        actor=actor,
        text=text,
        findings=findings if findings is not None else list(review.findings.all()[:1]),
        agencies=list(agencies),
        to_partnership=to_partnership,
        scope=scope,
        expected_change=expected_change,
    )


def add_action(
    recommendation: Recommendation,
    actor,
    agency,
    *,
    text: str = "Train front-line staff in the neglect toolkit.",
    lead_name: str = "Sam Fictional-Lead",
    target_date: datetime.date | None = None,
) -> Action:
    return services.action_add(
        recommendation=recommendation,
        actor=actor,
        text=text,
        agency=agency,
        lead_name=lead_name,
        target_date=target_date or today() + datetime.timedelta(days=60),
    )


def pdf_upload(pdf_bytes: bytes, name: str = "training-register.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes, content_type="application/pdf")


def text_named_pdf(name: str = "notes.pdf") -> SimpleUploadedFile:
    """A plain text file pretending to be a PDF (refused: files are checked by content)."""
    return SimpleUploadedFile(name, b"Just some notes, not a PDF.", content_type="application/pdf")


def contributor_for(partnership, agency, **extra):
    """An agency contributor acting for ``agency`` in ``partnership``."""
    user = UserFactory(**extra)
    MembershipFactory(
        user=user, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    return user


def action_with_evidence(action: Action, actor, pdf_bytes: bytes) -> Action:
    """A progress update with one PDF as evidence."""
    services.action_progress(
        action=action,
        actor=actor,
        note="Training has started.",
        status=Action.Status.ON_TRACK,
        evidence=[pdf_upload(pdf_bytes)],
    )
    action.refresh_from_db()
    return action


def action_awaiting_acceptance(action: Action, actor, pdf_bytes: bytes) -> Action:
    services.completion_request(
        action=action,
        actor=actor,
        note="Everyone is trained.",
        evidence=[pdf_upload(pdf_bytes, "attendance.pdf")],
    )
    action.refresh_from_db()
    return action
