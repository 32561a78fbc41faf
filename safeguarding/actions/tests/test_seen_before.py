""" "Have we seen this before?" on the action plan forms: the check shows the most similar
earlier findings and recommendations (and library records) without saving anything."""

import pytest
from django.urls import reverse

from safeguarding.actions import services
from safeguarding.reviews.models import Finding

from .support import signed_off_review

# The sentence model is on here (off elsewhere in the tests: conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.search_vectors]

EARLIER = (
    (
        "Nobody asked who else lived in the home",
        "The health visitor did not know that the mother's new partner, a man with a history "
        "of violence known to the police, had moved into the home.",
    ),
    ("Safer sleep advice was not checked", "Advice about co-sleeping was given once at birth."),
)


def test_checking_a_finding_shows_the_earlier_one_first_and_saves_nothing(
    bu_client, partnership, business_unit_user, sample_pdf
):
    earlier = signed_off_review(partnership, business_unit_user, sample_pdf, findings=EARLIER)
    current = signed_off_review(partnership, business_unit_user, sample_pdf)
    count = Finding.objects.count()
    url = reverse("actions:learning_add", args=[partnership.slug, current.pk])
    response = bu_client.post(
        url,
        {
            "kind": "finding",
            "title": "Practitioners did not ask about men living in the household",
            "text": "No one asked who lived in the home; the police knew of the partner's "
            "violence but the health visitor did not.",
            "check_similar": "1",
        },
    )
    assert response.status_code == 200
    similar = response.context["similar"]
    assert similar, "nothing similar was shown"
    first = similar[0]
    assert (first.kind, first.review_id) == ("finding", earlier.pk)
    assert first.title == EARLIER[0][0]
    html = response.content.decode()
    assert "Have we seen this before?" in html
    assert "govuk-error-summary" not in html
    # What was typed is still in the form, and nothing was saved.
    assert "Practitioners did not ask about men living in the household" in html
    assert Finding.objects.count() == count


def test_checking_a_recommendation_shows_what_happened_to_its_actions(
    bu_client, partnership, business_unit_user, agency, sample_pdf
):
    earlier = signed_off_review(partnership, business_unit_user, sample_pdf, findings=EARLIER)
    recommendation = services.recommendation_add(
        review=earlier,
        actor=business_unit_user,
        text="Health visitors should ask who lives in the home and check with the police.",
        findings=[earlier.findings.first()],
        agencies=[agency],
        scope="multi_agency",
        expected_change="Every adult in a baby's home is known.",
    )
    current = signed_off_review(partnership, business_unit_user, sample_pdf)
    response = bu_client.post(
        reverse("actions:recommendation_add", args=[partnership.slug, current.pk]),
        {
            "text": "Health visitors must ask who lives in the home and check with police.",
            "check_similar": "1",
        },
    )
    assert response.status_code == 200
    kinds = [(item.kind, item.id) for item in response.context["similar"]]
    assert ("recommendation", recommendation.pk) in kinds
    assert current.recommendations.count() == 0
