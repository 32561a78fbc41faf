"""A fictional joint Safeguarding Adults Review and Domestic Homicide Review (ADR 0022): the
Riverton Safeguarding Partnership holds the case and decides the SAR; it shares the case with
the Riverton Community Safety Partnership, which decides the DHR with its own decision maker.
One joint review runs. Made through the real services; nothing here is real."""

import datetime

from django.utils import timezone

from safeguarding.core.calendar import add_working_days
from safeguarding.referrals import services, share_services
from safeguarding.referrals.models import CaseShare
from safeguarding.reviews.running import services as review_services

from .demo_referrals import ADULT_REFERRER, _decide, _submit


def load_demo_shared_case(*, partnerships: dict, users: dict, agencies: dict) -> None:
    today = timezone.localdate()
    rsp = partnerships["riverton-safeguarding"]
    csp = partnerships["riverton-community-safety"]
    bu = users["business.unit@riverton.example"]  # the business unit of both partnerships
    leads = [
        users["partner.lead@riverton.example"],
        users["police.lead@riverton.example"],
        users["icb.lead@riverton.example"],
    ]
    csp_chair = users["csp.chair@riverton.example"]
    aware_on = add_working_days(today, -30)
    referral = _submit(
        rsp,
        "sar",
        ADULT_REFERRER,
        {
            "age_years": 71,
            "incident_date": aware_on - datetime.timedelta(days=2),
            "harm": "died",
            "date_of_death": aware_on - datetime.timedelta(days=2),
            "abuse_or_neglect": "suspected",
            "place": "in_area",
            "normally_resident_in_area": True,
            "care_and_support_needs": True,
            "care_needs_description": "Dementia; daily home care visits",
            "self_neglect": False,
            "harmed_by": "relative",
            "domestic_abuse_history": True,
            "agency_working_concern": True,
            "what_happened": "A woman with dementia died after an assault at home by her adult "
            "son, who was her carer. Home care staff had reported bruising twice.",
        },
        {"first_name": "Demo", "last_name": "Joint"},
        [agencies["riverton-adult-social-care"], agencies["riverton-police"]],
        aware_on,
    )
    case = services.case_open(referral=referral, pseudonym="Adult G", actor=bu)
    (sar,) = services.case_send_for_decision(case=case, review_types=["sar"], actor=bu)
    share = share_services.case_share_invite(
        case=case,
        partner=csp,
        role=CaseShare.Role.JOINT_DECISION_BODY,
        decides_review_type="dhr",
        grants_review=True,
        grants_publication=True,
        note="A joint SAR and DHR: the Community Safety Partnership decides the DHR.",
        actor=bu,
    )
    share_services.case_share_accept(share=share, actor=bu)
    decided_on = add_working_days(aware_on, 10)
    _decide(
        sar,
        "mandatory",
        "She had care and support needs, died, and abuse is suspected; agencies could have "
        "worked together more effectively.",
        decided_on,
        bu,
        leads,
    )
    dhr = case.tracks.get(review_type="dhr")
    _decide(
        dhr,
        "review",
        "The death of a person aged 16 or over appears to have resulted from violence by a "
        "relative.",
        decided_on,
        bu,
        [csp_chair],
    )
    review_services.review_commission(case=case, tracks=[sar, dhr], actor=bu)
