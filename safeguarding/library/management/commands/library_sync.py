"""python manage.py library_sync [--partnership SLUG] [--refresh]

Give every published (or withdrawn) review, and every national review on a public page, its
library record: for the ones that existed before the library. New publications get theirs by
themselves when they are published. ``--refresh`` also copies every own publication again.
"""

from django.core.management.base import BaseCommand, CommandError

from safeguarding.accounts.models import Partnership
from safeguarding.library import services


class Command(BaseCommand):
    help = "Make library records for publications and national reviews that have none."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", help="Only this partnership (its slug)")
        parser.add_argument(
            "--refresh", action="store_true", help="Also bring existing own records up to date"
        )

    def handle(self, *args, **options):
        partnership = None
        if options.get("partnership"):
            try:
                partnership = Partnership.objects.get(slug=options["partnership"])
            except Partnership.DoesNotExist:
                raise CommandError(
                    f"No partnership with the slug ‘{options['partnership']}’"
                ) from None
        result = services.library_sync(partnership=partnership, refresh=options["refresh"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Library records: {result.created} made and {result.updated} brought up to date "
                f"for published reviews, {result.national} made for national reviews."
            )
        )
