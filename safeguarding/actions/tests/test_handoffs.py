"""Who is told about an action (issue 13): the owner agency when it is assigned, the business
unit when the agency asks for it to be accepted as complete, the agency again when it is
accepted or returned (with the reason). Read from the mail outbox and the notices."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import AgencyFactory, MembershipFactory, UserFactory
from safeguarding.actions import services
from safeguarding.audit.models import AuditEvent
from safeguarding.notifications.models import Notification
from safeguarding.reviews.tests.review_support import make_lcspr

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(partnership, business_unit_user):
    review, _ = make_lcspr(partnership, business_unit_user)
    review.stage = "signed_off"
    review.signed_off_at = timezone.now()
    review.save(update_fields=["stage", "signed_off_at"])
    return review


@pytest.fixture
def contributor(user_for_role):
    return user_for_role(Role.AGENCY_CONTRIBUTOR, email="officer@police.example")


@pytest.fixture
def outsider(other_partnership, agency):
    """A contributor of the same agency in another partnership: never told."""
    user = UserFactory(email="officer@elsewhere.example")
    MembershipFactory(
        user=user, partnership=other_partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    return user


@pytest.fixture
def recommendation(review, business_unit_user, agency, partnership):
    partnership.agencies.add(agency)
    finding = services.learning_add(
        review=review, actor=business_unit_user, kind="finding", title="Sharing", text="Not shared."
    )
    return services.recommendation_add(
        review=review,
        actor=business_unit_user,
        text="Share risk assessments.",
        findings=[finding],
        agencies=[agency],
        to_partnership=False,
        scope="multi_agency",
        expected_change="Risks are known to every agency.",
    )


def _add(recommendation, actor, agency):
    return services.action_add(
        recommendation=recommendation,
        actor=actor,
        text="Agree a protocol.",
        agency=agency,
        lead_name="A Fictional Lead",
        target_date=timezone.localdate() + datetime.timedelta(days=40),
    )


def _pdf(sample_pdf):
    return SimpleUploadedFile("evidence.pdf", sample_pdf, content_type="application/pdf")


def test_an_assigned_action_tells_the_owner_agencys_contributors_in_the_partnership_only(
    recommendation,
    business_unit_user,
    agency,
    contributor,
    outsider,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        action = _add(recommendation, business_unit_user, agency)
    assert [m.to for m in mail.outbox] == [["officer@police.example"]]
    email = mail.outbox[0]
    review = recommendation.review
    assert email.subject.startswith(f"New action 1.1 of {review.reference} for Testshire Police")
    assert "Agree a protocol." in email.body
    assert f"/manage/testshire/actions/{action.pk}/" in email.body
    notice = Notification.objects.get(kind="action.assigned")
    assert notice.recipient == contributor
    assert notice.email_status == Notification.EmailStatus.SENT
    event = AuditEvent.objects.get(action="action.added")
    assert event.payload["notified"] == 1


def test_giving_an_action_to_another_agency_tells_the_new_owner(
    recommendation,
    business_unit_user,
    agency,
    partnership,
    contributor,
    django_capture_on_commit_callbacks,
):
    health = AgencyFactory(name="Testshire Health", slug="testshire-health")
    partnership.agencies.add(health)
    nurse = UserFactory(email="nurse@health.example")
    MembershipFactory(
        user=nurse, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=health
    )
    action = _add(recommendation, business_unit_user, agency)
    with django_capture_on_commit_callbacks(execute=True):
        services.action_change(
            action=action,
            actor=business_unit_user,
            text=action.text,
            agency=health,
            lead_name="Another Lead",
            target_date=action.target_date,
        )
    assert [m.to for m in mail.outbox] == [["nurse@health.example"]]
    with django_capture_on_commit_callbacks(execute=True):  # a change of date only: no one
        services.action_change(
            action=action,
            actor=business_unit_user,
            text=action.text,
            agency=health,
            lead_name="Another Lead",
            target_date=action.target_date + datetime.timedelta(days=1),
        )
    assert len(mail.outbox) == 1


def test_completion_asked_tells_the_business_unit_and_acceptance_tells_the_agency(
    recommendation,
    business_unit_user,
    agency,
    contributor,
    sample_pdf,
    django_capture_on_commit_callbacks,
):
    action = _add(recommendation, business_unit_user, agency)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.completion_request(
            action=action, actor=contributor, note="Protocol agreed.", evidence=[_pdf(sample_pdf)]
        )
    assert [m.to for m in mail.outbox] == [["bu@testshire.example"]]
    assert mail.outbox[0].subject.startswith("Accept or return: action 1.1")
    assert "What was done: Protocol agreed." in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.completion_accept(action=action, actor=business_unit_user, note="Well done.")
    assert [m.to for m in mail.outbox[1:]] == [["officer@police.example"]]
    accepted = mail.outbox[1]
    assert accepted.subject.startswith("Accepted as complete: action 1.1")
    assert "Note from the business unit: Well done." in accepted.body
    assert set(
        Notification.objects.filter(kind__startswith="action.").values_list("kind", flat=True)
    ) == {
        "action.assigned",
        "action.completion_requested",
        "action.completion_accepted",
    }
    event = AuditEvent.objects.get(action="action.completion_accepted")
    assert event.payload["notified"] == 1


def test_a_returned_completion_tells_the_agency_why(
    recommendation,
    business_unit_user,
    agency,
    contributor,
    sample_pdf,
    django_capture_on_commit_callbacks,
):
    action = _add(recommendation, business_unit_user, agency)
    services.completion_request(
        action=action, actor=contributor, note="Done.", evidence=[_pdf(sample_pdf)]
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.completion_return(
            action=action, actor=business_unit_user, note="The audit results are missing."
        )
    assert [m.to for m in mail.outbox] == [["officer@police.example"]]
    email = mail.outbox[0]
    assert email.subject.startswith("Returned: action 1.1")
    assert "The audit results are missing." in email.body
    notice = Notification.objects.get(kind="action.completion_returned")
    assert "The audit results are missing." in notice.body


def test_the_person_who_makes_the_change_is_not_told_of_it(
    recommendation, business_unit_user, agency, sample_pdf, django_capture_on_commit_callbacks
):
    """The business unit asking on the agency's behalf is not emailed about its own request."""
    action = _add(recommendation, business_unit_user, agency)  # the agency has no contributor
    with django_capture_on_commit_callbacks(execute=True):
        services.completion_request(
            action=action, actor=business_unit_user, note="Done.", evidence=[_pdf(sample_pdf)]
        )
    assert mail.outbox == []
    assert not Notification.objects.filter(kind__startswith="action.").exists()


def test_a_refused_change_tells_no_one(
    recommendation, business_unit_user, agency, contributor, django_capture_on_commit_callbacks
):
    action = _add(recommendation, business_unit_user, agency)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ServiceError):
        services.completion_accept(action=action, actor=business_unit_user)
    assert mail.outbox == []
    assert Notification.objects.filter(kind="action.completion_accepted").count() == 0
