from safeguarding.accounts.permissions import is_business_unit

# Business unit users read their partnership's audit trail (DESIGN §2).
can_view_audit_trail = is_business_unit
