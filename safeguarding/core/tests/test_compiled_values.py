"""``CompiledQuery.value_rows`` and ``aggregating`` (issue 16): the rows of a ``values_list()``
and of an ``aggregate()`` from SQL built once are what the ORM gives for the same queryset,
values converted (dates, moments) as the ORM converts them, on either database."""

import datetime

import pytest
from django.db import router
from django.db.models import Count, Max, Min, Q

from safeguarding.core.compiled_sql import PARTNERSHIP_PLACEHOLDER, CompiledQuery, aggregating
from safeguarding.reviews.models import Review
from safeguarding.reviews.tests.review_support import commission, decided_case

pytestmark = pytest.mark.django_db

_PARTNERSHIP = {"partnership_id": (PARTNERSHIP_PLACEHOLDER, Review._meta.get_field("partnership"))}
_SINCE = {"since": (datetime.date(1901, 3, 4), Review._meta.get_field("started_on"))}


def _reviews(partnership_id, since):
    return Review.objects.filter(partnership=partnership_id, started_on__gte=since)


def test_value_rows_are_the_orm_s_values(partnership, other_partnership, business_unit_user):
    case, _ = decided_case(partnership, business_unit_user)
    review = commission(case, business_unit_user)
    columns = ("pk", "reference", "started_on", "created_at", "case__became_aware_on")
    query = CompiledQuery(
        lambda partnership_id, since: (
            _reviews(partnership_id, since).order_by("pk").values_list(*columns)
        ),
        {**_PARTNERSHIP, **_SINCE},
    )
    alias = router.db_for_read(Review)
    for owner, since in (
        (partnership, datetime.date(2000, 1, 1)),
        (partnership, review.started_on + datetime.timedelta(days=1)),
        (other_partnership, datetime.date(2000, 1, 1)),
    ):
        orm = list(_reviews(owner.pk, since).order_by("pk").values_list(*columns))
        compiled = query.value_rows(alias, partnership_id=owner.pk, since=since)
        assert compiled == orm
        assert [tuple(map(type, row)) for row in compiled] == [tuple(map(type, row)) for row in orm]
    assert query.read_values(partnership_id=partnership.pk, since=datetime.date(2000, 1, 1))


def test_aggregating_is_what_aggregate_gives(partnership, business_unit_user):
    case, _ = decided_case(partnership, business_unit_user)
    commission(case, business_unit_user)
    aggregates = {
        "n": lambda: Count("*"),
        "first": lambda: Min("started_on"),
        "last": lambda: Max("created_at"),
        "signed": lambda: Count("pk", filter=Q(signed_off_at__isnull=False)),
    }
    query = CompiledQuery(
        lambda partnership_id, since: aggregating(
            _reviews(partnership_id, since).order_by(), **{k: f() for k, f in aggregates.items()}
        ),
        {**_PARTNERSHIP, **_SINCE},
    )
    for since in (datetime.date(2000, 1, 1), datetime.date(2999, 1, 1)):
        orm = _reviews(partnership.pk, since).aggregate(**{k: f() for k, f in aggregates.items()})
        (row,) = query.read_values(partnership_id=partnership.pk, since=since)
        assert dict(zip(aggregates, row, strict=True)) == orm
