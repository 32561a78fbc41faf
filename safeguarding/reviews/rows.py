"""The rows of the list of reviews, written in Python as ``core/row_markup.py`` describes
(issue 16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, row_link, table_rows, text

from .models import Review


def review_rows_html(reviews: Iterable[Review], partnership_slug: str) -> SafeString:
    """The rows of ``reviews/review/list.html``'s table: each review linked to its page, its
    kind, its case, its stage and the day it started."""
    link = row_link("reviews:detail", partnership_slug)
    return table_rows((_review_row(review, link) for review in reviews), indent="  ")


def _review_row(review: Review, link) -> str:
    colour = "govuk-tag--green" if review.stage == "signed_off" else "govuk-tag--blue"
    return (
        '<tr class="govuk-table__row">\n'
        '    <td class="govuk-table__cell" data-label="Review">'
        f'<a class="govuk-link" href="{link(review.pk)}">'
        f"{text(review.reference)} {text(review.title)}</a></td>\n"
        '    <td class="govuk-table__cell" data-label="Kind">'
        f"{text(review.get_kind_display())}</td>\n"
        f'    <td class="govuk-table__cell" data-label="Case">{text(review.case.reference)}</td>\n'
        '    <td class="govuk-table__cell" data-label="Stage">'
        f'<strong class="govuk-tag {colour}">{text(review.get_stage_display())}</strong></td>\n'
        '    <td class="govuk-table__cell" data-label="Started">'
        f"{date(review.started_on, 'j F Y')}</td>\n"
        "  </tr>"
    )
