"""End to end through the services: a signed-off review is published and the public page shows
it on the day; its file is served; a withdrawn one is not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeguarding.core.calendar import add_working_days
from safeguarding.publication import publishing
from safeguarding.reviews.tests.review_support import make_lcspr


@pytest.mark.django_db
def test_a_published_review_appears_on_the_public_page_and_its_file_is_served(
    client, partnership, business_unit_user, user_for_role, sample_pdf
):
    review, _ = make_lcspr(partnership, business_unit_user)
    review.stage = "signed_off"
    review.signed_off_at = timezone.now()
    review.save(update_fields=["stage", "signed_off_at"])
    publication = publishing.publication_start(review=review, actor=business_unit_user)
    publishing.publication_update(
        publication=publication, actor=business_unit_user, reviewer_names="Dr A Reviewer"
    )
    report = publishing.publication_file_upload(
        publication=publication,
        actor=business_unit_user,
        uploaded=SimpleUploadedFile("report.pdf", sample_pdf),
        title="Full report",
    )
    assert not report.findings.exists()
    # Eight working days back, not seven: on a weekend or bank holiday seven back and seven on
    # (R17 advance copies) land on the next working day, after today.
    sent = add_working_days(timezone.localdate(), -8)
    for kind in ("advance_copy_panel", "advance_copy_sos"):
        publishing.step_record(
            publication=publication,
            actor=business_unit_user,
            kind=kind,
            done_on=sent,
            evidence="Emailed.",
        )
    publishing.publication_publish(
        publication=publication, publish_on=timezone.localdate(), actor=business_unit_user
    )
    html = client.get(reverse("public_site:reviews", args=[partnership.slug])).content.decode()
    assert publication.title in html
    file_url = reverse("published:file", args=[partnership.slug, publication.pk, report.pk])
    assert client.get(file_url).status_code == 200

    lead = user_for_role("partner_lead")
    publishing.publication_withdraw(
        publication=publication,
        actor=lead,
        reason="A court order.",
        available_on_request=False,
    )
    assert client.get(file_url).status_code == 404
    html = client.get(reverse("public_site:reviews", args=[partnership.slug])).content.decode()
    assert publication.title not in html
    assert "There are no Child Safeguarding Practice Reviews published in the past 12" in html
