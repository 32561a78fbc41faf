"""The rows of the merged chronology's table, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Iterable

from django.template.defaultfilters import time as _time_filter
from django.utils.safestring import SafeString, mark_safe

from safeguarding.core.row_markup import date, linebreaksbr, number, text

_SIGNIFICANCE = {
    "key": '<strong class="govuk-tag govuk-tag--red">Key event</strong>',
    "significant": '<strong class="govuk-tag govuk-tag--blue">Significant</strong>',
}
_LINE = "\n        "


def chronology_rows_html(rows: Iterable[dict]) -> SafeString:
    """What ``reviews/chronology/merged.html``'s loop wrote for the view's ``rows``: a gap
    (``{"gap": Gap}``) or an entry (``{"entry", "people", "multi"}``), each with the loop's
    line ends and indents."""
    return mark_safe(
        "".join(_gap_row(row["gap"]) if "gap" in row else _entry_row(row) for row in rows)
    )


def _gap_row(gap) -> str:
    return (
        f'{_LINE}{_LINE}<tr class="govuk-table__row app-chronology-gap">\n'
        '          <td class="govuk-table__cell" colspan="6"><strong class="govuk-tag '
        f'govuk-tag--grey">Gap</strong> No recorded contact for {number(gap.days)} days '
        f"({date(gap.starts, 'j F Y')} to {date(gap.ends, 'j F Y')})</td>\n"
        f"        </tr>{_LINE}{_LINE}"
    )


def _entry_row(row: dict) -> str:
    entry = row["entry"]
    approximate = entry.date_is_approximate
    when = ("About " if approximate else "") + date(entry.occurred_on, "j M Y")
    if entry.occurred_at:
        when += " " + text(_time_filter(entry.occurred_at, "H:i"))
    approximate_tag = (
        '<br><strong class="govuk-tag govuk-tag--yellow">Approximate date</strong>'
        if approximate
        else ""
    )
    multi_tag = (
        '<br><strong class="govuk-tag govuk-tag--orange">Multi-agency day</strong>'
        if row["multi"]
        else ""
    )
    people = ", ".join(text(person) for person in row["people"]) or "–"
    source = text(entry.source_record)
    if entry.source_record and entry.practitioner_role:
        source += "<br>"
    source += text(entry.practitioner_role)
    return (
        f'{_LINE}{_LINE}{_LINE}<tr class="govuk-table__row">\n'
        f'          <td class="govuk-table__cell">{when}\n'
        f"            {approximate_tag}\n"
        f"            {multi_tag}</td>\n"
        f'          <td class="govuk-table__cell">{text(entry.agency.name)}</td>\n'
        f'          <td class="govuk-table__cell">{people}</td>\n'
        f'          <td class="govuk-table__cell">{linebreaksbr(entry.event)}</td>\n'
        f'          <td class="govuk-table__cell">{source}</td>\n'
        '          <td class="govuk-table__cell">'
        f"{_SIGNIFICANCE.get(entry.significance, 'Routine')}</td>\n"
        f"        </tr>{_LINE}{_LINE}{_LINE}"
    )
