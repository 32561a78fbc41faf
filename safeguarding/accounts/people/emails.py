"""The invitation email. Invitations go to addresses that have no account yet, so they are sent
straight to the address (no notice in the service), through the service's one email transport
(``core/email_transport.py``: GOV.UK Notify when configured, Django's mail otherwise), with the
Notify template key ``people.invitation``. The accept link holds the invitation's secret token:
it is in the email only, never stored."""

from django.conf import settings
from django.template.loader import render_to_string

from safeguarding.accounts.models import Invitation
from safeguarding.core.email_transport import OutgoingEmail, email_send

TEMPLATE_KEY = "people.invitation"


def invitation_email_send(*, invitation: Invitation, accept_url: str) -> str:
    """Send the invitation to its address; return the provider's reference ("" for SMTP)."""
    inviter = (
        invitation.invited_by.full_name
        if invitation.invited_by is not None
        else invitation.partnership.name
    )
    context = {
        "invitation": invitation,
        "inviter": inviter,
        "accept_url": accept_url,
        "service_name": settings.SERVICE_NAME,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    return email_send(
        OutgoingEmail(
            to=invitation.email,
            subject=f"You are invited to {invitation.partnership.name} – {settings.SERVICE_NAME}",
            body=render_to_string("people/email/invitation.txt", context),
            template=TEMPLATE_KEY,
            link=accept_url,
            personalisation={
                "partnership": invitation.partnership.name,
                "inviter": inviter,
                "valid_days": str(settings.INVITATION_VALID_DAYS),
            },
            reference=f"invitation-{invitation.pk}",
        )
    )
