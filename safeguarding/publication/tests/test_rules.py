import datetime

import pytest
from django.utils import timezone

from safeguarding.core.rule_sources import rule_source
from safeguarding.publication import rules
from safeguarding.publication.models import PrePublicationStep, Publication, PublicationSettings
from safeguarding.reviews.tests.review_support import make_lcspr

TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def publication(partnership, business_unit_user):
    review, _ = make_lcspr(partnership, business_unit_user)
    review.stage = "signed_off"
    review.signed_off_at = timezone.now()
    review.save(update_fields=["stage", "signed_off_at"])
    return Publication.objects.create(
        partnership=partnership, review=review, review_type="cspr", title="Child B"
    )


def _step(publication, kind, done_on, user):
    PrePublicationStep.objects.create(
        publication=publication,
        kind=kind,
        done_on=done_on,
        evidence="Email sent.",
        rule_id="R17",
        recorded_by=user,
    )


@pytest.mark.django_db
def test_a_cspr_needs_advance_copies_to_the_panel_and_the_secretary_of_state(publication):
    assert rules.required_steps(publication) == [
        ("advance_copy_panel", "R17"),
        ("advance_copy_sos", "R17"),
    ]
    PublicationSettings.objects.update_or_create(
        partnership=publication.partnership, defaults={"advance_copy_to_ofsted": True}
    )
    assert ("advance_copy_ofsted", "R17") in rules.required_steps(publication)


@pytest.mark.django_db
def test_publication_is_refused_with_every_reason(publication):
    missing = rules.missing_for_publication(publication, None, TODAY)
    assert "Enter the name of the reviewer or reviewers: they must be published" in missing
    assert "Upload the report to publish" in missing
    assert f"Record the step ‘Advance copy to the National Panel’ ({rule_source('R17')})" in missing
    assert "Choose the publication date" in missing


@pytest.mark.django_db
def test_the_date_cannot_be_earlier_than_7_working_days_after_the_advance_copies(
    publication, business_unit_user
):
    _step(publication, "advance_copy_panel", datetime.date(2026, 12, 17), business_unit_user)
    _step(publication, "advance_copy_sos", datetime.date(2026, 12, 18), business_unit_user)
    earliest, why = rules.earliest_publish_on(publication, TODAY)
    # Friday 18 December + 7 working days over Christmas: 21-24, 29-31 December.
    assert earliest == datetime.date(2026, 12, 31)
    assert rule_source("R17") in why
    missing = rules.missing_for_publication(publication, datetime.date(2026, 12, 30), TODAY)
    assert any("cannot be before 31 December 2026" in reason for reason in missing)


def test_published_items_stay_at_least_twelve_months():
    assert rules.earliest_removal_on(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)
    assert rules.earliest_removal_on(datetime.date(2026, 3, 4)) == datetime.date(2027, 3, 4)
