"""Who may see and do what with referrals (DESIGN §2). Agency contributors, panel members and
reviewers see no referrals; real identities are for the business unit and partner leads only,
and each view of them is audited."""

import rules

from safeguarding.accounts.permissions import is_business_unit, is_partner_lead

can_triage_referrals = is_business_unit
can_view_referrals = is_business_unit | is_partner_lead
can_view_identities = is_business_unit | is_partner_lead
can_screen = is_business_unit
can_record_decisions = is_business_unit
can_record_notifications = is_business_unit


@rules.predicate
def can_sign_decision(user, decision) -> bool:
    """The user is one of the decision's signatories (ADR 0019: copied from the partnership's
    named decision makers when it was recorded, replaced by the business unit if one left)."""
    from .models import DecisionSignatory

    if not user.is_authenticated:
        return False
    return DecisionSignatory.objects.filter(
        decision=decision, replaced_at__isnull=True, decision_maker__user=user
    ).exists()


def owns_case(partnership, case) -> bool:
    """The partnership holds the case (rather than reaching it through a share, ADR 0022):
    only the owner screens it, sends it for decision, records notifications and starts its
    reviews."""
    return case.partnership_id == partnership.pk


def decides_track(partnership, track) -> bool:
    """The partnership's business unit records this track's decision (ADR 0022)."""
    return track.deciding_partnership_id == partnership.pk
