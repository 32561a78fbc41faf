"""The demo's Home Office panel history (a DHR returned for changes and sent again), the
partnership's own marker set and the national returns of its signed-off SARs: all fictional,
made through the real services, and shown on their pages."""

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.models import User
from safeguarding.publication.models import HomeOfficeSubmission
from safeguarding.reviews.models import LocalMarkerSet, NationalReturn, Review
from safeguarding.workspace.demo_home_office import HOME_OFFICE_REFERENCE


@pytest.mark.django_db
def test_the_demo_shows_a_dhr_returned_by_the_panel_and_sent_again():
    from safeguarding.workspace.management.commands.load_demo import load_demo

    load_demo()
    review = Review.objects.get(reference=HOME_OFFICE_REFERENCE)
    publication = review.publication
    first, second = publication.home_office_submissions.order_by("number")
    assert first.outcome == HomeOfficeSubmission.Outcome.RESUBMIT
    assert first.reasons == ["equality_diversity", "victim_voice"]
    assert first.letter and first.letter_kind == "pdf"
    assert not second.outcome

    marker_set = LocalMarkerSet.objects.get()
    assert marker_set.partnership.slug == "riverton-safeguarding"
    assert marker_set.markers.count() == 4
    returns = NationalReturn.objects.filter(review__partnership=marker_set.partnership)
    assert returns.exists() and {r.scheme for r in returns} == {"sar"}

    client = Client()
    client.force_login(User.objects.get(email="business.unit@riverton.example"))
    page = client.get(
        reverse(
            "publication:home_office",
            args=[publication.partnership.slug, publication.pk],
        )
    ).content.decode()
    assert "Submission 2" in page and "Awaiting the panel" in page
    assert "The victim&#x27;s voice and family involvement" in page
    listing = client.get(
        reverse("reviews:national_returns", args=["riverton-safeguarding"]),
        {"year": str(returns.first().review.signed_off_at.year - 1)},
    )
    assert listing.status_code == 200
