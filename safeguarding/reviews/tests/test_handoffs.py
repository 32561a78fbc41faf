"""Who is told as a review nears its end (issue 13): the business unit when the reviewer's
draft or final report arrives, and the decision makers when the review is ready for sign-off
(again after a reopening). Read from the mail outbox and the notices."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.core.uploads import PDF
from safeguarding.notifications.models import Notification
from safeguarding.reviews import services as stages
from safeguarding.reviews.models import Review
from safeguarding.reviews.running import services
from safeguarding.reviews.running.quality_markers import markers_for

from .review_support import make_lcspr, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafting(partnership, business_unit_user):
    review, makers = make_lcspr(partnership, business_unit_user)
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.DRAFTING)
    review.refresh_from_db()
    return review, makers


@pytest.fixture
def reviewer(partnership):
    return member(partnership, Role.REVIEWER, email="reviewer@example.org")


def _upload(review, actor, sample_pdf, document_kind="draft_report", document=None):
    return services.document_version_upload(
        review=review,
        actor=actor,
        uploaded=SimpleUploadedFile("report.pdf", sample_pdf),
        kind=PDF,
        document=document,
        title="" if document else "Overview report",
        document_kind="" if document else document_kind,
    )


def test_a_report_from_the_reviewer_tells_the_business_unit(
    drafting, reviewer, business_unit_user, sample_pdf, django_capture_on_commit_callbacks
):
    review, _ = drafting
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        version = _upload(review, reviewer, sample_pdf)
    assert [m.to for m in mail.outbox] == [["bu@testshire.example"]]
    email = mail.outbox[0]
    assert email.subject == f"Draft report received for {review.reference} Child B (version 1)"
    assert f"/manage/testshire/reviews/{review.pk}/documents/" in email.body
    notice = Notification.objects.get(kind="review.report_received")
    assert notice.recipient == business_unit_user
    assert notice.subject_object == version.document
    event = AuditEvent.objects.get(action="document.version_uploaded")
    assert event.payload["notified"] == 1
    with django_capture_on_commit_callbacks(execute=True):  # a second version: told again
        _upload(review, reviewer, sample_pdf, document=version.document)
    assert len(mail.outbox) == 2
    assert "(version 2)" in mail.outbox[1].subject


def test_other_documents_and_the_business_units_own_uploads_tell_no_one(
    drafting, business_unit_user, reviewer, sample_pdf, django_capture_on_commit_callbacks
):
    review, _ = drafting
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _upload(review, reviewer, sample_pdf, document_kind="other")
        _upload(review, business_unit_user, sample_pdf, document_kind="final_report")
    assert mail.outbox == []
    assert not Notification.objects.filter(kind="review.report_received").exists()


def _ready(review, actor, sample_pdf):
    services.finding_add(review=review, actor=actor, title="Sharing", text="Not shared.")
    _upload(review, actor, sample_pdf, document_kind="final_report")
    services.quality_assessment_save(
        review=review,
        actor=actor,
        ratings={n: {"rating": "met"} for n in markers_for(review).numbers},
    )


def test_ready_for_sign_off_tells_each_decision_maker_once_per_round(
    drafting, business_unit_user, sample_pdf, django_capture_on_commit_callbacks
):
    review, makers = drafting
    _ready(review, business_unit_user, sample_pdf)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stages.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=business_unit_user)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in makers.values())
    email = mail.outbox[0]
    assert email.subject == f"Sign off the review {review.reference} Child B"
    assert f"/manage/testshire/reviews/{review.pk}/sign-off/" in email.body
    assert Notification.objects.filter(kind="review.ready_for_sign_off").count() == 3

    # Back to drafting without a reopening (the same round): not told twice.
    with django_capture_on_commit_callbacks(execute=True):
        stages.review_move(review=review, target=Review.Stage.DRAFTING, actor=business_unit_user)
        stages.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=business_unit_user)
    assert len(mail.outbox) == 3

    # Reopened: a new round of signatures, so told again.
    with django_capture_on_commit_callbacks(execute=True):
        services.review_reopen(review=review, actor=business_unit_user, reason="A new fact.")
        stages.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=business_unit_user)
    assert len(mail.outbox) == 6
    assert "reopened, so it is signed again" in mail.outbox[-1].body


def test_a_decision_maker_who_left_the_partnership_is_not_told(
    drafting, business_unit_user, sample_pdf, django_capture_on_commit_callbacks
):
    review, makers = drafting
    leaver = next(iter(makers.values()))
    leaver.memberships.all().delete()
    _ready(review, business_unit_user, sample_pdf)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stages.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=business_unit_user)
    assert leaver.email not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 2
