"""Reads of the audit trail, scoped to one partnership."""

import datetime

from django.db.models import Q, QuerySet

from safeguarding.accounts.models import Membership, Partnership

from .models import AuditEvent


def audit_event_list_for_partnership(
    *,
    partnership: Partnership,
    user_email: str = "",
    record: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events about the partnership's records, plus the sign-in events of its members.

    ``record`` matches the record's label, or "type:id" exactly (e.g. "public_site.contentblock:3").
    Dates are inclusive, in the service's time zone.
    """
    members = Membership.objects.filter(partnership=partnership).values("user_id")
    events = AuditEvent.objects.filter(
        Q(partnership=partnership) | Q(partnership__isnull=True, actor_id__in=members)
    )
    if user_email:
        events = events.filter(actor_label__icontains=user_email.strip())
    if record:
        record = record.strip()
        object_type, _, object_id = record.partition(":")
        if object_id and "." in object_type:
            events = events.filter(object_type=object_type, object_id=object_id)
        else:
            events = events.filter(object_label__icontains=record)
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return events.order_by("-occurred_at", "-id")
