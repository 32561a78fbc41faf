"""The rows of the staff home's deadline lists, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034): the business unit's home shows up to 25 overdue, 25 due and 25
paused milestones, four cells each, on every sign-in."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, table_rows, text
from safeguarding.core.rule_sources import rule_source

from .selectors import DashboardMilestone


def dashboard_rows_html(milestones: Iterable[DashboardMilestone]) -> SafeString:
    """The rows of ``workspace/_dashboard_list.html``'s table: the milestone (with the reason
    when paused), its case or referral (linked when it has a page), the due date and the
    guidance the rule comes from with its basis."""
    return table_rows((_dashboard_row(m) for m in milestones), indent="  ")


def _dashboard_row(m: DashboardMilestone) -> str:
    milestone = text(m.rule_name)
    if m.status == "paused":
        milestone += f'<br><span class="govuk-body-s">Paused: {text(m.paused_reason)}</span>'
    label = text(m.subject_label)
    if m.subject_url:
        label = f'<a class="govuk-link" href="{text(m.subject_url)}">{label}</a>'
    return (
        '<tr class="govuk-table__row">\n'
        f'    <td class="govuk-table__cell" data-label="Milestone">{milestone}</td>\n'
        f'    <td class="govuk-table__cell" data-label="Case or referral">{label}</td>\n'
        f'    <td class="govuk-table__cell" data-label="Due">{date(m.due_on, "D j M Y")}</td>\n'
        '    <td class="govuk-table__cell" data-label="Guidance">'
        f"{text(rule_source(str(m.rule_id)))} "
        f'<strong class="govuk-tag govuk-tag--grey">{text(m.get_basis_display())}</strong>'
        "</td>\n"
        "  </tr>"
    )
