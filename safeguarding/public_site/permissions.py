"""Who may change a partnership's public Reviews page."""

from safeguarding.accounts.permissions import is_business_unit

can_manage_public_page = is_business_unit
