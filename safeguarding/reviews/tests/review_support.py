"""Helpers for the review page tests: a fictional case with final decisions calling for a
review, its decision makers, and a commissioned review, all made through the real services."""

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import DecisionMaker, Track
from safeguarding.referrals.tests.staff_support import make_case, name_decision_makers, today
from safeguarding.reviews.running import services as review_services

OUTCOME_FOR = {"cspr": "rapid_review_then_local", "sar": "mandatory", "dhr": "review"}
CAPACITIES = {
    "cspr": ("Local authority", "Police", "Integrated care board"),
    "sar": ("Safeguarding Adults Board chair",),
    "dhr": ("Community Safety Partnership chair",),
}


def decided_case(partnership, actor, review_types=("cspr",), pseudonym="Child B"):
    """A case whose decisions for ``review_types`` are final and call for a review.
    Returns (case, {review_type: {capacity: user}})."""
    if "dhr" in review_types and not partnership.runs_dhr:
        partnership.runs_dhr = True
        partnership.save(update_fields=["runs_dhr"])
    case = make_case(partnership, actor, pseudonym=pseudonym)
    referral_services.case_send_for_decision(
        case=case, review_types=list(review_types), actor=actor
    )
    makers = {}
    for review_type in review_types:
        existing = DecisionMaker.objects.filter(partnership=partnership, review_type=review_type)
        makers[review_type] = {m.capacity: m.user for m in existing} or name_decision_makers(
            partnership, review_type, capacities=CAPACITIES[review_type]
        )
        track = Track.objects.get(case=case, review_type=review_type)
        decision = referral_services.decision_record(
            track=track,
            outcome=OUTCOME_FOR[review_type],
            rationale="Fictional reasons for tests.",
            decided_on=today(),
            actor=actor,
        )
        for user in makers[review_type].values():
            referral_services.decision_sign(decision=decision, user=user)
    return case, makers


def commission(case, actor, review_types=None):
    tracks = list(case.tracks.all())
    if review_types:
        tracks = [t for t in tracks if t.review_type in review_types]
    return review_services.review_commission(case=case, tracks=tracks, actor=actor)


def member(partnership, role, email=None):
    user = UserFactory(**({"email": email} if email else {}))
    MembershipFactory(user=user, partnership=partnership, role=role)
    return user


def make_lcspr(partnership, actor):
    """A commissioned local CSPR and its decision makers ({capacity: user})."""
    case, makers = decided_case(partnership, actor)
    review = commission(case, actor)
    return review, makers["cspr"]


__all__ = ["Role", "today"]
