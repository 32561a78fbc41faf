"""Action reminders: before the target date and once overdue, at most once per action, kind and
target date, through the daily reminder run."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from safeguarding.accounts.models import Role
from safeguarding.actions.models import Action
from safeguarding.actions.reminders import NOTICE_WORKING_DAYS, action_reminders_due
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import ReminderClaim
from safeguarding.clock.reminders import OVERDUE_REMINDER_DAYS, reminders_send
from safeguarding.core.calendar import add_working_days

from .tracker_support import (
    action_for,
    agency_in,
    contributor_for,
    finding_for,
    member,
    recommendation_for,
    review_for,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 26)  # a Thursday
Status = Action.Status


@pytest.fixture
def police(partnership, agency):
    partnership.agencies.add(agency)
    return agency


@pytest.fixture
def contributor(partnership, police):
    return contributor_for(partnership, police, email="officer@police.example")


@pytest.fixture
def make_action(partnership, police):
    review = review_for(partnership, title="Child R", started_on=datetime.date(2025, 1, 6))
    finding = finding_for(review, 1)
    numbers = iter(range(1, 100))

    def make(target_date, status=Status.ON_TRACK, agency=police):
        recommendation = recommendation_for(review, next(numbers), [finding])
        return action_for(
            recommendation,
            1,
            agency,
            target_date=target_date,
            status=status,
            reason="Replaced" if status == Status.NOT_IMPLEMENTED else "",
        )

    return make


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the reminders for a day, sending the emails as the commit would."""

    def run(today=TODAY) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(today=today, sources=["actions"])

    return run


def test_the_agency_is_reminded_once_ten_working_days_before_the_target(
    send, make_action, contributor
):
    action = make_action(add_working_days(TODAY, NOTICE_WORKING_DAYS))

    assert send() == 1
    assert send() == 0
    assert send(TODAY + datetime.timedelta(days=1)) == 0

    (email,) = mail.outbox
    assert email.to == ["officer@police.example"]
    assert (
        email.subject
        == f"Due 10 December 2026: action 1.1 of {action.recommendation.review.reference}"
    )
    assert "An action your agency owns is due on 10 December 2026." in email.body
    assert f"/manage/testshire/actions/{action.pk}/" in email.body
    reminder = ReminderClaim.objects.get()
    assert reminder.subject == action
    assert (reminder.kind, reminder.due_on, reminder.sent_to) == (
        "upcoming",
        action.target_date,
        "officer@police.example",
    )
    event = AuditEvent.objects.get(action="action.reminder_sent")
    assert event.payload["kind"] == "upcoming"
    assert event.payload["to"] == "agency"


def test_no_reminder_earlier_than_ten_working_days(send, make_action, contributor):
    make_action(add_working_days(TODAY, NOTICE_WORKING_DAYS + 1))

    assert send() == 0
    assert mail.outbox == []


def test_an_overdue_action_is_reminded_once_for_the_first_30_days(send, make_action, contributor):
    recent = make_action(TODAY - datetime.timedelta(days=1))
    make_action(TODAY - datetime.timedelta(days=OVERDUE_REMINDER_DAYS + 1))  # too old to email

    assert send() == 1
    assert send() == 0

    (email,) = mail.outbox
    assert email.subject.startswith("Overdue: action")
    assert "its target date was 25 November 2026" in email.body
    assert ReminderClaim.objects.get().subject == recent


def test_a_new_target_date_is_reminded_again(send, make_action, contributor):
    action = make_action(add_working_days(TODAY, 3))
    assert send() == 1

    action.target_date = add_working_days(TODAY, 5)
    action.save()

    assert send() == 1
    assert send() == 0
    assert (
        ReminderClaim.objects.filter(subject_type__model="action", subject_id=action.pk).count()
        == 2
    )


@pytest.mark.parametrize(
    "status", [Status.COMPLETE, Status.NOT_IMPLEMENTED, Status.COMPLETION_REQUESTED]
)
def test_actions_the_agency_has_finished_with_are_not_reminded(
    send, make_action, contributor, status
):
    make_action(add_working_days(TODAY, 2), status=status)
    make_action(TODAY - datetime.timedelta(days=2), status=status)

    assert action_reminders_due(TODAY) == []
    assert send() == 0


def test_every_active_contributor_gets_an_email_of_their_own(
    send, make_action, contributor, partnership, police
):
    contributor_for(partnership, police, email="second@police.example")
    left = contributor_for(partnership, police, email="left@police.example")
    left.is_active = False
    left.save()
    other = agency_in(partnership, "Testshire Health Trust", "testshire-health")
    contributor_for(partnership, other, email="nurse@health.example")
    make_action(add_working_days(TODAY, 1))

    assert send() == 1

    assert sorted(email.to[0] for email in mail.outbox) == [
        "officer@police.example",
        "second@police.example",
    ]


def test_an_agency_without_contributors_is_reminded_through_the_business_unit(
    send, make_action, partnership, business_unit_user
):
    member(partnership, Role.BUSINESS_UNIT, email="second.bu@testshire.example")
    make_action(TODAY - datetime.timedelta(days=3))

    assert send() == 1

    assert sorted(email.to[0] for email in mail.outbox) == [
        "bu@testshire.example",
        "second.bu@testshire.example",
    ]
    assert "has no agency contributor in the service" in mail.outbox[0].body
    assert AuditEvent.objects.get(action="action.reminder_sent").payload["to"] == "business_unit"


def test_finding_the_reminders_is_a_fixed_number_of_queries(
    make_action, contributor, django_assert_max_num_queries
):
    for day in range(1, 11):
        make_action(add_working_days(TODAY, day))
        make_action(TODAY - datetime.timedelta(days=day))

    with django_assert_max_num_queries(2):
        due = action_reminders_due(TODAY)

    assert len(due) == 20


def test_the_daily_command_sends_action_reminders(
    make_action, contributor, django_capture_on_commit_callbacks
):
    action = make_action(add_working_days(TODAY, 4))
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
        call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)

    assert out.getvalue().splitlines() == [
        "Sent 1 reminder for 26 November 2026.",
        "Sent 0 reminders for 26 November 2026.",
    ]
    claims = ReminderClaim.objects.filter(subject_type__model="action", subject_id=action.pk)
    assert claims.filter(kind="upcoming").exists()
    assert len(mail.outbox) == 1
