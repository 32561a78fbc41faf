"""The rows of the audit trail's table of events, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, table_rows, text

from .models import AuditEvent


def event_rows_html(events: Iterable[AuditEvent]) -> SafeString:
    """The rows of ``audit/_event_table.html``'s table: when, who, what, and the record with
    the fields changed."""
    return table_rows((_event_row(event) for event in events), indent="  ")


def _event_row(event: AuditEvent) -> str:
    record = text(event.object_label) if event.object_label else "–"
    payload = event.payload
    fields = payload.get("fields") if isinstance(payload, dict) else None
    if fields:
        changed = ", ".join(text(field) for field in fields)
        record += f'<br><span class="govuk-body-s">Changed: {changed}</span>'
    return (
        '<tr class="govuk-table__row">\n'
        '    <td class="govuk-table__cell" data-label="When">'
        f"{date(event.occurred_at, 'j M Y H:i')}</td>\n"
        '    <td class="govuk-table__cell" data-label="Who">'
        f"{text(event.actor_label) if event.actor_label else '–'}</td>\n"
        f'    <td class="govuk-table__cell" data-label="What">{text(event.action_label)}</td>\n'
        f'    <td class="govuk-table__cell" data-label="Record">{record}</td>\n'
        "  </tr>"
    )
