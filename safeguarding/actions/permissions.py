"""Who may see and change recommendations and actions (DESIGN §2).

- Business unit: everything in their partnership; the only role that writes the action plan,
  accepts or returns completions, records impact and decides not to implement.
- Partner leads: read everything in their partnership (the tracker, every action plan).
- Reviewers and panel members: read the action plan of the reviews they are appointed to.
- Agency contributors: only their own agency's actions (with the recommendation each answers);
  they record progress and evidence and ask for completion.
- Administrators: nothing here.
"""

from safeguarding.accounts.permissions import is_business_unit, is_partner_lead
from safeguarding.reviews.permissions import agency_ids_for, can_view_review

from .models import Action


def can_manage_actions(user, partnership) -> bool:
    return is_business_unit(user, partnership)


def can_view_action_plan(user, review) -> bool:
    return can_view_review(user, review)


def can_view_tracker(user, partnership) -> bool:
    """The partnership-wide tracker: business unit and partner leads see every action; agency
    contributors see their own agency's (the selector narrows it)."""
    return (
        is_business_unit(user, partnership)
        or is_partner_lead(user, partnership)
        or bool(agency_ids_for(user, partnership))
    )


def sees_every_action(user, partnership) -> bool:
    return is_business_unit(user, partnership) or is_partner_lead(user, partnership)


def can_view_action(user, action: Action) -> bool:
    review = action.recommendation.review
    if can_view_review(user, review):
        return True
    return action.agency_id in agency_ids_for(user, action.partnership)


def can_update_action(user, action: Action) -> bool:
    """Progress notes, evidence and asking for completion: the owner agency's contributors and
    the business unit."""
    if is_business_unit(user, action.partnership):
        return True
    return action.agency_id in agency_ids_for(user, action.partnership)
