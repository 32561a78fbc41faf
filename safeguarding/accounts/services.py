"""Writes for accounts: two-factor devices."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.audit.services import audit_record


def totp_device_get_or_create_unconfirmed(*, user) -> TOTPDevice:
    """The device a user is setting up: created once, confirmed when they enter a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_device_confirm(*, user, device: TOTPDevice, code: str) -> bool:
    """Confirm a new device if ``code`` is right. Returns whether it was."""
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
