"""Who may see and do what in a review (DESIGN §2).

- Business unit: everything in their partnership's reviews.
- Partner leads: read every review of their partnership; sign off when named decision makers.
- Reviewers and panel members: only the reviews they are appointed to (Appointment.user).
- Agency contributors: only the requests addressed to their agency (never a review's other
  content, other agencies' returns or real identities).
- Administrators: no case content.
Real identities: business unit and partner leads only; every view audited.
"""

import rules

from safeguarding.accounts.permissions import (
    is_agency_contributor,
    is_business_unit,
    is_panel_member,
    is_partner_lead,
    is_reviewer,
    roles_in,
)

from .models import Appointment, Review


@rules.predicate
def is_appointed(user, review: Review) -> bool:
    if not user.is_authenticated:
        return False
    # An ended appointment (archived) no longer gives access.
    return Appointment.objects.active().filter(review=review, user=user).exists()


def can_manage_review(user, review: Review) -> bool:
    return is_business_unit(user, review.partnership)


def can_view_review(user, review: Review, partnership=None) -> bool:
    """``partnership``: the address the user came by. Under a partnership the review's case is
    shared with (an accepted share granting the review, checked by the scoped selector: ADR
    0018) its business unit and partner leads read the review; nobody else there does."""
    if partnership is not None and partnership.pk != review.partnership_id:
        return is_business_unit(user, partnership) or is_partner_lead(user, partnership)
    partnership = review.partnership
    if is_business_unit(user, partnership) or is_partner_lead(user, partnership):
        return True
    if is_reviewer(user, partnership) or is_panel_member(user, partnership):
        return is_appointed(user, review)
    return False


def can_list_cases(user, partnership) -> bool:
    """The list of cases and reviews: the business unit and partner leads (every case), reviewers
    and panel members (the cases of the reviews they are appointed to). Agency contributors work
    from their agency's requests; administrators see no case content."""
    return (
        is_business_unit(user, partnership)
        or is_partner_lead(user, partnership)
        or is_reviewer(user, partnership)
        or is_panel_member(user, partnership)
    )


def can_edit_review_content(user, review: Review) -> bool:
    """Business unit, or an appointed reviewer (they write findings and upload drafts)."""
    if review.is_read_only:
        return False
    if is_business_unit(user, review.partnership):
        return True
    return is_reviewer(user, review.partnership) and is_appointed(user, review)


def can_view_identities(user, partnership) -> bool:
    return is_business_unit(user, partnership) or is_partner_lead(user, partnership)


def agency_ids_for(user, partnership) -> set[int]:
    """The agencies a contributor acts for in ``partnership`` (empty for other roles)."""
    if not is_agency_contributor(user, partnership):
        return set()
    from safeguarding.accounts.models import Membership

    return set(
        Membership.objects.filter(
            user=user, partnership=partnership, role="agency_contributor"
        ).values_list("agency_id", flat=True)
    )


def can_answer_request(user, request) -> bool:
    """A contributor of the agency asked, in the partnership that answers the request (the
    review's, or the partner whose agency was asked, ADR 0022)."""
    review = request.review
    if review.is_read_only:
        return False
    return request.agency_id in agency_ids_for(user, request.answering_partnership)


__all__ = ["roles_in"]
