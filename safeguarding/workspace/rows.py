"""The rows of the list of cases and reviews, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, row_link, table_rows, text
from safeguarding.referrals.models import Case
from safeguarding.referrals.rows import status_tag


def case_rows_html(cases: Iterable[Case], *, partnership, sees_cases: bool) -> SafeString:
    """The rows of ``workspace/case_list.html``'s table: each case (linked to its page for
    those who see cases) with its pseudonym and review types, its status, its reviews the user
    may read (``visible_reviews``, linked) and the date the partnership became aware."""
    case_link = row_link("referrals:case", partnership.slug) if sees_cases else None
    review_link = row_link("reviews:detail", partnership.slug)
    return table_rows(_case_row(case, case_link, review_link) for case in cases)


def _case_row(
    case: Case, case_link: Callable[[int], str] | None, review_link: Callable[[int], str]
) -> str:
    reference = text(case.reference)
    if case_link is not None:
        reference = f'<a class="govuk-link" href="{case_link(case.pk)}">{reference}</a>'
    types = [text(track.get_review_type_display()) for track in case.tracks.all()]
    shown_types = f'<br><span class="govuk-body-s">{", ".join(types)}</span>' if types else ""
    reviews = [
        f'<li><a class="govuk-link" href="{review_link(review.pk)}">{text(review.reference)}</a> '
        f"{text(review.get_kind_display())}: {text(str(review.get_stage_display()).lower())}</li>"
        for review in case.visible_reviews
    ]
    shown_reviews = f'<ul class="govuk-list">{"".join(reviews)}</ul>' if reviews else "None yet"
    return (
        '<tr class="govuk-table__row">\n'
        '          <td class="govuk-table__cell" data-label="Case">'
        f"{reference}<br>{text(case.pseudonym)}{shown_types}</td>\n"
        '          <td class="govuk-table__cell" data-label="Status">'
        f"{status_tag(case.status, case.get_status_display())}</td>\n"
        f'          <td class="govuk-table__cell" data-label="Reviews">{shown_reviews}</td>\n'
        '          <td class="govuk-table__cell" data-label="Became aware">'
        f"{date(case.became_aware_on, 'j F Y')}</td>\n"
        "        </tr>"
    )
