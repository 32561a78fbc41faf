"""The kept tracker counts (``actions.ActionCount``, issue 16): after any change to actions, to
their recommendations' impact or review, or to a review's kind, by ``save()``, ``update()``,
``bulk_create()`` or ``delete()``, the kept counts equal a fresh count by (partnership, owner
agency, status, review kind, impact missing), on SQLite and PostgreSQL (the database triggers
of migration ``actions/0008``)."""

import pytest
from django.db.models import BooleanField, Case, Count, F, Q, Value, When

from safeguarding.accounts.tests.factories import PartnershipFactory
from safeguarding.actions.models import Action, ActionCount, Recommendation
from safeguarding.reviews.models import Review

from .tracker_support import agency_in, build_actions, review_for

pytestmark = pytest.mark.django_db

KEY = ("partnership_id", "agency_id", "status", "review_kind", "impact_missing")


def _fresh() -> dict[tuple, int]:
    rows = (
        Action.objects.order_by()
        .annotate(
            review_kind=F("recommendation__review__kind"),
            impact_missing=Case(
                When(Q(recommendation__impact_result=""), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values(*KEY)
        .annotate(n=Count("pk"))
    )
    return {tuple(row[k] for k in KEY): row["n"] for row in rows}


def _kept() -> dict[tuple, int]:
    return {
        tuple(row[k] for k in KEY): row["n"]
        for row in ActionCount.objects.filter(n__gt=0).values(*KEY, "n")
    }


def assert_kept():
    assert _kept() == _fresh()
    assert not ActionCount.objects.filter(n__lt=0).exists()


def test_kept_counts_follow_every_kind_of_write(partnership, agency):
    partnership.agencies.add(agency)
    health = agency_in(partnership, "Testshire Health Trust", "testshire-health")
    assert_kept()
    actions = build_actions(partnership, [agency, health], 14, per_review=5)
    assert_kept()

    first = actions[0]
    first.status = Action.Status.COMPLETE  # save()
    first.save()
    assert_kept()
    Action.objects.filter(agency=health).update(status=Action.Status.AT_RISK)  # update()
    assert_kept()
    Action.objects.filter(pk=first.pk).update(agency=health)  # another owner
    assert_kept()
    other = PartnershipFactory(name="Elsewhere Safeguarding Partnership", slug="elsewhere")
    Action.objects.filter(pk=first.pk).update(partnership=other)  # moved, and back
    assert_kept()
    Action.objects.filter(pk=first.pk).update(partnership=partnership)
    Action.objects.filter(pk=first.pk).update(lead_name="Someone else")  # not a key: no change
    assert_kept()
    Action.objects.filter(pk=first.pk).update(recommendation=actions[6].recommendation, number=50)
    assert_kept()

    # The recommendation's impact recorded, changed, cleared.
    recommendation = Recommendation.objects.get(pk=actions[1].recommendation_id)
    recommendation.impact_result = "Audit: 9 in 10 shared"
    recommendation.save()
    assert_kept()
    Recommendation.objects.filter(pk=recommendation.pk).update(impact_result="Audit: all shared")
    assert_kept()
    Recommendation.objects.filter(review=recommendation.review).update(impact_result="")
    assert_kept()
    Recommendation.objects.filter(review=recommendation.review).update(impact_result="Done")
    assert_kept()

    # A recommendation moved to a review of another kind; a review's kind changed.
    adults = review_for(partnership, title="Adult Z", kind=Review.Kind.SAR)
    Recommendation.objects.filter(pk=recommendation.pk).update(review=adults, number=99)
    assert_kept()
    Review.objects.filter(pk=actions[10].recommendation.review_id).update(kind=Review.Kind.DHR)
    assert_kept()

    # Many at once, then deleted.
    copies = []
    for n, action in enumerate(actions[:4]):
        copy = Action.objects.get(pk=action.pk)
        copy.pk, copy.number = None, 60 + n
        copies.append(copy)
    Action.objects.bulk_create(copies)  # bulk_create()
    assert_kept()
    Action.objects.filter(number__gte=60).delete()
    assert_kept()
    Action.objects.filter(pk=actions[3].pk).delete()
    assert_kept()
    Action.objects.filter(agency=health).delete()
    assert_kept()
    # Emptied in any order (as a flush does): the actions deleted after their counts leave no
    # negative count behind.
    ActionCount.objects.all().delete()
    Action.objects.all().delete()
    assert not ActionCount.objects.exists()
