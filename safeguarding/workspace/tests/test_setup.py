"""Partnership setup (issue 13): agencies and decision makers from the service's own pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Agency, Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import (
    OUTCOMES_BY_TYPE,
    Decision,
    DecisionMaker,
    Signature,
    Track,
)
from safeguarding.referrals.tests.staff_support import make_case, name_decision_makers
from safeguarding.reviews.models import AgencyRequest
from safeguarding.reviews.tests.review_support import commission, decided_case
from safeguarding.workspace.setup import services

pytestmark = pytest.mark.django_db


def _url(name, partnership, *args):
    return reverse(f"setup:{name}", args=[partnership.slug, *args])


def _member(partnership, role=Role.PARTNER_LEAD, **extra):
    user = UserFactory(**extra)
    MembershipFactory(user=user, partnership=partnership, role=role)
    return user


def _pending_decision(partnership, actor):
    """A CSPR decision recorded and signed by one of its three decision makers."""
    makers = name_decision_makers(partnership, "cspr")
    case = make_case(partnership, actor)
    referral_services.case_send_for_decision(case=case, review_types=["cspr"], actor=actor)
    track = Track.objects.get(case=case, review_type="cspr")
    decision = referral_services.decision_record(
        track=track,
        outcome=OUTCOMES_BY_TYPE["cspr"][0],
        rationale="Fictional reasons for tests.",
        decided_on=timezone.localdate(),
        actor=actor,
    )
    first = next(iter(makers.values()))
    referral_services.decision_sign(decision=decision, user=first)
    return decision, makers


# Agencies: services ----------------------------------------------------------------------------


def test_adding_a_new_agency_creates_it_and_links_it_with_an_audit_event(
    partnership, business_unit_user
):
    agency, created = services.agency_add(
        partnership=partnership, actor=business_unit_user, name="Testshire Hospice", kind="other"
    )
    assert created and agency.slug == "testshire-hospice"
    assert partnership.agencies.filter(pk=agency.pk).exists()
    event = AuditEvent.objects.get(action="agency.added")
    assert event.partnership_id == partnership.pk and event.payload["created"] is True


def test_an_agency_of_the_same_name_is_reused_not_created_again(
    partnership, other_partnership, business_unit_user
):
    existing = AgencyFactory(name="Shared Ambulance Trust", kind="ambulance")
    other_partnership.agencies.add(existing)
    agency, created = services.agency_add(
        partnership=partnership, actor=business_unit_user, name="shared ambulance trust"
    )
    assert agency == existing and not created
    assert Agency.objects.filter(name__iexact="shared ambulance trust").count() == 1
    with pytest.raises(ServiceError, match="already one of"):
        services.agency_add(partnership=partnership, actor=business_unit_user, existing=existing)


def test_a_partner_lead_cannot_change_agencies(partnership):
    lead = _member(partnership)
    with pytest.raises(ServiceError):
        services.agency_add(partnership=partnership, actor=lead, name="X Trust", kind="other")
    assert not Agency.objects.filter(name="X Trust").exists()


def test_an_administrator_may_add_an_agency(partnership):
    admin = _member(partnership, Role.ADMINISTRATOR)
    agency, _ = services.agency_add(
        partnership=partnership, actor=admin, name="Admin Added", kind="other"
    )
    assert partnership.agencies.filter(pk=agency.pk).exists()


def test_rename_only_an_agency_no_other_partnership_uses(
    client, partnership, other_partnership, business_unit_user
):
    client.force_login(business_unit_user)
    own = AgencyFactory(name="Old Name")
    shared = AgencyFactory(name="Shared")
    partnership.agencies.add(own, shared)
    other_partnership.agencies.add(shared)
    assert services.agency_rename(
        partnership=partnership, actor=business_unit_user, agency=own, name="New Name"
    )
    own.refresh_from_db()
    assert own.name == "New Name"
    assert AuditEvent.objects.get(action="agency.renamed").payload == {
        "from": "Old Name",
        "to": "New Name",
    }
    page = client.get(reverse("setup:agency_rename", args=[partnership.slug, shared.pk]))
    assert "only the service" in page.text
    listed = client.get(reverse("setup:agency_list", args=[partnership.slug])).text
    assert listed.count("Also used by other partnerships") == 1
    with pytest.raises(ServiceError, match="other partnerships"):
        services.agency_rename(
            partnership=partnership, actor=business_unit_user, agency=shared, name="Mine"
        )
    with pytest.raises(ServiceError, match="already has this name"):
        services.agency_rename(
            partnership=partnership, actor=business_unit_user, agency=own, name="shared"
        )
    shared.refresh_from_db()
    assert shared.name == "Shared"


def test_removing_an_agency_unlinks_it_and_keeps_it(partnership, business_unit_user):
    agency = AgencyFactory(name="Leaving Trust")
    partnership.agencies.add(agency)
    services.agency_remove(partnership=partnership, actor=business_unit_user, agency=agency)
    assert not partnership.agencies.filter(pk=agency.pk).exists()
    assert Agency.objects.filter(pk=agency.pk).exists()
    assert AuditEvent.objects.filter(action="agency.removed").count() == 1


def test_an_agency_with_open_requests_or_contributors_is_not_removed(
    partnership, business_unit_user, agency
):
    partnership.agencies.add(agency)
    _member(partnership, Role.AGENCY_CONTRIBUTOR).memberships.update(agency=agency)
    with pytest.raises(ServiceError, match="1 person acting for it"):
        services.agency_remove(partnership=partnership, actor=business_unit_user, agency=agency)
    assert partnership.agencies.filter(pk=agency.pk).exists()

    other = AgencyFactory(name="Asked Trust")
    partnership.agencies.add(other)
    case, _ = decided_case(partnership, business_unit_user)
    review = commission(case, business_unit_user)
    AgencyRequest.objects.create(
        review=review,
        agency=other,
        kind=AgencyRequest.Kind.AGENCY_REPORT,
        due_on=review.started_on,
        requested_by=business_unit_user,
    )
    with pytest.raises(ServiceError, match="1 open request"):
        services.agency_remove(partnership=partnership, actor=business_unit_user, agency=other)
    assert not AuditEvent.objects.filter(action="agency.removed").exists()


# Agencies: pages -------------------------------------------------------------------------------


def test_the_agency_pages_add_rename_and_remove(bu_client, partnership):
    page = bu_client.get(_url("agency_list", partnership))
    assert page.status_code == 200
    response = bu_client.post(
        _url("agency_add", partnership), {"name": "Testshire Hospice", "kind": "voluntary"}
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="Testshire Hospice")
    assert "Testshire Hospice" in bu_client.get(_url("agency_list", partnership)).text
    response = bu_client.post(_url("agency_rename", partnership, agency.pk), {"name": "Hospice"})
    assert response.status_code == 302
    response = bu_client.post(_url("agency_remove", partnership, agency.pk))
    assert response.status_code == 302
    assert not partnership.agencies.exists()


def test_bad_input_on_the_agency_forms_shows_errors_and_changes_nothing(bu_client, partnership):
    agency = AgencyFactory(name="Kept Name")
    partnership.agencies.add(agency)
    before, agencies = AuditEvent.objects.count(), Agency.objects.count()
    for url, data, message in [
        (_url("agency_add", partnership), {}, "Choose an agency or enter the name"),
        (_url("agency_add", partnership), {"name": "New Trust"}, "Choose what kind"),
        (
            _url("agency_add", partnership),
            {"existing": str(agency.pk), "name": "x"},
            "Select a valid choice",  # already linked: not offered
        ),
        (_url("agency_rename", partnership, agency.pk), {"name": ""}, "Enter the agency"),
    ]:
        response = bu_client.post(url, data)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text and message in response.text
    assert AuditEvent.objects.count() == before
    agency.refresh_from_db()
    assert agency.name == "Kept Name" and Agency.objects.count() == agencies


def test_an_agency_of_another_partnership_is_not_found(bu_client, partnership, other_partnership):
    agency = AgencyFactory()
    other_partnership.agencies.add(agency)
    assert bu_client.get(_url("agency_rename", partnership, agency.pk)).status_code == 404
    assert bu_client.post(_url("agency_remove", partnership, agency.pk)).status_code == 404
    assert other_partnership.agencies.filter(pk=agency.pk).exists()


# Decision makers -------------------------------------------------------------------------------


def test_naming_changing_and_removing_a_decision_maker(partnership, business_unit_user):
    first, second = _member(partnership), _member(partnership)
    maker = services.decision_maker_name(
        partnership=partnership,
        actor=business_unit_user,
        review_type="cspr",
        capacity="Police",
        user=first,
    )
    new = services.decision_maker_change(
        partnership=partnership,
        actor=business_unit_user,
        maker=maker,
        capacity="Police",
        user=second,
    )
    assert new.pk != maker.pk and new.user == second
    maker.refresh_from_db()
    assert maker.archived_at is not None
    assert list(DecisionMaker.objects.filter(partnership=partnership)) == [new]
    services.decision_maker_remove(partnership=partnership, actor=business_unit_user, maker=new)
    assert not DecisionMaker.objects.filter(partnership=partnership).exists()
    assert DecisionMaker.all_objects.filter(partnership=partnership).count() == 2
    assert [
        e.action
        for e in AuditEvent.objects.filter(action__startswith="decision_maker.").order_by("id")
    ] == [
        "decision_maker.named",
        "decision_maker.changed",
        "decision_maker.removed",
    ]


def test_decision_makers_must_be_members_in_a_free_capacity(partnership, business_unit_user):
    outsider = UserFactory()
    with pytest.raises(ServiceError, match="member of the partnership"):
        services.decision_maker_name(
            partnership=partnership,
            actor=business_unit_user,
            review_type="cspr",
            capacity="Police",
            user=outsider,
        )
    admin = _member(partnership, Role.ADMINISTRATOR)
    with pytest.raises(ServiceError, match="who may see its cases"):
        services.decision_maker_name(
            partnership=partnership,
            actor=business_unit_user,
            review_type="cspr",
            capacity="Police",
            user=admin,
        )
    lead = _member(partnership)
    services.decision_maker_name(
        partnership=partnership,
        actor=business_unit_user,
        review_type="cspr",
        capacity="Police",
        user=lead,
    )
    with pytest.raises(ServiceError, match="already named"):
        services.decision_maker_name(
            partnership=partnership,
            actor=business_unit_user,
            review_type="cspr",
            capacity="police",
            user=lead,
        )


def test_an_administrator_cannot_name_decision_makers(partnership):
    admin = _member(partnership, Role.ADMINISTRATOR)
    with pytest.raises(ServiceError, match="Only the business unit"):
        services.decision_maker_name(
            partnership=partnership, actor=admin, review_type="cspr", capacity="Police", user=admin
        )
    assert not DecisionMaker.objects.exists()


def test_a_decision_waiting_for_signatures_keeps_its_signatories(partnership, business_unit_user):
    """ADR 0019: the decision makers can change while a decision waits; the decision keeps the
    signatories it was sent to, and the new person is not asked to sign it."""
    decision, makers = _pending_decision(partnership, business_unit_user)
    maker = DecisionMaker.objects.filter(partnership=partnership).last()
    replacement = _member(partnership)
    new = services.decision_maker_change(
        partnership=partnership,
        actor=business_unit_user,
        maker=maker,
        capacity=maker.capacity,
        user=replacement,
    )
    assert new.user == replacement
    assert maker.pk in decision.signatories.values_list("decision_maker_id", flat=True)
    assert new.pk not in decision.signatories.values_list("decision_maker_id", flat=True)
    # The person who was changed can still sign the decision they were sent.
    for user in list(makers.values())[1:]:
        referral_services.decision_sign(decision=decision, user=user)
    decision.refresh_from_db()
    assert decision.state == Decision.State.FINAL
    signature = Signature.objects.get(decision=decision, decision_maker=maker)
    assert signature.user == maker.user and signature.decision_maker.archived_at is not None


def test_a_review_at_sign_off_keeps_its_decision_makers(
    partnership, business_unit_user, sample_pdf
):
    from safeguarding.actions.tests.support import signed_off_review

    review = signed_off_review(partnership, business_unit_user, sample_pdf, sign=False)
    maker = DecisionMaker.objects.filter(partnership=partnership, review_type="cspr").first()
    with pytest.raises(ServiceError, match="wait for sign-off"):
        services.decision_maker_remove(
            partnership=partnership, actor=business_unit_user, maker=maker
        )
    assert review.stage == "sign_off" and DecisionMaker.objects.filter(pk=maker.pk).exists()


def test_the_decision_maker_pages(bu_client, partnership, business_unit_user):
    lead = _member(partnership, full_name="Pat Police")
    page = bu_client.get(_url("decision_maker_list", partnership))
    assert page.status_code == 200
    response = bu_client.post(
        _url("decision_maker_add", partnership, "cspr"), {"capacity": "Police", "user": lead.pk}
    )
    assert response.status_code == 302
    maker = DecisionMaker.objects.get(partnership=partnership)
    assert "Pat Police" in bu_client.get(_url("decision_maker_list", partnership)).text
    response = bu_client.post(
        _url("decision_maker_change", partnership, maker.pk),
        {"capacity": "Police force", "user": lead.pk},
    )
    assert response.status_code == 302
    current = DecisionMaker.objects.get(partnership=partnership)
    assert current.capacity == "Police force"
    assert bu_client.post(_url("decision_maker_remove", partnership, current.pk)).status_code == 302
    assert not DecisionMaker.objects.filter(partnership=partnership).exists()
    # An archived one is gone from the pages.
    assert bu_client.get(_url("decision_maker_change", partnership, maker.pk)).status_code == 404


def test_bad_input_on_the_decision_maker_forms_shows_errors_and_changes_nothing(
    bu_client, partnership, other_partnership
):
    lead = _member(partnership)
    stranger = _member(other_partnership)
    before = AuditEvent.objects.count()
    for data, message in [
        ({}, "Enter the capacity they sign in"),
        ({"capacity": "Police", "user": stranger.pk}, "Choose a member of the partnership"),
        ({"capacity": "x" * 101, "user": lead.pk}, "100 characters or fewer"),
    ]:
        response = bu_client.post(_url("decision_maker_add", partnership, "cspr"), data)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text and message in response.text
    assert not DecisionMaker.all_objects.exists() and AuditEvent.objects.count() == before
    assert bu_client.get(_url("decision_maker_add", partnership, "nonsense")).status_code == 404


def test_a_refused_change_shows_why_on_the_page(
    bu_client, partnership, business_unit_user, sample_pdf
):
    from safeguarding.actions.tests.support import signed_off_review

    signed_off_review(partnership, business_unit_user, sample_pdf, sign=False)
    maker = DecisionMaker.objects.filter(partnership=partnership).first()
    response = bu_client.post(_url("decision_maker_remove", partnership, maker.pk))
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and "wait for sign-off" in response.text
    assert DecisionMaker.objects.filter(pk=maker.pk).exists()


def test_a_signed_off_review_still_shows_who_signed_after_a_change(
    bu_client, partnership, business_unit_user, sample_pdf
):
    from safeguarding.actions.tests.support import signed_off_review

    review = signed_off_review(partnership, business_unit_user, sample_pdf)
    maker = DecisionMaker.objects.filter(partnership=partnership, review_type="cspr").first()
    signer = maker.user
    services.decision_maker_change(
        partnership=partnership,
        actor=business_unit_user,
        maker=maker,
        capacity=maker.capacity,
        user=_member(partnership, full_name="Newly Named"),
    )
    page = bu_client.get(reverse("reviews:sign_off", args=[partnership.slug, review.pk]))
    assert page.status_code == 200
    assert signer.full_name in page.text and "Newly Named" in page.text


def _waiting_by_the_old_join(partnership, review_type):
    """The count as the page made it before issue 16 (a join from every track)."""
    from django.db.models import Q

    from safeguarding.reviews.models import Review

    return (
        Review.objects.filter(
            Q(tracks__decided_by=partnership)
            | Q(partnership=partnership, tracks__decided_by__isnull=True),
            stage=Review.Stage.SIGN_OFF,
            tracks__review_type=review_type,
        )
        .distinct()
        .count()
    )


def test_the_reviews_waiting_for_sign_off_are_counted_per_type_in_one_query(
    partnership, other_partnership, bu_client, django_assert_num_queries
):
    """Issue 16: one query for every review type, read from the reviews at sign-off (not from
    every track), with the same counts as the join it replaced; the page makes the same
    queries whatever the reviews."""
    from datetime import date

    from safeguarding.referrals.models import Case
    from safeguarding.reviews.models import Review
    from safeguarding.workspace.setup import selectors

    for p in (partnership, other_partnership):
        p.runs_cspr = p.runs_safeguarding_adults_reviews = p.runs_dhr = True
        p.save()
    numbers = iter(range(1, 100))

    def review(owner, stage, *tracks):
        n = next(numbers)
        case = Case.objects.create(
            partnership=owner,
            reference=f"W-{n}",
            pseudonym=f"W {n}",
            became_aware_on=date(2026, 1, 5),
        )
        made = Review.objects.create(
            partnership=owner,
            case=case,
            kind="lcspr",
            stage=stage,
            reference=f"W-REV-{n}",
            title=f"W {n}",
            started_on=date(2026, 2, 1),
            signed_off_at=timezone.now() if stage == "signed_off" else None,
        )
        made.tracks.set(
            Track.objects.create(case=case, review_type=review_type, decided_by=decider)
            for review_type, decider in tracks
        )
        return made

    def counts():
        return selectors.signatures_waiting_by_type(
            partnership=partnership, review_types=["cspr", "sar", "dhr"]
        )

    page = _url("decision_maker_list", partnership)
    with django_assert_num_queries(7):  # the three types' waiting reviews: one query (was 3)
        assert bu_client.get(page).status_code == 200
    assert counts() == {"cspr": 0, "sar": 0, "dhr": 0}
    review(partnership, "sign_off", ("cspr", None), ("sar", None))  # its own, undecided: both
    review(partnership, "sign_off", ("cspr", partnership))  # its own, decided here
    review(partnership, "sign_off", ("sar", other_partnership))  # decided elsewhere: not here
    review(other_partnership, "sign_off", ("dhr", partnership))  # shared, decided here
    review(other_partnership, "sign_off", ("cspr", None))  # the other's, undecided: not here
    review(partnership, "drafting", ("cspr", None))  # not at sign-off
    review(partnership, "signed_off", ("dhr", partnership))  # signed off already
    assert counts() == {"cspr": 2, "sar": 1, "dhr": 1}
    for review_type in ("cspr", "sar", "dhr"):
        assert counts()[review_type] == _waiting_by_the_old_join(partnership, review_type)
        assert selectors.signatures_waiting(
            partnership=partnership, review_type=review_type
        ) == _waiting_by_the_old_join(partnership, review_type)
    theirs = selectors.signatures_waiting_by_type(
        partnership=other_partnership, review_types=["cspr", "sar", "dhr"]
    )
    assert theirs == {
        t: _waiting_by_the_old_join(other_partnership, t) for t in ("cspr", "sar", "dhr")
    }
    assert theirs == {"cspr": 1, "sar": 1, "dhr": 0}
    with django_assert_num_queries(7):  # the three types' waiting reviews: one query (was 3)
        assert bu_client.get(page).status_code == 200
