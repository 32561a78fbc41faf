"""The rows of the referral triage table, and the referral status tag that the triage and the
case list show, written in Python as ``core/row_markup.py`` describes (issue 16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, row_link, table_rows, text

from .models import Referral

# ``referrals/staff/_status_tag.html``: the tag's colour for each status (grey for any other).
_STATUS_COLOURS = {
    "new": "blue",
    "in_screening": "yellow",
    "awaiting_decision": "orange",
    "decided": "green",
}


def status_tag(status: str, label) -> str:
    """What ``{% include "referrals/staff/_status_tag.html" with status=… label=… %}``
    writes, with the file's last line end."""
    colour = _STATUS_COLOURS.get(status, "grey")
    return f'<strong class="govuk-tag govuk-tag--{colour}">{text(label)}</strong>\n'


def triage_rows_html(referrals: Iterable[Referral], *, partnership) -> SafeString:
    """The rows of ``referrals/staff/triage.html``'s table: each referral linked to its page,
    its type, age group, date received, status and case (linked) if it has one."""
    referral_link = row_link("referrals:detail", partnership.slug)
    case_link = row_link("referrals:case", partnership.slug)
    return table_rows(_triage_row(referral, referral_link, case_link) for referral in referrals)


def _triage_row(
    referral: Referral, referral_link: Callable[[int], str], case_link: Callable[[int], str]
) -> str:
    case = referral.case
    if case:
        shown_case = (
            f'<a class="govuk-link" href="{case_link(case.pk)}">{text(case.reference)}'
            f'<span class="govuk-visually-hidden"> ({text(case.pseudonym)})</span></a>'
        )
    else:
        shown_case = "Not yet"
    return (
        '<tr class="govuk-table__row">\n'
        '          <td class="govuk-table__cell" data-label="Reference"><a class="govuk-link" '
        f'href="{referral_link(referral.pk)}">{text(referral.reference)}</a></td>\n'
        '          <td class="govuk-table__cell" data-label="Review type">'
        f"{text(referral.get_review_type_display())}</td>\n"
        '          <td class="govuk-table__cell" data-label="Age group">'
        f"{text(referral.get_age_group_display())}</td>\n"
        '          <td class="govuk-table__cell" data-label="Received">'
        f"{date(referral.received_on, 'j F Y')}</td>\n"
        '          <td class="govuk-table__cell" data-label="Status">'
        f"{status_tag(referral.status, referral.get_status_display())}</td>\n"
        f'          <td class="govuk-table__cell" data-label="Case">{shown_case}</td>\n'
        "        </tr>"
    )
