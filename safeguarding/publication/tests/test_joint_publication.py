"""One publication of a joint review (ADR 0022): published by the partnership that holds the
case, listed on the partner's public pages too when the share grants it, under the review type
the partner decided."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.tests.factories import PartnershipFactory
from safeguarding.publication.models import Publication
from safeguarding.referrals.tests.share_support import joint_case
from safeguarding.reviews.models import Review

pytestmark = pytest.mark.django_db


def _publish(joint) -> Publication:
    today = timezone.localdate()
    review = Review.objects.create(
        partnership=joint.board,
        case=joint.case,
        kind=Review.Kind.JOINT,
        stage=Review.Stage.SIGNED_OFF,
        signed_off_at=timezone.now(),
        reference="JR-1",
        title="Adult J",
        started_on=today - datetime.timedelta(days=200),
    )
    publish_on = today - datetime.timedelta(days=5)
    return Publication.objects.create(
        partnership=joint.board,
        review=review,
        review_type="sar",
        title="Joint SAR and DHR: Adult J",
        reviewer_names="A Fictional Reviewer",
        status="published",
        publish_on=publish_on,
        published_at=timezone.now(),
        earliest_removal_on=publish_on + datetime.timedelta(days=366),
    )


def test_one_publication_is_listed_on_both_partnerships_public_pages():
    joint = joint_case()
    publication = _publish(joint)
    for partnership in (joint.board, joint.csp):
        page = Client().get(reverse("public_site:reviews", args=[partnership.slug]))
        assert page.status_code == 200
        assert "Joint SAR and DHR: Adult J" in page.content.decode(), partnership
        detail = Client().get(reverse("published:detail", args=[partnership.slug, publication.pk]))
        assert detail.status_code == 200
    # On the CSP's page it is listed with its Domestic Homicide Reviews, the type it decided.
    from safeguarding.publication.public_selectors import published_by_type

    sections = published_by_type(partnership=joint.csp, today=timezone.localdate())
    assert [(s["type"], [i.pk for i in s["items"]]) for s in sections] == [
        ("dhr", [publication.pk])
    ]
    assert Publication.objects.count() == 1


def test_a_share_without_publication_or_not_accepted_lists_nothing_on_the_partners_page():
    for joint in (joint_case(grants_publication=False),):
        publication = _publish(joint)
        page = Client().get(reverse("public_site:reviews", args=[joint.csp.slug]))
        assert "Adult J" not in page.content.decode()
        detail = Client().get(reverse("published:detail", args=[joint.csp.slug, publication.pk]))
        assert detail.status_code == 404


def test_an_offer_not_yet_accepted_and_another_partnership_list_nothing():
    joint = joint_case(accept=False)
    publication = _publish(joint)
    other = PartnershipFactory()
    for partnership in (joint.csp, other):
        detail = Client().get(reverse("published:detail", args=[partnership.slug, publication.pk]))
        assert detail.status_code == 404
