"""The registered vocabulary of audit action codes.

Each app registers the codes it writes (in its AppConfig.ready). Recording an unregistered code
is an error, so the vocabulary stays small and every code has a plain-English label.
"""

import re

_CODE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
_ACTIONS: dict[str, str] = {}


class UnknownAuditAction(LookupError):
    """An audit event was recorded with a code nobody registered."""


def register_actions(actions: dict[str, str]) -> None:
    for code, label in actions.items():
        if not _CODE.match(code):
            raise ValueError(f"Audit action codes look like 'entity.verb_done', not {code!r}")
        if code in _ACTIONS and _ACTIONS[code] != label:
            raise ValueError(f"Audit action {code!r} is already registered with another label")
        _ACTIONS[code] = label


def action_label(code: str) -> str:
    try:
        return _ACTIONS[code]
    except KeyError:
        raise UnknownAuditAction(code) from None


def registered_actions() -> dict[str, str]:
    return dict(sorted(_ACTIONS.items()))
