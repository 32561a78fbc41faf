"""Invite the first business unit member of a partnership (set up in the system administration
site), who then invites everyone else on the partnership's people pages.

    python manage.py invite_business_unit riverton-safeguarding sam@example.org "Sam Smith"

The invitation email's link starts with SERVICE_URL. The invitation is audited, with the
operating-system user who ran the command. The link itself is not printed.
"""

import getpass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from safeguarding.accounts.email_addresses import email_normalise
from safeguarding.accounts.models import Invitation, Membership, Partnership, Role
from safeguarding.accounts.people.services import invitation_create


class Command(BaseCommand):
    help = "Invite a business unit member to a partnership by email."

    def add_arguments(self, parser):
        parser.add_argument("partnership", help="The partnership's slug")
        parser.add_argument("email")
        parser.add_argument("full_name")

    def handle(self, *args, partnership: str, email: str, full_name: str, **options):
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"No partnership has the slug {partnership}")
        email = email_normalise(email)
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email} is not an email address") from None
        if not full_name.strip():
            raise CommandError("Give the person's full name")
        if Membership.objects.filter(partnership=found, user__email=email).exists():
            raise CommandError(f"{email} is already a member of {found.name}")
        if Invitation.objects.filter(
            partnership=found, email=email, accepted_at__isnull=True, cancelled_at__isnull=True
        ).exists():
            raise CommandError(f"{email} has already been invited to {found.name}")
        if not settings.SERVICE_URL:
            self.stderr.write("SERVICE_URL is not set: the link in the email has no address.")
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        invitation = invitation_create(
            partnership=found,
            actor=None,
            actor_label=f"manage.py invite_business_unit (run by {user})",
            email=email,
            full_name=full_name,
            roles=[Role.BUSINESS_UNIT],
            agency=None,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Invitation emailed to {invitation.email}; "
                f"it works until {invitation.expires_at:%d %B %Y %H:%M %Z}."
            )
        )
