"""The rows of the public site's lists, written in Python as ``core/row_markup.py`` describes
(issue 16, ADR 0034): the documents page's documents, the Reviews page's sections and each
category's newest documents. The templates keep the frame (headings, counts, empty states,
pagination)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, file_size, number, row_link, table_rows, text
from safeguarding.core.templatetags.govuk import govuk_text

from .models import PublicDocument
from .selectors import ListedDocument


def _size(document: PublicDocument | ListedDocument) -> str:
    return file_size(document.size_bytes)


def document_rows_html(
    documents: Iterable[PublicDocument], link: Callable[[int], str]
) -> SafeString:
    """The documents of ``public_site/documents.html``: title (linked to the file), category,
    kind of file and size."""
    return table_rows(
        (
            f'<li><a class="govuk-link" href="{text(link(doc.pk))}">{text(doc.title)}</a>\n'
            f'        <span class="govuk-body-s">({text(doc.get_category_display())}; '
            f"{text(doc.kind.label)}, {_size(doc)})</span></li>"
            for doc in documents
        ),
        indent="      ",
    )


def newest_document_rows_html(
    documents: Iterable[ListedDocument], link: Callable[[int], str]
) -> SafeString:
    """One category's newest documents on the Reviews page: title (linked), kind and size."""
    return table_rows(
        (
            f'<li><a class="govuk-link" href="{text(link(doc.pk))}">{text(doc.title)}</a>\n'
            f'        <span class="govuk-body-s">({text(doc.kind.label)}, {_size(doc)})</span></li>'
            for doc in documents
        ),
        indent="      ",
    )


def section_rows_html(sections: Iterable[tuple[int, str, str]]) -> SafeString:
    """The Reviews page's sections, each (key, heading, body) of a ``ContentBlock``: the
    heading and the text as GOV.UK paragraphs and lists (``govuk_text``)."""
    return table_rows(
        (
            f'<section aria-labelledby="section-{number(pk)}">\n'
            f'      <h2 class="govuk-heading-m" id="section-{number(pk)}">{text(heading)}</h2>\n'
            f"      {govuk_text(body)}\n"
            "    </section>"
            for pk, heading, body in sections
        ),
        indent="    ",
    )


def national_review_rows_html(reviews: Iterable) -> SafeString:
    """The Reviews page's national reviews: title linked to the review's own address, the day
    published and the summary, if any."""
    return table_rows(
        (
            f'<li><a class="govuk-link" href="{text(review.url)}" rel="noreferrer noopener">'
            f"{text(review.title)}</a>\n"
            f'        <span class="govuk-body-s">(published {date(review.published_on, "j F Y")})'
            "</span>"
            + (
                f'<br><span class="govuk-body-s">{text(review.summary)}</span>'
                if review.summary
                else ""
            )
            + "</li>"
            for review in reviews
        ),
        indent="      ",
    )


def partnership_rows_html(partnerships: Iterable[tuple[str, str, str, str]]) -> SafeString:
    """The home page's partnerships, each (slug, name, kind's label, area): the name linked to
    its Reviews page, then what it is and where."""
    link = reverse("public_site:reviews", args=["compiled-slug-placeholder"])
    head, _, tail = link.partition("compiled-slug-placeholder")
    return table_rows(
        (
            f'<li><a class="govuk-link govuk-!-font-weight-bold" href="{text(head + slug + tail)}">'
            f'{text(name)}</a><br><span class="govuk-body-s">{text(kind)} for {text(area)}</span>'
            "</li>"
            for slug, name, kind, area in partnerships
        ),
        indent="  ",
    )


def managed_document_rows_html(documents: Iterable[PublicDocument], *, slug: str) -> SafeString:
    """The documents table of the staff page ``public_site/manage.html`` (a page of 25): title,
    category, kind of file and size, and the link to take it down (issue 16: the rows grew
    with the page, 9 live documents in a first year against 25 a page at ten years)."""
    take_down = row_link("public_page:document_archive", slug)
    return table_rows(
        (
            '<tr class="govuk-table__row">\n'
            f'    <td class="govuk-table__cell">{text(doc.title)}</td>\n'
            f'    <td class="govuk-table__cell">{text(doc.get_category_display())}</td>\n'
            f'    <td class="govuk-table__cell">{text(doc.kind.label)}, {_size(doc)}</td>\n'
            '    <td class="govuk-table__cell"><a class="govuk-link" '
            f'href="{take_down(doc.pk)}">Take down<span class="govuk-visually-hidden"> '
            f"{text(doc.title)}</span></a></td>\n"
            "  </tr>"
            for doc in documents
        ),
        indent="  ",
    )
