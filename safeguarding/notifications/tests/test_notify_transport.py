"""Sending through GOV.UK Notify: a real HTTP round trip from notifications-python-client to a
small Notify stand-in started here on 127.0.0.1 (``NOTIFY_BASE_URL``), so nothing reaches the
internet and none of our code is mocked."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.core import mail
from django.core.management import call_command

from safeguarding.accounts.models import Role
from safeguarding.core.email_transport import Attachment, OutgoingEmail, email_send
from safeguarding.notifications.models import Notification
from safeguarding.notifications.services import notify

from .conftest import EXAMPLE

pytestmark = pytest.mark.django_db

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"
GENERIC_TEMPLATE = str(uuid.uuid4())
EXAMPLE_TEMPLATE = str(uuid.uuid4())


class FakeNotify:
    """Answers POST /v2/notifications/email as Notify does, checking the client's signed token,
    and keeps what it was sent. ``refuse`` makes it answer 400 with Notify's error body."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.refuse = ""
        notify_stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                token = self.headers["Authorization"].removeprefix("Bearer ")
                claims = jwt.decode(token, SECRET, algorithms=["HS256"])
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                notify_stand_in.received.append(
                    {"path": self.path, "issuer": claims["iss"], "body": body}
                )
                if notify_stand_in.refuse:
                    status, answer = (
                        400,
                        {
                            "status_code": 400,
                            "errors": [
                                {"error": "BadRequestError", "message": notify_stand_in.refuse}
                            ],
                        },
                    )
                else:
                    status, answer = (
                        201,
                        {"id": str(uuid.uuid4()), "reference": body.get("reference")},
                    )
                encoded = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def fake_notify(settings):
    stand_in = FakeNotify()
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = stand_in.url
    settings.NOTIFY_GENERIC_TEMPLATE_ID = GENERIC_TEMPLATE
    settings.NOTIFY_TEMPLATE_IDS = {}
    yield stand_in
    stand_in.close()


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


def test_with_a_notify_key_the_email_goes_to_notify_with_the_generic_template(
    fake_notify, partnership, alex, settings, django_capture_on_commit_callbacks
):
    settings.SERVICE_URL = "https://reviews.example.gov.uk"
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = tell(partnership, [alex], link="/manage/testshire/")

    assert mail.outbox == []  # not Django's mail
    (request,) = fake_notify.received
    assert request["path"] == "/v2/notifications/email"
    assert request["issuer"] == SERVICE_ID  # signed with the key's secret, for its service
    body = request["body"]
    assert body["email_address"] == "alex@testshire.example"
    assert body["template_id"] == GENERIC_TEMPLATE
    assert body["reference"] == f"notification-{notification.pk}"
    personalisation = body["personalisation"]
    assert personalisation["subject"] == "The draft report is ready"
    assert personalisation["body"] == notification.body
    assert personalisation["link"] == "https://reviews.example.gov.uk/manage/testshire/"
    assert personalisation["thing"] == "The draft report"  # for a kind's own template
    notification.refresh_from_db()
    assert notification.email_status == "sent"
    assert uuid.UUID(notification.email_reference)  # Notify's id for it


def test_a_kind_with_its_own_notify_template_uses_it(
    fake_notify, partnership, alex, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_TEMPLATE_IDS = {EXAMPLE: EXAMPLE_TEMPLATE}

    with django_capture_on_commit_callbacks(execute=True):
        tell(partnership, [alex])

    assert fake_notify.received[0]["body"]["template_id"] == EXAMPLE_TEMPLATE


def test_an_email_notify_refuses_is_recorded_with_its_reason(
    fake_notify, partnership, alex, django_capture_on_commit_callbacks
):
    fake_notify.refuse = "Can't send to this recipient using a team-only API key"

    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = tell(partnership, [alex])

    notification.refresh_from_db()
    assert notification.email_status == "failed"
    assert "Can't send to this recipient using a team-only API key" in notification.email_error
    assert notification.email_reference == ""


def test_notify_sends_no_attachments_so_the_notice_keeps_them(
    fake_notify, partnership, alex, django_capture_on_commit_callbacks
):
    ics = Attachment(
        filename="invitation.ics", content=b"BEGIN:VCALENDAR", mimetype="text/calendar"
    )
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = tell(partnership, [alex], attachments=[ics])

    assert "file" not in json.dumps(fake_notify.received[0]["body"])
    assert notification.attachments.count() == 1  # to download from the notice


def test_one_click_unsubscribe_goes_to_notify(fake_notify):
    reference = email_send(
        OutgoingEmail(
            to="reader@example.org",
            subject="Learning digest 3",
            body="The digest.",
            template="digest.issue",
            unsubscribe_url="https://reviews.example.gov.uk/testshire/digests/unsubscribe/x/",
        )
    )

    body = fake_notify.received[0]["body"]
    assert body["one_click_unsubscribe_url"] == (
        "https://reviews.example.gov.uk/testshire/digests/unsubscribe/x/"
    )
    assert body["template_id"] == GENERIC_TEMPLATE
    assert uuid.UUID(reference)


def test_the_settings_check_wants_a_generic_template_and_real_ids(settings):
    from safeguarding.notifications.checks import notify_settings_check

    settings.NOTIFY_API_KEY = ""
    assert notify_settings_check(None) == []

    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_GENERIC_TEMPLATE_ID = ""
    settings.NOTIFY_TEMPLATE_IDS = {EXAMPLE: "not-an-id"}
    assert [error.id for error in notify_settings_check(None)] == [
        "notifications.E002",
        "notifications.E003",
    ]

    settings.NOTIFY_API_KEY = "wrong"
    settings.NOTIFY_GENERIC_TEMPLATE_ID = GENERIC_TEMPLATE
    settings.NOTIFY_TEMPLATE_IDS = {}
    assert [error.id for error in notify_settings_check(None)] == ["notifications.E001"]

    settings.NOTIFY_API_KEY = API_KEY
    call_command("check")  # no errors
    assert Notification.objects.count() == 0


def test_deploy_check_wants_the_service_address(settings):
    from safeguarding.notifications.checks import service_url_check

    settings.SERVICE_URL = ""
    assert [warning.id for warning in service_url_check(None)] == ["notifications.W001"]
    settings.SERVICE_URL = "https://reviews.example.gov.uk"
    assert service_url_check(None) == []


def test_an_invitation_goes_through_notify_too_with_its_own_template_key(
    fake_notify, partnership, alex, settings, django_capture_on_commit_callbacks
):
    """Invitations share the one transport (core/email_transport.py), so a partnership with a
    Notify key sends them through Notify, with the template of ``people.invitation`` if set."""
    from safeguarding.accounts.people.services import invitation_create

    settings.NOTIFY_TEMPLATE_IDS = {"people.invitation": EXAMPLE_TEMPLATE}
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            partnership=partnership,
            actor=alex,
            email="new.person@testshire.example",
            full_name="Sam Fictional",
            roles=[Role.REVIEWER],
            agency=None,
            link_for=lambda path: f"https://reviews.example.gov.uk{path}",
        )
    assert mail.outbox == []  # not Django's mail
    (request,) = fake_notify.received
    body = request["body"]
    assert body["email_address"] == "new.person@testshire.example"
    assert body["template_id"] == EXAMPLE_TEMPLATE
    assert body["reference"] == f"invitation-{invitation.pk}"
    personalisation = body["personalisation"]
    assert personalisation["partnership"] == partnership.name
    assert personalisation["inviter"] == "Alex Lee"
    assert personalisation["link"].startswith("https://reviews.example.gov.uk/")
    assert personalisation["link"] in personalisation["body"]
    assert not Notification.objects.exists()  # no account yet: no notice is stored
