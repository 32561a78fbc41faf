"""Who may read the partnership's reports."""

from safeguarding.accounts.permissions import is_business_unit, is_partner_lead


def can_view_reports(user, partnership) -> bool:
    """The business unit and partner leads (agency contributors see only their own actions, so
    never the partnership's figures)."""
    return is_business_unit(user, partnership) or is_partner_lead(user, partnership)


def can_record_yearly_reports(user, partnership) -> bool:
    """The business unit records the yearly reports, their publication and who was sent them."""
    return is_business_unit(user, partnership)
