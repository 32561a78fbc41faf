"""Who may manage people, and which roles each may give (ADR 0011).

- The business unit manages the people of its partnership and may give every role there.
- A partnership administrator manages people too (lists them, invites, sends invitations again,
  cancels them, deactivates and reactivates), but may give only the administrator role: it can
  never open case content to anyone, itself included.
- Nobody changes their own roles or memberships: another person must do it.
- Taking roles away needs no special power (it cannot widen anyone's access), except that a
  partnership always keeps at least one business unit member.

Being a superuser gives nothing here: the predicates read memberships only.
"""

import rules

from safeguarding.accounts.models import CASE_DATA_ROLES, Role
from safeguarding.accounts.permissions import is_administrator, is_business_unit, roles_in

can_manage_people = is_business_unit | is_administrator


@rules.predicate
def can_give_case_data_roles(user, partnership) -> bool:
    return is_business_unit(user, partnership)


def roles_grantable_by(user, partnership) -> list[str]:
    """The roles ``user`` may give to other people in ``partnership``, in the order of Role."""
    held = roles_in(user, partnership)
    if Role.BUSINESS_UNIT in held:
        return list(Role.values)
    if Role.ADMINISTRATOR in held:
        return [role for role in Role.values if role not in CASE_DATA_ROLES]
    return []
