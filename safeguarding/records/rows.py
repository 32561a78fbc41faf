"""The rows of the retention page's table of cases on hold, written in Python (issue 16, ADR
0034, with the helpers of ``core/row_markup.py``): a partnership's holds pile up with its cases
(2 at one year of bench data, 16 at ten), and the template's loop was a growing part of the
page."""

from __future__ import annotations

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, row_link, table_rows, text


def hold_rows_html(holds, slug: str) -> SafeString:
    """The rows of ``records/retention.html``'s cases on hold, as its loop wrote them."""
    case_link = row_link("referrals:case", slug)
    lift_link = row_link("records:hold_lift", slug)
    return table_rows(
        [
            '<tr class="govuk-table__row">\n'
            f'    <td class="govuk-table__cell"><a class="govuk-link" '
            f'href="{case_link(hold.case.pk)}">{text(hold.case.reference)}</a> '
            f"({text(hold.case.pseudonym)})</td>\n"
            f'    <td class="govuk-table__cell">{text(hold.reason)}</td>\n'
            f'    <td class="govuk-table__cell">{date(hold.placed_at, "j F Y")}, '
            f"{text(hold.placed_by.full_name)}</td>\n"
            f'    <td class="govuk-table__cell"><a class="govuk-link" '
            f'href="{lift_link(hold.pk)}">Lift<span class="govuk-visually-hidden"> the hold on '
            f"{text(hold.case.reference)}</span></a></td>\n"
            "  </tr>"
            for hold in holds
        ],
        indent="  ",
    )
