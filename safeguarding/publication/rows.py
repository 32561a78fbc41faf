"""The rows of the publications' staff list, written in Python (issue 16, ADR 0034, with the
helpers of ``core/row_markup.py``): a page of 25 at ten years against a first year's dozen."""

from __future__ import annotations

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, row_link, table_rows, text

_TAGS = {
    "published": " govuk-tag--green",
    "scheduled": " govuk-tag--blue",
    "withdrawn": " govuk-tag--grey",
}
_ON_REQUEST = '<br><span class="govuk-body-s">Available on request</span>'


def publication_rows_html(publications, slug: str) -> SafeString:
    """The rows of ``publication/staff/list.html``'s table of the partnership's publications."""
    link = row_link("publication:detail", slug)
    return table_rows(
        (
            '<tr class="govuk-table__row">\n'
            '      <td class="govuk-table__cell" data-label="Title">'
            f'<a class="govuk-link" href="{link(p.pk)}">{text(p.title)}</a></td>\n'
            '      <td class="govuk-table__cell" data-label="Review">'
            f"{text(p.review.reference)}</td>\n"
            '      <td class="govuk-table__cell" data-label="Status">'
            f'<strong class="govuk-tag{_TAGS.get(p.status, " govuk-tag--yellow")}">'
            f"{text(p.get_status_display())}</strong>"
            f"{_ON_REQUEST if p.status == 'withdrawn' and p.available_on_request else ''}</td>\n"
            '      <td class="govuk-table__cell" data-label="Date">'
            f"{date(p.publish_on, 'j F Y') or 'Not set'}</td>\n"
            '      <td class="govuk-table__cell" data-label="Open findings">'
            f"{text(p.open_findings)}</td>\n"
            "    </tr>"
            for p in publications
        ),
        indent="    ",
        tags_indent="  ",
    )
