"""The registered vocabulary of notification kinds, like the audit registry.

Each app registers the kinds it sends in its AppConfig.ready: a code (``entity.event``), a
plain-English label, the subject (a one-line Django template) and the plain-text email body (a
template path). ``notify()`` with a kind nobody registered is an error, so every notification
has a label and a template. How to add one: docs/how-to/add-a-notification.md.
"""

import re
from dataclasses import dataclass

_CODE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
_KINDS: dict[str, "NotificationKind"] = {}


class UnknownNotificationKind(LookupError):
    """A notification was sent with a kind nobody registered."""


@dataclass(frozen=True)
class NotificationKind:
    label: str  # what it is, e.g. "A milestone is due soon"
    subject: str  # a Django template of one line, rendered with the notification's context
    template: str  # the plain-text body, e.g. "clock/email/reminder_upcoming.txt"


def register_kinds(kinds: dict[str, NotificationKind]) -> None:
    for code, kind in kinds.items():
        if not _CODE.match(code):
            raise ValueError(f"Notification kinds look like 'entity.event', not {code!r}")
        if code in _KINDS and _KINDS[code] != kind:
            raise ValueError(f"Notification kind {code!r} is already registered differently")
        _KINDS[code] = kind


def kind_get(code: str) -> NotificationKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise UnknownNotificationKind(code) from None


def registered_kinds() -> dict[str, NotificationKind]:
    return dict(sorted(_KINDS.items()))
