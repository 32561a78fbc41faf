"""Pages of a long list, and the GOV.UK pagination component's links (govuk/pagination.html).

Every list that grows with the years is cut into pages here, so a page's time and its queries
stay flat however much data a partnership holds (issue 16). The links keep the request's other
GET parameters (the filters); a page number past the last answers the last page and one that is
not a number the first (Django's ``Paginator.get_page``), as GOV.UK services do. A page with
two lists pages each under its own parameter (``param``, e.g. ``shared_page``): each list's
links keep the other's page.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Func, IntegerField, QuerySet, Subquery, Window
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from .compiled_sql import CompiledQuery
from .widget_markup import text

PAGE_SIZE = 25


def pagination(
    request: HttpRequest, page: int, pages: int, *, param: str = "page"
) -> dict[str, Any] | None:
    """The GOV.UK pagination component's items: first, last, the pages next to the current
    one, and ellipses between; each link sets ``param`` and keeps the request's other GET
    parameters (the filters, another list's page)."""
    if pages <= 1:
        return None

    def href(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[dict[str, Any]] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page})
        previous = number
    return {
        "items": items,
        "previous": href(page - 1) if page > 1 else "",
        "next": href(page + 1) if page < pages else "",
    }


_PREVIOUS = (
    '<div class="govuk-pagination__prev"><a class="govuk-link govuk-pagination__link" '
    'href="{href}" rel="prev"><svg class="govuk-pagination__icon govuk-pagination__icon--prev" '
    'xmlns="http://www.w3.org/2000/svg" height="13" width="15" aria-hidden="true" '
    'focusable="false" viewBox="0 0 15 13"><path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 '
    '6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z"></path>'
    '</svg><span class="govuk-pagination__link-title">Previous<span '
    'class="govuk-visually-hidden"> page</span></span></a></div>'
)
_NEXT = (
    '<div class="govuk-pagination__next"><a class="govuk-link govuk-pagination__link" '
    'href="{href}" rel="next"><span class="govuk-pagination__link-title">Next<span '
    'class="govuk-visually-hidden"> page</span></span><svg class="govuk-pagination__icon '
    'govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg" height="13" width="15" '
    'aria-hidden="true" focusable="false" viewBox="0 0 15 13"><path d="m8.107-0.0078125-1.4136 '
    "1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z"
    '"></path></svg></a></div>'
)
_CURRENT = ' aria-current="page"'
_ELLIPSIS = '<li class="govuk-pagination__item govuk-pagination__item--ellipses">&ctdot;</li>'


def pagination_html(pagination: dict[str, Any] | None, label: Any = "") -> SafeString:
    """What ``{% include "govuk/pagination.html" %}`` writes for ``pagination`` (as
    ``pagination()`` gives it) and ``pagination_label``, written in Python (issue 16: the
    include, its loop and its conditions cost a listed public page more than its rows'
    links). ``core/tests/test_pagination_markup.py`` compares the two."""
    if not pagination:
        return mark_safe("\n")
    items = []
    for item in pagination["items"]:
        if item.get("ellipsis"):
            items.append(f"\n    \n    {_ELLIPSIS}\n    \n    ")
            continue
        current = item.get("current")
        number_text = text(item["number"])
        items.append(
            '\n    \n    <li class="govuk-pagination__item'
            f'{" govuk-pagination__item--current" if current else ""}">'
            f'<a class="govuk-link govuk-pagination__link" href="{text(item["href"])}" '
            f'aria-label="Page {number_text}"{_CURRENT if current else ""}>'
            f"{number_text}</a></li>\n    \n    "
        )
    previous = pagination.get("previous")
    following = pagination.get("next")
    return mark_safe(
        f'\n<nav class="govuk-pagination" aria-label="{text(label or "Pages of results")}">\n  '
        f"{_PREVIOUS.format(href=text(previous)) if previous else ''}"
        f'\n  <ul class="govuk-pagination__list">\n    {"".join(items)}\n  </ul>\n  '
        f"{_NEXT.format(href=text(following)) if following else ''}\n</nav>\n\n"
    )


def paginate(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    *,
    per_page: int = PAGE_SIZE,
    param: str = "page",
) -> tuple[Page, dict[str, Any] | None]:
    """The requested page of ``rows`` (``?page=``, or ``param``) and its pagination links, for
    ``{% include "govuk/pagination.html" %}``. A queryset is read as one COUNT and one slice."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    return page, pagination(request, page.number, page.paginator.num_pages, param=param)


_MAX_PAGE = 1_000_000  # a page number past this is not read as an offset (SQLite's is 64-bit)


class _Counted(Paginator):
    """A paginator told its count (read with the page's rows), so it never counts again."""

    def __init__(self, count: int, per_page: int):
        super().__init__([], per_page)
        self.__dict__["count"] = count  # the cached_property, already known


def paginate_in_one_query(
    request: HttpRequest,
    rows: QuerySet[Any],
    *,
    per_page: int = PAGE_SIZE,
    param: str = "page",
    count_apart: bool = False,
) -> tuple[Page, dict[str, Any] | None]:
    """As ``paginate``, but the page's rows and the count of every row come back in one query
    (``COUNT(*) OVER ()`` beside each row), so the page makes the same queries whether the list
    is empty or not: ``paginate`` counts, then skips the rows' query when the count is 0.
    A page number that is not a number answers the first page, as ``paginate`` does; one past
    the last page or below 1 (found only when the requested page comes back empty) falls back to
    ``paginate``, which answers the last page, in two more queries.

    ``count_apart``: the count is a scalar subquery (``(SELECT COUNT(*) ...)``, run once by the
    database) instead of ``COUNT(*) OVER ()``, which makes the database read and sort every row
    before it can stop at the page: for a list whose page can be read in order through an index
    (issue 16)."""
    number = _page_number(request, param)
    if 1 <= number <= _MAX_PAGE:
        start = (number - 1) * per_page
        found = list(_counted(rows, count_apart)[start : start + per_page])
        if found or number == 1:
            return _counted_page(request, found, number, per_page, param)
    return paginate(request, rows, per_page=per_page, param=param)


def _page_number(request: HttpRequest, param: str) -> int:
    try:
        return int(request.GET.get(param) or 1)
    except (TypeError, ValueError):
        return 1


def _counted(rows: QuerySet[Any], count_apart: bool) -> QuerySet[Any]:
    """``rows``, each with the count of every row (``_rows_counted``)."""
    if count_apart:
        every = rows.order_by().values(
            n=Func(F("pk"), function="COUNT", output_field=IntegerField())
        )
        return rows.annotate(_rows_counted=Subquery(every))
    return rows.annotate(_rows_counted=Window(Count("pk")))


def _counted_page(
    request: HttpRequest, found: list, number: int, per_page: int, param: str
) -> tuple[Page, dict[str, Any] | None]:
    count = found[0]._rows_counted if found else 0
    page = Page(found, number, _Counted(count, per_page))
    return page, pagination(request, number, page.paginator.num_pages, param=param)


class CompiledList:
    """A list read a page at a time as ``paginate_in_one_query`` reads it (the page's rows and
    the count of every row in one query), with the SQL built once per process (ADR 0038's
    ``CompiledQuery``; the page's offset a parameter, ADRs 0045 and 0047): ``build(**values)``
    returns the list's queryset for the values that change (a partnership, a day, a filter...);
    ``placeholders`` names every value the list may take with a placeholder no row has and the
    field that prepares it. The values given on a request (which filters are set) choose the
    statement: one per set of names, built at its first use. Building a list's query in the ORM
    cost a list page about as much as running it (issue 16). A page past the last falls back to
    ``paginate`` on the ORM's queryset, as ``paginate_in_one_query`` does."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        placeholders: Mapping[str, tuple[Any, Any]],
        *,
        per_page: int = PAGE_SIZE,
        count_apart: bool = False,
    ):
        self.build = build
        self.placeholders = placeholders
        self.per_page = per_page
        self.count_apart = count_apart
        self._pages: dict[frozenset[str], CompiledQuery] = {}

    def _query(self, names: frozenset[str]) -> CompiledQuery:
        if names not in self._pages:
            self._pages[names] = CompiledQuery(
                lambda **values: _counted(self.build(**values), self.count_apart),
                {name: self.placeholders[name] for name in names},
                page_size=self.per_page,
            )
        return self._pages[names]

    def read_page(self, number: int, **values: Any) -> list[Any]:
        """The rows of page ``number`` (1 to 1,000,000) for these values, each with the count
        of every row as ``_rows_counted``: none past the last page."""
        if not 1 <= number <= _MAX_PAGE:
            raise ValueError(f"no page {number}")
        return self._query(frozenset(values)).read(offset=(number - 1) * self.per_page, **values)

    def page(
        self, request: HttpRequest, *, param: str = "page", **values: Any
    ) -> tuple[Page, dict[str, Any] | None]:
        number = _page_number(request, param)
        if 1 <= number <= _MAX_PAGE:
            found = self.read_page(number, **values)
            if found or number == 1:
                return _counted_page(request, found, number, self.per_page, param)
        return paginate(request, self.build(**values), per_page=self.per_page, param=param)
