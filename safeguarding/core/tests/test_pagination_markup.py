"""``{% govuk_pagination %}`` (``core.pagination.pagination_html``) writes the characters
``{% include "govuk/pagination.html" %}`` writes: first, middle and last pages, ellipses, other
GET parameters kept (escaped ampersands, markup in a value), a label given or not, and no
pagination at all. No database."""

import pytest
from django.template import engines
from django.test import RequestFactory

from safeguarding.core.pagination import pagination


def _both(context: dict) -> tuple[str, str]:
    engine = engines["django"]
    included = engine.from_string('{% include "govuk/pagination.html" %}').render(context)
    written = engine.from_string("{% govuk_pagination %}").render(context)
    return included, written


@pytest.mark.parametrize(
    "query", ["", "type=cspr", "q=<b>&amp;'x'\"&year=2018", "category=procedure&page=abc"]
)
@pytest.mark.parametrize("label", [None, "", "Pages of <shared> reviews"])
def test_the_pagination_written_in_python_is_the_template_s(query, label):
    request = RequestFactory().get(f"/p/archive/?{query}")
    for pages in (1, 2, 3, 7, 40):
        for page in sorted({1, 2, pages // 2 or 1, pages - 1 or 1, pages}):
            context = {"pagination": pagination(request, page, pages)}
            if label is not None:
                context["pagination_label"] = label
            included, written = _both(context)
            assert written == included, (query, label, page, pages)
    assert _both({}) == ("\n", "\n")
