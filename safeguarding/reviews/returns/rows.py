"""The rows of the national returns' table, written in Python (issue 16, ADR 0034, with the
helpers of ``core/row_markup.py``): a tenth year signs off twice the reviews of a first, so the
template's loop was a growing part of the page."""

from __future__ import annotations

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, row_link, table_rows, text

from .selectors import ReturnRow

_RECORDED = '<strong class="govuk-tag govuk-tag--green">Recorded</strong>'
_NOT_RECORDED = '<strong class="govuk-tag govuk-tag--grey">Not recorded</strong>'


def return_rows_html(rows: list[ReturnRow], *, slug: str) -> SafeString:
    """The rows of ``reviews/returns/list.html``'s table."""
    link = row_link("reviews:national_return", slug)
    return table_rows(
        (
            '<tr class="govuk-table__row">\n'
            '      <td class="govuk-table__cell" data-label="Review"><a class="govuk-link" '
            f'href="{link(row.review.pk)}?scheme={text(row.scheme.code)}">'
            f"{text(row.review.reference)} {text(row.review.title)}</a></td>\n"
            '      <td class="govuk-table__cell" data-label="Return">'
            f"{text(row.scheme.title)}</td>\n"
            '      <td class="govuk-table__cell" data-label="Signed off">'
            f"{date(row.signed_off_on, 'j F Y')}</td>\n"
            '      <td class="govuk-table__cell" data-label="Status">'
            f"{_RECORDED if row.national_return else _NOT_RECORDED}</td>\n"
            "    </tr>"
            for row in rows
        ),
        indent="    ",
    )
