"""Fixtures and helpers for the chronology tests: a review with two agencies and two people."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reviews.chronology import parser
from safeguarding.reviews.models import (
    AgencyRequest,
    Appointment,
    ChronologyEntry,
    Person,
    PersonIdentity,
    Review,
)


@pytest.fixture(name="health")
def health_fixture(db):
    return AgencyFactory(name="Testshire Health Trust", slug="testshire-health")


@pytest.fixture(name="review")
def review_fixture(partnership, business_unit_user, agency, health):
    case = make_case(partnership, business_unit_user)
    review = Review.objects.create(
        partnership=partnership,
        case=case,
        kind=Review.Kind.LCSPR,
        stage=Review.Stage.AGENCY_REPORTS,
        reference="RV2026-00042",
        title="Child A",
        started_on=timezone.localdate(),
        created_by=business_unit_user,
    )
    review.agencies.set([agency, health])
    child = Person.objects.create(case=case, pseudonym="Child A", role_in_case="subject")
    mother = Person.objects.create(case=case, pseudonym="Mother B", role_in_case="parent")
    PersonIdentity.objects.create(person=child, full_name="Zebedee Quillfeather")
    PersonIdentity.objects.create(person=mother, full_name="Marigold Quillfeather")
    return review


@pytest.fixture(name="chronology_request")
def chronology_request_fixture(review, agency, business_unit_user):
    return AgencyRequest.objects.create(
        review=review,
        agency=agency,
        kind=AgencyRequest.Kind.CHRONOLOGY,
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        requested_by=business_unit_user,
    )


@pytest.fixture(name="contributor")
def contributor_fixture(user_for_role, chronology_request):
    """An agency contributor for Testshire Police, which the review asked for a chronology."""
    return user_for_role(Role.AGENCY_CONTRIBUTOR)


def appoint(review, role: str, appointment_role: str = Appointment.Role.REVIEWER):
    user = UserFactory()
    MembershipFactory(user=user, partnership=review.partnership, role=role)
    Appointment.objects.create(
        review=review,
        role=appointment_role,
        name=user.full_name,
        user=user,
        appointed_on=timezone.localdate(),
    )
    return user


def entry(review, agency, day, user, event="A home visit", significance="routine", **extra):
    people = extra.pop("people", [])
    created = ChronologyEntry.objects.create(
        review=review,
        agency=agency,
        occurred_on=day,
        event=event,
        significance=significance,
        entered_by=user,
        **extra,
    )
    if people:
        created.people.set(people)
    return created


HEADINGS = parser.HEADINGS


def csv_bytes(rows, headings=HEADINGS, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headings)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, headings=HEADINGS) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [
    ["14/03/2025", "09:30", "no", "Child A; Mother B", "Home visit", "CN-1", "Visitor", "routine"],
    ["2025-04-02", "", "yes", "Child A", "Seen at A&E with a bruise", "ED-7", "Nurse", "Key event"],
    ["03/05/2025", "16:05", "", "", "Strategy discussion", "", "", "SIGNIFICANT"],
]
