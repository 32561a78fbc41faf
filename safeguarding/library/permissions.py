"""Who may see and change the learning library (DESIGN §2; issue 7).

- Every member of the partnership reads the library: it is learning material (business unit,
  partner leads, reviewers, panel members, agency contributors, administrators).
- Only the business unit changes it: records, imports, national reviews, search terms and
  national library submissions.
- Records that are not public (a withdrawn review, say) only to the business unit and partner
  leads; other members see what the public sees.
- The public sees public records only (the public pages, no sign-in).
- Non-members: 404 (``partnership_get_for_user``).
"""

from safeguarding.accounts.permissions import is_business_unit, is_member, is_partner_lead


def can_read_library(user, partnership) -> bool:
    return is_member(user, partnership)


def can_manage_library(user, partnership) -> bool:
    return is_business_unit(user, partnership)


def sees_non_public_records(user, partnership) -> bool:
    return is_business_unit(user, partnership) or is_partner_lead(user, partnership)
