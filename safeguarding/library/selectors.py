"""Reads of the learning library, scoped to one partnership (and to public records for the
public pages). Search itself is ``search.py``; these read the records a search found, the lists
and the figures of the themes view, each with a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast, Substr
from django.http import Http404

from safeguarding.accounts.models import Partnership
from safeguarding.actions.models import Theme
from safeguarding.core.compiled_sql import (
    PARTNERSHIP_PLACEHOLDER,
    PK_PLACEHOLDER,
    CompiledQuery,
    ManyToManyQuery,
    RecordQuery,
)
from safeguarding.core.pagination import CompiledList
from safeguarding.publication.models import Publication, PublicationFile, Revision

from . import permissions
from .models import (
    AgeGroup,
    FacetCounts,
    LibraryRecord,
    NationalLibrarySubmission,
    ReviewType,
    SearchTerm,
    ThemeCounts,
)

JSON_PAGE_SIZE = 25


# Records ---------------------------------------------------------------------------------------


def record_list_live(*, partnership: Partnership) -> QuerySet[LibraryRecord]:
    """The partnership's library records that have not been taken out of it."""
    return LibraryRecord.objects.filter(partnership=partnership, archived_at__isnull=True)


def record_list_public(*, partnership: Partnership) -> QuerySet[LibraryRecord]:
    """Public, live records; never a national review taken off the public page."""
    return (
        record_list_live(partnership=partnership)
        .filter(is_public=True)
        .exclude(national_review__archived_at__isnull=False)
    )


def _with_themes(records: QuerySet[LibraryRecord]) -> QuerySet[LibraryRecord]:
    return records.prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("facet", "name"))
    )


# A record's staff pages read it first: its SQL built once (ADR 0038; issue 16), its themes
# prefetched as ``_with_themes`` does.
_RECORD = RecordQuery(
    lambda: LibraryRecord.objects.select_related(
        "publication", "national_review", "national_submission"
    ),
    lambda partnership: Q(partnership=partnership, archived_at__isnull=True),
)
_RECORD_THEMES = ManyToManyQuery(LibraryRecord, "themes", order_by=("facet", "name"))


def record_get_for_user(*, user, partnership: Partnership, pk: int) -> LibraryRecord:
    """A live record of the partnership's library for its members; a record that is not public
    only for the business unit and partner leads. 404 for anyone else, whether or not it
    exists (ADR 0010)."""
    if not permissions.can_read_library(user, partnership):
        raise Http404("No such library record")
    record = _RECORD.get(partnership=partnership, pk=pk)
    if record is None:
        raise Http404("No such library record")
    _RECORD_THEMES.prefetch(record)
    if not record.is_public and not permissions.sees_non_public_records(user, partnership):
        raise Http404("No such library record")
    return record


# A record's public page reads it as ``record_list_public`` finds it, then its themes (the
# staff pages' ``_RECORD_THEMES``), each with its SQL built once (issue 16, ADR 0038).
_PARTNERSHIP_ID = (PARTNERSHIP_PLACEHOLDER, Partnership._meta.pk)
_PUBLIC_RECORD = CompiledQuery(
    lambda partnership_id, pk: (
        record_list_public(partnership=Partnership(pk=partnership_id))
        .select_related("publication")
        .filter(pk=pk)
        .order_by()
    ),
    {"partnership_id": _PARTNERSHIP_ID, "pk": (PK_PLACEHOLDER, LibraryRecord._meta.pk)},
)


def record_get_public(*, partnership: Partnership, pk: int) -> LibraryRecord:
    found = _PUBLIC_RECORD.read(partnership_id=partnership.pk, pk=pk)
    if not found:
        raise Http404("No such library record")
    record = found[0]
    _RECORD_THEMES.prefetch(record)
    # The partnership it was found in (the page links to its publication's page by its slug).
    LibraryRecord.partnership.field.set_cached_value(record, partnership)
    return record


def records_in_order(
    *, partnership: Partnership, ids: list[int], public_only: bool = False
) -> list[LibraryRecord]:
    """The records a search found, in the search's order (one query). Records that are not
    (or no longer) live, or not public when ``public_only``, are left out."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []  # as the ORM: ``pk__in=[]`` reads nothing
    values = {f"id{n}": pk for n, pk in enumerate(wanted)}
    if len(wanted) <= MAX_IDS_COMPILED:
        found_records = _records_by_ids(public_only, len(wanted)).read(
            partnership_id=partnership.pk, **values
        )
    else:
        found_records = list(_by_ids(partnership.pk, public_only, wanted))
    found = {record.pk: record for record in found_records}
    return [found[pk] for pk in ids if pk in found]


def _by_ids(partnership_id: int, public_only: bool, ids: list[int]) -> QuerySet[LibraryRecord]:
    partnership = Partnership(pk=partnership_id)
    records = (
        record_list_public(partnership=partnership)
        if public_only
        else record_list_live(partnership=partnership)
    )
    return records.filter(pk__in=ids)


# The records a search page or a record's similar reviews show, by their ids: the SQL for each
# number of ids (up to a page of results) built once (issue 16), each id a placeholder.
MAX_IDS_COMPILED = 25
_RECORDS_BY_IDS: dict[tuple[bool, int], CompiledQuery] = {}


def _records_by_ids(public_only: bool, count: int) -> CompiledQuery:
    key = (public_only, count)
    if key not in _RECORDS_BY_IDS:
        names = [f"id{n}" for n in range(count)]
        _RECORDS_BY_IDS[key] = CompiledQuery(
            lambda partnership_id, **ids: _by_ids(
                partnership_id, public_only, [ids[name] for name in names]
            ),
            {
                "partnership_id": _PARTNERSHIP_ID,
                **{
                    name: (PK_PLACEHOLDER - 10 - n, LibraryRecord._meta.pk)
                    for n, name in enumerate(names)
                },
            },
        )
    return _RECORDS_BY_IDS[key]


YEAR_RANGE = ("year_from", "year_to")


def _year_number(value) -> int | None:
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 4 else None


def _narrowed(records: QuerySet[LibraryRecord], filters: dict, skip: str = ""):
    """``records`` with the search filters applied (any of the chosen values of a facet)."""
    for name, values in filters.items():
        if name == skip or (name in YEAR_RANGE and skip == "year") or not values:
            continue
        if name in YEAR_RANGE:
            # A year range never matches a record whose year is not known.
            year = _year_number(values[0] if isinstance(values, list | tuple) else values)
            if year is not None:
                lookup = "year__gte" if name == "year_from" else "year__lte"
                records = records.filter(**{lookup: year})
        elif name in ("year", "theme"):
            numbers = [
                int(v)
                for v in values
                if str(v).isascii() and str(v).isdecimal() and len(str(v)) <= 9
            ]
            if name == "year":
                records = records.filter(year__in=numbers)
            else:
                records = records.filter(
                    pk__in=LibraryRecord.themes.through.objects.filter(theme_id__in=numbers).values(
                        "libraryrecord_id"
                    )
                )
        elif name in ("review_type", "age_group", "publisher"):
            records = records.filter(**{f"{name}__in": values})
    return records


# What a list of results shows of a record (library/rows.py), and the order's columns.
RESULT_COLUMNS = (
    "id",
    "partnership_id",
    "title",
    "review_type",
    "publisher",
    "year",
    "published_on",
    "is_public",
    "summary",
)


FACETS_COUNTED = ("review_type", "year", "age_group", "publisher")


def _browse_order(records: QuerySet[LibraryRecord]) -> QuerySet[LibraryRecord]:
    """Newest first, with only the columns the results show (issue 16): sorting whole rows,
    their full texts included, was most of the query at ten years."""
    return records.only(*RESULT_COLUMNS).order_by(
        F("year").desc(nulls_last=True),
        F("published_on").desc(nulls_last=True),
        "title",
        "pk",
    )


# The library with no filter, a page at a time: the SQL built once for the public and the staff
# library and each page size, the offset a parameter (issue 16, ADR 0038).
_BROWSE_PAGES: dict[tuple[bool, int], CompiledQuery] = {}


def _browse_page(public_only: bool, limit: int) -> CompiledQuery:
    key = (public_only, limit)
    if key not in _BROWSE_PAGES:
        listed = record_list_public if public_only else record_list_live
        _BROWSE_PAGES[key] = CompiledQuery(
            lambda partnership_id: _browse_order(
                listed(partnership=Partnership(pk=partnership_id))
            ),
            {"partnership_id": _PARTNERSHIP_ID},
            page_size=limit,
        )
    return _BROWSE_PAGES[key]


def record_browse(
    *, partnership: Partnership, filters: dict, public_only: bool, offset: int, limit: int
) -> tuple[list[LibraryRecord], int, dict]:
    """The library with no query: records matching the filters, newest first, and the facet
    counts (each facet counted over the records matching the other facets' filters), as the
    search gives them: ``{facet: [(value, label, count)]}``. With a filter, three queries:
    the page of records, the facet values of every record (counted here) and the theme counts.
    With none (the library as it opens), two: the page, read through ``library_browse_order``
    in its order, and the kept counts (``FacetCounts``, ADR 0042; five after a change)."""
    if any(filters.values()):
        base = (
            record_list_public(partnership=partnership)
            if public_only
            else record_list_live(partnership=partnership)
        )
        # Each record is given its snippet below (an attribute the model does not declare).
        records: list = list(_browse_order(_narrowed(base, filters))[offset : offset + limit])
        total, counts = _facet_counts(base, filters)
        themes = _theme_counts(_narrowed(base, filters, skip="theme"))
    else:
        # The library as it opens (and its pages): the page's SQL built once, no queryset
        # built, and the kept counts (issue 16, ADR 0042).
        records = _browse_page(public_only, limit).read(
            partnership_id=partnership.pk, offset=offset
        )
        total, counts, themes = _kept_facet_counts(partnership, public_only=public_only)
    for record in records:
        words = record.summary.split()
        record.snippet = " ".join(words[:40]) + (" …" if len(words) > 40 else "")
    facets: dict[str, list[tuple[str, str, int]]] = {}
    labels = {"review_type": dict(ReviewType.choices), "age_group": dict(AgeGroup.choices)}
    for name in FACETS_COUNTED:
        items = [
            (str(value), labels.get(name, {}).get(value, str(value)), n)
            # In the values' order, as the database grouped them (ties below keep it).
            for value, n in sorted(counts[name].items())
        ]
        if name == "year":
            items.sort(key=lambda item: item[0], reverse=True)
        elif name in labels:
            order = list(labels[name])
            items.sort(key=lambda item: order.index(item[0]) if item[0] in order else 99)
        else:
            items.sort(key=lambda item: (-item[2], item[1].lower()))
        facets[name] = items
    facets["theme"] = sorted(
        ((str(pk), name, n) for pk, name, n in themes),
        key=lambda i: (-i[2], i[1].lower()),
    )
    return records, total, facets


def count_facets(partnership: Partnership) -> dict:
    """The library's counts with no query and no filter, for the public library and the staff
    one (every live record), as ``FacetCounts.counts`` keeps them: four queries."""
    counted = {}
    for kind, records in (
        ("public", record_list_public(partnership=partnership)),
        ("live", record_list_live(partnership=partnership)),
    ):
        total, counts = _facet_counts(records, {})
        counted[kind] = {
            "total": total,
            **{name: sorted(map(list, counts[name].items())) for name in FACETS_COUNTED},
            "theme": sorted(map(list, _theme_counts(records))),
        }
    return counted


# The kept row, its SQL built once (as ``.values_list(...).first()`` read it: by its key).
_KEPT_COUNTS = CompiledQuery(
    lambda partnership_id: (
        FacetCounts.objects.filter(partnership_id=partnership_id)
        .values_list("version", "counted_version", "counts")
        .order_by("pk")[:1]
    ),
    {"partnership_id": _PARTNERSHIP_ID},
)


def _kept_facet_counts(
    partnership: Partnership, *, public_only: bool
) -> tuple[int, dict[str, Counter], list[tuple[int, str, int]]]:
    """The total, the facets' counts and the themes' of the library with no query and no
    filter: from the kept row while nothing it counted has changed (one query), else counted
    again (four) and kept under the version read before counting (ADR 0042, as ADR 0036): a
    change committed meanwhile has moved the version on, so the next request counts again. A
    GET writes here, a cache write."""
    found = _KEPT_COUNTS.read_values(partnership_id=partnership.pk)
    kept = found[0] if found else None
    if kept is not None and kept[0] == kept[1]:
        counted = kept[2]
    else:
        version = kept[0] if kept is not None else 0
        counted = count_facets(partnership)
        FacetCounts.objects.bulk_create(
            [
                FacetCounts(
                    partnership=partnership,
                    version=version,
                    counted_version=version,
                    counts=counted,
                )
            ],
            update_conflicts=True,
            unique_fields=["partnership"],
            update_fields=["counted_version", "counts"],
        )
    of = counted["public" if public_only else "live"]
    counts = {name: Counter(dict(map(tuple, of[name]))) for name in FACETS_COUNTED}
    return of["total"], counts, [tuple(theme) for theme in of["theme"]]


# The tests of _facet_counts on a row (review type, year, age group, publisher[, in theme]).
def _year_from(row: tuple, *, year: int) -> bool:
    return row[1] is not None and row[1] >= year


def _year_to(row: tuple, *, year: int) -> bool:
    return row[1] is not None and row[1] <= year


def _value_in(row: tuple, *, index: int, chosen: frozenset) -> bool:
    return row[index] in chosen


def _in_theme(row: tuple) -> bool:
    return bool(row[4])


def _facet_counts(records: QuerySet[LibraryRecord], filters: dict) -> tuple[int, dict]:
    """How many of ``records`` match every filter, and each facet's values counted over the
    records matching the other facets' filters (a year not known is no value), from one query
    of each record's facet values (issue 16: the grouped count of each facet was a query of its
    own, each reading every record). The filters are ``_narrowed``'s, tested here."""
    tests: list[tuple[str, Callable[[tuple], bool]]] = []  # (the facet it belongs to, test)
    theme_numbers: list[int] | None = None
    for name, values in filters.items():
        if not values:
            continue
        if name in YEAR_RANGE:
            year = _year_number(values[0] if isinstance(values, list | tuple) else values)
            if year is None:
                continue
            if name == "year_from":
                tests.append(("year", partial(_year_from, year=year)))
            else:
                tests.append(("year", partial(_year_to, year=year)))
        elif name in ("year", "theme"):
            numbers = [
                int(v)
                for v in values
                if str(v).isascii() and str(v).isdecimal() and len(str(v)) <= 9
            ]
            if name == "year":
                tests.append(("year", partial(_value_in, index=1, chosen=frozenset(numbers))))
            else:
                theme_numbers = numbers
                tests.append(("theme", _in_theme))
        elif name in FACETS_COUNTED:
            index = FACETS_COUNTED.index(name)
            tests.append((name, partial(_value_in, index=index, chosen=frozenset(values))))
    columns = [*FACETS_COUNTED]
    if theme_numbers:
        records = records.annotate(
            in_theme=Exists(
                LibraryRecord.themes.through.objects.filter(
                    libraryrecord_id=OuterRef("pk"), theme_id__in=theme_numbers
                )
            )
        )
        columns.append("in_theme")
    rows = list(records.values_list(*columns).order_by())
    if theme_numbers is not None and not theme_numbers:
        rows = [(*row, False) for row in rows]  # no theme asked for exists: none matches
    counts: dict[str, Counter] = {name: Counter() for name in FACETS_COUNTED}
    if not tests:  # no filter (the library as it opens): every record counts everywhere
        for i, name in enumerate(FACETS_COUNTED):
            counts[name] = Counter(map(itemgetter(i), rows))
            counts[name].pop(None, None)
        return len(rows), counts
    total = 0
    for row in rows:
        failed = {facet for facet, test in tests if not test(row)}
        if not failed:
            total += 1
        for i, name in enumerate(FACETS_COUNTED):
            if (not failed or failed == {name}) and row[i] is not None:
                counts[name][row[i]] += 1
    return total, counts


def _theme_counts(records: QuerySet[LibraryRecord]) -> list[tuple[int, str, int]]:
    """(theme id, name, count of ``records`` with it) for every theme of ``records``, in one
    query: the record-theme links are grouped by theme id first, then each theme's name is read
    once, instead of joining every link to its theme and grouping by the name too (issue 16:
    the links grow with the library, the themes hardly). The ORM cannot select from a grouped
    subquery, hence the SQL around the ORM's own."""
    grouped = (
        LibraryRecord.themes.through.objects.filter(libraryrecord__in=records)
        .values_list("theme_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    try:
        sql, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # a filter nothing can match (no query, as the ORM would do)
        return []
    quote = connection.ops.quote_name
    theme_id, theme = quote("theme_id"), quote(Theme._meta.db_table)
    columns = f"grouped.{theme_id}, {theme}.{quote('name')}, grouped.{quote('n')}"
    joined = f"{theme} ON {theme}.{quote('id')} = grouped.{theme_id}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM ({sql}) grouped INNER JOIN {joined}", params)  # noqa: S608
        return cursor.fetchall()


def record_list_public_page(
    *, partnership: Partnership, page: int, page_size: int = JSON_PAGE_SIZE
) -> tuple[list[LibraryRecord], int]:
    """One page of the public records for the JSON endpoint, oldest id first (stable while
    records are added), each with the names of its themes as ``theme_names`` (in the order of
    ``_with_themes``): (records, count of all public records).

    A page of ``JSON_PAGE_SIZE``: the page and the count in one query, then the names of the
    page's themes, each with its SQL built once (issue 16, ``CompiledList``); past the last
    page (only the count is wanted) or another size, the ORM as before."""
    if page_size == JSON_PAGE_SIZE and 1 <= page <= 999_999:  # the view takes up to 6 digits
        found = _JSON_PAGES.read_page(page, partnership_id=partnership.pk)
        if found:
            names: dict[int, list[str]] = {record.pk: [] for record in found}
            for record_id, name in _JSON_PAGE_THEMES.read_rows(
                partnership_id=partnership.pk, first=found[0].pk, last=found[-1].pk
            ):
                if record_id in names:
                    names[record_id].append(name)
            for record in found:
                record.theme_names = names[record.pk]
            return found, found[0]._rows_counted
    records = record_list_public(partnership=partnership).order_by("pk")
    count = records.count()
    start = (page - 1) * page_size
    shown = list(_with_themes(records)[start : start + page_size])
    for record in shown:
        record.theme_names = [theme.name for theme in record.themes.all()]  # type: ignore[attr-defined]
    return shown, count


_JSON_PAGES = CompiledList(
    lambda partnership_id: record_list_public(partnership=Partnership(pk=partnership_id)).order_by(
        "pk"
    ),
    {"partnership_id": _PARTNERSHIP_ID},
    per_page=JSON_PAGE_SIZE,
    count_apart=True,
)
# The names of the themes of a page's records: the partnership's theme links whose record is in
# the page's range of ids (a page is a range: oldest id first), in the order ``_with_themes``
# gives (no model made of each link and theme: issue 16).
_JSON_PAGE_THEMES = CompiledQuery(
    lambda partnership_id, first, last: (
        LibraryRecord.themes.through.objects.filter(
            libraryrecord__partnership_id=partnership_id,
            libraryrecord_id__gte=first,
            libraryrecord_id__lte=last,
        )
        .order_by("theme__facet", "theme__name")
        .values_list("libraryrecord_id", "theme__name")
    ),
    {
        "partnership_id": _PARTNERSHIP_ID,
        "first": (PK_PLACEHOLDER, LibraryRecord._meta.pk),
        "last": (PK_PLACEHOLDER - 1, LibraryRecord._meta.pk),
    },
)


def national_record_list(*, partnership: Partnership) -> QuerySet[LibraryRecord]:
    """National reviews in the library, newest first (a national review taken off the public
    page is left out)."""
    return _with_themes(
        record_list_live(partnership=partnership)
        .filter(source=LibraryRecord.Source.NATIONAL)
        .exclude(national_review__archived_at__isnull=False)
        .order_by("-published_on", "-year", "title")
    )


def record_files(*, record: LibraryRecord) -> list[PublicationFile]:
    """The files of the latest published revision of an own record's publication."""
    if record.publication_id is None:
        return []
    revision = (
        Revision.objects.filter(publication_id=record.publication_id)
        .order_by("-number")
        .prefetch_related(Prefetch("files", queryset=PublicationFile.objects.order_by("title")))
        .first()
    )
    return list(revision.files.all()) if revision is not None else []


def latest_revision(publication: Publication) -> Revision | None:
    return publication.revisions.order_by("-number").first()


def submission_for(*, record: LibraryRecord) -> NationalLibrarySubmission | None:
    try:
        return NationalLibrarySubmission.objects.select_related("sent_by").get(record=record)
    except NationalLibrarySubmission.DoesNotExist:
        return None


# Search terms ----------------------------------------------------------------------------------


def search_terms_own(*, partnership: Partnership) -> QuerySet[SearchTerm]:
    return SearchTerm.objects.filter(partnership=partnership).order_by("term")


def search_terms_shared() -> QuerySet[SearchTerm]:
    return SearchTerm.objects.filter(partnership__isnull=True).order_by("term")


def search_term_get_for_user(*, user, partnership: Partnership, pk: int) -> SearchTerm:
    """One of the partnership's own search terms, for the business unit (the only role that
    sees them); 404 for anyone else (ADR 0010)."""
    if not permissions.can_manage_library(user, partnership):
        raise Http404("No such search term")
    try:
        return search_terms_own(partnership=partnership).get(pk=pk)
    except SearchTerm.DoesNotExist:
        raise Http404("No such search term") from None


# Themes by year --------------------------------------------------------------------------------


@dataclass
class ThemeRow:
    theme_id: int
    name: str
    facet: str
    counts: list[int]  # one per year of ``ThemesByYear.years``
    total: int = 0
    years_seen: int = 0
    cells: list[tuple[int, int]] = field(default_factory=list)  # (year, count)

    @property
    def recurring(self) -> bool:
        return self.years_seen >= 2


@dataclass
class ThemesByYear:
    years: list[int]
    rows: list[ThemeRow] = field(default_factory=list)
    # The years shown are one page of the years with data, newest first (issue 16, ADR 0029).
    page: int = 1
    pages: int = 1
    first_with_data: int | None = None
    last_with_data: int | None = None

    @property
    def biggest(self) -> int:
        return max((count for row in self.rows for count in row.counts), default=0)


def _utc_year(field: str) -> Cast:
    """The calendar year of a stored moment, in the database's own text form of it (UTC, as
    Django stores and reads every moment with USE_TZ: 'YYYY-MM-DD HH:MM:SS' on SQLite and
    PostgreSQL alike). It is the year in England too: the year turns at midnight on 31
    December, in winter, when British time is UTC (settings.TIME_ZONE, Europe/London; checked
    by the tests on both sides of midnight)."""
    return Cast(Substr(Cast(field, output_field=CharField()), 1, 4), output_field=IntegerField())


def count_theme_years(partnership: Partnership) -> list[list[int]]:
    """Every ``[theme_id, year, n]`` of the themes page, counted afresh (two queries): the
    partnership's library records (by the record's year) and its own reviews' findings (by the
    year the finding was written) for reviews not already in the library as a published record.
    A review counts once per theme and year, however many of its findings carry the theme."""
    record_pairs = LibraryRecord.themes.through.objects.filter(
        libraryrecord__partnership=partnership,
        libraryrecord__archived_at__isnull=True,
        libraryrecord__year__isnull=False,  # (a record whose year is not known has no column)
    )
    finding_pairs = Theme.findings.through.objects.filter(
        finding__review__partnership=partnership
    ).exclude(
        finding__review__publication__library_record__isnull=False,
        finding__review__publication__library_record__archived_at__isnull=True,
    )
    # Counted in the database, (theme, year) -> distinct records and reviews: the rows read do
    # not grow with the findings (issue 16). The year a finding was written is read from the
    # stored UTC moment (``_utc_year``), not with ExtractYear: on SQLite that is a Python
    # function called on every finding (4 of the page's 6 ms at ten years).
    seen: defaultdict[tuple[int, int], int] = defaultdict(int)
    by_record = (
        record_pairs.values("theme_id", "libraryrecord__year")
        .annotate(n=Count("libraryrecord_id", distinct=True))
        .order_by()
    )
    for group in by_record:
        if group["libraryrecord__year"] is not None:  # (filtered out above; for the type checker)
            seen[(group["theme_id"], group["libraryrecord__year"])] += group["n"]
    by_review = (
        finding_pairs.values("theme_id", year=_utc_year("finding__created_at"))
        .annotate(n=Count("finding__review_id", distinct=True))
        .order_by()
    )
    for found in by_review:
        seen[(found["theme_id"], found["year"])] += found["n"]
    return [[theme_id, year, n] for (theme_id, year), n in sorted(seen.items())]


def _theme_year_counts(partnership: Partnership) -> list[list[int]]:
    """The kept counts if nothing they read has changed since (one query); else counted again
    and kept under the version read before counting (ADR 0036): a change committed while
    counting has already moved the version on, so the row stays stale and the next request
    counts again. A GET writes here, as the timeliness years do (ADR 0027): a cache write."""
    kept = (
        ThemeCounts.objects.filter(partnership=partnership)
        .values_list("version", "counted_version", "counts")
        .first()
    )
    if kept is not None and kept[0] == kept[1]:
        return kept[2]
    version = kept[0] if kept is not None else 0
    counts = count_theme_years(partnership)
    ThemeCounts.objects.bulk_create(
        [
            ThemeCounts(
                partnership=partnership, version=version, counted_version=version, counts=counts
            )
        ],
        update_conflicts=True,
        unique_fields=["partnership"],
        update_fields=["counted_version", "counts"],
    )
    return counts


#: Years the themes page shows at a time: the newest first, earlier ones a page away.
THEME_YEARS_SHOWN = 5


def themes_by_year(
    *,
    partnership: Partnership,
    facet: str = "",
    first_year: int | None = None,
    years_shown: int | None = None,
    page: int = 1,
) -> ThemesByYear:
    """How many reviews each theme appeared in, by year: the partnership's library records
    (by the record's year) and its own reviews' findings (by the year the finding was
    written) for reviews that are not already in the library as a published record. A review
    counts once per theme and year, however many of its findings carry the theme.

    With ``years_shown``, the years with data are cut into pages of that many years, the
    newest first, and only ``page``'s years are shown (a page past the last shows the last, one
    below 1 the first): the grid is as wide at ten years as at five (issue 16, ADR 0029).

    Read from the partnership's kept counts (``ThemeCounts``, ADR 0036): two queries (the kept
    row and the themes named), whatever the size of the library or the number of years; five
    on the first request after a change, which counts every year again."""
    counts = _theme_year_counts(partnership)
    themes_seen = {theme_id for theme_id, _, _ in counts}
    # (name, facet) by id: the values, not models (60 themes on every request).
    themes = {
        pk: (name, theme_facet)
        for pk, name, theme_facet in Theme.objects.filter(pk__in=themes_seen).values_list(
            "pk", "name", "facet"
        )
    }
    seen: defaultdict[tuple[int, int], int] = defaultdict(int)
    for theme_id, year, n in counts:
        theme = themes.get(theme_id)
        if theme is not None and (not facet or theme[1] == facet):
            seen[(theme_id, year)] += n
    if first_year is not None:
        seen = defaultdict(int, {key: n for key, n in seen.items() if key[1] >= first_year})
    if not seen:
        return ThemesByYear(years=[])
    first_with_data, last_with_data = min(y for _, y in seen), max(y for _, y in seen)
    pages = 1
    if years_shown:
        pages = -(-(last_with_data - first_with_data + 1) // years_shown)
        page = min(max(page, 1), pages)
        newest = last_with_data - years_shown * (page - 1)
        oldest = max(first_with_data, newest - years_shown + 1)
        seen = defaultdict(int, {key: n for key, n in seen.items() if oldest <= key[1] <= newest})
        years = list(range(oldest, newest + 1))
    else:
        page = 1
        years = list(range(first_with_data, last_with_data + 1))
    rows: dict[int, ThemeRow] = {}
    column = {year: index for index, year in enumerate(years)}
    for (theme_id, year), count in seen.items():
        row = rows.get(theme_id)
        if row is None:
            name, theme_facet = themes[theme_id]
            row = rows[theme_id] = ThemeRow(
                theme_id=theme_id, name=name, facet=theme_facet, counts=[0] * len(years)
            )
        row.counts[column[year]] = count
    for row in rows.values():
        row.total = sum(row.counts)
        row.years_seen = sum(1 for count in row.counts if count)
        row.cells = list(zip(years, row.counts, strict=True))
    ordered = sorted(rows.values(), key=lambda row: (-row.years_seen, -row.total, row.name))
    return ThemesByYear(
        years=years,
        rows=ordered,
        page=page,
        pages=pages,
        first_with_data=first_with_data,
        last_with_data=last_with_data,
    )
