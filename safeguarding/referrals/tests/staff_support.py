"""Helpers for the staff-page tests: fictional referrals, cases and decision makers, made
through the real services."""

import datetime

from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.referrals import services
from safeguarding.referrals.models import Case, DecisionMaker, Referral

ANSWERS = {
    "referrer_name": "Sam Example",
    "referrer_job_title": "Social worker",
    "referrer_organisation": "Testshire Council children's services",
    "referrer_email": "sam.example@council.example",
    "age_years": 14,
    "harm": "serious_harm",
    "abuse_or_neglect": "suspected",
    "place": "in_area",
    "what_happened": "A fictional account of a serious incident, for tests only.",
}

IDENTITY = {
    "first_name": "Zebedee",
    "last_name": "Quillfeather",
    "date_of_birth": datetime.date(2012, 5, 4),
    "address": "1 Fictional Row, Testshire",
}

SAFEGUARDING_PARTNERS = ("Local authority", "Police", "Integrated care board")


def make_referral(partnership, review_type: str = "cspr", agencies=(), **answers) -> Referral:
    referral, _ = services.referral_submit(
        partnership=partnership,
        review_type=review_type,
        answers={**ANSWERS, **answers},
        identity=IDENTITY,
        agencies=agencies,
    )
    return referral


def make_case(partnership, actor, pseudonym: str = "Child A", **answers) -> Case:
    referral = make_referral(partnership, **answers)
    return services.case_open(referral=referral, pseudonym=pseudonym, actor=actor)


def name_decision_makers(partnership, review_type: str = "cspr", capacities=SAFEGUARDING_PARTNERS):
    """Partner leads named as the decision makers for ``review_type``: {capacity: user}."""
    users = {}
    for capacity in capacities:
        user = UserFactory(full_name=f"{capacity} lead")
        MembershipFactory(user=user, partnership=partnership, role=Role.PARTNER_LEAD)
        DecisionMaker.objects.create(
            partnership=partnership, review_type=review_type, capacity=capacity, user=user
        )
        users[capacity] = user
    return users


def today() -> datetime.date:
    return timezone.localdate()
