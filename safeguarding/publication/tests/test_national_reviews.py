import datetime

import pytest
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.publication.models import NationalReview


def _post(client, slug, **overrides):
    data = {
        "title": "A fictional national review about infants",
        "published_on_0": "3",
        "published_on_1": "3",
        "published_on_2": "2025",
        "url": "https://panel.example/reviews/infants",
        "summary": "Learning about the safety of babies.",
    }
    data.update(overrides)
    return client.post(reverse("publication:national_reviews", args=[slug]), data)


@pytest.mark.django_db
def test_business_unit_adds_a_national_review_and_the_public_page_lists_it(
    bu_client, client, partnership
):
    response = _post(bu_client, partnership.slug)
    assert response.status_code == 302
    review = NationalReview.objects.get()
    assert review.published_on == datetime.date(2025, 3, 3)
    assert AuditEvent.objects.filter(action="national_review.added").exists()
    html = client.get(reverse("public_site:reviews", args=[partnership.slug])).content.decode()
    assert "National reviews" in html
    assert 'href="https://panel.example/reviews/infants"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter the title of the national review"),
        ({"url": "not a url"}, "Enter a web address in the correct format"),
        ({"url": "http://panel.example/x"}, "Enter a web address that starts with https://"),
        ({"published_on_2": "2099"}, "The date published must be today or in the past"),
        ({"published_on_0": "31", "published_on_1": "2"}, "Date published must be a real date"),
    ],
)
def test_bad_national_reviews_are_refused_and_nothing_is_saved(
    bu_client, partnership, overrides, message
):
    html = _post(bu_client, partnership.slug, **overrides).content.decode()
    assert "There is a problem" in html
    assert message in html
    assert not NationalReview.objects.exists()


@pytest.mark.django_db
def test_a_national_review_taken_down_leaves_the_public_page(bu_client, client, partnership):
    _post(bu_client, partnership.slug)
    review = NationalReview.objects.get()
    bu_client.post(
        reverse("publication:national_review_remove", args=[partnership.slug, review.pk])
    )
    review.refresh_from_db()
    assert review.archived_at is not None
    html = client.get(reverse("public_site:reviews", args=[partnership.slug])).content.decode()
    assert "panel.example" not in html
