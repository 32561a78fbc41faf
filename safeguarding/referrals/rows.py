"""The rows of the referral triage table and of the cases shared with a partnership, and the
referral status tag that the triage and the case list show, written in Python as
``core/row_markup.py`` describes (issue 16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, row_link, table_rows, text

from .models import CaseShare, Referral

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


_SHARE_STATES = {
    "invited": '<strong class="govuk-tag govuk-tag--orange">Waiting for your answer</strong>',
}
_SHARE_ACCEPTED = '<strong class="govuk-tag govuk-tag--green">Accepted</strong>'


def share_rows_html(shares: Iterable[CaseShare], *, partnership, can_answer: bool) -> SafeString:
    """The rows of ``referrals/staff/shares.html``'s table: each case offered to the
    partnership (linked to its page once accepted, to the answer for those who answer), the
    partnership offering it, the partnership's role and the share's state."""
    case_link = row_link("referrals:case", partnership.slug)
    answer_link = row_link("referrals:share_answer", partnership.slug)
    return table_rows(
        (_share_row(share, case_link, answer_link if can_answer else None) for share in shares),
        indent="  ",
    )


def _share_row(
    share: CaseShare, case_link: Callable[[int], str], answer_link: Callable[[int], str] | None
) -> str:
    case = share.case
    shown = f"{text(case.pseudonym)} ({text(case.reference)})"
    if share.state == "accepted":
        shown = f'<a class="govuk-link" href="{case_link(case.pk)}">{shown}</a>'
    elif answer_link is not None:
        shown = f'<a class="govuk-link" href="{answer_link(share.pk)}">{shown}</a>'
    role = text(share.get_role_display())
    if share.decides_review_type:
        role += f"; decides the {text(share.get_decides_review_type_display())}"
    return (
        '<tr class="govuk-table__row">\n'
        f'    <td class="govuk-table__cell" data-label="Case">{shown}</td>\n'
        f'    <td class="govuk-table__cell" data-label="From">{text(case.partnership.name)}</td>\n'
        f'    <td class="govuk-table__cell" data-label="Your role">{role}</td>\n'
        '    <td class="govuk-table__cell" data-label="Status">'
        f"{_SHARE_STATES.get(share.state, _SHARE_ACCEPTED)}</td>\n"
        "  </tr>"
    )
