"""Sign-off by the named decision makers, the read-only review afterwards, and reopening."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Milestone
from safeguarding.clock.selectors import milestone_list_for_subject
from safeguarding.core.errors import ServiceError
from safeguarding.core.uploads import PDF
from safeguarding.reviews import services
from safeguarding.reviews.models import Review, ReviewSignature
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.running.quality_markers import markers_for
from safeguarding.reviews.tests.review_support import (
    commission,
    decided_case,
    make_lcspr,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lcspr_setup(partnership, business_unit_user):
    return make_lcspr(partnership, business_unit_user)


@pytest.fixture
def lcspr(lcspr_setup):
    return lcspr_setup[0]


def url(name, review, **kwargs):
    return reverse(
        f"reviews:{name}", kwargs={"slug": review.partnership.slug, "pk": review.pk, **kwargs}
    )


def ready_for_sign_off(review, actor, sample_pdf):
    """Drafting done through the services, then moved to sign-off."""
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.DRAFTING)
    review.refresh_from_db()
    review_services.finding_add(review=review, actor=actor, title="Sharing", text="Finding.")
    review_services.document_version_upload(
        review=review,
        actor=actor,
        uploaded=SimpleUploadedFile("final.pdf", sample_pdf),
        kind=PDF,
        title="Final report",
        document_kind="final_report",
    )
    review_services.quality_assessment_save(
        review=review,
        actor=actor,
        ratings={n: {"rating": "met"} for n in markers_for(review).numbers},
    )
    services.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=actor)
    return review


@pytest.fixture
def at_sign_off(lcspr_setup, business_unit_user, sample_pdf):
    review, makers = lcspr_setup
    return ready_for_sign_off(review, business_unit_user, sample_pdf), makers


def sign_all(review, makers):
    for user in makers.values():
        review_services.review_sign(review=review, user=user)
    review.refresh_from_db()
    return review


def test_the_sign_off_page_shows_who_must_sign_and_who_has(at_sign_off, business_unit_user):
    review, makers = at_sign_off
    signer = Client()
    signer.force_login(makers["Police"])
    page = signer.get(url("sign_off", review)).content.decode()
    assert "Sign off the findings" in page
    response = signer.post(url("sign_off", review))
    assert response.status_code == 302
    bu = Client()
    bu.force_login(business_unit_user)
    page = bu.get(url("sign_off", review)).content.decode()
    assert page.count("Not signed") == 2 and page.count('govuk-tag--green">Signed<') == 1
    assert "Sign off the findings" not in page  # the business unit is not a decision maker
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGN_OFF


def test_the_last_signature_signs_the_review_off_and_completes_the_report_milestone(
    at_sign_off,
):
    review, makers = at_sign_off
    review = sign_all(review, makers)
    assert review.stage == Review.Stage.SIGNED_OFF and review.signed_off_at is not None
    assert ReviewSignature.objects.filter(review=review, round=1).count() == 3
    assert AuditEvent.objects.filter(action="review.signed_off").count() == 1
    report = [
        m
        for m in milestone_list_for_subject(subject=review.case)
        if m.rule.done_on_event == "lcspr_report_completed"
    ]
    assert report and all(m.status == Milestone.Status.DONE for m in report)


def test_someone_who_is_not_a_decision_maker_cannot_sign(client, user_for_role, at_sign_off):
    review, _ = at_sign_off
    lead = user_for_role(Role.PARTNER_LEAD)
    with pytest.raises(ServiceError, match="not one of the decision makers"):
        review_services.review_sign(review=review, user=lead)
    client.force_login(lead)
    response = client.post(url("sign_off", review))
    assert "not one of the decision makers" in response.content.decode()
    assert not ReviewSignature.objects.exists()


def test_a_decision_maker_signs_once_per_round(at_sign_off):
    review, makers = at_sign_off
    review_services.review_sign(review=review, user=makers["Police"])
    with pytest.raises(ServiceError, match="already signed"):
        review_services.review_sign(review=review, user=makers["Police"])


def test_a_review_cannot_be_signed_before_it_reaches_sign_off(lcspr_setup):
    review, makers = lcspr_setup
    with pytest.raises(ServiceError, match="not ready for sign-off"):
        review_services.review_sign(review=review, user=makers["Police"])


def test_a_joint_review_needs_the_decision_makers_of_every_type(
    partnership, business_unit_user, sample_pdf
):
    case, makers = decided_case(partnership, business_unit_user, ("cspr", "sar"), "Young J")
    review = ready_for_sign_off(
        commission(case, business_unit_user), business_unit_user, sample_pdf
    )
    sign_all(review, makers["cspr"])
    assert review.stage == Review.Stage.SIGN_OFF
    review = sign_all(review, makers["sar"])
    assert review.stage == Review.Stage.SIGNED_OFF


EDIT_PAGES = ["terms", "appointments", "meetings", "people", "family", "quality", "findings"]


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_after_sign_off_every_edit_is_refused(bu_client, at_sign_off, name):
    review, makers = at_sign_off
    sign_all(review, makers)
    page = bu_client.get(url(name, review))
    assert page.status_code == 200 and "read-only" in page.content.decode()
    assert bu_client.post(url(name, review), {}).status_code == 403
    assert bu_client.get(url("document_upload", review)).status_code == 403
    assert bu_client.post(url("move", review)).status_code == 403


def test_after_sign_off_the_services_refuse_changes(at_sign_off, business_unit_user):
    review, makers = at_sign_off
    sign_all(review, makers)
    with pytest.raises(ServiceError, match="signed off"):
        review_services.finding_add(review=review, actor=business_unit_user, title="x", text="y")
    with pytest.raises(ServiceError, match="signed off"):
        review_services.person_add(
            review=review, actor=business_unit_user, pseudonym="P", role_in_case="other"
        )


def test_reopening_needs_a_reason(bu_client, at_sign_off):
    review, makers = at_sign_off
    sign_all(review, makers)
    response = bu_client.post(url("reopen", review), {"reason": "  "})
    assert "Enter why the review is being reopened" in response.content.decode()
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGNED_OFF


def test_reopening_goes_back_to_drafting_and_starts_a_new_round_of_signatures(
    bu_client, at_sign_off, business_unit_user
):
    review, makers = at_sign_off
    sign_all(review, makers)
    response = bu_client.post(url("reopen", review), {"reason": "The family's feedback arrived"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.stage == Review.Stage.DRAFTING and review.signed_off_at is None
    assert review.reopenings.get().reason == "The family's feedback arrived"
    assert AuditEvent.objects.filter(action="review.reopened").exists()
    review_services.finding_add(review=review, actor=business_unit_user, title="New", text="x")
    services.review_move(review=review, target=Review.Stage.SIGN_OFF, actor=business_unit_user)
    assert review_services.signature_round(review) == 2
    review_services.review_sign(review=review, user=makers["Police"])
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGN_OFF  # the others must sign again
    review = sign_all(review, {k: v for k, v in makers.items() if k != "Police"})
    assert review.stage == Review.Stage.SIGNED_OFF
    assert ReviewSignature.objects.filter(review=review, round=2).count() == 3


@pytest.mark.parametrize("role", [Role.PARTNER_LEAD, Role.REVIEWER])
def test_only_the_business_unit_reopens(client, user_for_role, at_sign_off, role):
    review, makers = at_sign_off
    sign_all(review, makers)
    user = user_for_role(role)
    if role == Role.REVIEWER:
        review.appointments.create(role="reviewer", name="R", user=user, appointed_on=today())
    client.force_login(user)
    assert client.post(url("reopen", review), {"reason": "x"}).status_code == 403


def test_a_review_still_drafting_cannot_be_reopened(bu_client, lcspr):
    page = bu_client.get(url("reopen", lcspr)).content.decode()
    assert "Only a review waiting for sign-off or signed off can be reopened" in page
    response = bu_client.post(url("reopen", lcspr), {"reason": "Why not"})
    assert "Only a review at or after sign-off can be reopened" in response.content.decode()
    assert not lcspr.reopenings.exists()
