"""People in a case: pseudonyms everywhere, real identities held apart, shown only to the
business unit and partner leads after a confirmation, and every view audited."""

import datetime

import pytest
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.reviews.models import Appointment, Person, PersonIdentity
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.tests.review_support import (
    make_lcspr,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lcspr_setup(partnership, business_unit_user):
    return make_lcspr(partnership, business_unit_user)


@pytest.fixture
def lcspr(lcspr_setup):
    return lcspr_setup[0]


REAL_NAME = "Ottoline Fictionalname"


def url(name, review, **kwargs):
    return reverse(
        f"reviews:{name}", kwargs={"slug": review.partnership.slug, "pk": review.pk, **kwargs}
    )


def person_post(**extra):
    birthday = datetime.date(2015, 3, 9)
    return {
        "pseudonym": "Child B",
        "role_in_case": "subject",
        "relationship": "",
        "full_name": REAL_NAME,
        "date_of_birth_0": birthday.day,
        "date_of_birth_1": birthday.month,
        "date_of_birth_2": birthday.year,
        "address": "2 Made-up Lane, Testshire",
        **extra,
    }


@pytest.fixture
def person(lcspr, business_unit_user):
    return review_services.person_add(
        review=lcspr,
        actor=business_unit_user,
        pseudonym="Child B",
        role_in_case="subject",
        full_name=REAL_NAME,
        date_of_birth=datetime.date(2015, 3, 9),
        address="2 Made-up Lane, Testshire",
    )


def test_the_business_unit_adds_a_person_with_their_identity_held_apart(bu_client, lcspr):
    response = bu_client.post(url("people", lcspr), person_post())
    assert response.status_code == 302
    person = Person.objects.get(case=lcspr.case)
    assert person.pseudonym == "Child B"
    assert person.identity.full_name == REAL_NAME
    event = AuditEvent.objects.get(action="person.added")
    assert REAL_NAME not in str(event.payload)
    page = bu_client.get(url("people", lcspr)).content.decode()
    assert "Child B" in page and REAL_NAME not in page and "Made-up Lane" not in page


def test_a_person_can_be_added_without_an_identity(lcspr, business_unit_user):
    person = review_services.person_add(
        review=lcspr, actor=business_unit_user, pseudonym="Sibling 1", role_in_case="sibling"
    )
    assert not PersonIdentity.objects.filter(person=person).exists()


def test_a_pseudonym_is_used_once_per_case(bu_client, lcspr, person):
    response = bu_client.post(url("people", lcspr), person_post(pseudonym="child b"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "already used for someone in this case" in page
    assert Person.objects.filter(case=lcspr.case).count() == 1


def test_a_date_of_birth_in_the_future_is_refused(bu_client, lcspr):
    tomorrow = today() + datetime.timedelta(days=1)
    response = bu_client.post(
        url("people", lcspr),
        person_post(
            date_of_birth_0=tomorrow.day,
            date_of_birth_1=tomorrow.month,
            date_of_birth_2=tomorrow.year,
        ),
    )
    assert "Date of birth must be today or in the past" in response.content.decode()
    assert not Person.objects.exists()


def test_an_identity_needs_a_name(lcspr, business_unit_user):
    with pytest.raises(ServiceError, match="full name"):
        review_services.person_add(
            review=lcspr,
            actor=business_unit_user,
            pseudonym="Mother",
            role_in_case="parent",
            address="Somewhere",
        )
    assert not Person.objects.exists()


def test_a_bad_person_form_is_refused_with_gov_uk_errors(bu_client, lcspr):
    response = bu_client.post(url("people", lcspr), {"pseudonym": "", "role_in_case": ""})
    page = response.content.decode()
    assert "Enter the pseudonym used in documents" in page
    assert "Select their role in the case" in page
    assert not Person.objects.exists()


def test_the_identity_is_shown_after_confirming_and_the_view_is_audited(bu_client, lcspr, person):
    identity_url = url("person_identity", lcspr, person_pk=person.pk)
    confirm = bu_client.get(identity_url).content.decode()
    assert REAL_NAME not in confirm and "Show the real identity" in confirm
    assert not AuditEvent.objects.filter(action="person.identity_viewed").exists()
    shown = bu_client.post(identity_url)
    assert REAL_NAME in shown.content.decode()
    assert shown["Cache-Control"].startswith("max-age=0")
    event = AuditEvent.objects.get(action="person.identity_viewed")
    assert event.object_id == str(person.pk) and REAL_NAME not in str(event.payload)


def test_partner_leads_may_see_identities(client, user_for_role, lcspr, person):
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    response = client.post(url("person_identity", lcspr, person_pk=person.pk))
    assert REAL_NAME in response.content.decode()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PANEL_MEMBER])
def test_appointed_reviewers_and_panel_members_never_see_identities(
    client, user_for_role, lcspr, person, role
):
    user = user_for_role(role)
    Appointment.objects.create(
        review=lcspr, role="reviewer", name="R", user=user, appointed_on=today()
    )
    client.force_login(user)
    people = client.get(url("people", lcspr)).content.decode()
    assert "Child B" in people and REAL_NAME not in people
    assert url("person_identity", lcspr, person_pk=person.pk) not in people
    response = client.post(url("person_identity", lcspr, person_pk=person.pk))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="person.identity_viewed").exists()


@pytest.mark.parametrize(
    "role,expected", [(Role.AGENCY_CONTRIBUTOR, 404), (Role.ADMINISTRATOR, 404)]
)
def test_other_roles_are_refused_the_identity(client, user_for_role, lcspr, person, role, expected):
    client.force_login(user_for_role(role))
    assert client.get(url("person_identity", lcspr, person_pk=person.pk)).status_code == expected


def test_a_person_of_another_case_is_not_found(bu_client, lcspr, person, partnership):
    from safeguarding.reviews.tests.review_support import commission, decided_case

    case, _ = decided_case(partnership, lcspr.created_by, pseudonym="Child Z")
    other = commission(case, lcspr.created_by)
    assert bu_client.get(url("person_identity", other, person_pk=person.pk)).status_code == 404


def test_the_people_page_keeps_its_query_count(
    bu_client, lcspr, business_unit_user, django_assert_max_num_queries
):
    for index in range(5):
        review_services.person_add(
            review=lcspr,
            actor=business_unit_user,
            pseudonym=f"Person {index}",
            role_in_case="other",
            full_name=f"Real {index}",
        )
    with django_assert_max_num_queries(12):
        assert bu_client.get(url("people", lcspr)).status_code == 200
