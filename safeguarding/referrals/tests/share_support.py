"""A joint SAR/DHR (ADR 0022), made through the real services: the Safeguarding Adults Board
holds the case and decides the SAR track; the Community Safety Partnership decides the DHR
track with its own decision makers. Fictional throughout."""

from dataclasses import dataclass

from safeguarding.accounts.models import Partnership, Role, User
from safeguarding.accounts.tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from safeguarding.referrals import services, share_services
from safeguarding.referrals.models import Case, CaseShare, DecisionMaker

from .staff_support import make_referral


@dataclass
class JointCase:
    board: Partnership  # the Safeguarding Adults Board: holds the case
    csp: Partnership  # the Community Safety Partnership: decides the DHR track
    board_unit: User
    csp_unit: User
    board_lead: User  # the board's SAR decision maker (a partner lead)
    csp_chair: User  # the CSP's DHR decision maker (a partner lead)
    case: Case
    share: CaseShare | None = None


def joint_case(*, offer: bool = True, accept: bool = True, **grants) -> JointCase:
    board = PartnershipFactory(
        name="Fictional Safeguarding Adults Board",
        slug="fictional-sab",
        kind=Partnership.Kind.ADULTS,
        runs_cspr=False,
        runs_safeguarding_adults_reviews=True,
        runs_dhr=False,
    )
    csp = PartnershipFactory(
        name="Fictional Community Safety Partnership",
        slug="fictional-csp",
        kind=Partnership.Kind.COMMUNITY_SAFETY,
        runs_cspr=False,
        runs_safeguarding_adults_reviews=False,
        runs_dhr=True,
    )
    board_unit = UserFactory(full_name="Board business unit", email="unit@sab.example")
    MembershipFactory(user=board_unit, partnership=board, role=Role.BUSINESS_UNIT)
    csp_unit = UserFactory(full_name="CSP business unit", email="unit@csp.example")
    MembershipFactory(user=csp_unit, partnership=csp, role=Role.BUSINESS_UNIT)
    board_lead = UserFactory(full_name="Board adult social care lead", email="lead@sab.example")
    MembershipFactory(user=board_lead, partnership=board, role=Role.PARTNER_LEAD)
    DecisionMaker.objects.create(
        partnership=board, review_type="sar", capacity="Adult social care", user=board_lead
    )
    csp_chair = UserFactory(full_name="CSP chair", email="chair@csp.example")
    MembershipFactory(user=csp_chair, partnership=csp, role=Role.PARTNER_LEAD)
    DecisionMaker.objects.create(
        partnership=csp, review_type="dhr", capacity="CSP chair", user=csp_chair
    )
    referral = make_referral(
        board, review_type="sar", age_years=46, harm="died", date_of_death=None
    )
    case = services.case_open(referral=referral, pseudonym="Adult J", actor=board_unit)
    services.case_send_for_decision(case=case, review_types=["sar"], actor=board_unit)
    joint = JointCase(board, csp, board_unit, csp_unit, board_lead, csp_chair, case)
    if offer:
        joint.share = share_services.case_share_invite(
            case=case,
            partner=csp,
            role=CaseShare.Role.JOINT_DECISION_BODY,
            decides_review_type=grants.get("decides_review_type", "dhr"),
            grants_review=grants.get("grants_review", True),
            grants_publication=grants.get("grants_publication", True),
            note="A joint SAR and DHR.",
            actor=board_unit,
        )
        if accept:
            joint.share = share_services.case_share_accept(share=joint.share, actor=csp_unit)
    return joint
