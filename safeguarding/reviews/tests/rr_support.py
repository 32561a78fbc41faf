"""Fixtures for the rapid review and agency request tests: a fictional CSPR case with its rapid
review, two agencies and a contributor for each, all made through the real services."""

import pytest

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.tests.staff_support import IDENTITY, make_case, today
from safeguarding.reviews.rapid_review import services as rapid_review_services
from safeguarding.reviews.requests.services import rapid_review_deadline

REAL_NAME = f"{IDENTITY['first_name']} {IDENTITY['last_name']}"


@pytest.fixture(name="agency_b")
def agency_b_fixture(partnership):
    agency = AgencyFactory(name="Testshire Community Health", slug="testshire-health")
    partnership.agencies.add(agency)
    return agency


@pytest.fixture(name="rapid_review")
def rapid_review_fixture(partnership, agency, agency_b, business_unit_user):
    partnership.agencies.add(agency)
    case = make_case(partnership, business_unit_user, pseudonym="Child Q", agencies=[agency])
    referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    return rapid_review_services.rapid_review_start(case=case, actor=business_unit_user)


def contributor_for(partnership, agency, email: str):
    user = UserFactory(email=email)
    MembershipFactory(
        user=user, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    return user


@pytest.fixture(name="contributor_a")
def contributor_a_fixture(partnership, agency):
    return contributor_for(partnership, agency, "contributor.a@police.example")


@pytest.fixture(name="contributor_b")
def contributor_b_fixture(partnership, agency_b):
    return contributor_for(partnership, agency_b, "contributor.b@health.example")


def deadline(review):
    return rapid_review_deadline(review)


__all__ = ["REAL_NAME", "today"]
