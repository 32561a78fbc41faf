"""The rows of the public lists of published reviews, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034): the archive's items and the Reviews page's items of the last 12
months. The templates keep the list's frame (heading, empty state, pagination)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, table_rows, text

from .models import Publication


def archive_rows_html(items: Iterable[Publication]) -> SafeString:
    """The items of ``publication/public/archive.html``: each one's title (linked, ``url``),
    its review type's label on the day (``type_label``), the day published and whether it is
    available on request (withdrawn)."""
    return table_rows((_archive_row(item) for item in items), indent="      ")


def _archive_row(item: Publication) -> str:
    published = f", published {date(item.publish_on, 'j F Y')}" if item.publish_on else ""
    withdrawn = (
        '. <strong class="govuk-tag govuk-tag--grey">Available on request</strong>'
        if item.status == "withdrawn"
        else ""
    )
    return (
        "<li>\n"
        f'        <a class="govuk-link" href="{text(item.url)}">{text(item.title)}</a><br>\n'
        f'        <span class="govuk-body-s">{text(item.type_label)}{published}{withdrawn}</span>\n'
        "      </li>"
    )


def published_rows_html(items: Iterable[Publication], link: Callable[[int], str]) -> SafeString:
    """The items of one review type on the Reviews page (``public_site/reviews.html``): title
    linked to its page (``link`` of its key) and the day published."""
    return table_rows(
        (
            f'<li><a class="govuk-link" href="{text(link(item.pk))}">{text(item.title)}</a>\n'
            f'          <span class="govuk-body-s">(published {date(item.publish_on, "j F Y")})'
            "</span></li>"
            for item in items
        ),
        indent="        ",
    )
