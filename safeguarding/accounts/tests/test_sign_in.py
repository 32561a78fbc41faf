import re

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.audit.models import AuditEvent

PASSWORD = "correct-horse-battery-staple"
SIGN_IN = "/sign-in/"


def sign_in(client, email="bu@testshire.example", password=PASSWORD):
    return client.post(SIGN_IN, {"username": email, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def confirm_by_email(client) -> None:
    """The first step of setting up two-factor sign-in: the code emailed to the user."""
    setup_url = reverse("accounts:two_factor_setup")
    client.post(setup_url, {"action": "send"})
    code = re.search(r"^(\d{6})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    client.post(setup_url, {"action": "confirm", "code": code})


@pytest.mark.django_db
def test_sign_in_with_right_password_goes_to_staff_home_and_is_audited(client, business_unit_user):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.url == reverse("workspace:staff_home")
    event = AuditEvent.objects.get(action="user.signed_in")
    assert event.actor == business_unit_user


@pytest.mark.django_db
def test_wrong_password_shows_govuk_error_and_is_audited(client, business_unit_user):
    response = sign_in(client, password="wrong-password-123")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert "<title>Error: " in html
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="user.sign_in_failed")
    assert event.actor == business_unit_user
    assert event.actor_label == "bu@testshire.example"


@pytest.mark.django_db
def test_missing_fields_get_an_error_each_linked_from_the_summary(client):
    html = client.post(SIGN_IN, {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your email address</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'class="govuk-input govuk-input--error"' in html


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_out_and_the_lockout_is_audited(
    client, business_unit_user
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong-password-123")
    response = sign_in(client)  # even the right password is refused now
    assert response.status_code == 429
    assert "You cannot sign in at the moment" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="user.locked_out").exists()


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_sign_ins_and_lockouts_are_per_client(business_unit_user):
    """Issue 12 item 1: the lockout (django-axes) and the audit trail see the client's address
    through the trusted proxy, so one client's lockout does not lock out the same person
    signing in from another address behind the same proxy."""
    attacker = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.66")
    colleague = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, password="wrong-password-123")
    assert sign_in(attacker).status_code == 429
    for action in ("user.locked_out", "user.sign_in_failed"):
        events = AuditEvent.objects.filter(action=action)
        assert events and {event.payload["ip"] for event in events} == {"192.0.2.66"}
    assert sign_in(colleague).status_code == 302
    signed_in = AuditEvent.objects.get(action="user.signed_in")
    assert signed_in.payload == {"ip": "198.51.100.1"}


@pytest.mark.django_db
def test_sign_out_needs_post_and_is_audited(client, business_unit_user):
    client.force_login(business_unit_user)
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    response = client.post(reverse("accounts:sign_out"))
    assert response.url == reverse("accounts:signed_out")
    assert AuditEvent.objects.filter(action="user.signed_out", actor=business_unit_user).exists()
    assert client.get(reverse("workspace:staff_home")).status_code == 302


def test_sessions_expire_after_30_minutes_of_inactivity():
    # Renewed by SessionLifetimeMiddleware at most once a minute, not saved on every request
    # (test_sessions.py shows both).
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


@pytest.mark.django_db
def test_expired_session_needs_sign_in_again(client, business_unit_user):
    client.force_login(business_unit_user)
    session = client.session
    session.set_expiry(-1)
    session.save()
    response = client.get(reverse("workspace:staff_home"))
    assert response.status_code == 302
    assert response.url.startswith(SIGN_IN)


@pytest.mark.parametrize("password", ["short-pw", "password1234", "12345678901234"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.django_db
def test_password_reset_sends_an_email_with_a_working_link(client, business_unit_user):
    response = client.post(reverse("accounts:password_reset"), {"email": "bu@testshire.example"})
    assert response.url == reverse("accounts:password_reset_sent")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    new = "a-much-better-passphrase-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.url == reverse("accounts:password_reset_complete")
    business_unit_user.refresh_from_db()
    assert business_unit_user.check_password(new)
    assert AuditEvent.objects.filter(action="user.password_reset").exists()


@pytest.mark.django_db
def test_password_reset_for_unknown_email_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@x.example"})
    assert response.url == reverse("accounts:password_reset_sent")
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_change_refuses_a_weak_password_and_keeps_the_old_one(client, business_unit_user):
    client.force_login(business_unit_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert "There is a problem" in response.content.decode()
    business_unit_user.refresh_from_db()
    assert business_unit_user.check_password(PASSWORD)


# Two-factor sign-in -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_factor_set_up_then_required_at_every_sign_in(client, business_unit_user):
    client.force_login(business_unit_user)
    setup_url = reverse("accounts:two_factor_setup")
    confirm_by_email(client)
    page = client.get(setup_url)
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=business_unit_user, confirmed=False)
    wrong = client.post(setup_url, {"code": "000000"})
    assert "The security code is wrong" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows down the next try; skip the wait in the test
    client.post(setup_url, {"code": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="user.two_factor_set_up").exists()

    client.post(reverse("accounts:sign_out"))
    response = sign_in(client)
    # Password alone is not enough: every page sends the user to the security code step.
    blocked = client.get(reverse("workspace:staff_home"))
    assert blocked.url == reverse("accounts:two_factor_verify")
    device.refresh_from_db()
    device.last_t = -1  # allow the same 30-second code again in this test
    device.save()
    response = client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200


@pytest.mark.django_db
def test_wrong_security_code_is_refused_and_audited(client, business_unit_user):
    device = TOTPDevice.objects.create(user=business_unit_user, name="app", confirmed=True)
    sign_in(client)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "12ab"})
    assert "The security code must be 6 digits" in response.content.decode()
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    assert "The security code is wrong" in response.content.decode()
    assert AuditEvent.objects.filter(action="user.two_factor_failed").exists()
    assert client.get(reverse("accounts:account")).status_code == 302
    assert device.user == business_unit_user


@pytest.mark.django_db
@override_settings(TWO_FACTOR_REQUIRED=True)
def test_when_two_factor_is_required_staff_must_set_it_up_first(client, business_unit_user):
    sign_in(client)
    response = client.get(reverse("workspace:staff_home"))
    assert response.url == reverse("accounts:two_factor_setup")


def test_production_settings_require_two_factor():
    source = (settings.BASE_DIR / "config" / "settings" / "production.py").read_text()
    assert 'TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)' in source


@pytest.mark.django_db
def test_the_admin_sign_in_page_sends_people_to_the_service_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.url == "/sign-in/?next=/admin/"
