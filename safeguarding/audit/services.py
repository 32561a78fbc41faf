"""Writing audit events. Services call ``audit_record`` inside their own transaction."""

import json
from typing import Any

from django.db import models

from safeguarding.core.request_context import current_request_id

from .models import AuditEvent
from .registry import action_label

MAX_PAYLOAD_BYTES = 4096


def audit_record(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    partnership=None,
    payload: dict[str, Any] | None = None,
    actor_label: str = "",
    using: str | None = None,
) -> AuditEvent:
    """Append one audit event.

    ``action`` must be a registered code (an unknown code raises UnknownAuditAction).
    ``target`` is the record acted on; ``partnership`` scopes the event for the trail.
    The payload is a small JSON object: no more than 4 KB, and never real identities.
    ``using`` names a database alias (only a restore into a second database does); without it
    the event goes where the database routers send it, as every other write does.
    """
    action_label(action)  # raises for an unregistered code
    payload = payload or {}
    encoded = json.dumps(payload, default=str, sort_keys=True)
    if len(encoded.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"Audit payload is larger than {MAX_PAYLOAD_BYTES} bytes")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if partnership is None and target is not None:
        partnership = getattr(target, "partnership", None)
    events = AuditEvent.objects if using is None else AuditEvent.objects.using(using)
    return events.create(
        action=action,
        actor=actor,
        actor_label=actor_label or (actor.email if actor is not None else ""),
        partnership=partnership,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_label=str(target)[:300] if target is not None else "",
        payload=json.loads(encoded),
        request_id=current_request_id.get(),
    )
