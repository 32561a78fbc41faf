"""A review sign-off says in what capacity it was given (issue 14 §2, docs/rules.md
§partnership-roles): the Lead Safeguarding Partner signing for the local authority, on the
record, the sign-off page and in the audit."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.partnership_roles import services as role_services
from safeguarding.audit.models import AuditEvent
from safeguarding.reviews.models import ReviewSignature
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.tests.review_support import make_lcspr
from safeguarding.reviews.tests.test_sign_off import ready_for_sign_off

pytestmark = pytest.mark.django_db


def test_a_lead_signing_off_is_recorded_as_the_lead(partnership, business_unit_user, sample_pdf):
    review, makers = make_lcspr(partnership, business_unit_user)
    review = ready_for_sign_off(review, business_unit_user, sample_pdf)
    lead_user = makers["Local authority"]
    role_services.partnership_role_record(
        partnership=partnership,
        actor=business_unit_user,
        kind="lead",
        statutory_partner="local_authority",
        person_name=lead_user.full_name,
        job_title="Chief Executive",
        user=lead_user,
        starts_on=datetime.date(2024, 4, 1),
    )
    review_services.review_sign(review=review, user=lead_user)
    signature = ReviewSignature.objects.get(user=lead_user)
    assert signature.role_kind == "lead"
    assert signature.signed_as == "Lead Safeguarding Partner for the local authority"
    event = AuditEvent.objects.get(action="review.signed", actor=lead_user)
    assert event.payload["signed_as"] == signature.signed_as
    client = Client()
    client.force_login(business_unit_user)
    page = client.get(
        reverse("reviews:sign_off", kwargs={"slug": partnership.slug, "pk": review.pk})
    )
    assert "Signed as Lead Safeguarding Partner for the local authority" in page.content.decode()
