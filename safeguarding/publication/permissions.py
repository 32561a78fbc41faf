"""Who may do what with the publication of a signed-off review (DESIGN §2; R16, R35).

- Business unit: everything (start, decide, upload, check, record steps, publish, correct), and
  withdraw an item once it has been public for its 12 months (``earliest_removal_on``).
- Partner leads: read everything, and withdraw an item *before* its 12 months are up. Removing a
  published review early is a decision for the safeguarding partners (the decision makers), not
  for the business unit alone, and needs a recorded reason (a court order, for example): this is
  the "special permission" of issue 5. It is held by the partnership's partner leads.
- Everyone else in the partnership: nothing (403). Non-members: 404 (the selector).
"""

import datetime

from safeguarding.accounts.permissions import is_business_unit, is_partner_lead


def can_manage_publications(user, partnership) -> bool:
    return is_business_unit(user, partnership)


def can_view_publications(user, partnership) -> bool:
    return is_business_unit(user, partnership) or is_partner_lead(user, partnership)


def can_withdraw_early(user, partnership) -> bool:
    """The special permission to remove a published item before its earliest removal date."""
    return is_partner_lead(user, partnership)


def can_withdraw(user, publication, today: datetime.date) -> bool:
    partnership = publication.partnership
    early = publication.earliest_removal_on is None or today < publication.earliest_removal_on
    if early:
        return can_withdraw_early(user, partnership)
    return is_business_unit(user, partnership) or can_withdraw_early(user, partnership)


def can_open_withdraw_page(user, partnership) -> bool:
    return is_business_unit(user, partnership) or can_withdraw_early(user, partnership)
