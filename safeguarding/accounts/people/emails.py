"""The invitation email. One small function, so that it can move to the notifications module
(``notify``) when that exists; invitations go to addresses that have no account yet, so they
are sent straight to the address rather than to a user."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from safeguarding.accounts.models import Invitation


def invitation_email_send(*, invitation: Invitation, accept_url: str) -> None:
    context = {
        "invitation": invitation,
        "inviter": (
            invitation.invited_by.full_name
            if invitation.invited_by is not None
            else invitation.partnership.name
        ),
        "accept_url": accept_url,
        "service_name": settings.SERVICE_NAME,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    send_mail(
        subject=f"You are invited to {invitation.partnership.name} – {settings.SERVICE_NAME}",
        message=render_to_string("people/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
