"""The kept triage counts (``referrals.ReferralCount``, issue 16): after any change to the
referrals, by a service, ``save()``, ``update()``, ``bulk_create()`` or ``delete()``, the kept
counts equal a fresh count by (partnership, review type, age group, status), on SQLite and
PostgreSQL (the database triggers of migration ``referrals/0026``); and the triage page's counts
read from them equal the counts of the filtered referrals."""

import pytest
from django.db.models import Count

from safeguarding.referrals import selectors
from safeguarding.referrals.models import AgeGroup, Referral, ReferralCount, Status

from .staff_support import make_referral

pytestmark = pytest.mark.django_db

KEY = ("partnership_id", "review_type", "age_group", "status")


def _fresh() -> dict[tuple, int]:
    return {
        tuple(row[k] for k in KEY): row["n"]
        for row in Referral.objects.order_by().values(*KEY).annotate(n=Count("pk"))
    }


def _kept() -> dict[tuple, int]:
    return {
        tuple(row[k] for k in KEY): row["n"]
        for row in ReferralCount.objects.filter(n__gt=0).values(*KEY, "n")
    }


def assert_kept():
    assert _kept() == _fresh()
    assert not ReferralCount.objects.filter(n__lt=0).exists()


def _live(partnership, **filters) -> dict[str, int]:
    referrals = selectors._triage_filtered(partnership=partnership, **filters)
    counts = {"all": referrals.count()}
    for status in Status.values:
        counts[status] = referrals.filter(status=status).count()
    return counts


def test_kept_counts_follow_every_kind_of_write(partnership, other_partnership):
    assert_kept()
    first = make_referral(partnership, "cspr", age_years=4)
    make_referral(partnership, "sar", age_years=70)
    make_referral(other_partnership, "cspr", age_years=16)
    assert_kept()

    first.status = Status.IN_SCREENING  # save()
    first.save()
    assert_kept()
    Referral.objects.filter(review_type="sar").update(status=Status.DECIDED)  # update()
    assert_kept()
    Referral.objects.filter(pk=first.pk).update(age_group=AgeGroup.NOT_KNOWN, review_type="dhr")
    assert_kept()
    Referral.objects.filter(pk=first.pk).update(partnership=other_partnership)  # moved
    assert_kept()
    Referral.objects.filter(pk=first.pk).update(partnership=partnership)
    Referral.objects.filter(pk=first.pk).update(reference="R-CHANGED")  # no key column: no change
    assert_kept()

    copies = []
    for n in range(3):
        copy = Referral.objects.get(pk=first.pk)
        copy.pk, copy.reference, copy.submission_key = None, f"R-COPY-{n}", None
        copy.status = [Status.NEW, Status.AWAITING_DECISION, Status.NEW][n]
        copies.append(copy)
    for copy in copies:
        copy.submission_key = Referral._meta.get_field("submission_key").get_default()
    Referral.objects.bulk_create(copies)  # bulk_create()
    assert_kept()

    Referral.objects.filter(reference__startswith="R-COPY").delete()  # a bulk delete
    assert_kept()
    Referral.objects.filter(pk=first.pk).delete()
    assert_kept()
    Referral.objects.filter(partnership=other_partnership).delete()
    assert_kept()
    # Emptied in any order (as a flush does): no negative count left behind.
    ReferralCount.objects.all().delete()
    Referral.objects.all().delete()
    assert not ReferralCount.objects.exists()


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"review_type": "cspr"},
        {"age_group": AgeGroup.ADULT},
        {"review_type": "sar", "age_group": AgeGroup.ADULT},
    ],
)
def test_the_triage_counts_equal_the_filtered_referrals(partnership, other_partnership, filters):
    for review_type, age in [("cspr", 4), ("cspr", 16), ("sar", 70), ("sar", 40), ("cspr", 30)]:
        make_referral(partnership, review_type, age_years=age)
    make_referral(other_partnership, "sar", age_years=70)
    Referral.objects.filter(review_type="sar", partnership=partnership).update(
        status=Status.IN_SCREENING
    )
    Referral.objects.filter(age_years=30).update(review_type="dhr", status=Status.DECIDED)
    counted = selectors.referral_counts_by_status(partnership=partnership, **filters)
    assert counted == _live(partnership, **filters)
    assert counted["all"] > 0 or filters
