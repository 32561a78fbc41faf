"""Make a person a system administrator (superuser: may use /admin/), or stop them being one.

    python manage.py grant_system_admin sam@example.org
    python manage.py grant_system_admin sam@example.org --remove

The only way besides ``createsuperuser`` to give superuser status: no page can (ADR 0011). The
change is audited, with the operating-system user who ran the command.
"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from safeguarding.accounts.email_addresses import email_normalise
from safeguarding.accounts.models import User
from safeguarding.accounts.people.services import system_admin_set


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Command(BaseCommand):
    help = "Make a person a system administrator (superuser), or with --remove stop them being one."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address of an existing account")
        parser.add_argument(
            "--remove", action="store_true", help="Stop them being a system administrator"
        )

    def handle(self, *args, email: str, remove: bool, **options):
        user = User.objects.filter(email=email_normalise(email)).first()
        if user is None:
            raise CommandError(f"No account has the email address {email}")
        grant = not remove
        changed = system_admin_set(
            user=user,
            grant=grant,
            by_label=f"manage.py grant_system_admin (run by {_os_user()})",
        )
        if not changed:
            state = "already" if grant else "not"
            self.stdout.write(f"{user.email} is {state} a system administrator: nothing changed.")
            return
        if grant:
            self.stdout.write(self.style.SUCCESS(f"{user.email} is now a system administrator."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"{user.email} is no longer a system administrator.")
            )
