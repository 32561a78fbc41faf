"""Reads of the middle staff pages with their SQL built once (issue 16, ADR 0038): each gives
what the ORM query it replaces gives, 404s stay 404s, and the pages' query counts are pinned."""

import pytest
from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from safeguarding.accounts.models import Agency, Membership, Role
from safeguarding.accounts.people import selectors as people_selectors
from safeguarding.accounts.selectors import agency_list_for_partnership
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.actions.models import Action
from safeguarding.audit.models import AuditEvent
from safeguarding.clock import services as clock_services
from safeguarding.clock.models import MilestoneRule
from safeguarding.guidance import selectors as guidance_selectors
from safeguarding.guidance.models import GuidanceAdoption, GuidanceVersion
from safeguarding.referrals.models import Track
from safeguarding.referrals.share_selectors import review_partners, sign_off_partners
from safeguarding.reviews.models import AgencyRequest, Appointment, Review
from safeguarding.reviews.running import selectors as running_selectors
from safeguarding.reviews.running.services import appointment_add
from safeguarding.reviews.tests.review_support import make_lcspr, today
from safeguarding.workspace.setup import selectors as setup_selectors

pytestmark = pytest.mark.django_db

HUGE = 99_999_999_999_999_999_999  # no integer column holds it: the ORM answers "no rows"


def _old_agency_list(partnership):
    agencies = Agency.objects.filter(
        Q(partnerships=partnership) | Q(memberships__partnership=partnership)
    ).distinct()
    if not agencies.exists():
        agencies = Agency.objects.all()
    return agencies.order_by("name")


def test_the_partnerships_agencies_are_the_linked_ones_and_those_of_its_members_once_each(
    partnership, other_partnership
):
    linked, member_only, both, elsewhere, unused = (
        AgencyFactory(name=name, slug=name.lower())
        for name in ("Linked", "Member only", "Both", "Elsewhere", "Unused")
    )
    partnership.agencies.add(linked, both)
    other_partnership.agencies.add(elsewhere)
    for agency in (member_only, both, both):
        MembershipFactory(
            user=UserFactory(), partnership=partnership, agency=agency, role=Role.AGENCY_CONTRIBUTOR
        )
    MembershipFactory(
        user=UserFactory(), partnership=other_partnership, agency=elsewhere, role="agency"
    )
    MembershipFactory(user=UserFactory(), partnership=partnership, role=Role.BUSINESS_UNIT)

    found = list(agency_list_for_partnership(partnership=partnership))

    assert found == [both, linked, member_only]
    assert found == list(_old_agency_list(partnership))
    # A partnership with neither gets every agency, as before.
    new = type(partnership).objects.create(name="New", slug="new")
    assert list(agency_list_for_partnership(partnership=new)) == list(_old_agency_list(new))
    assert unused in agency_list_for_partnership(partnership=new)


def test_an_agencys_open_work_counts_as_the_orm_counts(partnership, agency):
    partnership.agencies.add(agency)
    for _ in range(2):
        MembershipFactory(
            user=UserFactory(), partnership=partnership, agency=agency, role="agency_contributor"
        )
    work = setup_selectors.agency_open_work(partnership=partnership, agency=agency)
    assert work.contributors == 2
    assert (
        work.open_requests
        == AgencyRequest.objects.filter(
            review__partnership=partnership, agency=agency, returned_at__isnull=True, closure=""
        ).count()
    )
    assert (
        work.open_actions
        == Action.objects.filter(
            partnership=partnership, agency=agency, status__in=Action.OPEN
        ).count()
    )
    unused = AgencyFactory(name="Unused", slug="unused")
    assert not setup_selectors.agency_open_work(partnership=partnership, agency=unused).any
    assert setup_selectors.agency_get_linked(partnership=partnership, pk=agency.pk) == agency
    for pk in (unused.pk, HUGE):
        with pytest.raises(Http404):
            setup_selectors.agency_get_linked(partnership=partnership, pk=pk)


def test_a_person_of_the_partnership_is_read_as_the_people_list_reads_them(
    partnership, other_partnership, agency, business_unit_user
):
    person = UserFactory(full_name="Pat Example")
    MembershipFactory(user=person, partnership=partnership, role=Role.REVIEWER)
    MembershipFactory(
        user=person, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    MembershipFactory(user=person, partnership=other_partnership, role=Role.BUSINESS_UNIT)
    stranger = UserFactory()
    MembershipFactory(user=stranger, partnership=other_partnership, role=Role.REVIEWER)

    row = people_selectors.person_get(partnership=partnership, pk=person.pk)
    (listed,) = people_selectors._rows(partnership, [person])

    assert row.user == person
    assert row.memberships == listed.memberships
    assert [m.agency for m in row.memberships] == [m.agency for m in listed.memberships]
    assert row.role_labels == listed.role_labels
    assert row.deactivation is None and not row.is_deactivated
    for pk in (stranger.pk, HUGE):
        with pytest.raises(Http404):
            people_selectors.person_get(partnership=partnership, pk=pk)


def test_the_record_pages_of_a_review_read_their_record_under_that_review_only(
    partnership, business_unit_user
):
    review, _ = make_lcspr(partnership, business_unit_user)
    other, _ = make_lcspr(partnership, business_unit_user)
    appointment = appointment_add(
        review=review,
        actor=business_unit_user,
        role=Appointment.Role.REVIEWER,
        name="Ren Reviewer",
        appointed_on=today(),
    )

    found = running_selectors.appointment_get(review=review, pk=appointment.pk)

    assert found == appointment and found.review == review
    for owner, pk in ((other, appointment.pk), (review, HUGE), (review, appointment.pk + 1000)):
        with pytest.raises(Http404):
            running_selectors.appointment_get(review=owner, pk=pk)
    history = running_selectors.record_history(record=appointment)
    events = AuditEvent.objects.filter(
        object_type="reviews.appointment", object_id=str(appointment.pk)
    ).order_by("-occurred_at", "-id")
    assert [line.what for line in history] == [event.action_label for event in events]
    assert history and history == running_selectors.record_history(record=appointment, limit=5)
    assert running_selectors.commissionable_tracks(case=review.case) == list(
        running_selectors._COMMISSIONABLE.build(review.case_id)
    )
    assert running_selectors.proposals_for_review(review=review) == []
    assert review_partners(case=review.case) == [] == sign_off_partners(case=review.case)


def test_the_clock_rule_of_a_case_is_the_one_the_orm_finds(partnership):
    codes = list(GuidanceVersion.objects.values_list("code", flat=True))
    for rule in MilestoneRule.objects.select_related("version")[:40]:
        for versions in ([rule.version.code], codes[:3], codes):
            for review_type in (None, rule.review_type):
                rules = MilestoneRule.objects.filter(
                    rule_id=rule.rule_id, version__code__in=versions
                )
                if review_type is not None:
                    rules = rules.filter(review_type=review_type)
                expected = rules.order_by("-version__effective_from").first()
                assert clock_services._rule_for(rule.rule_id, versions, review_type) == expected


def test_a_case_that_follows_no_guidance_version_is_refused_in_words(partnership):
    """A case the partnership became aware of before any version took effect records none:
    its clock rule is none (a refusal the pages show), not an error from an empty ``IN``."""
    assert clock_services._rule_for("R9", [], None) is None
    assert clock_services._rule_for("R9", [], "cspr") is None
    with pytest.raises(clock_services.ServiceError, match="No clock rule R9"):
        clock_services.expected_due(
            partnership=partnership, rule_id="R9", versions=[], start=today()
        )


def test_guidance_reads_are_the_orms(partnership, business_unit_user):
    version = GuidanceVersion.objects.first()
    GuidanceAdoption.objects.create(
        partnership=partnership,
        version=version,
        adopted_on=today(),
        recorded_by=business_unit_user,
    )
    adoptions = guidance_selectors.adoption_list(partnership=partnership)
    assert adoptions == list(
        GuidanceAdoption.objects.filter(partnership=partnership).select_related("version")
    )
    assert adoptions[0].version.code == version.code
    groups = guidance_selectors.strand_groups(partnership=partnership, today=today())
    for group in groups:
        assert [row.version for row in group.rows] == list(
            GuidanceVersion.objects.filter(strand=group.strand)
        )


def test_waiting_signatures_for_a_partnership_without_reviews_are_none(partnership):
    types = list(partnership.review_types)
    assert setup_selectors.signatures_waiting_by_type(
        partnership=partnership, review_types=types
    ) == dict.fromkeys(types, 0)
    assert not Review.objects.exists() and not Track.objects.exists()


@pytest.mark.parametrize(
    ("name", "queries"),
    # The guidance list made 12 on main (a query per strand; adoptions and versions twice).
    [("setup:guidance_list", 7), ("setup:decision_maker_list", 7)],
)
def test_setup_pages_queries_are_pinned(
    bu_client, partnership, django_assert_num_queries, name, queries
):
    url = reverse(name, args=[partnership.slug])
    bu_client.get(url)
    with django_assert_num_queries(queries):
        assert bu_client.get(url).status_code == 200


def test_the_terms_page_reads_only_what_it_shows(
    bu_client, partnership, business_unit_user, django_assert_num_queries
):
    review, _ = make_lcspr(partnership, business_unit_user)
    url = reverse("reviews:terms", args=[partnership.slug, review.pk])
    bu_client.get(url)
    with django_assert_num_queries(8):  # 12 on main: tracks, appointments, people, agencies twice
        response = bu_client.get(url)
    assert response.status_code == 200


def test_a_persons_pages_queries_are_pinned(
    bu_client, partnership, agency, django_assert_num_queries
):
    person = UserFactory()
    MembershipFactory(user=person, partnership=partnership, role=Role.REVIEWER)
    url = reverse("people:person_roles", args=[partnership.slug, person.pk])
    bu_client.get(url)
    with django_assert_num_queries(10):
        assert bu_client.get(url).status_code == 200
    assert Membership.objects.filter(user=person).count() == 1


def test_who_holds_a_role_and_the_contact_counts_are_the_orms(
    partnership, other_partnership, agency, business_unit_user
):
    from django.utils import timezone

    from safeguarding.accounts.models import AgencyContact, User
    from safeguarding.accounts.selectors import agency_contact_counts, user_list_with_role

    other_agency = AgencyFactory(name="Other", slug="other")
    people = {}
    for name, where, role, at, active in (
        ("b-here", partnership, Role.AGENCY_CONTRIBUTOR, agency, True),
        ("a-here", partnership, Role.AGENCY_CONTRIBUTOR, agency, True),
        ("gone", partnership, Role.AGENCY_CONTRIBUTOR, agency, False),
        ("other-agency", partnership, Role.AGENCY_CONTRIBUTOR, other_agency, True),
        ("elsewhere", other_partnership, Role.AGENCY_CONTRIBUTOR, agency, True),
        ("reviewer", partnership, Role.REVIEWER, None, True),
    ):
        people[name] = UserFactory(email=f"{name}@testshire.example", is_active=active)
        MembershipFactory(user=people[name], partnership=where, role=role, agency=at)

    def orm(role, at=None):
        memberships = Membership.objects.filter(partnership=partnership, role=role)
        if at is not None:
            memberships = memberships.filter(agency=at)
        return list(
            User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
                "email"
            )
        )

    for role, at in (
        (Role.AGENCY_CONTRIBUTOR, agency),
        (Role.AGENCY_CONTRIBUTOR, None),
        (Role.AGENCY_CONTRIBUTOR, other_agency),
        (Role.REVIEWER, None),
        (Role.BUSINESS_UNIT, None),
        (Role.PANEL_MEMBER, agency),
    ):
        found = user_list_with_role(partnership=partnership, role=role, agency=at)
        assert found == orm(role, at)
    assert user_list_with_role(
        partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    ) == [people["a-here"], people["b-here"]]

    for at, name, archived in (
        (agency, "One", None),
        (agency, "Two", None),
        (other_agency, "Three", None),
        (other_agency, "Gone", timezone.now()),
    ):
        AgencyContact.objects.create(
            partnership=partnership,
            agency=at,
            name=name,
            email=f"{name.lower()}@agency.example",
            role="Lead",
            added_by=business_unit_user,
            archived_at=archived,
        )
    assert agency_contact_counts(partnership=partnership) == {agency.pk: 2, other_agency.pk: 1}
    assert agency_contact_counts(partnership=other_partnership) == {}
