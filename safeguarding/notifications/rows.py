"""The notifications on ``notifications/list.html``, written in Python as ``core/row_markup.py``
describes (issue 16, ADR 0034): a page of 25, each its subject linked to it, whether it is
unread, its partnership and when it was sent. The template keeps the page's frame (heading,
the empty state, pagination)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe

from safeguarding.core.row_markup import date, row_link, text

from .models import Notification

_SENT_AT = r"j F Y \a\t H:i"  # the template's date format: "20 November 2026 at 09:30"
_UNREAD = '<strong class="govuk-tag govuk-tag--blue">Unread</strong>'


def notification_rows_html(notifications: Iterable[Notification]) -> SafeString:
    """What the list's ``{% for notification in page %}`` wrote for each notification."""
    link = row_link("notifications:detail")
    return mark_safe(
        "".join(
            "\n"
            '<div class="govuk-!-margin-bottom-2">\n'
            '  <h2 class="govuk-heading-s govuk-!-margin-bottom-1">\n'
            f'    <a class="govuk-link" href="{link(notification.pk)}">'
            f"{text(notification.subject)}</a>\n"
            f"    {'' if notification.read_at else _UNREAD}\n"
            "  </h2>\n"
            '  <p class="govuk-body-s govuk-!-margin-bottom-0">'
            f"{text(notification.partnership.name)}, "
            f"{date(notification.created_at, _SENT_AT)}</p>\n"
            "</div>\n"
            '<hr class="govuk-section-break govuk-section-break--m govuk-section-break--visible">\n'
            for notification in notifications
        )
    )
