"""The rows of the action tracker's table (the tracker and an agency's actions) and of the
action plan's tables of actions, written in Python as ``core/row_markup.py`` describes (issue
16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeString

from safeguarding.core.row_markup import (
    date,
    linebreaksbr,
    number,
    row_link,
    table_rows,
    text,
    truncatewords,
)

from .models import Action, Recommendation

if TYPE_CHECKING:
    from .tracker_selectors import TrackerRow


def tracker_rows_html(rows: Iterable[TrackerRow], *, partnership) -> SafeString:
    """The rows of ``actions/tracker/_table.html``: each action (a ``TrackerRow``, with its
    tag: status label and colour) linked to its page, its agency, lead, target date and
    status."""
    link = row_link("actions:action", partnership.slug)
    return table_rows((_tracker_row(action, link) for action in rows), indent="    ")


def _tracker_row(action: TrackerRow, link: Callable[[int], str]) -> str:
    reference = text(action.review_reference)
    return (
        '<tr class="govuk-table__row">\n'
        '      <td class="govuk-table__cell" data-label="Action"><a class="govuk-link" '
        f'href="{link(action.pk)}">Action {number(action.recommendation_number)}.'
        f"{number(action.number)}"
        f'<span class="govuk-visually-hidden"> of {reference}</span></a><br>'
        f"{truncatewords(action.text, 25)}<br>"
        f'<span class="govuk-body-s">{reference} {text(action.review_title)}</span></td>\n'
        '      <td class="govuk-table__cell" data-label="Owner agency">'
        f"{text(action.agency_name)}</td>\n"
        f'      <td class="govuk-table__cell" data-label="Lead">{text(action.lead_name)}</td>\n'
        '      <td class="govuk-table__cell" data-label="Target date">'
        f"{date(action.target_date, 'j F Y')}</td>\n"
        '      <td class="govuk-table__cell" data-label="Status">'
        f'<strong class="govuk-tag {text(action.tag["colour"])}">'
        f"{text(action.tag['label'])}</strong></td>\n"
        "    </tr>"
    )


def plan_status(tag: dict) -> str:
    """What ``{% include "actions/_plan_status.html" with tag=… %}`` writes, with the file's
    last line end."""
    return f'<strong class="govuk-tag {text(tag["colour"])}">{text(tag["label"])}</strong>\n'


def with_plan_action_rows(recommendations: Iterable[Recommendation], *, partnership) -> None:
    """Give each recommendation ``action_rows``: the rows of its table of actions in
    ``actions/plan/plan.html`` (each action, with ``tag``, linked to its page, its text, agency,
    lead, target date and status)."""
    link = row_link("actions:action", partnership.slug)
    for recommendation in recommendations:
        recommendation.action_rows = table_rows(
            (_plan_row(action, link) for action in recommendation.actions.all()), indent="  "
        )


def _plan_row(action: Action, link: Callable[[int], str]) -> str:
    return (
        '<tr class="govuk-table__row">\n'
        '    <th scope="row" class="govuk-table__header">'
        f'<a class="govuk-link" href="{link(action.pk)}">'
        f'<span class="govuk-visually-hidden">Action </span>{text(action.reference)}</a></th>\n'
        f'    <td class="govuk-table__cell">{linebreaksbr(action.text)}</td>\n'
        f'    <td class="govuk-table__cell">{text(action.agency.name)}</td>\n'
        f'    <td class="govuk-table__cell">{text(action.lead_name)}</td>\n'
        f'    <td class="govuk-table__cell">{date(action.target_date, "j F Y")}</td>\n'
        f'    <td class="govuk-table__cell">{plan_status(action.tag)}</td>\n'
        "  </tr>"
    )


def theme_rows_html(themes: Iterable) -> SafeString:
    """The rows of a facet's table on ``actions/plan/themes.html``: each theme (with
    ``finding_count``), marked when the partnership added it."""
    return table_rows((_theme_row(theme) for theme in themes), indent="  ")


def _theme_row(theme) -> str:
    added = (
        ' <strong class="govuk-tag govuk-tag--blue">Added by the partnership</strong>'
        if theme.partnership_id
        else ""
    )
    return (
        '<tr class="govuk-table__row">\n'
        f'    <td class="govuk-table__cell">{text(theme.name)}{added}</td>\n'
        '    <td class="govuk-table__cell govuk-table__cell--numeric">'
        f"{number(theme.finding_count)}</td>\n"
        "  </tr>"
    )


def agency_count_rows_html(by_agency: Iterable[dict], *, partnership) -> SafeString:
    """The rows of the tracker's table of actions by owner agency (``tracker_counts``' rows:
    each agency's name and slug with its counts), each agency linked to its actions."""
    return table_rows(
        (_agency_count_row(row, partnership.slug) for row in by_agency), indent="    "
    )


def _agency_count_row(row: dict, slug: str) -> str:
    link = text(reverse("actions:agency", args=[slug, row["agency__slug"]]))
    numeric = "govuk-table__cell govuk-table__cell--numeric"
    return (
        '<tr class="govuk-table__row">\n'
        '      <td class="govuk-table__cell" data-label="Agency"><a class="govuk-link" '
        f'href="{link}">{text(row["agency__name"])}</a></td>\n'
        f'      <td class="{numeric}" data-label="Actions">{number(row["all"])}</td>\n'
        f'      <td class="{numeric}" data-label="Open">{number(row["open"])}</td>\n'
        f'      <td class="{numeric}" data-label="Overdue">{number(row["overdue"])}</td>\n'
        "    </tr>"
    )
