"""The rows of the audit trail's table of events, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString

from safeguarding.core.row_markup import date, table_rows, text
from safeguarding.core.templatetags.cached_date import date as _date_filter

from .models import AuditEvent


def event_rows_html(events: Iterable[AuditEvent]) -> SafeString:
    """The rows of ``audit/_event_rows_table.html``'s table: when, who, what, and the record with
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
        f"{_when(event.occurred_at)}</td>\n"
        '    <td class="govuk-table__cell" data-label="Who">'
        f"{text(event.actor_label) if event.actor_label else '–'}</td>\n"
        f'    <td class="govuk-table__cell" data-label="What">{text(event.action_label)}</td>\n'
        f'    <td class="govuk-table__cell" data-label="Record">{record}</td>\n'
        "  </tr>"
    )


def _when(value) -> str:
    """``{{ value|date:"j M Y H:i" }}`` of an aware moment: its local day written as the
    remembered ``|date`` writes a day (Django's filter reads its format again for every
    datetime), then the hour and minute."""
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_aware(value):
        local = timezone.localtime(value)
        return text(_date_filter(local.date(), "j M Y")) + f" {local:%H:%M}"
    return date(value, "j M Y H:i")
