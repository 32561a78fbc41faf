"""The rows of the lists of published reviews, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034): the public archive's items, the Reviews page's items of the last
12 months and the publications' staff lists, the partnership's own (a page of 25 at ten years
against a first year's dozen) and the shared reviews'. The templates keep the list's frame (heading,
empty state, pagination)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, row_link, table_rows, text

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


_TAGS = {
    "published": " govuk-tag--green",
    "scheduled": " govuk-tag--blue",
    "withdrawn": " govuk-tag--grey",
}
_ON_REQUEST = '<br><span class="govuk-body-s">Available on request</span>'


def publication_rows_html(publications, slug: str) -> SafeString:
    """The rows of ``publication/staff/list.html``'s table of the partnership's publications."""
    link = row_link("publication:detail", slug)
    return table_rows(
        (
            '<tr class="govuk-table__row">\n'
            '      <td class="govuk-table__cell" data-label="Title">'
            f'<a class="govuk-link" href="{link(p.pk)}">{text(p.title)}</a></td>\n'
            '      <td class="govuk-table__cell" data-label="Review">'
            f"{text(p.review.reference)}</td>\n"
            '      <td class="govuk-table__cell" data-label="Status">'
            f'<strong class="govuk-tag{_TAGS.get(p.status, " govuk-tag--yellow")}">'
            f"{text(p.get_status_display())}</strong>"
            f"{_ON_REQUEST if p.status == 'withdrawn' and p.available_on_request else ''}</td>\n"
            '      <td class="govuk-table__cell" data-label="Date">'
            f"{date(p.publish_on, 'j F Y') or 'Not set'}</td>\n"
            '      <td class="govuk-table__cell" data-label="Open findings">'
            f"{text(p.open_findings)}</td>\n"
            "    </tr>"
            for p in publications
        ),
        indent="    ",
        tags_indent="  ",
    )


_SIGNED_OFF = '<strong class="govuk-tag govuk-tag--green">Signed off</strong>'
_NOT_SIGNED_OFF = '<strong class="govuk-tag govuk-tag--red">Not signed off</strong>'


def shared_publication_rows_html(publications, slug: str) -> SafeString:
    """The rows of ``publication/staff/list.html``'s table of publications of reviews shared
    with the partnership: each linked to its sign-off, who holds it and whether the
    partnership has signed it off (``signed_off``)."""
    link = row_link("publication:partner_sign_off", slug)
    return table_rows(
        (
            '<tr class="govuk-table__row">\n'
            '      <td class="govuk-table__cell" data-label="Title">'
            f'<a class="govuk-link" href="{link(p.pk)}">{text(p.title)}</a></td>\n'
            '      <td class="govuk-table__cell" data-label="Held by">'
            f"{text(p.partnership.name)}</td>\n"
            '      <td class="govuk-table__cell" data-label="Your sign-off">'
            f"{_SIGNED_OFF if p.signed_off else _NOT_SIGNED_OFF}</td>\n"
            "    </tr>"
            for p in publications
        ),
        indent="    ",
        tags_indent="  ",
    )
