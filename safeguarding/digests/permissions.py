"""Who may do what with learning digests (DESIGN §2).

- Business unit: everything (start an issue, choose and order its items, publish it).
- Partner leads: read the issues and their previews.
- Everyone else in the partnership: nothing (403). Non-members: 404 (the selector).
- The public: published issues, and subscribing (``public_views``, no sign-in).
"""

from safeguarding.accounts.permissions import is_business_unit, is_partner_lead


def can_manage_digests(user, partnership) -> bool:
    return is_business_unit(user, partnership)


def can_view_digests(user, partnership) -> bool:
    return is_business_unit(user, partnership) or is_partner_lead(user, partnership)
