import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import MembershipFactory, UserFactory
from safeguarding.clock.models import ReminderClaim
from safeguarding.clock.reminders import reminders_send
from safeguarding.core.calendar import add_working_days
from safeguarding.reviews.models import AgencyRequest

from .review_support import make_lcspr

TODAY = datetime.date(2026, 11, 26)


def agency_reminders_send(*, today: datetime.date) -> int:
    return reminders_send(today=today, sources=["agency_requests"])


@pytest.fixture
def request_due_soon(partnership, business_unit_user, agency):
    review, _ = make_lcspr(partnership, business_unit_user)
    contributor = UserFactory(email="contributor@agency.example")
    MembershipFactory(
        user=contributor, partnership=partnership, role=Role.AGENCY_CONTRIBUTOR, agency=agency
    )
    request = AgencyRequest.objects.create(
        review=review,
        agency=agency,
        kind="chronology",
        due_on=add_working_days(TODAY, 2),
        requested_by=business_unit_user,
    )
    mail.outbox.clear()  # the set-up's own emails (the referral's acknowledgement)
    return request


@pytest.mark.django_db(transaction=True)
def test_agency_is_reminded_once_before_the_due_date(request_due_soon):
    assert agency_reminders_send(today=TODAY) == 1
    assert agency_reminders_send(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["contributor@agency.example"]
    assert "is due soon" in mail.outbox[0].subject
    assert ReminderClaim.objects.get().subject == request_due_soon


@pytest.mark.django_db(transaction=True)
def test_overdue_then_returned_requests(request_due_soon):
    later = request_due_soon.due_on + datetime.timedelta(days=1)
    assert agency_reminders_send(today=later) == 1
    assert "is overdue" in mail.outbox[-1].subject
    request_due_soon.returned_at = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    request_due_soon.save()
    assert agency_reminders_send(today=later + datetime.timedelta(days=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_the_daily_command_sends_agency_reminders_too(request_due_soon, capsys):
    call_command("send_reminders", "--date", TODAY.isoformat())
    claims = ReminderClaim.objects.filter(subject_type__model="agencyrequest")
    assert claims.filter(subject_id=request_due_soon.pk).exists()
