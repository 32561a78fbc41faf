"""The rows of the people list, written in Python as ``core/row_markup.py`` describes (issue
16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import row_link, table_rows, text

from .selectors import PersonRow

_DEACTIVATED = '<strong class="govuk-tag govuk-tag--grey">Deactivated</strong>\n'
_SWITCHED_OFF = '<strong class="govuk-tag govuk-tag--grey">Account switched off</strong>\n'
_ACTIVE = '<strong class="govuk-tag govuk-tag--green">Active</strong>\n'


def people_rows_html(rows: Iterable[PersonRow], *, partnership) -> SafeString:
    """The rows of ``people/list.html``'s table: each person (linked to their page) with their
    email address, their roles here and their status (``people/_status.html``)."""
    link = row_link("people:person", partnership.slug)
    return table_rows((_person_row(row, link) for row in rows), tags_indent="      ")


def _person_row(row: PersonRow, link: Callable[[int], str]) -> str:
    user = row.user
    if row.memberships:
        labels = "".join(f"<li>{text(label)}</li>" for label in row.role_labels)
        roles = f'<ul class="govuk-list govuk-!-margin-bottom-0">{labels}</ul>'
    else:
        roles = "None"
    if row.is_deactivated:
        status = _DEACTIVATED
    elif not user.is_active:
        status = _SWITCHED_OFF
    else:
        status = _ACTIVE
    return (
        '<tr class="govuk-table__row">\n'
        '          <td class="govuk-table__cell" data-label="Name">'
        f'<a class="govuk-link" href="{link(user.pk)}">{text(user.full_name)}</a><br>'
        f'<span class="govuk-body-s govuk-!-text-break-word">{text(user.email)}</span></td>\n'
        f'          <td class="govuk-table__cell" data-label="Roles here">{roles}</td>\n'
        f'          <td class="govuk-table__cell" data-label="Status">{status}</td>\n'
        "        </tr>"
    )
