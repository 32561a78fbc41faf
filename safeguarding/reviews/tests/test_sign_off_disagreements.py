"""A decision maker asked to sign a review off may decline or disagree with a reason; it goes
back to the business unit, is recorded, and is resolved by a recorded escalation, as for
decisions (ADR 0012)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.models import Notification
from safeguarding.reviews.models import Reopening, Review, ReviewDisagreement, ReviewSignature
from safeguarding.reviews.running import selectors
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.tests.review_support import make_lcspr, today
from safeguarding.reviews.tests.test_sign_off import ready_for_sign_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_sign_off(partnership, business_unit_user, sample_pdf):
    review, makers = make_lcspr(partnership, business_unit_user)
    return ready_for_sign_off(review, business_unit_user, sample_pdf), makers


def url(name, review, **kwargs):
    return reverse(
        f"reviews:{name}", kwargs={"slug": review.partnership.slug, "pk": review.pk, **kwargs}
    )


def _date(prefix, day) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def resolution(outcome: str, **changes) -> dict:
    return {
        "resolved_by": "The three lead safeguarding partners at their meeting",
        "resolution": outcome,
        "reason": "The partners agreed the report's findings are supported by the evidence.",
        **_date("resolved_on", today()),
        **changes,
    }


def disagree(review, user, kind="disagreed"):
    return review_services.review_sign_off_decline(
        review=review, user=user, kind=kind, reason="Finding 2 is not supported by the evidence."
    )


def resolve(disagreement, actor, outcome):
    return review_services.review_disagreement_resolve(
        disagreement=disagreement,
        resolution=outcome,
        resolved_by="The independent chair",
        reason="The evidence was checked again.",
        resolved_on=today(),
        actor=actor,
    )


def test_a_disagreement_goes_to_the_business_unit_and_blocks_the_sign_off(
    at_sign_off, business_unit_user, django_capture_on_commit_callbacks
):
    review, makers = at_sign_off
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disagreement = disagree(review, makers["Police"])
    assert disagreement.round == 1 and disagreement.capacity == "Police"
    event = AuditEvent.objects.get(action="review.sign_off_disagreed")
    assert event.payload["reason"] == "Finding 2 is not supported by the evidence."
    notice = Notification.objects.get(kind="review.sign_off_disagreement_raised")
    assert notice.recipient == business_unit_user
    assert notice.link == url(
        "sign_off_disagreement_resolve", review, disagreement_pk=disagreement.pk
    )
    (email,) = mail.outbox
    assert "Finding 2 is not supported" in email.body and review.reference in email.subject
    # The others sign; the review still waits for the escalation.
    review_services.review_sign(review=review, user=makers["Local authority"])
    review_services.review_sign(review=review, user=makers["Integrated care board"])
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGN_OFF
    with pytest.raises(ServiceError, match="must record how that was resolved"):
        review_services.review_sign(review=review, user=makers["Police"])
    with pytest.raises(ServiceError, match="already declined or disagreed"):
        disagree(review, makers["Police"], kind="declined")
    assert selectors.review_disagreements_open(partnership=review.partnership) == [disagreement]


def test_the_report_stands_and_they_are_asked_to_sign(at_sign_off, business_unit_user):
    review, makers = at_sign_off
    disagreement = disagree(review, makers["Police"], kind="declined")
    resolve(disagreement, business_unit_user, "sign")
    disagreement.refresh_from_db()
    assert (
        disagreement.resolution == "sign"
        and disagreement.resolution_recorded_by == business_unit_user
    )
    assert Notification.objects.filter(
        kind="review.ready_for_sign_off", recipient=makers["Police"]
    ).exists()
    assert Notification.objects.filter(
        kind="review.sign_off_disagreement_resolved", recipient=makers["Police"]
    ).exists()
    for user in makers.values():
        review_services.review_sign(review=review, user=user)
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGNED_OFF


def test_the_report_stands_without_their_signature(at_sign_off, business_unit_user):
    review, makers = at_sign_off
    disagreement = disagree(review, makers["Police"])
    review_services.review_sign(review=review, user=makers["Local authority"])
    review_services.review_sign(review=review, user=makers["Integrated care board"])
    resolve(disagreement, business_unit_user, "without_signature")
    review.refresh_from_db()
    assert review.stage == Review.Stage.SIGNED_OFF
    assert ReviewSignature.objects.filter(review=review).count() == 2
    event = AuditEvent.objects.get(action="review.sign_off_disagreement_resolved")
    assert event.payload["resolution"] == "without_signature"
    assert event.payload["resolved_by"] == "The independent chair"


def test_the_report_is_changed_and_everyone_signs_again(at_sign_off, business_unit_user):
    review, makers = at_sign_off
    review_services.review_sign(review=review, user=makers["Local authority"])
    first = disagree(review, makers["Police"])
    second = disagree(review, makers["Integrated care board"], kind="declined")
    resolve(first, business_unit_user, "change")
    review.refresh_from_db()
    second.refresh_from_db()
    assert review.stage == Review.Stage.DRAFTING
    assert second.resolution == "change"  # one resolution answers the round
    reopening = Reopening.objects.get(review=review)
    assert "The independent chair" in reopening.reason
    assert review_services.signature_round(review) == 2
    with pytest.raises(ServiceError, match="already been resolved"):
        resolve(second, business_unit_user, "sign")


def test_a_resolution_after_the_review_was_reopened_is_kept_as_a_record(
    at_sign_off, business_unit_user
):
    review, makers = at_sign_off
    disagreement = disagree(review, makers["Police"])
    review_services.review_reopen(review=review, actor=business_unit_user, reason="New evidence")
    resolve(disagreement, business_unit_user, "without_signature")
    review.refresh_from_db()
    assert review.stage == Review.Stage.DRAFTING
    assert selectors.review_disagreements_open(partnership=review.partnership) == []


def test_bad_input_to_the_services_changes_nothing(at_sign_off, user_for_role):
    review, makers = at_sign_off
    for kind, reason, message in [
        ("maybe", "A reason", "Select whether"),
        ("declined", "   ", "Enter your reason"),
    ]:
        with pytest.raises(ServiceError, match=message):
            review_services.review_sign_off_decline(
                review=review, user=makers["Police"], kind=kind, reason=reason
            )
    with pytest.raises(ServiceError, match="not one of the decision makers"):
        disagree(review, user_for_role("partner_lead", email="other@testshire.example"))
    review_services.review_sign(review=review, user=makers["Police"])
    with pytest.raises(ServiceError, match="already signed"):
        disagree(review, makers["Police"])
    assert not ReviewDisagreement.objects.exists()


def test_the_pages_without_javascript(at_sign_off, business_unit_user, bu_client):
    review, makers = at_sign_off
    police = Client()
    police.force_login(makers["Police"])
    page = police.get(url("sign_off", review)).text
    assert url("sign_off_decline", review) in page
    before = AuditEvent.objects.count()
    for data, message in [
        ({}, "Select whether you disagree or decline to sign"),
        ({"kind": "disagreed"}, "Enter your reason"),
        ({"kind": "nonsense", "reason": "x"}, "Select whether you disagree or decline to sign"),
        ({"kind": "disagreed", "reason": "x" * 5001}, "5,000 characters or fewer"),
    ]:
        response = police.post(url("sign_off_decline", review), data)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text and message in response.text
    assert AuditEvent.objects.count() == before and not ReviewDisagreement.objects.exists()
    response = police.post(
        url("sign_off_decline", review), {"kind": "disagreed", "reason": "Finding 2 is wrong."}
    )
    assert response.status_code == 302
    disagreement = ReviewDisagreement.objects.get()
    page = police.get(url("sign_off", review)).text
    assert "Disagrees with the findings or report" in page and "Sign off the findings" not in page
    # The business unit sees it on the sign-off page, with the link to resolve it.
    resolve_url = url("sign_off_disagreement_resolve", review, disagreement_pk=disagreement.pk)
    assert resolve_url in bu_client.get(url("sign_off", review)).text
    assert police.get(resolve_url).status_code == 403
    for data, message in [
        ({}, "Enter who resolved the disagreement"),
        (resolution("nonsense"), "Select the outcome of the escalation"),
        (resolution("sign", reason=""), "Enter the reasons for the outcome"),
        (
            resolution("sign", **_date("resolved_on", today().replace(year=today().year + 1))),
            "today or in the past",
        ),
        (resolution("sign", resolved_on_1="13"), "resolved_on"),
    ]:
        response = bu_client.post(resolve_url, data)
        assert response.status_code == 200, data
        assert "govuk-error-summary" in response.text and message in response.text, data
    disagreement.refresh_from_db()
    assert disagreement.is_open and AuditEvent.objects.count() == before + 1
    assert bu_client.post(resolve_url, resolution("sign")).status_code == 302
    disagreement.refresh_from_db()
    assert disagreement.resolution == "sign"
    assert "Resolved" in bu_client.get(url("sign_off", review)).text
    other = ReviewDisagreement.objects.filter(pk=disagreement.pk + 1000)
    assert not other.exists()
    missing = url("sign_off_disagreement_resolve", review, disagreement_pk=disagreement.pk + 1000)
    assert bu_client.get(missing).status_code == 404


def test_only_its_decision_makers_may_decline(at_sign_off, bu_client):
    review, _ = at_sign_off
    assert bu_client.get(url("sign_off_decline", review)).status_code == 403
