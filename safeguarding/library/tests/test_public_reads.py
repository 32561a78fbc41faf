"""The library's public record page and JSON pages read with SQL built once (issue 16): the same
records, fields and themes as the ORM's reads they replaced, and the same 404s."""

import pytest
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from safeguarding.actions.models import Theme
from safeguarding.library import selectors
from safeguarding.library.models import LibraryRecord

from .search_support import make_record

pytestmark = pytest.mark.django_db

THEMES = ["Neglect", "Self-neglect and hoarding", "Parental substance misuse", "Domestic abuse"]


def _orm_record(partnership, pk):
    """The ORM's read the public record page made before."""
    return (
        selectors.record_list_public(partnership=partnership)
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("facet", "name")))
        .select_related("publication")
        .get(pk=pk)
    )


def _orm_page(partnership, page, size=selectors.JSON_PAGE_SIZE):
    records = selectors.record_list_public(partnership=partnership).order_by("pk")
    start = (page - 1) * size
    themed = records.prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("facet", "name"))
    )
    return list(themed[start : start + size]), records.count()


def _fields(record):
    values = {f.attname: getattr(record, f.attname) for f in LibraryRecord._meta.concrete_fields}
    return values, [theme.pk for theme in record.themes.all()]


def _library(partnership, other_partnership, count=60):
    """Public records among ones that are not public or taken out, each with some themes, and
    another partnership's records in between (their ids interleave)."""
    records = []
    for n in range(count):
        records.append(
            make_record(
                partnership,
                title=f"A fictional review {n}",
                themes=THEMES[n % 4 : n % 4 + 1 + n % 3],
                is_public=n % 5 != 3,
                archived_at=timezone.now() if n % 11 == 7 else None,
                index=False,
            )
        )
        if n % 6 == 0:
            make_record(other_partnership, title=f"Elsewhere {n}", themes=THEMES[:2], index=False)
    return records


def test_a_public_record_is_read_as_the_orm_read_it(partnership, other_partnership):
    records = _library(partnership, other_partnership, count=12)
    for record in records:
        try:
            expected = _orm_record(partnership, record.pk)
        except LibraryRecord.DoesNotExist:
            with pytest.raises(Http404):
                selectors.record_get_public(partnership=partnership, pk=record.pk)
            continue
        found = selectors.record_get_public(partnership=partnership, pk=record.pk)
        assert _fields(found) == _fields(expected)
        assert found.publication == expected.publication
        assert found.partnership == partnership


@pytest.mark.parametrize("pk", [0, -1, 2**31, 2**63, 10**30])
def test_no_record_is_a_404(partnership, pk):
    with pytest.raises(Http404):
        selectors.record_get_public(partnership=partnership, pk=pk)


def test_another_partnerships_record_is_a_404(partnership, other_partnership):
    elsewhere = make_record(other_partnership, title="Elsewhere", index=False)
    with pytest.raises(Http404):
        selectors.record_get_public(partnership=partnership, pk=elsewhere.pk)


def test_the_json_pages_are_the_orm_pages(partnership, other_partnership):
    _library(partnership, other_partnership)
    for page in range(1, 5):
        found, count = selectors.record_list_public_page(partnership=partnership, page=page)
        expected, expected_count = _orm_page(partnership, page)
        assert count == expected_count
        assert [_fields(record)[0] for record in found] == [_fields(r)[0] for r in expected]
        assert [record.theme_names for record in found] == [
            [theme.name for theme in r.themes.all()] for r in expected
        ]
    assert selectors.record_list_public_page(partnership=partnership, page=999_999)[1] == count
    smaller = selectors.record_list_public_page(partnership=partnership, page=2, page_size=7)
    expected, expected_count = _orm_page(partnership, 2, size=7)
    assert [(_fields(r)[0], r.theme_names) for r in smaller[0]] == [
        (_fields(r)[0], [theme.name for theme in r.themes.all()]) for r in expected
    ]


def test_an_empty_library_has_no_json_records(partnership):
    assert selectors.record_list_public_page(partnership=partnership, page=1) == ([], 0)


def _orm_in_order(partnership, ids, public_only):
    records = (
        selectors.record_list_public(partnership=partnership)
        if public_only
        else selectors.record_list_live(partnership=partnership)
    )
    found = {record.pk: record for record in records.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


@pytest.mark.parametrize("public_only", [True, False])
def test_records_found_by_a_search_are_read_in_its_order(
    partnership, other_partnership, public_only
):
    records = _library(partnership, other_partnership, count=40)
    elsewhere = LibraryRecord.objects.filter(partnership=other_partnership).first()
    ids = [r.pk for r in reversed(records)]
    for wanted in (
        [],
        ids[:1],
        ids[:5],
        [*ids[3:8], elsewhere.pk, 10**9],
        ids[:25],
        ids[:26],
        ids,
        [ids[0], ids[1], ids[0]],
    ):
        found = selectors.records_in_order(
            partnership=partnership, ids=wanted, public_only=public_only
        )
        expected = _orm_in_order(partnership, wanted, public_only)
        assert [_fields(r)[0] for r in found] == [_fields(r)[0] for r in expected]
