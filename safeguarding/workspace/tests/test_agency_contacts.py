"""Email-only contacts at an agency (ADR 0020): recorded by the business unit (and the
partnership's administrators) on the agency pages, changed and removed (archived), audited;
bad input shows an error summary and changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from safeguarding.accounts.models import AgencyContact, Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.workspace.setup import services

pytestmark = pytest.mark.django_db

CONTACT = {"name": "Dana Fictional", "email": "DSL@School.example", "role": "Safeguarding lead"}


@pytest.fixture
def school(partnership):
    agency = AgencyFactory(name="Testshire Academy", slug="testshire-academy", kind="school")
    partnership.agencies.add(agency)
    return agency


def _url(name, partnership, *args):
    return reverse(f"setup:{name}", args=[partnership.slug, *args])


def test_the_business_unit_adds_changes_and_removes_a_contact(bu_client, partnership, school):
    page = bu_client.get(_url("agency_list", partnership)).text
    assert _url("agency_contacts", partnership, school.pk) in page
    response = bu_client.post(_url("agency_contacts", partnership, school.pk), CONTACT)
    assert response.status_code == 302
    contact = AgencyContact.objects.get()
    assert contact.email == "dsl@school.example" and contact.partnership == partnership
    page = bu_client.get(_url("agency_contacts", partnership, school.pk)).text
    assert "Dana Fictional" in page and "dsl@school.example" in page
    assert "1 contact" in bu_client.get(_url("agency_list", partnership)).text
    response = bu_client.post(
        _url("agency_contact_change", partnership, school.pk, contact.pk),
        {**CONTACT, "role": "Designated safeguarding lead"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.role == "Designated safeguarding lead"
    changed = AuditEvent.objects.get(action="agency_contact.changed")
    assert changed.payload["fields"] == ["role"]
    response = bu_client.post(_url("agency_contact_remove", partnership, school.pk, contact.pk))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.archived_at is not None  # kept, never deleted
    page = bu_client.get(_url("agency_contacts", partnership, school.pk)).text
    assert "dsl@school.example" not in page and "No email contacts have been recorded" in page
    assert (
        bu_client.get(_url("agency_contact_change", partnership, school.pk, contact.pk)).status_code
        == 404
    )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"agency_contact.added", "agency_contact.changed", "agency_contact.removed"} <= actions


def test_bad_input_shows_errors_and_changes_nothing(bu_client, partnership, school):
    services.agency_contact_add(
        partnership=partnership,
        actor=_bu(partnership),
        agency=school,
        **CONTACT,
    )
    before = (AgencyContact.objects.count(), AuditEvent.objects.count())
    for data, message in [
        ({}, "Enter the contact&#x27;s name"),
        ({**CONTACT, "email": "not an address"}, "Enter an email address in the correct format"),
        ({**CONTACT, "role": ""}, "Enter the contact&#x27;s role at the agency"),
        ({**CONTACT, "name": "x" * 201}, "200 characters or fewer"),
        (CONTACT, "is already a contact at Testshire Academy"),
    ]:
        response = bu_client.post(_url("agency_contacts", partnership, school.pk), data)
        assert response.status_code == 200, data
        assert "govuk-error-summary" in response.text and message in response.text, data
    assert (AgencyContact.objects.count(), AuditEvent.objects.count()) == before
    contact = AgencyContact.objects.get()
    response = bu_client.post(
        _url("agency_contact_change", partnership, school.pk, contact.pk), {**CONTACT, "email": ""}
    )
    assert "govuk-error-summary" in response.text
    contact.refresh_from_db()
    assert contact.email == "dsl@school.example"


def _bu(partnership):
    user = UserFactory()
    MembershipFactory(user=user, partnership=partnership, role=Role.BUSINESS_UNIT)
    return user


def test_an_agency_not_of_the_partnership_has_no_contacts_page(
    bu_client, partnership, other_partnership
):
    elsewhere = AgencyFactory(name="Elsewhere Police", slug="elsewhere-police")
    other_partnership.agencies.add(elsewhere)
    assert bu_client.get(_url("agency_contacts", partnership, elsewhere.pk)).status_code == 404
    with pytest.raises(ServiceError, match="not one of the partnership's agencies"):
        services.agency_contact_add(
            partnership=partnership, actor=_bu(partnership), agency=elsewhere, **CONTACT
        )


def test_a_partner_lead_may_not_manage_contacts(partnership, school):
    lead = UserFactory()
    MembershipFactory(user=lead, partnership=partnership, role=Role.PARTNER_LEAD)
    client = Client()
    client.force_login(lead)
    assert client.get(_url("agency_contacts", partnership, school.pk)).status_code == 403
    with pytest.raises(ServiceError, match="cannot change the agencies"):
        services.agency_contact_add(partnership=partnership, actor=lead, agency=school, **CONTACT)
