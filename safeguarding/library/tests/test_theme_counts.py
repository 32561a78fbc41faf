"""The themes page's kept counts (issue 16, ADR 0036): database triggers move a partnership's
version on whenever a row the figures read changes, whoever writes it (a service, ``update()``,
a queryset ``delete()``), and the page counts again only then. Kept or not, the figures equal a
fresh count. Run on SQLite and on PostgreSQL (the triggers are written for each)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.actions import services as action_services
from safeguarding.actions.models import Theme
from safeguarding.actions.tests.support import signed_off_review
from safeguarding.library import selectors
from safeguarding.library.models import LibraryRecord, ThemeCounts
from safeguarding.publication.models import Publication
from safeguarding.reviews.models import Finding, Review

from .pages_support import add_record, published_review, shared_themes

pytestmark = pytest.mark.django_db


def _kept(partnership) -> ThemeCounts | None:
    return ThemeCounts.objects.filter(partnership=partnership).first()


def _fresh(partnership) -> bool:
    kept = _kept(partnership)
    return kept is not None and kept.version == kept.counted_version


def _page_counts_equal_a_fresh_count(partnership) -> None:
    figures = selectors.themes_by_year(partnership=partnership)
    assert _fresh(partnership)
    expected = selectors.count_theme_years(partnership)
    assert _kept(partnership).counts == expected
    shown = {(row.theme_id, year): n for row in figures.rows for year, n in row.cells if n}
    assert shown == {(theme_id, year): n for theme_id, year, n in expected}


def test_every_change_to_what_the_figures_read_is_counted_on_the_next_request(
    partnership, other_partnership, business_unit_user, sample_pdf
):
    neglect, hoarding, strangulation = shared_themes(
        "Neglect", "Self-neglect and hoarding", "Non-fatal strangulation"
    )
    first = add_record(
        partnership, business_unit_user, year=2019, published_on=None, themes=[neglect]
    )
    _page_counts_equal_a_fresh_count(partnership)
    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    finding, second_finding = review.findings.all()[:2]

    def changed(change) -> None:
        assert _fresh(partnership)
        change()
        assert not _fresh(partnership), change.__doc__
        _page_counts_equal_a_fresh_count(partnership)

    def record_added():
        """a record added through the service"""
        add_record(
            partnership,
            business_unit_user,
            year=2021,
            published_on=None,
            themes=[neglect, hoarding],
        )

    def record_year_moved():
        """a record's year changed by update()"""
        LibraryRecord.objects.filter(pk=first.pk).update(year=2020)

    def record_themes_changed():
        """a record's themes changed (the link table)"""
        first.themes.set([hoarding])

    def finding_tagged():
        """a finding's themes set through the service"""
        action_services.finding_themes_set(
            finding=finding, actor=business_unit_user, themes=[neglect, strangulation]
        )

    def second_finding_tagged():
        """another finding of the same review with the same theme (counted once)"""
        action_services.finding_themes_set(
            finding=second_finding, actor=business_unit_user, themes=[neglect]
        )

    def finding_moved_in_time():
        """the moment a finding was written changed by update()"""
        Finding.objects.filter(pk=finding.pk).update(
            created_at=timezone.make_aware(datetime.datetime(2018, 6, 1, 12))
        )

    def finding_untagged():
        """a finding's theme link deleted by a queryset delete()"""
        Theme.findings.through.objects.filter(finding=finding, theme=strangulation).delete()

    def record_archived():
        """a record archived by update()"""
        LibraryRecord.objects.filter(pk=first.pk).update(archived_at=timezone.now())

    def review_published():
        """a review published: it becomes a library record, its findings are no longer counted"""
        published_review(partnership, business_unit_user, sample_pdf)

    def record_unlinked():
        """a record no longer linked to its publication"""
        record = LibraryRecord.objects.filter(
            partnership=partnership, publication__isnull=False
        ).get()
        LibraryRecord.objects.filter(pk=record.pk).update(publication=None)

    def review_moved():
        """a review moved to another partnership"""
        Review.objects.filter(pk=review.pk).update(partnership=other_partnership)

    def review_moved_back():
        """and back"""
        Review.objects.filter(pk=review.pk).update(partnership=partnership)

    def finding_deleted():
        """a finding deleted"""
        Finding.objects.filter(pk=second_finding.pk).delete()

    def record_deleted():
        """a record deleted"""
        LibraryRecord.objects.filter(pk=first.pk).delete()

    for change in (
        record_added,
        record_year_moved,
        record_themes_changed,
        finding_tagged,
        second_finding_tagged,
        finding_moved_in_time,
        finding_untagged,
        record_archived,
        review_published,
        record_unlinked,
        review_moved,
        review_moved_back,
        finding_deleted,
        record_deleted,
    ):
        changed(change)


def test_a_change_to_a_column_the_figures_do_not_read_or_to_another_partnership_keeps_them(
    partnership, other_partnership, business_unit_user, sample_pdf
):
    (neglect,) = shared_themes("Neglect")
    record = add_record(
        partnership, business_unit_user, year=2019, published_on=None, themes=[neglect]
    )
    publication = published_review(partnership, business_unit_user, sample_pdf)
    selectors.themes_by_year(partnership=partnership)
    assert _fresh(partnership)

    LibraryRecord.objects.filter(pk=record.pk).update(title="Another title", summary="Changed")
    Finding.objects.filter(review=publication.review).update(title="A finding renamed")
    Publication.objects.filter(pk=publication.pk).update(title="Renamed")
    add_record(
        other_partnership, business_unit_user, year=2020, published_on=None, themes=[neglect]
    )

    assert _fresh(partnership)


def test_a_change_made_while_the_page_counts_leaves_the_kept_counts_stale(
    partnership, business_unit_user, monkeypatch
):
    """The page keeps what it counted under the version it read before counting: a change that
    commits while it counts (here made just after the count) moves the version on, so the next
    request counts again and shows it."""
    neglect, hoarding = shared_themes("Neglect", "Self-neglect and hoarding")
    add_record(partnership, business_unit_user, year=2019, published_on=None, themes=[neglect])
    count = selectors.count_theme_years

    def count_then_change(of):
        counted = count(of)
        add_record(partnership, business_unit_user, year=2020, published_on=None, themes=[hoarding])
        return counted

    monkeypatch.setattr(selectors, "count_theme_years", count_then_change)
    before = selectors.themes_by_year(partnership=partnership)
    monkeypatch.undo()

    assert not _fresh(partnership)
    assert before.years == [2019]
    after = selectors.themes_by_year(partnership=partnership)
    assert after.years == [2019, 2020]
    _page_counts_equal_a_fresh_count(partnership)


def test_the_kept_counts_cost_two_queries_and_a_change_five(
    partnership, business_unit_user, django_assert_num_queries
):
    neglect, hoarding = shared_themes("Neglect", "Self-neglect and hoarding")
    for year in range(2012, 2027):
        add_record(
            partnership,
            business_unit_user,
            year=year,
            published_on=None,
            themes=[neglect, hoarding],
        )
    with django_assert_num_queries(5):  # the kept row, the two counts, keeping them, the themes
        selectors.themes_by_year(partnership=partnership, years_shown=5)
    with django_assert_num_queries(2):  # the kept row, the themes
        figures = selectors.themes_by_year(partnership=partnership, years_shown=5, page=2)
    assert figures.years == [2017, 2018, 2019, 2020, 2021]
    with django_assert_num_queries(2):
        selectors.themes_by_year(partnership=partnership, facet="practice")


@pytest.mark.parametrize("count", [2, 30])
def test_the_themes_page_makes_the_same_queries_whatever_the_library(
    bu_client, partnership, business_unit_user, django_assert_num_queries, count
):
    (neglect,) = shared_themes("Neglect")
    for n in range(count):
        add_record(
            partnership, business_unit_user, year=1990 + n, published_on=None, themes=[neglect]
        )
    url = reverse("library:themes", args=[partnership.slug])
    assert bu_client.get(url).status_code == 200  # counts and keeps the figures
    with django_assert_num_queries(7):  # 5 of every staff page (session, user…), 2 here
        assert bu_client.get(url).status_code == 200
