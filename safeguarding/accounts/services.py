"""Writes for accounts: two-factor devices, password resets, sign-in lockouts, sessions."""

import datetime

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.audit.services import audit_record
from safeguarding.core.errors import ServiceError
from safeguarding.core.rate_limits import RateLimit

from .email_addresses import email_normalise

HOUR = datetime.timedelta(hours=1)


def totp_device_get_or_create_unconfirmed(*, user) -> TOTPDevice:
    """The device a user is setting up: created once, confirmed when they enter a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def two_factor_email_confirmation_current(confirmed_at: datetime.datetime | None) -> bool:
    """Whether an emailed set-up code entered at ``confirmed_at`` still allows setting up an
    authenticator app (TWO_FACTOR_EMAIL_CONFIRMATION_SECONDS)."""
    if confirmed_at is None:
        return False
    age = timezone.now() - confirmed_at
    return (
        datetime.timedelta(0)
        <= age
        <= datetime.timedelta(seconds=settings.TWO_FACTOR_EMAIL_CONFIRMATION_SECONDS)
    )


def two_factor_email_send(*, user) -> bool:
    """Email ``user`` a one-time code that confirms it is them setting up two-factor sign-in.

    False, and nothing sent, when a code was sent less than OTP_EMAIL_COOLDOWN_DURATION
    seconds ago. The code is django-otp's email token: 6 digits, one use, valid for
    OTP_EMAIL_TOKEN_VALIDITY seconds, slower to try again after each wrong entry.
    """
    with transaction.atomic():
        device = EmailDevice.objects.select_for_update().filter(user=user).order_by("id").first()
        if device is None:
            device = EmailDevice.objects.create(
                user=user, name="Code to set up two-factor sign-in", confirmed=False
            )
        allowed, _ = device.generate_is_allowed()
        if not allowed:
            return False
        audit_record(action="user.two_factor_email_sent", actor=user)
        device.generate_challenge(
            extra_context={
                "user": user,
                "service_name": settings.SERVICE_NAME,
                "valid_minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60,
            }
        )
    return True


def two_factor_email_confirm(*, user, code: str) -> bool:
    """Whether ``code`` is the code last emailed to ``user`` (and still valid). Either way the
    attempt is audited; a right code cannot be used twice."""
    with transaction.atomic():
        device = EmailDevice.objects.select_for_update().filter(user=user).order_by("id").first()
        if device is None or not device.verify_token(code):
            audit_record(
                action="user.two_factor_failed", actor=user, payload={"step": "setup_email"}
            )
            return False
        audit_record(action="user.two_factor_email_confirmed", actor=user)
    return True


def totp_device_confirm(
    *, user, device: TOTPDevice, code: str, email_confirmed_at: datetime.datetime | None
) -> bool:
    """Confirm a new device if ``code`` is right. Returns whether it was.

    The user must have entered the code emailed to them (``two_factor_email_confirm``) in the
    last TWO_FACTOR_EMAIL_CONFIRMATION_SECONDS: a password alone cannot enrol an authenticator.
    """
    if not two_factor_email_confirmation_current(email_confirmed_at):
        raise ServiceError("Enter the code we emailed to you before you set up the app")
    with transaction.atomic():
        if not device.verify_token(code):
            audit_record(action="user.two_factor_failed", actor=user, payload={"step": "setup"})
            return False
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(action="user.two_factor_set_up", actor=user)
    return True


def totp_verify(*, user, code: str) -> TOTPDevice | None:
    """The confirmed device that accepts ``code``, if any; a wrong code is audited."""
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                audit_record(action="user.two_factor_verified", actor=user)
                return device
        audit_record(action="user.two_factor_failed", actor=user, payload={"step": "sign_in"})
    return None


def _password_reset_limits() -> tuple[RateLimit, RateLimit]:
    return (
        RateLimit(
            bucket="password_reset:email",
            limit=settings.PASSWORD_RESET_EMAILS_PER_HOUR_PER_EMAIL,
            window=HOUR,
        ),
        RateLimit(
            bucket="password_reset:client",
            limit=settings.PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT,
            window=HOUR,
        ),
    )


def password_reset_request_allowed(*, email: str, client_address: str) -> bool:
    """Whether a password reset may be emailed to ``email`` for a request from
    ``client_address``, counting it if so.

    At most PASSWORD_RESET_EMAILS_PER_HOUR_PER_EMAIL an hour to one address and
    PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT an hour from one client, whether or not the
    address belongs to an account (the page answers the same either way). A refused request
    is audited.
    """
    email = email_normalise(email)
    per_email, per_client = _password_reset_limits()
    with transaction.atomic():
        refused_by = [
            name
            for name, limit, key in (
                ("email", per_email, email),
                ("client", per_client, client_address),
            )
            if limit.exceeded(key)
        ]
        if refused_by:
            audit_record(
                action="user.password_reset_throttled",
                actor_label=email[:254],
                payload={"ip": client_address, "limit": ", ".join(refused_by)},
            )
            return False
        per_email.record(email)
        per_client.record(client_address)
    return True


def password_reset_completed(*, user) -> None:
    """``user`` set a new password from a reset email. The email proved they hold the address,
    so a lockout after failed sign-ins (django-axes) is cleared: the lockout page itself tells
    them to reset their password."""
    with transaction.atomic():
        audit_record(action="user.password_reset", actor=user)
        cleared = axes_reset(username=email_normalise(user.email))
        if cleared:
            audit_record(
                action="user.lockout_cleared",
                actor=user,
                payload={"reason": "password_reset", "attempts": cleared},
            )


def session_end(*, user, started_at: int) -> None:
    """``user``'s session reached SESSION_ABSOLUTE_SECONDS and ends (the caller signs them
    out)."""
    audit_record(
        action="user.session_ended",
        actor=user,
        payload={
            "started_at": datetime.datetime.fromtimestamp(started_at, tz=datetime.UTC).isoformat(),
            "limit_seconds": settings.SESSION_ABSOLUTE_SECONDS,
        },
    )
