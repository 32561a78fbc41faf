"""Pages of a long list, and the GOV.UK pagination component's links (govuk/pagination.html).

Every list that grows with the years is cut into pages here, so a page's time and its queries
stay flat however much data a partnership holds (issue 16). The links keep the request's other
GET parameters (the filters); a page number past the last answers the last page and one that is
not a number the first (Django's ``Paginator.get_page``), as GOV.UK services do.
"""

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def pagination(request: HttpRequest, page: int, pages: int) -> dict[str, Any] | None:
    """The GOV.UK pagination component's items: first, last, the pages next to the current
    one, and ellipses between; each link keeps the request's other GET parameters."""
    if pages <= 1:
        return None

    def href(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
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


def paginate(
    request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], *, per_page: int = PAGE_SIZE
) -> tuple[Page, dict[str, Any] | None]:
    """The requested page of ``rows`` (``?page=``) and its pagination links, for
    ``{% include "govuk/pagination.html" %}``. A queryset is read as one COUNT and one slice."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return page, pagination(request, page.number, page.paginator.num_pages)
