"""Milestone reminders: who gets one, when, and never twice (clock/milestone_reminders.py, sent by
the one reminder engine in clock/reminders.py)."""

import datetime
import smtplib
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django_tasks import TaskResultStatus

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.audit.models import AuditEvent
from safeguarding.clock import services
from safeguarding.clock.milestone_reminders import milestone_reminder, reminder_kind, reminders_due
from safeguarding.clock.models import Event, Milestone, ReminderClaim
from safeguarding.clock.reminders import reminder_send, reminders_send
from safeguarding.clock.tasks import send_milestone_reminders
from safeguarding.notifications.models import Notification
from safeguarding.referrals.models import Case

# The looked-after death notification (R4): 5 working days, reminders 2 working days before.
# Known on Monday 2 November 2026 (day 0, R40), so due on Monday 9 November 2026; the upcoming
# reminder may go from Thursday 5 November (2 working days before) to the 9th itself.
KNOWN_ON = datetime.date(2026, 11, 2)
DUE_ON = datetime.date(2026, 11, 9)
WINDOW_OPENS = datetime.date(2026, 11, 5)


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("The mail server is down")


@pytest.fixture
def case(partnership):
    return Case.objects.create(
        partnership=partnership,
        reference="C2026-00001",
        pseudonym="Child A",
        became_aware_on=KNOWN_ON,
    )


@pytest.fixture
def owner(user_for_role):
    return user_for_role(Role.BUSINESS_UNIT, email="owner@testshire.example")


@pytest.fixture
def start_milestone(partnership, case):
    def start(owner=None, subject=None) -> Milestone:
        subject = subject or case
        (milestone,) = services.milestones_start(
            partnership=partnership,
            event=Event.LOOKED_AFTER_DEATH_KNOWN,
            subject=subject,
            on_date=KNOWN_ON,
            label=f"{subject.reference} ({subject.pseudonym})",
            url=f"/manage/{partnership.slug}/cases/{subject.pk}/",
            review_types=["cspr"],
            owner=owner,
        )
        return milestone

    return start


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the daily send for ``today``, with the emails that go after commit."""

    def run(today: datetime.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(today=today, sources=["milestones"])

    return run


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 11, 4), None),  # 3 working days before: too early
        (WINDOW_OPENS, "upcoming"),  # 2 working days before
        (datetime.date(2026, 11, 7), "upcoming"),  # a Saturday inside the window
        (DUE_ON, "upcoming"),  # the due date itself
        (datetime.date(2026, 11, 10), "overdue"),  # the day after
        (datetime.date(2026, 12, 9), "overdue"),  # 30 days after: still reminded
        (datetime.date(2027, 3, 1), None),  # long overdue: the dashboard shows it, no email
    ],
)
def test_reminder_kind_follows_the_working_day_window(start_milestone, today, expected):
    milestone = start_milestone()
    assert milestone.due_on == DUE_ON
    assert reminder_kind(milestone, today) == expected
    assert reminders_due(today) == ([(milestone, expected)] if expected else [])


def test_the_owner_is_emailed_before_the_milestone_falls_due(
    start_milestone, owner, send, settings
):
    settings.SERVICE_URL = "https://reviews.example"
    milestone = start_milestone(owner=owner)

    assert send(WINDOW_OPENS) == 1

    (email,) = mail.outbox
    assert email.to == ["owner@testshire.example"]
    assert email.subject == (
        "Due 9 November 2026: Notify Ofsted and the Secretary of State of a looked-after "
        "child's death for C2026-00001 (Child A)"
    )
    assert "is due on Monday 9 November 2026" in email.body
    assert (
        "Guidance: Working Together to Safeguard Children 2023, chapter 5 (statutory)" in email.body
    )
    assert "because you own this milestone" in email.body
    assert f"https://reviews.example/manage/testshire/cases/{milestone.subject_id}/" in email.body
    assert "&#x27;" not in email.body  # plain text, not HTML-escaped
    reminder = ReminderClaim.objects.get()
    assert (reminder.subject, reminder.kind, reminder.due_on) == (milestone, "upcoming", DUE_ON)
    assert reminder.sent_to == "owner@testshire.example"
    # The owner sees it in the service too.
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (owner, "milestone.due_soon")
    assert notification.subject == email.subject and notification.body == email.body
    assert notification.link == f"/manage/testshire/cases/{milestone.subject_id}/"
    assert notification.subject_object == milestone
    assert notification.email_status == "sent"


def test_an_overdue_milestone_gets_an_overdue_reminder(start_milestone, owner, send):
    start_milestone(owner=owner)

    assert send(datetime.date(2026, 11, 10)) == 1

    (email,) = mail.outbox
    assert email.subject.startswith("Overdue: Notify Ofsted")
    # Without SERVICE_URL the email cannot link, so it gives the page's path.
    assert "Sign in to Manage safeguarding reviews to see it, at /manage/testshire/cases/" in (
        email.body
    )
    assert "is overdue. It was due on Monday 9 November 2026" in email.body
    assert ReminderClaim.objects.get().kind == "overdue"


def test_no_reminder_before_the_window_opens(start_milestone, owner, send):
    start_milestone(owner=owner)

    assert send(datetime.date(2026, 11, 4)) == 0

    assert mail.outbox == []
    assert not ReminderClaim.objects.exists()


def test_every_send_is_audited(start_milestone, owner, send):
    milestone = start_milestone(owner=owner)

    send(WINDOW_OPENS)

    event = AuditEvent.objects.get(action="milestone.reminder_sent")
    assert event.partnership == milestone.partnership
    assert event.object_id == str(milestone.pk)
    assert event.actor is None
    assert event.actor_label == "Milestone reminders"
    assert event.payload == {
        "kind": "upcoming",
        "due_on": "2026-11-09",
        "rule": "R4",
        "to": "owner",
        "recipients": 1,
    }


@pytest.mark.parametrize("status", ["paused", "done", "not_applicable"])
def test_paused_done_and_not_applicable_milestones_get_no_reminder(
    start_milestone, owner, send, status
):
    milestone = start_milestone(owner=owner)
    Milestone.objects.filter(pk=milestone.pk).update(status=status)

    assert send(WINDOW_OPENS) + send(datetime.date(2026, 11, 10)) == 0

    assert mail.outbox == []


def test_a_paused_milestone_is_reminded_once_it_resumes(start_milestone, owner, send):
    milestone = start_milestone(owner=owner)
    services.milestone_pause(milestone=milestone, reason="Waiting for the police", actor=owner)
    assert send(datetime.date(2026, 11, 10)) == 0

    services.milestone_resume(milestone=milestone, actor=owner)

    assert send(datetime.date(2026, 11, 11)) == 1
    assert [r.kind for r in ReminderClaim.objects.all()] == ["overdue"]


def test_running_twice_sends_one_email(start_milestone, owner, send):
    start_milestone(owner=owner)

    assert send(WINDOW_OPENS) == 1
    assert send(WINDOW_OPENS) == 0
    assert send(datetime.date(2026, 11, 6)) == 0  # still inside the window: already reminded

    assert len(mail.outbox) == 1
    assert ReminderClaim.objects.count() == 1


def test_a_run_that_races_another_sends_nothing(
    start_milestone, owner, django_capture_on_commit_callbacks
):
    start_milestone(owner=owner)
    ((milestone, kind),) = reminders_due(WINDOW_OPENS)  # both runs see it due
    ReminderClaim.objects.create(  # the other run claimed it first
        subject=milestone, kind=kind, due_on=milestone.due_on, sent_to=owner.email
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert reminder_send(milestone_reminder(milestone, kind)) is False

    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="milestone.reminder_sent").exists()


def test_an_extended_milestone_is_reminded_again_for_its_new_date(start_milestone, owner, send):
    milestone = start_milestone(owner=owner)
    assert send(DUE_ON) == 1  # upcoming, for 9 November
    assert send(datetime.date(2026, 11, 10)) == 1  # overdue, for 9 November

    services.milestone_extend(
        milestone=milestone,
        new_due_on=datetime.date(2026, 11, 20),
        reason="The panel agreed more time",
        actor=owner,
    )
    assert send(datetime.date(2026, 11, 17)) == 0  # 3 working days before the new date
    assert send(datetime.date(2026, 11, 18)) == 1  # upcoming, for 20 November
    assert send(datetime.date(2026, 11, 23)) == 1  # overdue, for 20 November

    reminders = ReminderClaim.objects.order_by("id").values_list("kind", "due_on")
    assert list(reminders) == [
        ("upcoming", DUE_ON),
        ("overdue", DUE_ON),
        ("upcoming", datetime.date(2026, 11, 20)),
        ("overdue", datetime.date(2026, 11, 20)),
    ]
    assert "extended from 9 November 2026" in mail.outbox[2].body


def test_without_an_owner_every_business_unit_member_is_reminded(
    start_milestone, user_for_role, other_partnership, send
):
    user_for_role(Role.BUSINESS_UNIT, email="alex@testshire.example")
    user_for_role(Role.BUSINESS_UNIT, email="sam@testshire.example")
    user_for_role(Role.BUSINESS_UNIT, email="gone@testshire.example", is_active=False)
    user_for_role(Role.PANEL_MEMBER, email="panel@testshire.example")
    MembershipFactory(
        user=UserFactory(email="elsewhere@elsewhere.example"), partnership=other_partnership
    )
    start_milestone()

    assert send(WINDOW_OPENS) == 1

    assert sorted(email.to[0] for email in mail.outbox) == [
        "alex@testshire.example",
        "sam@testshire.example",
    ]
    assert all(len(email.to) == 1 for email in mail.outbox)  # no one sees the other addresses
    assert "every member of the Testshire Safeguarding Partnership business unit" in (
        mail.outbox[0].body
    )
    reminder = ReminderClaim.objects.get()
    assert reminder.sent_to == "alex@testshire.example, sam@testshire.example"
    event = AuditEvent.objects.get(action="milestone.reminder_sent")
    assert (event.payload["to"], event.payload["recipients"]) == ("business_unit", 2)


def test_an_owner_who_has_left_the_partnership_is_not_sent_case_details(
    start_milestone, user_for_role, send
):
    user_for_role(Role.BUSINESS_UNIT, email="alex@testshire.example")
    former = UserFactory(email="former@testshire.example")  # no longer a member
    start_milestone(owner=former)

    send(WINDOW_OPENS)

    assert [email.to for email in mail.outbox] == [["alex@testshire.example"]]


def test_with_no_one_to_remind_nothing_is_recorded_so_it_can_go_later(
    start_milestone, user_for_role, send
):
    start_milestone()  # no owner, and no business-unit member yet

    assert send(WINDOW_OPENS) == 0
    assert not ReminderClaim.objects.exists()

    user_for_role(Role.BUSINESS_UNIT, email="alex@testshire.example")
    assert send(datetime.date(2026, 11, 6)) == 1
    assert [email.to for email in mail.outbox] == [["alex@testshire.example"]]


def test_a_refused_email_is_not_sent_again(start_milestone, owner, send, settings, caplog):
    """At most once: the reminder is recorded before the email goes, so a mail-server failure
    is logged and not retried (docs/how-to/run-reminders.md)."""
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    start_milestone(owner=owner)

    assert send(WINDOW_OPENS) == 1
    notification = Notification.objects.get()
    assert f"Could not email notification {notification.pk}" in caplog.text
    assert notification.email_status == "failed"
    assert notification.email_error == "SMTPServerDisconnected: The mail server is down"
    assert notification.email_status_at is not None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(datetime.date(2026, 11, 6)) == 0
    assert mail.outbox == []


def test_the_daily_run_reads_only_the_milestones_that_need_a_reminder(
    partnership, owner, django_assert_max_num_queries
):
    """However many milestones there are, finding the due reminders is three queries: the
    rules' notice periods, then the upcoming and the overdue candidates, filtered by date in
    the database."""
    for number in range(40):
        case = Case.objects.create(
            partnership=partnership,
            reference=f"C2026-{number:05d}",
            pseudonym=f"Child {number}",
            became_aware_on=KNOWN_ON,
        )
        services.milestones_start(
            partnership=partnership,
            event=Event.CSPR_LA_AWARE,  # R2 due 9 November, R9 due 23 November
            subject=case,
            on_date=KNOWN_ON,
            label=case.reference,
            review_types=["cspr"],
            owner=owner,
        )
    Milestone.objects.filter(rule__rule_id="R2").update(status="done")

    with django_assert_max_num_queries(3):
        assert reminders_due(WINDOW_OPENS) == []
    with django_assert_max_num_queries(3):
        due = reminders_due(datetime.date(2026, 11, 19))  # R9's window
    assert len(due) == 40
    assert {kind for _, kind in due} == {"upcoming"}


def test_the_command_sends_the_reminders_for_a_given_date(
    start_milestone, owner, django_capture_on_commit_callbacks
):
    start_milestone(owner=owner)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-11-05", stdout=out)
        call_command("send_reminders", "--date", "2026-11-05", stdout=out)

    assert out.getvalue().splitlines() == [
        "Sent 1 reminder for 05 November 2026.",
        "Sent 0 reminders for 05 November 2026.",
    ]
    assert len(mail.outbox) == 1


def test_the_command_refuses_a_date_that_is_not_a_date(db):
    with pytest.raises(CommandError, match="use the form YYYY-MM-DD"):
        call_command("send_reminders", "--date", "5/11/2026")


def test_the_command_can_queue_the_task_which_the_immediate_backend_runs_at_once(
    start_milestone, owner, django_capture_on_commit_callbacks
):
    start_milestone(owner=owner)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-11-10", "--enqueue", stdout=out)

    assert "Queued the reminders for 10 November 2026" in out.getvalue()
    assert "it ran at once: 1 sent." in out.getvalue()
    assert mail.outbox[0].subject.startswith("Overdue:")


def test_the_task_runs_under_the_immediate_backend(
    start_milestone, owner, django_capture_on_commit_callbacks, settings
):
    assert (
        settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    )
    start_milestone(owner=owner)

    with django_capture_on_commit_callbacks(execute=True):
        result = send_milestone_reminders.enqueue(on_date="2026-11-05")

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert [email.to for email in mail.outbox] == [["owner@testshire.example"]]


def test_the_task_uses_today_when_given_no_date(start_milestone, owner):
    """Without a date the task reminds for today: the milestone, due in November 2026, is
    overdue by now, and its overdue reminder has gone already."""
    start_milestone(owner=owner)
    ReminderClaim.objects.create(
        subject=Milestone.objects.get(), kind="overdue", due_on=DUE_ON, sent_to=owner.email
    )

    result = send_milestone_reminders.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 0


@pytest.mark.django_db
def test_long_overdue_milestones_are_not_emailed_the_dashboard_shows_them(partnership):
    import datetime

    from django.core import mail

    from safeguarding.clock.models import Milestone, MilestoneRule, subject_type_for
    from safeguarding.clock.reminders import OVERDUE_REMINDER_DAYS, reminders_send

    today = datetime.date(2026, 11, 26)
    due = today - datetime.timedelta(days=OVERDUE_REMINDER_DAYS + 1)
    Milestone.objects.create(
        partnership=partnership,
        rule=MilestoneRule.objects.get(code="cspr-rapid-review"),
        subject_type=subject_type_for(partnership),
        subject_id=partnership.pk,
        subject_label="Old case",
        offset_amount=15,
        offset_unit="working_days",
        starts_on=due,
        due_on=due,
        original_due_on=due,
    )
    assert reminders_send(today=today) == 0
    assert mail.outbox == []
