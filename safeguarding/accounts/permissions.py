"""Named permission predicates for partnerships. Other apps build on these.

Every predicate takes (user, partnership). Roles come from the user's memberships, read once
per request and cached on the user object.
"""

import rules
from django.db import router

from safeguarding.core.compiled_sql import CompiledQuery

from .models import Membership, Role

# Every staff page asks for the user's roles: the query's SQL is built once (issue 16).
_ROLES = CompiledQuery(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id).order_by().values_list("partnership_id", "role")
    ),
    # A user id no row has, standing for the real one while the SQL is built.
    {"user_id": (-7_301_946_289, Membership._meta.get_field("user"))},
)


def roles_in(user, partnership) -> frozenset[str]:
    """The roles ``user`` holds in ``partnership`` (empty for anonymous users)."""
    if user is None or not user.is_authenticated or partnership is None:
        return frozenset()
    cache = getattr(user, "_roles_by_partnership", None)
    if cache is None:
        cache = {}
        for partnership_id, role in _ROLES.rows(router.db_for_read(Membership), user_id=user.pk):
            cache.setdefault(partnership_id, set()).add(role)
        user._roles_by_partnership = cache
    return frozenset(cache.get(partnership.pk, ()))


def _has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user, partnership) -> bool:
        return role in roles_in(user, partnership)

    return predicate


is_business_unit = _has_role(Role.BUSINESS_UNIT)
is_partner_lead = _has_role(Role.PARTNER_LEAD)
is_panel_member = _has_role(Role.PANEL_MEMBER)
is_reviewer = _has_role(Role.REVIEWER)
is_agency_contributor = _has_role(Role.AGENCY_CONTRIBUTOR)
is_administrator = _has_role(Role.ADMINISTRATOR)


@rules.predicate
def is_member(user, partnership) -> bool:
    return bool(roles_in(user, partnership))


# Named permissions used by views and templates.
can_use_staff_area = is_member
can_administer_partnership = is_administrator
