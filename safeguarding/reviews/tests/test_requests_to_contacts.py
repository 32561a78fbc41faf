"""Agencies without an account in the service are emailed through the contacts the business
unit recorded for them (ADR 0020): requests, chases, reminders and closures go to the
contacts' addresses, without a link to sign in; the request pages say who was emailed and when,
and still say "not emailed" for an agency with neither an account nor a contact."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from safeguarding.clock.reminders import reminders_send
from safeguarding.notifications.models import Notification
from safeguarding.reviews.models import AgencyRequest
from safeguarding.reviews.requests import services
from safeguarding.workspace.setup import services as setup_services

from .rr_support import (  # noqa: F401 (fixtures)
    agency_b_fixture,
    contributor_a_fixture,
    deadline,
    rapid_review_fixture,
    today,
)

pytestmark = pytest.mark.django_db
SUMMARY = AgencyRequest.Kind.AGENCY_SUMMARY


@pytest.fixture
def contact(partnership, agency_b, business_unit_user):
    return setup_services.agency_contact_add(
        partnership=partnership,
        actor=business_unit_user,
        agency=agency_b,
        name="Dana Fictional",
        email="Safeguarding@Health.example",
        role="Named nurse for safeguarding",
    )


def send(review, agencies, actor):
    return services.agency_requests_send(
        review=review,
        agencies=agencies,
        kind=SUMMARY,
        due_on=deadline(review),
        instructions="Cover the last 12 months.",
        actor=actor,
    )


def test_a_request_is_emailed_to_the_contacts_of_an_agency_without_accounts(
    rapid_review, agency_b, contact, business_unit_user, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        (request,) = send(rapid_review, [agency_b], business_unit_user)
    (email,) = mail.outbox
    assert email.to == ["safeguarding@health.example"]
    assert rapid_review.reference in email.body
    assert "Sign in" not in email.body and "/manage/" not in email.body
    assert "does not use the service" in email.body
    notice = Notification.objects.get(kind="agency_request.sent", subject_id=request.pk)
    assert notice.recipient is None and notice.email == "safeguarding@health.example"


def test_the_agencys_own_accounts_come_first(
    rapid_review, agency, contributor_a, partnership, business_unit_user
):
    setup_services.agency_contact_add(
        partnership=partnership,
        actor=business_unit_user,
        agency=agency,
        name="Sam Fictional",
        email="sam@police.example",
        role="Detective inspector",
    )
    (request,) = send(rapid_review, [agency], business_unit_user)
    told = Notification.objects.filter(kind="agency_request.sent", subject_id=request.pk)
    assert [n.email for n in told] == [contributor_a.email]


def test_chases_reminders_and_closures_reach_the_contacts(
    rapid_review, agency_b, contact, business_unit_user, django_capture_on_commit_callbacks
):
    (request,) = send(rapid_review, [agency_b], business_unit_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.agency_request_chase(request=request, actor=business_unit_user)
    (chase,) = mail.outbox
    assert chase.to == [contact.email] and "reminder" in chase.body.lower()
    AgencyRequest.objects.filter(pk=request.pk).update(due_on=today() - datetime.timedelta(days=2))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=today())
    reminded = [m for m in mail.outbox if contact.email in m.to]
    assert len(reminded) == 1 and "overdue" in reminded[0].body
    assert "Open the request" not in reminded[0].body
    mail.outbox.clear()
    request.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.agency_request_cancel(
            request=request, reason="Asked in error", actor=business_unit_user
        )
    (cancelled,) = [m for m in mail.outbox if contact.email in m.to]
    assert "Asked in error" in cancelled.body and "See the request" not in cancelled.body


def test_a_removed_contact_is_not_emailed(
    rapid_review, agency_b, contact, partnership, business_unit_user
):
    setup_services.agency_contact_remove(
        partnership=partnership, actor=business_unit_user, contact=contact
    )
    (request,) = send(rapid_review, [agency_b], business_unit_user)
    assert not Notification.objects.filter(subject_id=request.pk, kind="agency_request.sent")


def test_the_request_pages_say_who_was_emailed_and_when(
    bu_client, rapid_review, agency, agency_b, contact, business_unit_user
):
    third = type(agency).objects.create(name="Testshire Academy", slug="academy", kind="school")
    rapid_review.partnership.agencies.add(third)
    response = bu_client.post(
        reverse("reviews:requests", args=["testshire", rapid_review.pk]),
        {
            "agencies": [agency_b.pk, third.pk],
            "kind": SUMMARY,
            "due_on_0": deadline(rapid_review).day,
            "due_on_1": deadline(rapid_review).month,
            "due_on_2": deadline(rapid_review).year,
        },
        follow=True,
    )
    html = response.text
    assert "No one at Testshire Academy has an account or an email contact" in html
    assert "1 agency was not emailed" in html
    health = rapid_review.requests.get(agency=agency_b)
    detail = bu_client.get(reverse("reviews:request_detail", args=["testshire", health.pk])).text
    assert "safeguarding@health.example (email contact, no account)" in detail
    assert f"{today():%-d %B %Y}" in detail
    academy = rapid_review.requests.get(agency=third)
    detail = bu_client.get(reverse("reviews:request_detail", args=["testshire", academy.pk])).text
    assert "Not emailed" in detail and "send the request yourself" in detail
    # A contact recorded afterwards: the page says a chase will reach them.
    setup_services.agency_contact_add(
        partnership=rapid_review.partnership,
        actor=business_unit_user,
        agency=third,
        name="Lee Fictional",
        email="dsl@academy.example",
        role="Designated safeguarding lead",
    )
    detail = bu_client.get(reverse("reviews:request_detail", args=["testshire", academy.pk])).text
    assert "it has 1 email contact now: chase to email them" in detail
    services.agency_request_chase(request=academy, actor=business_unit_user)
    assert Notification.objects.filter(
        kind="agency_request.chased", email="dsl@academy.example"
    ).exists()
