"""Setting up two-factor sign-in needs a code emailed to the user first, so that a stolen
password alone cannot enrol a new authenticator app (issue 12, item 11d)."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.accounts import services
from safeguarding.accounts.views import EMAIL_CODE_CONFIRMED_AT
from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError

from .test_sign_in import current_code, sign_in

SETUP = "accounts:two_factor_setup"


def emailed_code() -> str:
    return re.search(r"^(\d{6})$", mail.outbox[-1].body, re.MULTILINE).group(1)


def totp_step_code(client) -> str:
    """Open the authenticator step and return the app's current code for the new device."""
    page = client.get(reverse(SETUP))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    return current_code(device)


@pytest.mark.django_db
@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_password_alone_does_not_reach_the_authenticator_set_up(client, business_unit_user):
    sign_in(client)
    response = client.get(reverse("workspace:staff_home"))
    assert response.url == reverse(SETUP)
    page = client.get(reverse(SETUP)).content.decode()
    assert "First, we need to check it is you" in page
    assert "bu@testshire.example" in page
    assert "<svg" not in page  # no QR code and no key before the emailed code
    assert not TOTPDevice.objects.exists()
    assert mail.outbox == []  # nothing is sent by opening the page


@pytest.mark.django_db
def test_an_app_code_is_refused_until_the_emailed_code_is_entered(client, business_unit_user):
    client.force_login(business_unit_user)
    # A device made some other way (or from an earlier try) cannot be confirmed with its code.
    device = TOTPDevice.objects.create(user=business_unit_user, name="app", confirmed=False)
    client.post(reverse(SETUP), {"code": current_code(device)})
    device.refresh_from_db()
    assert not device.confirmed
    assert not client.session.get("otp_device_id")
    # The service refuses too, whoever calls it.
    with pytest.raises(ServiceError, match="Enter the code we emailed to you"):
        services.totp_device_confirm(
            user=business_unit_user,
            device=device,
            code=current_code(device),
            email_confirmed_at=None,
        )
    device.refresh_from_db()
    assert not device.confirmed


@pytest.mark.django_db
def test_setting_up_two_factor_sends_a_code_then_accepts_the_app(client, business_unit_user):
    client.force_login(business_unit_user)
    client.post(reverse(SETUP), {"action": "send"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bu@testshire.example"]
    assert "set up two-factor sign-in" in message.subject
    assert "Someone knows your password" in message.body
    assert AuditEvent.objects.filter(action="user.two_factor_email_sent").exists()
    page = client.get(reverse(SETUP)).content.decode()
    assert "Code from the email" in page
    assert "It works for 15 minutes" in page

    client.post(reverse(SETUP), {"action": "confirm", "code": emailed_code()})
    assert AuditEvent.objects.filter(action="user.two_factor_email_confirmed").exists()
    response = client.post(reverse(SETUP), {"code": totp_step_code(client)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=business_unit_user).confirmed
    assert AuditEvent.objects.filter(action="user.two_factor_set_up").exists()
    # The emailed code is not a sign-in device: the authenticator app is the only one.
    assert not EmailDevice.objects.filter(user=business_unit_user, confirmed=True).exists()
    assert EMAIL_CODE_CONFIRMED_AT not in client.session


@pytest.mark.django_db
def test_a_wrong_emailed_code_is_refused_and_audited(client, business_unit_user):
    client.force_login(business_unit_user)
    client.post(reverse(SETUP), {"action": "send"})
    right = emailed_code()
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(reverse(SETUP), {"action": "confirm", "code": wrong})
    html = response.content.decode()
    assert "The code is wrong or has expired" in html
    assert "<svg" not in html
    event = AuditEvent.objects.get(action="user.two_factor_failed")
    assert event.payload == {"step": "setup_email"}
    short = client.post(reverse(SETUP), {"action": "confirm", "code": "12ab"})
    assert "The code must be 6 digits" in short.content.decode()


@pytest.mark.django_db
def test_an_emailed_code_works_once(client, business_unit_user):
    client.force_login(business_unit_user)
    client.post(reverse(SETUP), {"action": "send"})
    code = emailed_code()
    client.post(reverse(SETUP), {"action": "confirm", "code": code})
    # Another session (someone else with the password) cannot use the same code.
    other = Client()
    other.force_login(business_unit_user)
    response = other.post(reverse(SETUP), {"action": "confirm", "code": code})
    assert "The code is wrong or has expired" in response.content.decode()


@pytest.mark.django_db
def test_a_second_code_waits_a_minute(client, business_unit_user):
    client.force_login(business_unit_user)
    client.post(reverse(SETUP), {"action": "send"})
    response = client.post(reverse(SETUP), {"action": "send"}, follow=True)
    assert len(mail.outbox) == 1
    assert "We sent a code less than a minute ago" in response.content.decode()


@pytest.mark.django_db
def test_the_emailed_confirmation_lasts_30_minutes(client, business_unit_user):
    client.force_login(business_unit_user)
    client.post(reverse(SETUP), {"action": "send"})
    client.post(reverse(SETUP), {"action": "confirm", "code": emailed_code()})
    session = client.session
    session[EMAIL_CODE_CONFIRMED_AT] -= 30 * 60 + 1
    session.save()
    page = client.get(reverse(SETUP)).content.decode()
    assert "First, we need to check it is you" in page
    assert "<svg" not in page


@pytest.mark.django_db
def test_the_middleware_asks_the_same_device_question_as_django_otp(
    business_unit_user, django_user_model
):
    """``has_confirmed_device`` (issue 16: cheaper on every request of a user who has not
    verified) answers as ``django_otp.user_has_device(user, confirmed=True)`` for every kind
    of device, confirmed or not, and for another user's."""
    from django_otp import user_has_device

    from safeguarding.accounts.middleware import has_confirmed_device

    other = django_user_model.objects.create_user(email="other@example.org", password="x" * 20)

    def same() -> bool:
        for user in (business_unit_user, other):
            assert has_confirmed_device(user) == user_has_device(user, confirmed=True)
        return has_confirmed_device(business_unit_user)

    assert same() is False
    TOTPDevice.objects.create(user=business_unit_user, name="App", confirmed=False)
    EmailDevice.objects.create(user=other, name="Email", confirmed=True)
    assert same() is False
    email = EmailDevice.objects.create(user=business_unit_user, name="Email", confirmed=True)
    assert same() is True
    email.delete()
    TOTPDevice.objects.filter(user=business_unit_user).update(confirmed=True)
    assert same() is True
