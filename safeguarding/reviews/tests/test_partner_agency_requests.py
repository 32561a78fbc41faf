"""A request to an agency of the partner partnership on a joint review (ADR 0022): the owner's
business unit addresses it, the partner's contributors of that agency see it in their own list
under their own address and answer it (versions); they see nothing else of the owner."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import (
    AgencyFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.notifications.models import Notification
from safeguarding.referrals.tests.share_support import joint_case
from safeguarding.reviews.models import AgencyRequest, AgencyReturn
from safeguarding.reviews.requests import reminders, services
from safeguarding.reviews.requests import selectors as request_selectors

from .test_joint_review import _joint_review

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _setup():
    joint = joint_case()
    review = _joint_review(joint)
    police = AgencyFactory(name="Fictional CSP Police", slug="csp-police")
    housing = AgencyFactory(name="Fictional CSP Housing", slug="csp-housing")
    board_health = AgencyFactory(name="Fictional Board Health", slug="board-health")
    joint.csp.agencies.add(police, housing)
    joint.board.agencies.add(board_health)
    officer = UserFactory(full_name="CSP police contributor", email="police@csp.example")
    MembershipFactory(
        user=officer, partnership=joint.csp, role=Role.AGENCY_CONTRIBUTOR, agency=police
    )
    housing_officer = UserFactory(email="housing@csp.example")
    MembershipFactory(
        user=housing_officer, partnership=joint.csp, role=Role.AGENCY_CONTRIBUTOR, agency=housing
    )
    return joint, review, police, housing, board_health, officer, housing_officer


def _send_form(agency, **changes) -> dict:
    due = timezone.localdate() + datetime.timedelta(days=20)
    return {
        "agencies": [str(agency.pk)],
        "kind": "agency_report",
        "due_on_0": due.day,
        "due_on_1": due.month,
        "due_on_2": due.year,
        "instructions": "Fictional: your contact with Adult J.",
        **changes,
    }


def test_the_owner_asks_a_partners_agency_and_its_contributor_answers_in_versions():
    joint, review, police, _, _, officer, _ = _setup()
    board = _client(joint.board_unit)
    requests_page = board.get(reverse("reviews:requests", args=[joint.board.slug, review.pk]))
    partner_url = reverse(
        "reviews:request_partner", args=[joint.board.slug, review.pk, joint.csp.pk]
    )
    assert partner_url in requests_page.content.decode()
    page = board.get(partner_url).content.decode()
    assert "Fictional CSP Police" in page and "Fictional Board Health" not in page

    # Bad input changes nothing: no agency, a chronology, a past date.
    past = timezone.localdate() - datetime.timedelta(days=2)
    for bad in (
        _send_form(police, agencies=[]),
        _send_form(police, kind="chronology"),
        _send_form(police, due_on_0=past.day, due_on_1=past.month, due_on_2=past.year),
    ):
        response = board.post(partner_url, bad)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.content.decode()
    assert not AgencyRequest.objects.exists()

    response = board.post(partner_url, _send_form(police))
    assert response.status_code == 302
    agency_request = AgencyRequest.objects.get()
    assert agency_request.answered_in == joint.csp
    assert (
        AuditEvent.objects.get(action="agency_request.sent").payload["answered_in"]
        == "fictional-csp"
    )
    told = Notification.objects.get(kind="agency_request.sent")
    detail_csp = reverse("reviews:request_detail", args=[joint.csp.slug, agency_request.pk])
    assert (told.recipient, told.link, told.partnership) == (officer, detail_csp, joint.csp)

    # The contributor's own list, under the partner's address.
    contributor = _client(officer)
    mine = contributor.get(reverse("reviews:my_requests", args=[joint.csp.slug]))
    assert mine.status_code == 200 and detail_csp in mine.content.decode()
    assert contributor.get(detail_csp).status_code == 200
    # Bad input changes nothing.
    response = contributor.post(detail_csp, {"report": ""})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not AgencyReturn.objects.exists()
    for version in (1, 2):
        response = contributor.post(detail_csp, {"report": f"Fictional report, version {version}."})
        assert response.status_code == 302
    returns = list(AgencyReturn.objects.order_by("version"))
    assert [r.version for r in returns] == [1, 2]
    assert returns[0].submitted_by == officer
    agency_request.refresh_from_db()
    assert agency_request.returned_at is not None
    # The owner's business unit reads the returns on its own page.
    owner_detail = board.get(
        reverse("reviews:request_detail", args=[joint.board.slug, agency_request.pk])
    )
    assert "Fictional report, version 2." in owner_detail.content.decode()


def test_the_partners_contributor_sees_only_the_request_addressed_to_its_agency():
    joint, review, police, housing, board_health, officer, housing_officer = _setup()
    to_police = services.agency_requests_send(
        review=review,
        agencies=[police],
        kind="agency_report",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        instructions="",
        actor=joint.board_unit,
        answered_in=joint.csp,
    )[0]
    own = services.agency_requests_send(
        review=review,
        agencies=[board_health],
        kind="agency_report",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        instructions="",
        actor=joint.board_unit,
    )[0]
    contributor = _client(officer)
    # Not under the owner's address, not the owner's own request, not the review's pages.
    for url in (
        reverse("reviews:request_detail", args=[joint.board.slug, to_police.pk]),
        reverse("reviews:request_detail", args=[joint.csp.slug, own.pk]),
        reverse("reviews:request_detail", args=[joint.board.slug, own.pk]),
        reverse("reviews:requests", args=[joint.csp.slug, review.pk]),
        reverse("reviews:detail", args=[joint.csp.slug, review.pk]),
    ):
        assert contributor.get(url).status_code in (403, 404), url
    # Another agency of the partner: 404 and not in its list.
    other = _client(housing_officer)
    url = reverse("reviews:request_detail", args=[joint.csp.slug, to_police.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, {"report": "x"}).status_code == 404
    rows = request_selectors.request_list_for_agencies(
        partnership=joint.csp, agency_ids={housing.pk}
    )
    assert list(rows) == []
    # The partner's business unit reads the review but answers no agency request.
    assert _client(joint.csp_unit).get(url).status_code == 404
    # Another partnership: 404.
    outsider = UserFactory()
    stranger = PartnershipFactory()
    MembershipFactory(user=outsider, partnership=stranger, role=Role.BUSINESS_UNIT)
    assert _client(outsider).get(url).status_code == 404
    with pytest.raises(ServiceError):
        services.agency_return_submit(
            request=to_police, user=housing_officer, fields={"report": "x"}, attachment=None
        )
    assert not AgencyReturn.objects.exists()


def test_only_a_partner_that_takes_part_in_the_review_can_be_asked():
    joint, review, police, _, board_health, _, _ = _setup()
    stranger = PartnershipFactory()
    url = reverse("reviews:request_partner", args=[joint.board.slug, review.pk, stranger.pk])
    assert _client(joint.board_unit).get(url).status_code == 404
    # The partner's business unit may not ask on the owner's review.
    csp_url = reverse("reviews:request_partner", args=[joint.csp.slug, review.pk, joint.csp.pk])
    assert _client(joint.csp_unit).get(csp_url).status_code in (403, 404)
    due = timezone.localdate() + datetime.timedelta(days=10)
    with pytest.raises(ServiceError):
        services.agency_requests_send(
            review=review,
            agencies=[police],
            kind="agency_report",
            due_on=due,
            instructions="",
            actor=joint.board_unit,
            answered_in=stranger,
        )
    # An agency of the owner cannot be addressed as the partner's.
    with pytest.raises(ServiceError):
        services.agency_requests_send(
            review=review,
            agencies=[board_health],
            kind="agency_report",
            due_on=due,
            instructions="",
            actor=joint.board_unit,
            answered_in=joint.csp,
        )
    assert not AgencyRequest.objects.exists()


def test_the_reminder_of_a_partners_request_goes_to_its_contributors_under_its_address():
    joint, review, police, _, _, officer, _ = _setup()
    agency_request = services.agency_requests_send(
        review=review,
        agencies=[police],
        kind="agency_report",
        due_on=timezone.localdate() + datetime.timedelta(days=1),
        instructions="",
        actor=joint.board_unit,
        answered_in=joint.csp,
    )[0]
    reminder = reminders.agency_request_reminder(agency_request, "overdue")
    assert reminder.recipients == [officer]
    assert reminder.partnership == joint.csp
    assert reminder.link == reverse(
        "reviews:request_detail", args=[joint.csp.slug, agency_request.pk]
    )
