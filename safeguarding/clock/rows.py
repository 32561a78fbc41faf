"""The rows of the staff home's deadline lists, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034): the business unit's home shows up to 25 overdue, 25 due and 25
paused milestones, four cells each, on every sign-in."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, number, row_link, table_rows, text
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


_BASIS_COLOURS = {"statutory": "govuk-tag--purple", "expectation": "govuk-tag--blue"}


def milestone_rows_html(milestones: Iterable, *, partnership, actions: bool) -> SafeString:
    """The rows of ``clock/_milestones.html``'s table: each milestone with its rule, how its
    date is worked out, the guidance and its basis, the due date (and any extension), its
    status (a due date passed: Overdue) and, with ``actions`` (the business unit), the links
    to pause, resume or extend it; a milestone another partnership keeps says so."""
    today_iso = datetime.datetime.now(tz=timezone.get_current_timezone()).date().isoformat()
    if partnership is not None and actions:
        links = (
            row_link("clock:pause", partnership.slug),
            row_link("clock:resume", partnership.slug),
            row_link("clock:extend", partnership.slug),
        )
    else:
        links = None
    return table_rows(
        (_milestone_row(m, partnership, actions, links, today_iso) for m in milestones),
        indent="  ",
    )


def _milestone_row(m, partnership, actions: bool, links, today_iso: str) -> str:
    rule = m.rule
    name = text(rule.name)
    kept_by = ""
    if partnership and m.partnership_id != partnership.pk and not actions:
        kept_by = f'<br><span class="govuk-body-s">Kept by {text(m.partnership.name)}</span>'
    colour = _BASIS_COLOURS.get(rule.basis, "govuk-tag--grey")
    due = date(m.due_on, "l j F Y")
    if m.due_on != m.original_due_on:
        reason = f": {text(m.extension_reason)}" if m.extension_reason else ""
        due += (
            '<br><span class="govuk-body-s">Extended from '
            f"{date(m.original_due_on, 'j F Y')}{reason}</span>"
        )
    if m.status == "done":
        done_on = (
            f' <span class="govuk-body-s">{date(m.done_on, "j F Y")}</span>' if m.done_on else ""
        )
        status = f'<strong class="govuk-tag govuk-tag--green">Done</strong>{done_on}\n      '
    elif m.status == "paused":
        reason = (
            f'<br><span class="govuk-body-s">{text(m.paused_reason)}</span>'
            if m.paused_reason
            else ""
        )
        status = f'<strong class="govuk-tag govuk-tag--grey">Paused</strong>{reason}\n      '
    elif m.status == "not_applicable":
        status = '<strong class="govuk-tag govuk-tag--grey">Not applicable</strong>\n      '
    elif date(m.due_on, "Y-m-d") < today_iso:
        status = '<strong class="govuk-tag govuk-tag--red">Overdue</strong>\n      '
    else:
        status = '<strong class="govuk-tag govuk-tag--blue">Due</strong>'
    action_cell = ""
    if actions:
        pause, resume, extend = links if links is not None else (None, None, None)
        ours = partnership is not None and m.partnership_id == partnership.pk
        hidden = f'<span class="govuk-visually-hidden"> {name}</span>'
        if not ours:
            first = (
                "\n      "
                f'<span class="govuk-body-s">Kept by {text(m.partnership.name)}</span>\n      '
            )
        elif m.status == "due":
            first = (
                f'\n      <a class="govuk-link" href="{pause(m.pk)}">Pause{hidden}</a><br>\n      '
            )
        elif m.status == "paused":
            resumed = f'<a class="govuk-link" href="{resume(m.pk)}">Resume{hidden}</a>'
            first = f"\n      {resumed}<br>\n      "
        else:
            first = ""
        second = ""
        if ours and m.status in ("due", "paused"):
            second = (
                f'\n      <a class="govuk-link" href="{extend(m.pk)}">Extend{hidden}</a>\n      '
            )
        action_cell = (
            f'\n    <td class="govuk-table__cell">\n      {first}\n      {second}\n    </td>\n    '
        )
    return (
        '<tr class="govuk-table__row">\n'
        f'    <td class="govuk-table__cell">{name}<br><span class="govuk-body-s">'
        f"{number(m.offset_amount)} {text(m.get_offset_unit_display())} from "
        f"{date(m.starts_on, 'j F Y')}</span>{kept_by}</td>\n"
        f'    <td class="govuk-table__cell">{text(rule_source(str(rule.rule_id)))} '
        f'<strong class="govuk-tag {colour}">{text(rule.get_basis_display())}</strong></td>\n'
        f'    <td class="govuk-table__cell">{due}</td>\n'
        '    <td class="govuk-table__cell">\n'
        f"      {status}\n"
        "    </td>\n"
        f"    {action_cell}\n"
        "  </tr>"
    )
