"""The library's kept facet counts (issue 16, ADR 0042): database triggers move a partnership's
version on whenever something the library with no query counts changes, whoever writes it (a
service, ``update()``, a queryset ``delete()``), and the page counts again only then. Kept or
not, the figures equal a fresh count. Run on SQLite and on PostgreSQL (the triggers are written
for each)."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from safeguarding.actions.models import Theme
from safeguarding.library import selectors
from safeguarding.library.models import FacetCounts, LibraryRecord
from safeguarding.publication.models import NationalReview

from .pages_support import add_record, shared_themes

pytestmark = pytest.mark.django_db


def _fresh(partnership) -> bool:
    kept = FacetCounts.objects.filter(partnership=partnership).first()
    return kept is not None and kept.version == kept.counted_version


def _browse(partnership, filters: dict, *, public_only: bool):
    return selectors.record_browse(
        partnership=partnership, filters=filters, public_only=public_only, offset=0, limit=20
    )


def _kept_equal_a_fresh_count(partnership) -> None:
    """The page's figures with no filter (kept) equal those of a filter that changes nothing
    (counted afresh on every request: an empty review type list is no filter, a year range
    "x" neither, but the second is counted)."""
    for public_only in (True, False):
        kept = _browse(partnership, {}, public_only=public_only)
        assert _fresh(partnership)
        counted = _browse(partnership, {"year_to": "x"}, public_only=public_only)
        assert kept[1:] == counted[1:]
        assert [r.pk for r in kept[0]] == [r.pk for r in counted[0]]


def test_every_change_to_what_the_library_counts_is_counted_on_the_next_request(
    partnership, other_partnership, business_unit_user
):
    neglect, hoarding = shared_themes("Neglect", "Self-neglect and hoarding")
    first = add_record(
        partnership, business_unit_user, year=2019, published_on=None, themes=[neglect]
    )
    national = NationalReview.objects.create(
        partnership=partnership,
        title="A national review",
        published_on=datetime.date(2021, 3, 1),
        url="https://example.org/national",
    )
    second = add_record(
        partnership, business_unit_user, year=None, published_on=None, themes=[hoarding]
    )
    LibraryRecord.objects.filter(pk=second.pk).update(national_review=national)
    _kept_equal_a_fresh_count(partnership)

    def changed(change) -> None:
        assert _fresh(partnership)
        change()
        assert not _fresh(partnership), change.__doc__
        _kept_equal_a_fresh_count(partnership)

    def record_added():
        """a record added through the service"""
        add_record(
            partnership,
            business_unit_user,
            year=2021,
            published_on=None,
            themes=[neglect, hoarding],
        )

    def column_changed(values: dict):
        def change():
            LibraryRecord.objects.filter(pk=first.pk).update(**values)

        change.__doc__ = f"a counted column changed by update(): {values}"
        return change

    def record_themes_changed():
        """a record's themes changed (the link table)"""
        first.themes.set([hoarding])

    def theme_link_deleted():
        """a theme link deleted by a queryset delete()"""
        LibraryRecord.themes.through.objects.filter(libraryrecord=first).delete()

    def national_review_taken_off():
        """a national review taken off the public page (its record leaves the public library)"""
        NationalReview.objects.filter(pk=national.pk).update(archived_at=timezone.now())

    def national_review_unlinked():
        """a record no longer linked to its national review"""
        LibraryRecord.objects.filter(pk=second.pk).update(national_review=None)

    def theme_renamed():
        """a theme renamed (its name is in every partnership's facet)"""
        Theme.objects.filter(pk=hoarding.pk).update(name="Self-neglect, hoarding")

    def record_archived():
        """a record archived by update()"""
        LibraryRecord.objects.filter(pk=first.pk).update(archived_at=timezone.now())

    def record_moved():
        """a record moved to another partnership"""
        LibraryRecord.objects.filter(pk=second.pk).update(partnership=other_partnership)

    def record_deleted():
        """a record deleted"""
        LibraryRecord.objects.filter(pk=first.pk).delete()

    for change in (
        record_added,
        *(
            column_changed(values)
            for values in (
                {"year": 2020},
                {"review_type": "cspr"},
                {"age_group": "child"},
                {"publisher": "Another board"},
                {"is_public": False},
                {"is_public": True},
            )
        ),
        record_themes_changed,
        theme_link_deleted,
        national_review_taken_off,
        national_review_unlinked,
        theme_renamed,
        record_archived,
        record_moved,
        record_deleted,
    ):
        changed(change)


def test_a_change_to_a_column_not_counted_or_to_another_partnership_keeps_them(
    partnership, other_partnership, business_unit_user
):
    (neglect,) = shared_themes("Neglect")
    record = add_record(partnership, business_unit_user, themes=[neglect])
    national = NationalReview.objects.create(
        partnership=partnership,
        title="A national review",
        published_on=datetime.date(2021, 3, 1),
        url="https://example.org/national",
    )
    _browse(partnership, {}, public_only=True)
    assert _fresh(partnership)

    LibraryRecord.objects.filter(pk=record.pk).update(
        title="Another title", summary="Changed", published_on=datetime.date(2020, 1, 1)
    )
    NationalReview.objects.filter(pk=national.pk).update(archived_at=timezone.now())  # no record
    Theme.objects.filter(pk=neglect.pk).update(name="Neglect")  # the same name
    add_record(other_partnership, business_unit_user, themes=[neglect])

    assert _fresh(partnership)


def test_a_change_made_while_the_page_counts_leaves_the_kept_counts_stale(
    partnership, business_unit_user, monkeypatch
):
    """What was counted is kept under the version read before counting: a change committed
    while counting (here just after) moves the version on, so the next request counts again."""
    add_record(partnership, business_unit_user, year=2019, published_on=None)
    count = selectors.count_facets

    def count_then_change(of):
        counted = count(of)
        add_record(partnership, business_unit_user, year=2020, published_on=None)
        return counted

    monkeypatch.setattr(selectors, "count_facets", count_then_change)
    _records, before, _facets = _browse(partnership, {}, public_only=True)
    monkeypatch.undo()

    assert before == 1 and not _fresh(partnership)
    _records, after, _facets = _browse(partnership, {}, public_only=True)
    assert after == 2
    _kept_equal_a_fresh_count(partnership)


@pytest.mark.parametrize("count", [2, 30])
def test_the_public_library_makes_the_same_queries_whatever_its_size(
    client, partnership, business_unit_user, django_assert_num_queries, settings, count
):
    settings.PUBLIC_CONTENT_VERSION_READ_SECONDS = 0  # the version read on every request
    for n in range(count):
        add_record(
            partnership,
            business_unit_user,
            title=f"Review {n}",
            year=1990 + n % 25,
            published_on=None,
        )
    url = reverse("library_public:search", args=[partnership.slug])
    # version (ADR 0023), partnership, the page, the kept row, 4 counts, keeping them
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
    # Another request for the same page would come from the public page cache: a new page.
    with django_assert_num_queries(4):  # version, partnership, the page, the kept row
        assert client.get(url, {"page": "2"}).status_code == 200


@pytest.mark.parametrize("public", [True, False])
def test_the_first_page_is_read_through_the_index_in_its_order(
    partnership, business_unit_user, public
):
    """The library with no query stops at its page instead of sorting every record (issue 16):
    on SQLite the plan names ``library_browse_order`` and sorts nothing; the page is the ORM's
    order either way."""
    from django.db import connection

    for n in range(30):
        year = None if n % 5 == 0 else 2000 + n % 4
        add_record(
            partnership,
            business_unit_user,
            title=f"Review {n % 7}",
            year=year,
            published_on=None if year is None or n % 3 == 0 else datetime.date(year, 1 + n % 12, 1),
            is_public=n % 6 != 1,
        )
    base = (
        selectors.record_list_public(partnership=partnership)
        if public
        else selectors.record_list_live(partnership=partnership)
    )
    order = (F("year").desc(nulls_last=True), F("published_on").desc(nulls_last=True), "title")
    expected = list(base.order_by(*order, "pk").values_list("pk", flat=True))
    for offset in (0, 20):
        records, _total, _facets = selectors.record_browse(
            partnership=partnership, filters={}, public_only=public, offset=offset, limit=20
        )
        assert [r.pk for r in records] == expected[offset : offset + 20]
    if connection.vendor == "sqlite":
        page = base.only(*selectors.RESULT_COLUMNS).order_by(*order, "pk")[:20]
        sql, params = page.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "library_browse_order" in plan and "TEMP B-TREE" not in plan, plan
