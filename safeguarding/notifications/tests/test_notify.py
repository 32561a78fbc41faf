"""notify(): a notice per person in the caller's transaction, the email after the commit through
Django's mail (the locmem outbox here), each hand-off told once."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from safeguarding.accounts.models import Role
from safeguarding.core.email_transport import Attachment
from safeguarding.notifications.kinds import (
    NotificationKind,
    UnknownNotificationKind,
    register_kinds,
)
from safeguarding.notifications.models import Notification
from safeguarding.notifications.services import notify

from .conftest import EXAMPLE

pytestmark = pytest.mark.django_db


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such mailbox")})


class UnreachableMailServer(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError("Connection refused")

    def send_messages(self, email_messages):
        raise AssertionError("never reached")


@pytest.fixture
def alex(user_for_role):
    return user_for_role(Role.BUSINESS_UNIT, email="alex@testshire.example", full_name="Alex Lee")


def tell(partnership, recipients, **extra):
    return notify(
        kind=EXAMPLE,
        recipients=recipients,
        partnership=partnership,
        context={"thing": "The draft report"},
        **extra,
    )


def test_the_notice_is_written_at_once_and_the_email_goes_after_the_commit(
    partnership, alex, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (notification,) = tell(partnership, [alex], link="/manage/testshire/")

    assert mail.outbox == []
    assert notification.email_status == "queued"
    assert notification.recipient == alex
    assert notification.subject == "The draft report is ready"
    assert notification.body.startswith("Hello Alex Lee, The draft report is ready at Testshire")
    assert notification.read_at is None

    callbacks[0]()  # the commit

    (email,) = mail.outbox
    assert email.to == ["alex@testshire.example"]
    assert email.subject == "The draft report is ready"
    assert email.body == notification.body
    notification.refresh_from_db()
    assert notification.email_status == "sent"
    assert notification.email_status_at is not None


def test_a_hand_off_that_rolls_back_tells_no_one(
    partnership, alex, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell(partnership, [alex])
        raise RuntimeError("the hand-off failed")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_an_unknown_kind_is_an_error(partnership, alex):
    with pytest.raises(UnknownNotificationKind):
        notify(kind="example.never_registered", recipients=[alex], partnership=partnership)
    assert not Notification.objects.exists()


def test_a_notification_links_only_to_a_page_of_the_service(partnership, alex):
    with pytest.raises(ValueError, match="a page of the service"):
        tell(partnership, [alex], link="https://elsewhere.example/")


def test_kinds_are_registered_once_with_one_meaning():
    kind = NotificationKind(label="x", subject="x", template="x.txt")
    with pytest.raises(ValueError, match=r"look like 'entity\.event'"):
        register_kinds({"NoDot": kind})
    with pytest.raises(ValueError, match="already registered differently"):
        register_kinds({EXAMPLE: kind})


def test_someone_without_an_account_gets_the_email_only(
    partnership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = tell(partnership, ["referrer@school.example"])

    assert notification.recipient is None
    assert notification.email == "referrer@school.example"
    assert mail.outbox[0].to == ["referrer@school.example"]
    assert mail.outbox[0].body.startswith("Hello, The draft report")


def test_each_person_gets_one_email_of_their_own_and_closed_accounts_none(
    partnership, alex, user_for_role, django_capture_on_commit_callbacks
):
    sam = user_for_role(Role.BUSINESS_UNIT, email="sam@testshire.example")
    gone = user_for_role(Role.BUSINESS_UNIT, email="gone@testshire.example", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        told = tell(partnership, [alex, sam, gone, "ALEX@testshire.example", ""])

    assert [n.email for n in told] == ["alex@testshire.example", "sam@testshire.example"]
    assert [email.to for email in mail.outbox] == [
        ["alex@testshire.example"],
        ["sam@testshire.example"],
    ]


def test_a_hand_off_with_a_dedupe_key_tells_each_person_once(
    partnership, alex, user_for_role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert len(tell(partnership, [alex], dedupe_key="report:1:ready")) == 1
        sam = user_for_role(Role.BUSINESS_UNIT, email="sam@testshire.example")
        again = tell(partnership, [alex, sam], dedupe_key="report:1:ready")

    assert [n.email for n in again] == ["sam@testshire.example"]  # Alex was told already
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_links_use_the_service_address(partnership, alex, settings):
    (without,) = tell(partnership, [alex], link="/manage/testshire/")
    assert "Sign in to Manage safeguarding reviews to see it, at /manage/testshire/" in (
        without.body
    )

    settings.SERVICE_URL = "https://reviews.example.gov.uk"
    (with_address,) = tell(partnership, [alex], link="/manage/testshire/")
    assert "See it: https://reviews.example.gov.uk/manage/testshire/" in with_address.body
    assert with_address.link == "/manage/testshire/"


def test_a_private_link_goes_in_the_email_but_is_never_stored(
    partnership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = tell(
            partnership,
            ["referrer@school.example"],
            private_context={"secret": "https://reviews.example/status/t0k3n/"},
        )

    assert "t0k3n" in mail.outbox[0].body
    notification.refresh_from_db()
    assert "t0k3n" not in notification.body
    assert "t0k3n" not in str(Notification.objects.values_list().get())


def test_attachments_go_with_the_email_and_stay_on_the_notice(
    partnership, alex, django_capture_on_commit_callbacks
):
    ics = Attachment(
        filename="invitation.ics",
        content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        mimetype="text/calendar",
        params=(("method", "REQUEST"),),
    )
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = tell(partnership, [alex], attachments=[ics])

    (attachment,) = notification.attachments.all()
    assert attachment.filename == "invitation.ics"
    assert attachment.content_type == "text/calendar; method=REQUEST; charset=utf-8"
    assert bytes(attachment.content) == ics.content
    message = mail.outbox[0].message()
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invitation.ics"
    assert part.get_payload(decode=True) == ics.content


def test_a_refused_email_is_recorded_and_not_retried(
    partnership, alex, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"

    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = tell(partnership, [alex])

    notification.refresh_from_db()
    assert notification.email_status == "failed"
    assert notification.email_error.startswith("SMTPRecipientsRefused")
    assert notification.email_status_at is not None
    assert f"Could not email notification {notification.pk}" in caplog.text


def test_a_mail_server_that_cannot_be_reached_fails_every_email(
    partnership, alex, user_for_role, settings, django_capture_on_commit_callbacks
):
    user_for_role(Role.BUSINESS_UNIT, email="sam@testshire.example")
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableMailServer"

    with django_capture_on_commit_callbacks(execute=True):
        tell(partnership, [alex, "sam@testshire.example"])

    assert (
        list(Notification.objects.values_list("email_status", "email_error"))
        == [("failed", "ConnectionRefusedError: Connection refused")] * 2
    )
