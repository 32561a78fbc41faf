"""Working Together 2023 roles (issue 14 §2): Lead and Delegated Safeguarding Partners and the
partnership chair recorded per partnership, ended never deleted, audited; a signature says in
which role it was given and for whom."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import PartnershipRole, Role
from safeguarding.accounts.partnership_roles import services
from safeguarding.accounts.partnership_roles.selectors import role_for_signature
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import OUTCOMES_BY_TYPE, Signature, Track
from safeguarding.referrals.tests.staff_support import make_case, name_decision_makers

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 4, 1)
Kind = PartnershipRole.Kind


def _lead(partnership, actor, partner="police", name="Chief Constable A", **extra):
    return services.partnership_role_record(
        partnership=partnership,
        actor=actor,
        kind=Kind.LEAD,
        statutory_partner=partner,
        person_name=name,
        job_title="Chief Constable",
        starts_on=extra.pop("starts_on", DAY),
        **extra,
    )


def _delegate(partnership, actor, lead, name="Det Supt B", **extra):
    return services.partnership_role_record(
        partnership=partnership,
        actor=actor,
        kind=Kind.DELEGATE,
        statutory_partner=lead.statutory_partner,
        person_name=name,
        job_title="Detective Superintendent",
        delegated_by=lead,
        starts_on=extra.pop("starts_on", DAY),
        **extra,
    )


def test_a_lead_is_recorded_with_an_audit_event(partnership, business_unit_user):
    lead = _lead(partnership, business_unit_user)
    assert lead.title == "Lead Safeguarding Partner for the chief officer of police"
    event = AuditEvent.objects.get(action="partnership_role.recorded")
    assert event.partnership_id == partnership.pk
    assert event.payload["statutory_partner"] == "police"


def test_only_the_business_unit_records_roles(partnership, user_for_role):
    lead_user = user_for_role(Role.PARTNER_LEAD)
    with pytest.raises(ServiceError, match="Only the business unit"):
        _lead(partnership, lead_user)
    admin = user_for_role(Role.ADMINISTRATOR)
    with pytest.raises(ServiceError, match="Only the business unit"):
        _lead(partnership, admin)
    assert not PartnershipRole.objects.exists()


def test_one_lead_per_statutory_partner_at_a_time(partnership, business_unit_user):
    _lead(partnership, business_unit_user)
    with pytest.raises(ServiceError, match="end their role") as error:
        _lead(partnership, business_unit_user, name="Another", starts_on=DAY.replace(month=6))
    assert error.value.field == "starts_on"
    # Another statutory partner has its own lead.
    _lead(partnership, business_unit_user, partner="icb", name="ICB Chief Executive")
    assert PartnershipRole.objects.filter(kind=Kind.LEAD).count() == 2


def test_a_delegate_is_delegated_by_a_lead_of_the_same_partner(partnership, business_unit_user):
    police = _lead(partnership, business_unit_user)
    icb = _lead(partnership, business_unit_user, partner="icb", name="ICB Chief")
    with pytest.raises(ServiceError, match="same statutory partner") as error:
        services.partnership_role_record(
            partnership=partnership,
            actor=business_unit_user,
            kind=Kind.DELEGATE,
            statutory_partner="police",
            person_name="Wrong",
            job_title="Director",
            delegated_by=icb,
            starts_on=DAY,
        )
    assert error.value.field == "delegated_by"
    delegate = _delegate(partnership, business_unit_user, police)
    assert delegate.delegated_by == police
    with pytest.raises(ServiceError, match="lead who delegated"):
        services.partnership_role_record(
            partnership=partnership,
            actor=business_unit_user,
            kind=Kind.DELEGATE,
            statutory_partner="police",
            person_name="Nobody's",
            job_title="Director",
            starts_on=DAY,
        )


def test_ending_a_lead_ends_its_delegations_and_keeps_both(partnership, business_unit_user):
    lead = _lead(partnership, business_unit_user)
    delegate = _delegate(partnership, business_unit_user, lead)
    ended = services.partnership_role_end(
        partnership=partnership,
        actor=business_unit_user,
        role=lead,
        ends_on=DAY.replace(month=9),
        reason="Retired",
    )
    assert ended == [delegate]
    delegate.refresh_from_db()
    assert delegate.ends_on == DAY.replace(month=9)
    assert PartnershipRole.objects.count() == 2  # never deleted
    assert AuditEvent.objects.filter(action="partnership_role.ended").count() == 2
    # The next lead can start the day after.
    _lead(
        partnership, business_unit_user, name="Chief Constable C", starts_on=DAY.replace(month=10)
    )
    with pytest.raises(ServiceError, match="already ended"):
        services.partnership_role_end(
            partnership=partnership, actor=business_unit_user, role=lead, ends_on=DAY, reason="x"
        )


def test_a_change_names_the_changed_fields_in_the_audit(partnership, business_unit_user):
    lead = _lead(partnership, business_unit_user)
    changed = services.partnership_role_change(
        partnership=partnership,
        actor=business_unit_user,
        role=lead,
        job_title="Chief Constable",
        organisation="Testshire Police",
        user=None,
        starts_on=DAY,
    )
    assert changed == ["organisation"]
    event = AuditEvent.objects.get(action="partnership_role.changed")
    assert event.payload["after"] == {"organisation": "Testshire Police"}
    assert (
        services.partnership_role_change(
            partnership=partnership,
            actor=business_unit_user,
            role=lead,
            job_title="Chief Constable",
            organisation="Testshire Police",
            user=None,
            starts_on=DAY,
        )
        == []
    )


def test_the_role_signed_in_is_the_one_held_that_day(partnership, business_unit_user):
    person = UserFactory()
    MembershipFactory(user=person, partnership=partnership, role=Role.PARTNER_LEAD)
    lead = _lead(partnership, business_unit_user)
    delegate = _delegate(partnership, business_unit_user, lead, user=person)
    assert role_for_signature(user=person, partnership=partnership, on=DAY) == delegate
    assert role_for_signature(user=person, partnership=partnership, on=DAY.replace(month=3)) is None


def test_a_decision_signed_by_a_delegate_says_so_and_for_whom(partnership, business_unit_user):
    makers = name_decision_makers(partnership, "cspr")
    police_user = makers["Police"]
    lead = _lead(partnership, business_unit_user, name="Chief Constable A", starts_on=DAY)
    _delegate(partnership, business_unit_user, lead, name="Det Supt B", user=police_user)
    case = make_case(partnership, business_unit_user)
    referral_services.case_send_for_decision(
        case=case, review_types=["cspr"], actor=business_unit_user
    )
    decision = referral_services.decision_record(
        track=Track.objects.get(case=case),
        outcome=OUTCOMES_BY_TYPE["cspr"][0],
        rationale="Fictional reasons.",
        decided_on=timezone.localdate(),
        actor=business_unit_user,
    )
    referral_services.decision_sign(decision=decision, user=police_user)
    signature = Signature.objects.get(user=police_user)
    assert signature.role_kind == Kind.DELEGATE
    assert signature.signed_as == (
        "Delegated Safeguarding Partner for the chief officer of police, "
        "delegated by Chief Constable A (Chief Constable)"
    )
    event = AuditEvent.objects.get(action="decision.signed", actor=police_user)
    assert event.payload["role_kind"] == "delegate"
    assert event.payload["delegated_by"] == lead.pk
    # Someone with no recorded role signs with the decision maker's capacity only.
    other = makers["Local authority"]
    referral_services.decision_sign(decision=decision, user=other)
    assert Signature.objects.get(user=other).signed_as == ""


# Pages ----------------------------------------------------------------------------------------


def _url(name, partnership, *args):
    return reverse(f"partnership_roles:{name}", args=[partnership.slug, *args])


def test_the_pages_record_change_and_end_a_role(bu_client, partnership, business_unit_user):
    assert bu_client.get(_url("list", partnership)).status_code == 200
    response = bu_client.post(
        _url("add", partnership),
        {
            "kind": "lead",
            "statutory_partner": "local_authority",
            "person_name": "Pat Example",
            "job_title": "Chief Executive",
            "organisation": "Testshire County Council",
            "starts_on_0": "1",
            "starts_on_1": "4",
            "starts_on_2": "2025",
        },
    )
    assert response.status_code == 302
    role = PartnershipRole.objects.get()
    page = bu_client.get(_url("list", partnership)).content.decode()
    assert "Pat Example" in page and "Lead Safeguarding Partner for the local authority" in page
    response = bu_client.post(
        _url("change", partnership, role.pk),
        {
            "job_title": "Chief Executive and Head of Paid Service",
            "organisation": "Testshire County Council",
            "starts_on_0": "1",
            "starts_on_1": "4",
            "starts_on_2": "2025",
        },
    )
    assert response.status_code == 302
    response = bu_client.post(
        _url("end", partnership, role.pk),
        {"ends_on_0": "31", "ends_on_1": "3", "ends_on_2": "2026", "reason": "Left the council"},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.ends_on == datetime.date(2026, 3, 31) and role.end_reason == "Left the council"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "lead", "person_name": "X", "job_title": "Y"}, "statutory_partner"),
        ({"kind": "delegate", "statutory_partner": "police", "person_name": "X"}, "delegated_by"),
        ({"statutory_partner": "police", "person_name": "X", "job_title": "Y"}, "kind"),
    ],
)
def test_bad_input_shows_the_error_summary_and_records_nothing(bu_client, partnership, data, field):
    response = bu_client.post(
        _url("add", partnership),
        {**data, "starts_on_0": "1", "starts_on_1": "4", "starts_on_2": "2025"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and f'href="#id_{field}' in page
    assert not PartnershipRole.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="partnership_role.").exists()


def test_ending_needs_a_reason_and_changes_nothing_without_one(
    bu_client, partnership, business_unit_user
):
    lead = _lead(partnership, business_unit_user)
    response = bu_client.post(
        _url("end", partnership, lead.pk),
        {"ends_on_0": "31", "ends_on_1": "3", "ends_on_2": "2026", "reason": ""},
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    lead.refresh_from_db()
    assert lead.ends_on is None


def test_the_roles_page_does_not_grow_with_the_roles(
    bu_client, partnership, business_unit_user, django_assert_max_num_queries
):
    for partner in ("police", "icb", "local_authority"):
        lead = _lead(partnership, business_unit_user, partner=partner, name=f"{partner} lead")
        _delegate(partnership, business_unit_user, lead, name=f"{partner} delegate")
    with django_assert_max_num_queries(10):
        assert bu_client.get(_url("list", partnership)).status_code == 200
