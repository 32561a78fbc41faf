"""Sign-in, sign-out, failed sign-in and lockout go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from safeguarding.audit.services import audit_record
from safeguarding.core.client_address import client_address

from .middleware import session_mark_started


def _user_by_email(email: str):
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email).first()


@receiver(user_logged_in)
def audit_signed_in(sender, request, user, **kwargs):
    audit_record(action="user.signed_in", actor=user, payload={"ip": client_address(request)})


@receiver(user_logged_in)
def session_lifetime_start(sender, request, user, **kwargs):
    """The absolute session lifetime counts from sign-in (SessionLifetimeMiddleware)."""
    if request is not None and hasattr(request, "session"):
        session_mark_started(request.session)


@receiver(user_logged_out)
def audit_signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="user.signed_out", actor=user, payload={"ip": client_address(request)})


@receiver(user_login_failed)
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit_record(
        action="user.sign_in_failed",
        actor=_user_by_email(email),
        actor_label=email,
        payload={"ip": client_address(request)},
    )


@receiver(user_locked_out)
def audit_locked_out(sender, request, username, ip_address, **kwargs):
    email = str(username or "")[:254]
    audit_record(
        action="user.locked_out",
        actor=_user_by_email(email),
        actor_label=email,
        payload={"ip": ip_address or ""},
    )
