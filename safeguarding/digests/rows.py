"""The rows of the staff list of digest issues, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, number, row_link, table_rows, text

from .models import DigestIssue


def issue_rows_html(issues: Iterable[DigestIssue], *, partnership) -> SafeString:
    """The rows of ``digests/staff/list.html``'s table: each issue's number, title (linked),
    period, items (``item_count``) and status (with the day it was published)."""
    link = row_link("digests:issue", partnership.slug)
    return table_rows(
        (_issue_row(issue, link) for issue in issues), indent="    ", tags_indent="  "
    )


def _issue_row(issue: DigestIssue, link: Callable[[int], str]) -> str:
    if issue.status == "published":
        status = (
            '<strong class="govuk-tag govuk-tag--green">Published</strong><br>'
            f'<span class="govuk-body-s">{date(issue.published_at, "j F Y")}</span>'
        )
    else:
        status = '<strong class="govuk-tag govuk-tag--yellow">Draft</strong>'
    return (
        '<tr class="govuk-table__row">\n'
        '      <td class="govuk-table__cell govuk-table__cell--numeric">'
        f"{number(issue.number)}</td>\n"
        '      <td class="govuk-table__cell">'
        f'<a class="govuk-link" href="{link(issue.pk)}">{text(issue.title)}</a></td>\n'
        '      <td class="govuk-table__cell">'
        f"{date(issue.period_start, 'j F Y')} to {date(issue.period_end, 'j F Y')}</td>\n"
        '      <td class="govuk-table__cell govuk-table__cell--numeric">'
        f"{number(issue.item_count)}</td>\n"
        f'      <td class="govuk-table__cell">{status}</td>\n'
        "    </tr>"
    )


def published_issue_rows_html(issues: Iterable[DigestIssue], *, partnership) -> SafeString:
    """The issues of ``digests/public/list.html``: number and title linked to the issue's page,
    the period covered and the day published."""
    link = row_link("digests_public:issue", partnership.slug)
    return table_rows(
        (
            f'<li><a class="govuk-link" href="{link(issue.number)}">Issue {number(issue.number)}: '
            f"{text(issue.title)}</a><br>\n"
            f'      <span class="govuk-body-s">Covers {date(issue.period_start, "j F Y")} to '
            f"{date(issue.period_end, 'j F Y')}. Published {date(issue.published_at, 'j F Y')}."
            "</span></li>"
            for issue in issues
        ),
        indent="    ",
    )
