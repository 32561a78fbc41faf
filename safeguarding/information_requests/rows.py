"""The rows of the requests for information's tables (overdue, waiting, answered or refused),
written in Python (issue 16, ADR 0034, with the helpers of ``core/row_markup.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, number, row_link, table_rows, text

from .models import InformationRequest

_OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'
_WAITING = '<strong class="govuk-tag govuk-tag--blue">Waiting</strong>'


def request_rows_html(
    rows: Iterable[InformationRequest], *, slug: str, overdue: bool
) -> SafeString:
    """The rows of ``information_requests/_table.html`` (each request with its case, review and
    ``escalation_count``; ``overdue``: the overdue table's status)."""
    link = row_link("information_requests:detail", slug)
    return table_rows(
        (
            '<tr class="govuk-table__row">\n'
            '      <td class="govuk-table__cell" data-label="Asked"><a class="govuk-link" '
            f'href="{link(row.pk)}">{text(row.recipient)}</a></td>\n'
            '      <td class="govuk-table__cell" data-label="Case">'
            f"{text(row.case.reference)} {text(row.case.pseudonym)}"
            f"{_review(row)}</td>\n"
            '      <td class="govuk-table__cell" data-label="Under">'
            f"{text(row.get_legal_basis_display())}</td>\n"
            '      <td class="govuk-table__cell" data-label="Due">'
            f"{date(row.due_on, 'j F Y')}</td>\n"
            '      <td class="govuk-table__cell" data-label="Status">'
            f"{_status(row, overdue)}{_escalated(row.escalation_count)}</td>\n"
            "    </tr>"
            for row in rows
        ),
        indent="    ",
        tags_indent="  ",
    )


def _review(row: InformationRequest) -> str:
    if not row.review:
        return ""
    return f'<br><span class="govuk-body-s">{text(row.review.reference)}</span>'


def _status(row: InformationRequest, overdue: bool) -> str:
    if overdue:
        return _OVERDUE
    if row.status == "answered":
        return (
            '<strong class="govuk-tag govuk-tag--green">'
            f"Answered {date(row.answered_on, 'j F Y')}</strong>"
        )
    if row.status == "refused":
        return (
            '<strong class="govuk-tag govuk-tag--orange">'
            f"Refused {date(row.refused_on, 'j F Y')}</strong>"
        )
    return _WAITING


def _escalated(n: int) -> str:
    if not n:
        return ""
    times = "time" if n == 1 else "times"
    return f'<br><span class="govuk-body-s">Escalated {number(n)} {times}</span>'
