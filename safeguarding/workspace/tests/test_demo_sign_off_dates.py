"""The demo's signed-off reviews have their sign-off dates (issue 17): no published review
shows as still ongoing in the annual figures (R24)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import User
from safeguarding.reports import selectors as reports
from safeguarding.reviews.models import Review


def financial_year_of(day) -> reports.FinancialYear:
    return reports.FinancialYear(day.year if day.month >= 4 else day.year - 1)


@pytest.mark.django_db
def test_every_demo_review_at_sign_off_has_its_date_and_counts_as_concluded():
    from safeguarding.workspace.management.commands.load_demo import load_demo

    load_demo()
    signed_off = Review.objects.filter(stage=Review.Stage.SIGNED_OFF)
    assert signed_off.exists()
    assert not signed_off.filter(signed_off_at__isnull=True).exists()
    published = list(
        signed_off.filter(publication__status="published").select_related("partnership")
    )
    assert len(published) >= 3
    today = timezone.localdate()
    client = Client()
    client.force_login(User.objects.get(email="business.unit@riverton.example"))
    for review in published:
        signed_on = timezone.localdate(review.signed_off_at)
        publication = review.publication
        assert signed_on <= min(publication.publish_on, today)
        year = financial_year_of(signed_on)
        url = reverse("reports:annual", args=[review.partnership.slug])
        page = client.get(url + f"?year={year.start_year}").content.decode()
        concluded, ongoing = page.split('<h2 class="govuk-heading-m">Reviews still ongoing at', 1)
        assert f"{review.reference} {review.title}" in concluded
        assert review.reference not in ongoing.split("<h2", 1)[0]  # the ongoing section only
        # Nor ongoing in any later year, this one included.
        for start_year in range(year.start_year, financial_year_of(today).start_year + 1):
            figures = reports.annual_figures(
                partnership=review.partnership,
                year=reports.FinancialYear(start_year),
                today=today,
            )
            assert review not in figures.reviews_ongoing
