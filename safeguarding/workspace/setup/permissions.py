"""Who may change a partnership's setup.

- Agencies: the business unit and the partnership's administrators (as for people, ADR 0011):
  the list of agencies opens no case content.
- Decision makers: the business unit only. Naming someone a decision maker lets them read and
  sign the partnership's decisions, which an administrator may never open to anyone.
"""

from safeguarding.accounts.permissions import is_administrator, is_business_unit

can_manage_agencies = is_business_unit | is_administrator
can_manage_decision_makers = is_business_unit
# Guidance versions: the business unit only (they decide which rules the partnership's cases
# follow, ADR 0018).
can_manage_guidance = is_business_unit
