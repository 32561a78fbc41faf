"""The kept months of a chronology (``reviews.ChronologyMonth``, ADR 0033, issue 16): after any
change to the entries, by a service (an entry, an import, a replacing import), ``save()``,
``update()``, ``bulk_create()`` or ``delete()``, the kept months equal a fresh count, on SQLite
and PostgreSQL (the database triggers of migration ``reviews/0021``); and the timeline, the
multi-agency days and the gaps drawn from them are the ones drawn from the day groups."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguarding.reviews.chronology import selectors, services, timeline
from safeguarding.reviews.chronology.parser import ChronologyRow
from safeguarding.reviews.models import ChronologyEntry, ChronologyMonth, Review

from .chronology_support import (  # noqa: F401 (fixtures)
    GOOD_ROWS,
    csv_bytes,
    entry,
    health_fixture,
    review_fixture,
)
from .test_chronology_duplicates import import_file

pytestmark = pytest.mark.django_db

D = datetime.date


def _fresh(review) -> dict[tuple[datetime.date, int], tuple[int, int]]:
    """Counted now from the entries still in the chronology: (month, agency) → (entries, bits)."""
    fresh: dict[tuple[datetime.date, int], tuple[int, int]] = {}
    for day, agency_id in ChronologyEntry.objects.filter(review=review, archived_at__isnull=True)\
            .values_list("occurred_on", "agency_id"):  # fmt: skip
        key = (day.replace(day=1), agency_id)
        count, bits = fresh.get(key, (0, 0))
        fresh[key] = (count + 1, bits | 1 << (day.day - 1))
    return fresh


def _kept(review) -> dict[tuple[datetime.date, int], tuple[int, int]]:
    return {
        (month, agency_id): (count, bits)
        for month, agency_id, count, bits in ChronologyMonth.objects.filter(
            review=review
        ).values_list("month", "agency_id", "entries", "days")
    }


def assert_kept(review):
    assert _kept(review) == _fresh(review)


def _new_entry(review, agency, day, user, n=0):
    return ChronologyEntry(
        review=review,
        agency=agency,
        occurred_on=day,
        event=f"Contact {n}",
        significance="routine",
        entered_by=user,
    )


@pytest.fixture
def other_review(review, business_unit_user):
    return Review.objects.create(
        partnership=review.partnership,
        case=review.case,
        kind=Review.Kind.LCSPR,
        stage=Review.Stage.AGENCY_REPORTS,
        reference="RV2026-00043",
        title="Child A again",
        started_on=timezone.localdate(),
        created_by=business_unit_user,
    )


def test_the_kept_months_equal_a_fresh_count_after_every_kind_of_change(
    review, other_review, agency, health, business_unit_user
):
    user = business_unit_user
    assert_kept(review)  # nothing yet
    # One entry at a time (save), on the first and the last day a month can have.
    first = entry(review, agency, D(2025, 1, 1), user)
    last = entry(review, agency, D(2025, 1, 31), user)
    entry(review, health, D(2025, 1, 31), user)
    assert_kept(review)
    assert _kept(review)[(D(2025, 1, 1), agency.pk)] == (2, 1 | 1 << 30)
    # The service: one entry typed in the browser; a file; the same file again, replacing.
    services.chronology_entry_add(
        review=review,
        agency=agency,
        row=ChronologyRow(D(2025, 2, 14), None, False, (), "A call"),
        actor=user,
    )
    assert_kept(review)
    import_file(review, agency, user, csv_bytes(GOOD_ROWS))
    assert_kept(review)
    import_file(review, agency, user, csv_bytes(GOOD_ROWS), on_duplicates=services.REPLACE)
    assert ChronologyEntry.objects.filter(review=review, archived_at__isnull=False).exists()
    assert_kept(review)
    # bulk_create, as the bench generator and the import write.
    ChronologyEntry.objects.bulk_create(
        [
            _new_entry(review, health, D(2024, 12, 1) + datetime.timedelta(days=n), user, n)
            for n in range(70)
        ]
    )
    assert_kept(review)
    # Edits: a day in another month, another agency, both, archived and back (save()).
    first.occurred_on = D(2025, 3, 15)
    first.save()
    assert_kept(review)
    first.agency = health
    first.save()
    assert_kept(review)
    last.archived_at = timezone.now()
    last.save()
    assert_kept(review)
    last.archived_at = None
    last.save()
    assert_kept(review)
    # update(): days moved, rows archived and back, a row moved to another review.
    ChronologyEntry.objects.filter(review=review, agency=health, occurred_on__lt=D(2025, 1, 1))\
        .update(occurred_on=D(2023, 6, 30))  # fmt: skip
    assert_kept(review)
    ChronologyEntry.objects.filter(review=review, occurred_on__month=2).update(
        archived_at=timezone.now()
    )
    assert_kept(review)
    ChronologyEntry.objects.filter(review=review).update(archived_at=None)
    assert_kept(review)
    ChronologyEntry.objects.filter(pk=first.pk).update(review=other_review)
    assert_kept(review)
    assert_kept(other_review)
    # Deletes: one row, then rows of a queryset (their people with them).
    last.delete()
    assert_kept(review)
    ChronologyEntry.objects.filter(review=review, agency=health).delete()
    assert_kept(review)
    # The review deleted: its entries and kept months go with it.
    ChronologyEntry.objects.filter(review=other_review).delete()
    assert_kept(other_review)
    assert not _kept(other_review)


def _random_chronology(review, agencies, user, *, seed: int, entries: int, years: int):
    rng = random.Random(seed)
    start = D(2019, 1, 1)
    rows = []
    for n in range(entries):
        day = start + datetime.timedelta(days=rng.randrange(years * 365))
        if D(2020, 3, 1) <= day < D(2020, 8, 1):  # a long gap
            continue
        rows.append(_new_entry(review, rng.choice(agencies), day, user, n))
    ChronologyEntry.objects.bulk_create(rows)


@pytest.mark.parametrize("max_marks", [5, 40, 150, 400, 2_000])
def test_the_timeline_from_the_kept_months_is_the_one_from_the_day_groups(
    review, agency, health, business_unit_user, max_marks
):
    """Whatever level the marks are drawn at, the kept months choose it as ``_binned`` does; at
    the month level they give the same summary and the same SVG, byte for byte."""
    _random_chronology(review, [agency, health], business_unit_user, seed=16, entries=600,
                       years=3)  # fmt: skip
    assert_kept(review)
    kept = selectors.kept_months(review=review, scope=None)
    assert [a.name for a in kept.agencies] == sorted([agency.name, health.name])
    lanes = [(a.pk, a.name) for a in kept.agencies]
    qs = selectors.entries(review=review, scope=None, filters=selectors.Filters())
    live = selectors.summary(qs)
    unit, _binned = timeline._binned(live.groups, max_marks)
    assert timeline.Months(kept.rows).unit(max_marks) == unit
    made = selectors.kept_summary(kept, filters=selectors.Filters(), max_marks=max_marks)
    if unit != "month":
        assert made is None  # the page reads the day groups
        return
    assert made is not None
    assert (made.total, made.first, made.last) == (live.total, live.first, live.last)
    assert set(made.multi_agency_days) == live.multi_agency_days
    assert len(made.multi_agency_days) == len(live.multi_agency_days)
    day = live.first
    while day <= live.last:
        assert (day in made.multi_agency_days) == (day in live.multi_agency_days)
        day += datetime.timedelta(days=1)
    for gap_days in (1, 3, 10, 28, 29, 30, 60, 90, 400):
        made_gaps = selectors.kept_summary(
            kept, filters=selectors.Filters(gap_days=gap_days), max_marks=max_marks
        )
        assert made_gaps is not None
        assert made_gaps.gaps == selectors.summary(qs, gap_days=gap_days).gaps, gap_days
    drawn = timeline.draw(
        agencies=lanes,
        months=made.months,
        gaps=made.gaps,
        multi_agency_days=made.multi_agency_days,
        max_marks=max_marks,
    )
    expected = timeline.draw(
        agencies=lanes,
        groups=live.groups,
        gaps=live.gaps,
        multi_agency_days=live.multi_agency_days,
        max_marks=max_marks,
    )
    assert drawn == expected


def test_the_kept_months_answer_the_agency_filter_and_the_contributors_scope_only(
    review, agency, health, business_unit_user
):
    _random_chronology(review, [agency, health], business_unit_user, seed=3, entries=200,
                       years=2)  # fmt: skip
    kept = selectors.kept_months(review=review, scope={agency.pk})
    assert [a.pk for a in kept.agencies] == [agency.pk]
    assert {row[1] for row in kept.rows} == {agency.pk}
    assert selectors.kept_months(review=review, scope=set()).rows == []
    whole = selectors.kept_months(review=review, scope=None)
    one = selectors.kept_summary(whole, filters=selectors.Filters(agency_id=health.pk), max_marks=5)
    qs = selectors.entries(
        review=review, scope=None, filters=selectors.Filters(agency_id=health.pk)
    )
    assert one is not None and one.total == qs.count() and not one.multi_agency_days
    for filters in (
        selectors.Filters(person_id=1),
        selectors.Filters(date_from=D(2019, 6, 1)),
        selectors.Filters(date_to=D(2019, 6, 1)),
        selectors.Filters(significance="key"),
    ):
        assert selectors.kept_summary(whole, filters=filters, max_marks=5) is None


def test_a_long_chronology_is_drawn_from_the_kept_months_on_the_page(
    bu_client, review, agency, health, business_unit_user
):
    """More than 2,000 (week, agency) marks: the page draws by month from the kept months, one
    query fewer (no grouped read of the entries), and the SVG is the one the day groups give."""
    ChronologyEntry.objects.bulk_create(
        [_new_entry(review, agency if n % 2 else health, D(2000, 1, 3) + datetime.timedelta(
            days=7 * (n // 2) + n % 3), business_unit_user, n) for n in range(2_010)]
    )  # fmt: skip
    assert_kept(review)
    url = reverse("reviews:chronology", args=[review.partnership.slug, review.pk])
    with CaptureQueriesContext(connection) as queries:
        page = bu_client.get(url).content.decode()
    assert not any("GROUP BY" in q["sql"] and "chronologyentry" in q["sql"] for q in queries)
    # 13 for a chronology drawn by day or week (test_chronology): here the agencies and the
    # timeline come from one read of the kept months.
    assert len(queries) == 12
    qs = selectors.entries(review=review, scope=None, filters=selectors.Filters())
    live = selectors.summary(qs)
    expected = timeline.draw(
        agencies=sorted([(agency.pk, agency.name), (health.pk, health.name)], key=lambda a: a[1]),
        groups=live.groups,
        gaps=live.gaps,
        multi_agency_days=live.multi_agency_days,
    )
    assert expected is not None and expected.binned_by == "month"
    assert expected.svg in page
    assert "2,010 entries" in page or "2010 entries" in page
