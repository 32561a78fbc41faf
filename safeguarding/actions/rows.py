"""The rows of the action tracker's table (the tracker and an agency's actions) and of the
action plan's tables of actions, written in Python as ``core/row_markup.py`` describes (issue
16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from safeguarding.core.row_markup import (
    date,
    linebreaksbr,
    number,
    row_link,
    table_rows,
    text,
    truncatewords,
)
from safeguarding.core.templatetags.govuk import govuk_text

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


def finding_cards_html(findings: Iterable, *, partnership, review, can_manage: bool) -> SafeString:
    """What ``actions/plan/plan.html``'s loop over the findings wrote for each (between its
    ``{% for %}`` and ``{% empty %}``): a summary card with the finding's kind, number, title,
    text (``govuk_text``) and themes, and for the business unit the link to change its themes
    (issue 16: the plan's template was most of its time)."""
    link = row_link("actions:finding_themes", partnership.slug, review.pk) if can_manage else None
    return mark_safe("".join(_finding_card(finding, link) for finding in findings))


def _finding_card(finding, link: Callable[[int], str] | None) -> str:
    kind = finding.get_kind_display()
    numbered = number(finding.number)
    actions = (
        '<ul class="govuk-summary-card__actions"><li class="govuk-summary-card__action">'
        f'<a class="govuk-link" href="{link(finding.pk)}">Change themes'
        f'<span class="govuk-visually-hidden"> of {text(str(kind).lower())} {numbered}</span>'
        "</a></li></ul>"
        if link is not None
        else ""
    )
    themes = "".join(
        f'<strong class="govuk-tag govuk-tag--grey">{text(theme.name)}</strong> '
        for theme in finding.themes.all()
    )
    return (
        f'\n<div class="govuk-summary-card" id="finding-{numbered}">\n'
        '  <div class="govuk-summary-card__title-wrapper">\n'
        f'    <h3 class="govuk-summary-card__title">{text(kind)} {numbered}: '
        f"{text(finding.title)}</h3>\n"
        f"    {actions}\n"
        "  </div>\n"
        '  <div class="govuk-summary-card__content">\n'
        f"    {govuk_text(finding.text)}\n"
        f'    <p class="govuk-body-s">Themes: {themes or "none yet"}</p>\n'
        "  </div>\n"
        "</div>\n"
    )


_JUDGEMENT_COLOURS = {"changed": "govuk-tag--green", "partly": "govuk-tag--yellow"}
_ROW = '  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">'
_VALUE = '</dt><dd class="govuk-summary-list__value">'


def recommendation_sections_html(
    recommendations: Iterable[Recommendation], *, partnership, can_manage: bool
) -> SafeString:
    """What ``actions/plan/plan.html``'s loop over the recommendations wrote for each (between
    its ``{% for %}`` and ``{% empty %}``): a section with the recommendation's text, its
    summary list, the business unit's links and its table of actions (``action_rows``, from
    ``with_plan_action_rows``)."""
    links = (
        (
            row_link("actions:recommendation_edit", partnership.slug),
            row_link("actions:impact", partnership.slug),
            row_link("actions:action_add", partnership.slug),
        )
        if can_manage
        else None
    )
    return mark_safe(
        "".join(_recommendation_section(rec, links, can_manage) for rec in recommendations)
    )


def _recommendation_section(recommendation: Recommendation, links, can_manage: bool) -> str:
    numbered = number(recommendation.number)
    answers = "<br>".join(
        f"{text(finding.get_kind_display())} {number(finding.number)}: {text(finding.title)}"
        for finding in recommendation.findings.all()
    )
    agencies = recommendation.agencies.all()
    addressed = ""
    if recommendation.to_partnership:
        addressed = "The partnership as a whole" + ("<br>" if agencies else "")
    addressed += "<br>".join(text(agency.name) for agency in agencies)
    if recommendation.impact_method:
        how = (
            f"{text(recommendation.get_impact_method_display())}: "
            f"{linebreaksbr(recommendation.impact_plan)}"
        )
        if recommendation.impact_review_on:
            how += f"<br>To check by {date(recommendation.impact_review_on, 'j F Y')}"
    else:
        how = "Not planned yet"
    if recommendation.impact_judgement:
        colour = _JUDGEMENT_COLOURS.get(recommendation.impact_judgement, "govuk-tag--grey")
        impact = (
            f'<strong class="govuk-tag {colour}">'
            f"{text(recommendation.get_impact_judgement_display())}</strong><br>"
            f"{linebreaksbr(recommendation.impact_result)}"
        )
        if recommendation.impact_recorded_on:
            impact += f"<br>Recorded {date(recommendation.impact_recorded_on, 'j F Y')}"
    else:
        impact = "Not recorded yet"
    manage = ""
    if links is not None:
        edit, impact_link, action_add = links
        pk = recommendation.pk
        manage = (
            '\n<ul class="govuk-list">\n'
            f'  <li><a class="govuk-link" href="{edit(pk)}">Change<span '
            f'class="govuk-visually-hidden"> recommendation {numbered}</span></a></li>\n'
            f'  <li><a class="govuk-link" href="{impact_link(pk)}">Impact<span '
            f'class="govuk-visually-hidden"> of recommendation {numbered}</span></a></li>\n'
            f'  <li><a class="govuk-link" href="{action_add(pk)}">Add an action<span '
            f'class="govuk-visually-hidden"> to recommendation {numbered}</span></a></li>\n'
            "</ul>\n"
        )
    if recommendation.actions.all():
        table = (
            '\n<table class="govuk-table">\n'
            '  <caption class="govuk-table__caption govuk-table__caption--s">Actions for '
            f"recommendation {numbered}</caption>\n"
            '  <thead class="govuk-table__head"><tr class="govuk-table__row">\n'
            '    <th scope="col" class="govuk-table__header">Ref</th>\n'
            '    <th scope="col" class="govuk-table__header">Action</th>\n'
            '    <th scope="col" class="govuk-table__header">Owner</th>\n'
            '    <th scope="col" class="govuk-table__header">Lead</th>\n'
            '    <th scope="col" class="govuk-table__header">Target date</th>\n'
            '    <th scope="col" class="govuk-table__header">Status</th>\n'
            "  </tr></thead>\n"
            '  <tbody class="govuk-table__body">\n'
            f"  {recommendation.action_rows}\n"
            "  </tbody>\n"
            "</table>\n"
        )
    else:
        more = (
            " Add an action: what one agency will do, who leads it and by when."
            if can_manage
            else ""
        )
        table = f'\n<p class="govuk-body">No actions yet.{more}</p>\n'
    return (
        f'\n<section id="recommendation-{numbered}" '
        f'aria-labelledby="recommendation-{numbered}-title">\n'
        f'<h3 class="govuk-heading-m" id="recommendation-{numbered}-title">'
        f"Recommendation {numbered}</h3>\n"
        f"{govuk_text(recommendation.text)}\n"
        '<dl class="govuk-summary-list">\n'
        f"{_ROW}Answers{_VALUE}{answers}</dd></div>\n"
        f"{_ROW}Addressed to{_VALUE}{addressed}</dd></div>\n"
        f"{_ROW}Scope{_VALUE}{text(recommendation.get_scope_display())}</dd></div>\n"
        f"{_ROW}Expected change{_VALUE}{linebreaksbr(recommendation.expected_change)}</dd></div>\n"
        f"{_ROW}Agreed{_VALUE}{date(recommendation.agreed_on, 'j F Y')}</dd></div>\n"
        f"{_ROW}How the partnership will know{_VALUE}{how}</dd></div>\n"
        f"{_ROW}Impact{_VALUE}{impact}</dd></div>\n"
        "</dl>\n"
        f"{manage}\n{table}\n"
        "</section>\n"
    )
