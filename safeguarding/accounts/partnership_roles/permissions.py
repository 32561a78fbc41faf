"""Who records a partnership's Working Together 2023 roles: the business unit only. A role
linked to an account says in what capacity that person's signatures are given, so it is set
by those who name decision makers (ADR 0017), not by administrators."""

from safeguarding.accounts.permissions import is_business_unit

can_manage_partnership_roles = is_business_unit
