"""Who may use the records pages: the business unit only (retention periods and holds, and
requests for data about a person, which show real identities)."""

from safeguarding.accounts.permissions import is_business_unit

can_manage_records = is_business_unit
