"""Who may see and change the learning library (DESIGN §2; issue 7).

- Every member of the partnership reads the library: it is learning material (business unit,
  partner leads, reviewers, panel members, agency contributors, administrators).
- Only the business unit changes it: records, imports, national reviews, search terms and
  national library submissions.
- The public sees public records only (the public pages, no sign-in).
- Non-members: 404 (``partnership_get_for_member``).
"""

from safeguarding.accounts.permissions import is_business_unit, is_member


def can_read_library(user, partnership) -> bool:
    return is_member(user, partnership)


def can_manage_library(user, partnership) -> bool:
    return is_business_unit(user, partnership)
